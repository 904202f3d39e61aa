// Transcript tests for the solr probe (src/probes/solr.cpp). No Solr server is available here
// (no Debian package), so replies come from documentation, named per transcript:
//   - /solr/admin/info/system: Solr Reference Guide "System Info Handler"
//     (apache/solr solr/solr-ref-guide/modules/configuration-guide/pages/system-info-handler.adoc),
//     the 8.1.1 examples; jvm/system objects trimmed.
//   - /solr/admin/cores?action=STATUS: the STATUS answer shown in DataStax's "Viewing the Solr
//     core status" page (docs.datastax.com, core wiki.solr: numDocs 3579, sizeInBytes 8429726)
//     and the field list of Solr's CoreAdminOperation/LukeRequestHandler (index.numDocs,
//     index.sizeInBytes); the second core's numbers are invented.
//   - 401: apache/solr BasicAuthPlugin.java (WWW-Authenticate 'Basic realm="solr"', 'xBasic' for
//     XHR; sendError(401, "require authentication")) rendered by Jetty's error page
//     ("<title>Error 401 require authentication</title>", PROTOCOLS.md 18).
//   - Solr 9 adds its jetty.xml security headers to every answer (Content-Security-Policy, ...).
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "probe_harness.hpp"
#include "probes/registry.hpp"

namespace {

using ajar::core::auth;
using ajar::core::status;
using ajar::net::scripted_session;

std::string get(std::string_view target) {
  return "GET " + std::string(target) +
         " HTTP/1.1\r\nHost: localhost\r\nUser-Agent: ajar/0.1 (exposure audit; metadata only)\r\n"
         "Accept: application/json, */*;q=0.5\r\n\r\n";
}

const std::string system_request = get("/solr/admin/info/system?wt=json");
const std::string cores_request = get("/solr/admin/cores?action=STATUS&wt=json");

std::string jetty(std::string_view status_line, std::string_view body,
                  std::string_view type = "application/json;charset=utf-8",
                  std::string_view extra = "") {
  return "HTTP/1.1 " + std::string(status_line) +
         "\r\nContent-Security-Policy: default-src 'none'; base-uri 'none'; connect-src 'self'; "
         "form-action 'self'; "
         "font-src 'self'; frame-ancestors 'none'; img-src 'self' data:; media-src 'self'; "
         "style-src 'self' "
         "'unsafe-inline'; script-src 'self'; worker-src 'self';\r\nX-Content-Type-Options: "
         "nosniff\r\n"
         "X-Frame-Options: SAMEORIGIN\r\nX-XSS-Protection: 1; mode=block\r\n" +
         std::string(extra) + "Content-Type: " + std::string(type) +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

// Ref guide "Retrieve system information from a core, without cloud mode" (core object dropped,
// jvm and system trimmed).
constexpr std::string_view system_811 =
    R"({"responseHeader":{"status":0,"QTime":23},"mode":"std","lucene":{"solr-spec-version":"8.1.1",)"
    R"("solr-impl-version":"8.1.1 fcbe46c28cef11bc058779afba09521de1b19bef - ab - 2019-05-22 15:20:01",)"
    R"("lucene-spec-version":"8.1.1","lucene-impl-version":"8.1.1 fcbe46c28cef11bc058779afba09521de1b19bef - ab - 2019-05-22 15:15:24"},)"
    R"("jvm":{"version":"11.0.3 11.0.3+7","name":"Oracle Corporation OpenJDK 64-Bit Server VM","processors":4},)"
    R"("system":{"name":"Linux","arch":"amd64","availableProcessors":4,"version":"4.9.0-9-amd64"}})";

// DataStax's STATUS example (wiki.solr), plus a second core.
constexpr std::string_view cores_status =
    R"({"responseHeader":{"status":0,"QTime":3},"initFailures":{},"status":{"wiki.solr":{"name":"wiki.solr",)"
    R"("instanceDir":"solr/","dataDir":"/var/lib/solr/data/wiki.solr/","config":"solrconfig.xml","schema":"schema.xml",)"
    R"("startTime":"2013-06-16T21:05:54.894Z","uptime":7212565,"index":{"numDocs":3579,"maxDoc":3579,"deletedDocs":0,)"
    R"("version":532,"segmentCount":15,"current":false,"hasDeletions":false,"userData":{"commitTimeMSec":"1371416801053"},)"
    R"("lastModified":"2013-06-16T21:06:41.053Z","sizeInBytes":8429726,"size":"8.04 MB"}},"techproducts":)"
    R"({"name":"techproducts","instanceDir":"/var/solr/data/techproducts","index":{"numDocs":32,"maxDoc":32,)"
    R"("deletedDocs":0,"sizeInBytes":29184,"size":"28.5 KB"}}}})";

constexpr std::string_view jetty_401 =
    "<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html;charset=iso-8859-1\"/>\n"
    "<title>Error 401 require authentication</title>\n</head>\n<body><h2>HTTP ERROR 401 require "
    "authentication</h2>\n"
    "<table>\n<tr><th>URI:</th><td>/solr/admin/info/system</td></tr>\n<tr><th>STATUS:</th><td>401</"
    "td></tr>\n"
    "<tr><th>MESSAGE:</th><td>require "
    "authentication</td></tr>\n<tr><th>SERVLET:</th><td>default</td></tr>\n"
    "</table>\n\n</body>\n</html>\n";

ajar::core::observation run(scripted_session& s) {
  return ajar::test::run_probe(ajar::probes::solr_probe(), s);
}

TEST(probe_solr, info_names_port_and_transport) {
  const auto& i = ajar::probes::solr_probe().info();
  EXPECT_EQ(i.name, "solr");
  ASSERT_EQ(i.default_ports.size(), 1u);
  EXPECT_EQ(i.default_ports[0], 8983);
  EXPECT_EQ(i.transport, ajar::probes::transport::plain_then_tls);
}

TEST(probe_solr, open_node_is_none_with_core_statistics) {
  scripted_session s({scripted_session::client(system_request),
                      scripted_session::server(jetty("200 OK", system_811)),
                      scripted_session::client(cores_request),
                      scripted_session::server(jetty("200 OK", cores_status))});
  auto obs = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(s.steps_left(), 0u);
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.service, "solr");
  EXPECT_EQ(obs.product, "Apache Solr");
  EXPECT_EQ(obs.version, "8.1.1");
  EXPECT_EQ(obs.verdict, auth::none);
  EXPECT_EQ(obs.end, status::ok);
  EXPECT_EQ(obs.exposure.indices, 2);
  EXPECT_EQ(obs.exposure.documents, 3579 + 32);
  EXPECT_EQ(obs.exposure.bytes, 8429726 + 29184);
  EXPECT_EQ(obs.exposure.names, (std::vector<std::string>{"wiki.solr", "techproducts"}));
  EXPECT_EQ(obs.evidence,
            "GET /solr/admin/info/system and /solr/admin/cores answered without credentials (Solr "
            "8.1.1, mode std, "
            "2 cores)");
}

TEST(probe_solr, basic_auth_plugin_401_is_required) {
  scripted_session s(
      {scripted_session::client(system_request),
       scripted_session::server(jetty("401 Unauthorized", jetty_401, "text/html;charset=iso-8859-1",
                                      "WWW-Authenticate: Basic realm=\"solr\"\r\n"
                                      "Cache-Control: must-revalidate,no-cache,no-store\r\n"))});
  auto obs = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.product, "Apache Solr");
  EXPECT_EQ(obs.version, "");
  EXPECT_EQ(obs.verdict, auth::required);
  EXPECT_EQ(obs.evidence, "GET /solr/admin/info/system refused: 401 Basic realm=\"solr\"");
  EXPECT_TRUE(obs.exposure.empty());
}

TEST(probe_solr, xbasic_challenge_is_also_solr) {
  scripted_session s(
      {scripted_session::client(system_request),
       scripted_session::server(jetty("401 Unauthorized", jetty_401, "text/html;charset=iso-8859-1",
                                      "WWW-Authenticate: xBasic realm=\"solr\"\r\n"))});
  auto obs = run(s);
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.verdict, auth::required);
}

TEST(probe_solr, a_401_from_another_realm_is_not_solr) {
  scripted_session s(
      {scripted_session::client(system_request),
       scripted_session::server(jetty("401 Unauthorized", "Unauthorized", "text/plain",
                                      "WWW-Authenticate: Basic realm=\"Restricted\"\r\n"))});
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
}

TEST(probe_solr, core_admin_refused_after_open_system_info_is_required) {
  scripted_session s(
      {scripted_session::client(system_request),
       scripted_session::server(jetty("200 OK", system_811)),
       scripted_session::client(cores_request),
       scripted_session::server(
           jetty("403 Forbidden", R"({"responseHeader":{"status":403,"QTime":0},"error":{"msg":)"
                                  R"("Unauthorized request, Response code: 403","code":403}})"))});
  auto obs = run(s);
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.version, "8.1.1");
  EXPECT_EQ(obs.verdict, auth::required);
  EXPECT_FALSE(obs.exposure.indices.has_value());
}

TEST(probe_solr, more_than_twenty_cores_are_counted_and_twenty_named) {
  std::string body = R"({"responseHeader":{"status":0,"QTime":1},"initFailures":{},"status":{)";
  for (int n = 0; n < 30; ++n) {
    if (n > 0) body += ",";
    body += "\"core" + std::to_string(n) + R"(":{"name":"core)" + std::to_string(n) +
            R"(","index":{"numDocs":10,"sizeInBytes":1000}})";
  }
  body += "}}";
  scripted_session s({scripted_session::client(system_request),
                      scripted_session::server(jetty("200 OK", system_811)),
                      scripted_session::client(cores_request),
                      scripted_session::server(jetty("200 OK", body))});
  auto obs = run(s);
  EXPECT_EQ(obs.exposure.indices, 30);
  EXPECT_EQ(obs.exposure.documents, 300);
  EXPECT_EQ(obs.exposure.bytes, 30000);
  EXPECT_EQ(obs.exposure.names.size(), 20u);
}

TEST(probe_solr, json_without_solr_spec_version_is_not_solr) {
  scripted_session s({scripted_session::client(system_request),
                      scripted_session::server(
                          jetty("200 OK", R"({"responseHeader":{"status":0},"mode":"std"})"))});
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
  EXPECT_EQ(s.steps_left(), 0u);
}

TEST(probe_solr, html_200_page_is_not_solr) {
  scripted_session s({scripted_session::client(system_request),
                      scripted_session::server(
                          jetty("200 OK", "<html><title>Sign in</title></html>", "text/html"))});
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
}

TEST(probe_solr, garbage_bytes_are_not_identified) {
  scripted_session s({scripted_session::client(system_request),
                      scripted_session::server("-ERR unknown command\r\n")});
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
}

TEST(probe_solr, silent_server_is_not_identified) {
  scripted_session s({scripted_session::client(system_request)});
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
  EXPECT_EQ(obs.end, status::io_timeout);
}

TEST(probe_solr, peer_closing_at_once_is_not_identified) {
  scripted_session s({scripted_session::close()}, /*strict=*/false);
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
  EXPECT_EQ(obs.end, status::connection_closed);
}

TEST(probe_solr, truncated_cores_answer_keeps_identity) {
  auto full = jetty("200 OK", cores_status);
  scripted_session s({scripted_session::client(system_request),
                      scripted_session::server(jetty("200 OK", system_811)),
                      scripted_session::client(cores_request),
                      scripted_session::server(full.substr(0, full.size() - 50)),
                      scripted_session::close()});
  auto obs = run(s);
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.verdict, auth::unknown);
  EXPECT_EQ(obs.end, status::connection_closed);
  EXPECT_TRUE(obs.exposure.empty());
}

}  // namespace
