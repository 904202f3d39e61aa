// elasticsearch probe transcripts. Bodies follow the official examples quoted in
// shared/reference/PROTOCOLS.md §3 and §19.1-19.3 (elastic/elasticsearch
// docs/reference/rest-api/root.asciidoc, docs/reference/cat/indices.asciidoc; OpenSearch
// security plugin HTTPBasicAuthenticator), with invented index names.
#include <gtest/gtest.h>

#include "probe_harness.hpp"
#include "probes/registry.hpp"

namespace ajar::probes {
namespace {

using net::scripted_session;

const std::string get_root =
    "GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: ajar/0.1 (exposure audit; metadata only)\r\n"
    "Accept: application/json, */*;q=0.5\r\n\r\n";
const std::string get_indices =
    "GET /_cat/indices?format=json&bytes=b&h=index,docs.count,store.size HTTP/1.1\r\nHost: localhost\r\n"
    "User-Agent: ajar/0.1 (exposure audit; metadata only)\r\nAccept: application/json, */*;q=0.5\r\n\r\n";

std::string reply(std::string_view status, std::string_view headers, std::string_view body) {
  return std::string("HTTP/1.1 ") + std::string(status) + "\r\n" + std::string(headers) +
         "content-length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

// GET / of ES 8.12.1 per root.asciidoc, with the X-elastic-product header ES sends since 7.14.
const std::string es8_root = reply(
    "200 OK", "X-elastic-product: Elasticsearch\r\ncontent-type: application/json\r\n",
    R"({"name":"instance-0000000000","cluster_name":"my_test_cluster","cluster_uuid":"5QaxoN0pRZuOmWSxstBBwQ",)"
    R"("version":{"number":"8.12.1","build_flavor":"default","lucene_version":"9.9.2"},"tagline":"You Know, for Search"})");

// _cat/indices with bytes=b: all values are strings (cat.asciidoc).
const std::string es_indices = reply(
    "200 OK", "X-elastic-product: Elasticsearch\r\ncontent-type: application/json\r\n",
    R"([{"index":"lab-orders","docs.count":"1200","store.size":"90215"},)"
    R"({"index":".kibana_1","docs.count":"12","store.size":"2048"},)"
    R"({"index":"lab-customers","docs.count":"30","store.size":"7700"}])");

core::observation run(scripted_session& s) { return test::run_probe(elasticsearch_probe(), s); }

TEST(probe_elasticsearch, open_cluster_lists_indices) {
  scripted_session s({scripted_session::client(get_root), scripted_session::server(es8_root),
                      scripted_session::client(get_indices), scripted_session::server(es_indices)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty()) << s.mismatches().front();
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.service, "elasticsearch");
  EXPECT_EQ(o.product, "Elasticsearch");
  EXPECT_EQ(o.version, "8.12.1");
  EXPECT_EQ(o.verdict, core::auth::none);
  EXPECT_EQ(o.exposure.indices, 3);
  EXPECT_EQ(o.exposure.documents, 1242);
  EXPECT_EQ(o.exposure.bytes, 99963);
  EXPECT_EQ(o.exposure.names, (std::vector<std::string>{"lab-customers", "lab-orders", ".kibana_1"}));
  EXPECT_EQ(o.evidence, "GET / answered without credentials (cluster my_test_cluster, version 8.12.1)");
}

TEST(probe_elasticsearch, opensearch_is_named_by_its_distribution) {
  auto root = reply("200 OK", "content-type: application/json\r\n",
                    R"({"name":"node-1","cluster_name":"lab","version":{"distribution":"opensearch","number":"2.11.0"},)"
                    R"("tagline":"The OpenSearch Project: https://opensearch.org/"})");
  scripted_session s({scripted_session::client(get_root), scripted_session::server(root),
                      scripted_session::client(get_indices), scripted_session::server(reply("200 OK", "", "[]"))});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.product, "OpenSearch");
  EXPECT_EQ(o.version, "2.11.0");
  EXPECT_EQ(o.verdict, core::auth::none);
  EXPECT_EQ(o.exposure.indices, 0);
}

TEST(probe_elasticsearch, security_exception_401_is_required) {
  // PROTOCOLS.md §3: ES security on, no credentials.
  auto r = reply("401 Unauthorized",
                 "WWW-Authenticate: Basic realm=\"security\", charset=\"UTF-8\"\r\nWWW-Authenticate: ApiKey\r\n"
                 "content-type: application/json\r\n",
                 R"({"error":{"root_cause":[{"type":"security_exception","reason":"missing authentication )"
                 R"(credentials for REST request [/]"}],"type":"security_exception","reason":"missing )"
                 R"(authentication credentials for REST request [/]"},"status":401})");
  scripted_session s({scripted_session::client(get_root), scripted_session::server(r)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.product, "Elasticsearch");
  EXPECT_EQ(o.verdict, core::auth::required);
  EXPECT_TRUE(o.version.empty());
  EXPECT_TRUE(o.exposure.empty());
  EXPECT_EQ(s.steps_left(), 0U);
}

TEST(probe_elasticsearch, opensearch_security_plugin_401_is_required) {
  // opensearch-project/security HTTPBasicAuthenticator: 401, realm "OpenSearch Security", empty body.
  auto r = reply("401 Unauthorized", "WWW-Authenticate: Basic realm=\"OpenSearch Security\"\r\n", "");
  scripted_session s({scripted_session::client(get_root), scripted_session::server(r)});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.product, "OpenSearch");
  EXPECT_EQ(o.verdict, core::auth::required);
}

TEST(probe_elasticsearch, a_json_api_that_is_not_elasticsearch_is_not_identified) {
  auto r = reply("200 OK", "content-type: application/json\r\n",
                 R"({"status":"ok","service":"inventory","version":{"number":"1.2.3"}})");
  scripted_session s({scripted_session::client(get_root), scripted_session::server(r)});
  auto o = run(s);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(s.steps_left(), 0U) << "no second request to something that is not Elasticsearch";
}

TEST(probe_elasticsearch, a_generic_basic_auth_challenge_is_not_elasticsearch) {
  auto r = reply("401 Unauthorized", "WWW-Authenticate: Basic realm=\"Restricted\"\r\n", "401 Authorization Required");
  scripted_session s({scripted_session::client(get_root), scripted_session::server(r)});
  EXPECT_FALSE(run(s).identified);
}

TEST(probe_elasticsearch, login_redirect_is_not_elasticsearch) {
  auto r = reply("302 Found", "Location: /login?next=%2F\r\n", "");
  scripted_session s({scripted_session::client(get_root), scripted_session::server(r)});
  EXPECT_FALSE(run(s).identified);
}

TEST(probe_elasticsearch, https_port_spoken_to_in_plaintext_asks_for_tls) {
  // nginx answering plain HTTP on its TLS port (ngx_http_request.c NGX_HTTP_TO_HTTPS).
  auto r = reply("400 Bad Request", "Server: nginx\r\n",
                 "<html><head><title>400 The plain HTTP request was sent to HTTPS port</title></head></html>");
  scripted_session s({scripted_session::client(get_root), scripted_session::server(r)});
  auto o = run(s);
  EXPECT_FALSE(o.identified);
  EXPECT_TRUE(o.wants_tls);
}

TEST(probe_elasticsearch, silent_close_and_garbage_are_not_identified) {
  scripted_session closed({scripted_session::client(get_root), scripted_session::close()});
  auto o = run(closed);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, core::status::connection_closed);
  scripted_session garbage({scripted_session::client(get_root), scripted_session::server("\x16\x03\x01\x02\x00garbage")});
  EXPECT_FALSE(run(garbage).identified);
}

TEST(probe_elasticsearch, chunked_index_list_is_read_whole) {
  std::string body = R"([{"index":"lab-a","docs.count":"1","store.size":"10"}])";
  std::string chunked = "HTTP/1.1 200 OK\r\nX-elastic-product: Elasticsearch\r\ntransfer-encoding: chunked\r\n\r\n" +
                        fmt::format("{:x}\r\n{}\r\n0\r\n\r\n", body.size(), body);
  scripted_session s({scripted_session::client(get_root), scripted_session::server(es8_root),
                      scripted_session::client(get_indices), scripted_session::server(chunked)});
  auto o = run(s);
  EXPECT_EQ(o.exposure.indices, 1);
  EXPECT_EQ(o.exposure.documents, 1);
}

}  // namespace
}  // namespace ajar::probes
