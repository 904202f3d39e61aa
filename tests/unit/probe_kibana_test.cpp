// Transcript tests for the kibana probe (src/probes/kibana.cpp). No Kibana or OpenSearch
// Dashboards server is available here (no Debian package), so every server reply is built from
// public documented material, named on each transcript:
//   - Kibana 8.16.0 full status: elastic/beats metricbeat/module/kibana/status/_meta/testdata/
//     8.16.0.json (captured from a real 8.16.0; plugins and metrics trimmed here), as quoted in
//     PROTOCOLS.md 19.4.
//   - Kibana 7.0.0 legacy status: the same directory, 7.0.0.json (trimmed to three statuses).
//   - Redacted 8.x status {"status":{"overall":{"level":"available"}}}: elastic/kibana
//     packages/core/status/core-status-server-internal/src/routes/status.ts (redactedStatus).
//   - OpenSearch Dashboards: opensearch-project/OpenSearch-Dashboards src/core/server/status/
//     routes/integration_tests/status.test.ts (legacy body with "core:opensearch@9.9.9") and
//     src/core/server/http/lifecycle_handlers.ts (osd-name header).
//   - 401 body {"statusCode":401,"error":"Unauthorized","message":"Unauthorized"}: Kibana 7 with
//     security (elastic/kibana issue #119288), and the kbn-name header on every response
//     (lifecycle_handlers.ts createCustomHeadersPreResponseHandler).
// Header sets follow what Kibana's hapi server writes (kbn-name, kbn-license-sig,
// content-type, cache-control, content-length, date, connection, keep-alive).
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "probe_harness.hpp"
#include "probes/registry.hpp"

namespace {

using ajar::core::auth;
using ajar::core::status;
using ajar::net::scripted_session;
using header_list = std::vector<std::pair<std::string, std::string>>;

const std::string status_request =
    "GET /api/status HTTP/1.1\r\nHost: localhost\r\nUser-Agent: ajar/0.1 (exposure audit; metadata "
    "only)\r\n"
    "Accept: application/json, */*;q=0.5\r\n\r\n";

std::string reply(std::string_view status_line, const header_list& headers, std::string_view body) {
  std::string out = "HTTP/1.1 " + std::string(status_line) + "\r\n";
  for (const auto& [k, v] : headers) out += k + ": " + v + "\r\n";
  out += "content-length: " + std::to_string(body.size()) + "\r\n\r\n";
  out += body;
  return out;
}

const header_list kibana_headers = {
    {"kbn-name", "kibana"},
    {"kbn-license-sig", "41a3b9e2c4d5f60718293a4b5c6d7e8f"},
    {"x-content-type-options", "nosniff"},
    {"content-type", "application/json; charset=utf-8"},
    {"cache-control", "private, no-cache, no-store, must-revalidate"},
    {"Date", "Tue, 12 Nov 2024 08:00:00 GMT"},
    {"Connection", "keep-alive"},
    {"Keep-Alive", "timeout=120"}};

header_list without_kbn(header_list h) {
  std::erase_if(h, [](const auto& kv) { return kv.first.starts_with("kbn-"); });
  return h;
}

// beats testdata 8.16.0.json, plugins and metrics trimmed.
constexpr std::string_view kibana8_status =
    R"({"name":"kibana","uuid":"5b2de169-2785-441b-ae8c-186a1936b17d","version":{"number":"8.16.0",)"
    R"("build_hash":"XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX","build_number":9007199254740991,"build_snapshot":false,)"
    R"("build_flavor":"traditional","build_date":"2024-07-16T17:38:42.062Z"},"status":{"overall":{"level":"available",)"
    R"("summary":"All services and plugins are available"},"core":{"elasticsearch":{"level":"available",)"
    R"("summary":"Elasticsearch is available","meta":{"warningNodes":[],"incompatibleNodes":[]}},"savedObjects":)"
    R"({"level":"available","summary":"SavedObjects service has completed migrations and is available","meta":)"
    R"({"migratedIndices":{"migrated":0,"skipped":0,"patched":7}}}},"plugins":{"alerting":{"level":"available",)"
    R"("summary":"Alerting is (probably) ready","reported":true}}}})";

// beats testdata 7.0.0.json, statuses trimmed to three, metrics dropped.
constexpr std::string_view kibana7_status =
    R"({"name":"kibana","uuid":"8faaec19-e37d-410c-9335-377b016c7aa3","version":{"number":"7.0.0",)"
    R"("build_hash":"daf19f8a5a4f93632c57f6ec79e81eb53b47118c","build_number":22405,"build_snapshot":true},)"
    R"("status":{"overall":{"state":"green","title":"Green","nickname":"Looking good","icon":"success",)"
    R"("uiColor":"secondary","since":"2019-02-08T10:28:39.088Z"},"statuses":[{"id":"plugin:kibana@7.0.0-SNAPSHOT",)"
    R"("state":"green","icon":"success","message":"Ready","uiColor":"secondary","since":"2019-02-08T10:28:39.088Z"},)"
    R"({"id":"plugin:elasticsearch@7.0.0-SNAPSHOT","state":"green","icon":"success","message":"Ready",)"
    R"("uiColor":"secondary","since":"2019-02-08T10:28:40.099Z"},{"id":"plugin:xpack_main@7.0.0","state":"green",)"
    R"("icon":"success","message":"Ready","uiColor":"secondary","since":"2019-02-08T10:28:41.385Z"}]}})";

// OpenSearch-Dashboards status.test.ts: the legacy body its status route returns by default.
constexpr std::string_view osd_status =
    R"({"name":"xopensearchDashboards","uuid":"xxxx-xxxxx","version":{"number":"9.9.9","build_hash":"xsha",)"
    R"("build_number":1234,"build_snapshot":true},"status":{"overall":{"icon":"success","nickname":"Looking good",)"
    R"("since":"2024-06-12T08:00:00.000Z","state":"green","title":"Green","uiColor":"secondary"},"statuses":[)"
    R"({"icon":"success","id":"core:opensearch@9.9.9","message":"Service is working",)"
    R"("since":"2024-06-12T08:00:00.000Z","state":"green","uiColor":"secondary"},{"icon":"success",)"
    R"("id":"core:savedObjects@9.9.9","message":"Service is working","since":"2024-06-12T08:00:00.000Z",)"
    R"("state":"green","uiColor":"secondary"}]}})";

constexpr std::string_view redacted = R"({"status":{"overall":{"level":"available"}}})";
constexpr std::string_view unauthorized =
    R"({"statusCode":401,"error":"Unauthorized","message":"Unauthorized"})";

ajar::core::observation run(scripted_session& s) {
  return ajar::test::run_probe(ajar::probes::kibana_probe(), s);
}

TEST(probe_kibana, info_names_port_and_transport) {
  const auto& i = ajar::probes::kibana_probe().info();
  EXPECT_EQ(i.name, "kibana");
  ASSERT_EQ(i.default_ports.size(), 1u);
  EXPECT_EQ(i.default_ports[0], 5601);
  EXPECT_EQ(i.transport, ajar::probes::transport::plain_then_tls);
}

TEST(probe_kibana, kibana8_open_status_is_none_with_version) {
  scripted_session s({scripted_session::client(status_request),
                      scripted_session::server(reply("200 OK", kibana_headers, kibana8_status))});
  auto obs = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(s.steps_left(), 0u);
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.service, "kibana");
  EXPECT_EQ(obs.product, "Kibana");
  EXPECT_EQ(obs.version, "8.16.0");
  EXPECT_EQ(obs.verdict, auth::none);
  EXPECT_EQ(obs.end, status::ok);
  EXPECT_NE(obs.evidence.find("without credentials"), std::string::npos) << obs.evidence;
  EXPECT_NE(obs.evidence.find("8.16.0"), std::string::npos) << obs.evidence;
  EXPECT_TRUE(obs.exposure.empty());
  EXPECT_EQ(s.sent(), status_request);
}

TEST(probe_kibana, kibana7_legacy_status_identified_by_body_without_headers) {
  // A proxy that strips kbn-* headers: the legacy statuses ("plugin:elasticsearch@") still say
  // Kibana.
  scripted_session s(
      {scripted_session::client(status_request),
       scripted_session::server(reply("200 OK", without_kbn(kibana_headers), kibana7_status))});
  auto obs = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.product, "Kibana");
  EXPECT_EQ(obs.version, "7.0.0");
  EXPECT_EQ(obs.verdict, auth::none);
}

TEST(probe_kibana, opensearch_dashboards_told_apart_by_body) {
  header_list osd = without_kbn(kibana_headers);
  osd.insert(osd.begin(), {"osd-name", "xopensearchDashboards"});
  scripted_session s({scripted_session::client(status_request),
                      scripted_session::server(reply("200 OK", osd, osd_status))});
  auto obs = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.service, "kibana");
  EXPECT_EQ(obs.product, "OpenSearch Dashboards");
  EXPECT_EQ(obs.version, "9.9.9");
  EXPECT_EQ(obs.verdict, auth::none);
}

TEST(probe_kibana, opensearch_dashboards_body_wins_over_a_kibana_header) {
  // The body's "core:opensearch@" is documented; a header can be set by anything in front.
  scripted_session s({scripted_session::client(status_request),
                      scripted_session::server(reply("200 OK", kibana_headers, osd_status))});
  auto obs = run(s);
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.product, "OpenSearch Dashboards");
}

TEST(probe_kibana, redacted_status_with_kbn_header_is_required_not_open) {
  scripted_session s({scripted_session::client(status_request),
                      scripted_session::server(reply("200 OK", kibana_headers, redacted))});
  auto obs = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.product, "Kibana");
  EXPECT_EQ(obs.version, "");
  EXPECT_EQ(obs.verdict, auth::required);
  EXPECT_NE(obs.evidence.find("redacted"), std::string::npos) << obs.evidence;
  EXPECT_TRUE(obs.exposure.empty());
}

TEST(probe_kibana, redacted_status_during_startup_503_is_required) {
  scripted_session s(
      {scripted_session::client(status_request),
       scripted_session::server(reply("503 Service Unavailable", kibana_headers,
                                      R"({"status":{"overall":{"level":"unavailable"}}})"))});
  auto obs = run(s);
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.verdict, auth::required);
}

TEST(probe_kibana, redacted_shape_without_any_kibana_header_is_not_identified) {
  scripted_session s(
      {scripted_session::client(status_request),
       scripted_session::server(reply("200 OK", without_kbn(kibana_headers), redacted))});
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
  EXPECT_EQ(obs.verdict, auth::unknown);
}

TEST(probe_kibana, kibana7_security_401_is_required) {
  header_list h = kibana_headers;
  h.emplace_back("WWW-Authenticate", "Basic realm=\"Authorization Required\"");
  scripted_session s({scripted_session::client(status_request),
                      scripted_session::server(reply("401 Unauthorized", h, unauthorized))});
  auto obs = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.product, "Kibana");
  EXPECT_EQ(obs.verdict, auth::required);
  EXPECT_EQ(obs.evidence, "GET /api/status refused: 401 Unauthorized");
}

TEST(probe_kibana, osd_security_plugin_401_is_required_for_dashboards) {
  header_list h = without_kbn(kibana_headers);
  h.insert(h.begin(), {"osd-name", "lab-osd-01"});
  scripted_session s({scripted_session::client(status_request),
                      scripted_session::server(reply("401 Unauthorized", h,
                                                     R"({"statusCode":401,"error":"Unauthorized",)"
                                                     R"("message":"Authentication Exception"})"))});
  auto obs = run(s);
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.product, "OpenSearch Dashboards");
  EXPECT_EQ(obs.verdict, auth::required);
}

TEST(probe_kibana, login_redirect_with_kbn_header_is_required) {
  header_list h = kibana_headers;
  h.emplace_back("location", "/login?next=%2Fapi%2Fstatus");
  scripted_session s({scripted_session::client(status_request),
                      scripted_session::server(reply("302 Found", h, ""))});
  auto obs = run(s);
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.verdict, auth::required);
  EXPECT_NE(obs.evidence.find("/login?next="), std::string::npos) << obs.evidence;
}

TEST(probe_kibana, a_401_without_kibana_headers_is_not_kibana) {
  // hapi's error body is shared by every hapi application; only the header says Kibana.
  scripted_session s({scripted_session::client(status_request),
                      scripted_session::server(
                          reply("401 Unauthorized", without_kbn(kibana_headers), unauthorized))});
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
}

TEST(probe_kibana, trap_html_login_page_answering_200_is_not_identified) {
  // An SSO proxy on 5601 that answers every path with its sign-in page (PROTOCOLS.md 0.2).
  constexpr std::string_view page =
      "<!DOCTYPE html><html><head><title>Sign In</title></head><body><form method=\"POST\" "
      "action=\"/oauth2/sign_in\"><input name=\"username\"><input type=\"password\" "
      "name=\"password\">"
      "<button>Sign in</button></form></body></html>";
  scripted_session s({scripted_session::client(status_request),
                      scripted_session::server(
                          reply("200 OK", {{"Content-Type", "text/html; charset=utf-8"}}, page))});
  auto obs = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_FALSE(obs.identified);
  EXPECT_EQ(obs.verdict, auth::unknown);
  EXPECT_EQ(obs.end, status::ok);
}

TEST(probe_kibana, trap_json_with_version_number_but_no_kibana_marker) {
  constexpr std::string_view other =
      R"({"name":"api","version":{"number":"2.3.1"},"status":{"overall":{"state":"green"},"statuses":[]}})";
  scripted_session s(
      {scripted_session::client(status_request),
       scripted_session::server(reply("200 OK", {{"Content-Type", "application/json"}}, other))});
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
}

TEST(probe_kibana, garbage_bytes_are_not_identified) {
  scripted_session s({scripted_session::client(status_request),
                      scripted_session::server(std::string("\x00\xff\x13garbage\r\n\r\n", 15))});
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
  EXPECT_EQ(obs.end, status::protocol_error);
}

TEST(probe_kibana, silent_server_is_not_identified) {
  scripted_session s({scripted_session::client(status_request)});
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
  EXPECT_EQ(obs.end, status::io_timeout);
}

TEST(probe_kibana, peer_closing_at_once_is_not_identified) {
  scripted_session s({scripted_session::close()}, /*strict=*/false);
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
  EXPECT_EQ(obs.end, status::connection_closed);
}

TEST(probe_kibana, truncated_reply_is_not_identified) {
  auto full = reply("200 OK", kibana_headers, kibana8_status);
  scripted_session s({scripted_session::client(status_request),
                      scripted_session::server(full.substr(0, full.size() - 40)),
                      scripted_session::close()});
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
  EXPECT_EQ(obs.end, status::connection_closed);
}

TEST(probe_kibana, oversized_body_is_refused) {
  std::string head =
      "HTTP/1.1 200 OK\r\nkbn-name: kibana\r\ncontent-type: application/json\r\ncontent-length: "
      "5000000\r\n\r\n";
  scripted_session s({scripted_session::client(status_request),
                      scripted_session::server(head + std::string(4096, '{'))});
  auto obs = run(s);
  // The HTTP layer keeps the status of a body over its limit (marked truncated), but a status
  // page that cannot be read proves nothing: not identified.
  EXPECT_FALSE(obs.identified);
  EXPECT_NE(obs.verdict, ajar::core::auth::none);
}

TEST(probe_kibana, plain_http_to_a_tls_port_asks_for_tls) {
  constexpr std::string_view nginx =
      "<html>\r\n<head><title>400 The plain HTTP request was sent to HTTPS "
      "port</title></head>\r\n</html>\r\n";
  scripted_session s(
      {scripted_session::client(status_request),
       scripted_session::server(reply("400 Bad Request", {{"Server", "nginx"}}, nginx))});
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
  EXPECT_TRUE(obs.wants_tls);
}

TEST(probe_kibana, open_kibana_over_tls) {
  scripted_session s({scripted_session::client(status_request),
                      scripted_session::server(reply("200 OK", kibana_headers, kibana8_status))});
  boost::asio::io_context ctx;
  auto fut = boost::asio::co_spawn(
      ctx,
      [&]() -> boost::asio::awaitable<ajar::core::observation> {
        co_await s.start_tls();
        co_return std::move(*co_await ajar::probes::kibana_probe().run(s));
      },
      boost::asio::use_future);
  ctx.run();
  auto obs = fut.get();
  EXPECT_TRUE(s.tls());
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.verdict, auth::none);
}

}  // namespace
