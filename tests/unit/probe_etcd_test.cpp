// Transcript tests for the etcd probe (src/probes/etcd.cpp). Replies marked "captured" are the
// exact bytes etcd-server 3.4.23 (Debian etcd-server 3.4.23-4) sent on 127.0.9.30/31:2379 to the
// probe's own requests (python3 socket script, one keep-alive connection per conversation):
//   open     etcd --listen-client-urls http://127.0.9.30:2379 ..., 3 keys put with etcdctl
//   auth     the same on 127.0.9.31, then `etcdctl user add root` + `auth enable` (3 keys)
//   empty    the open server after `etcdctl del "" --from-key`
// Transcripts marked "constructed" say what they were built from.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "probe_harness.hpp"
#include "probes/registry.hpp"

namespace {

using ajar::core::auth;
using ajar::core::status;
using ajar::net::scripted_session;

constexpr std::string_view get_version =
    "GET /version HTTP/1.1\r\n"
    "Host: localhost\r\n"
    "User-Agent: ajar/0.1 (exposure audit; metadata only)\r\n"
    "Accept: application/json, */*;q=0.5\r\n"
    "\r\n";

constexpr std::string_view range_v3 =
    "POST /v3/kv/range HTTP/1.1\r\n"
    "Host: localhost\r\n"
    "User-Agent: ajar/0.1 (exposure audit; metadata only)\r\n"
    "Accept: application/json, */*;q=0.5\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 51\r\n"
    "\r\n"
    "{\"key\":\"AA==\",\"range_end\":\"AA==\",\"count_only\":true}";

constexpr std::string_view status_v3 =
    "POST /v3/maintenance/status HTTP/1.1\r\n"
    "Host: localhost\r\n"
    "User-Agent: ajar/0.1 (exposure audit; metadata only)\r\n"
    "Accept: application/json, */*;q=0.5\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 2\r\n"
    "\r\n"
    "{}";

constexpr std::string_view range_v3beta =
    "POST /v3beta/kv/range HTTP/1.1\r\n"
    "Host: localhost\r\n"
    "User-Agent: ajar/0.1 (exposure audit; metadata only)\r\n"
    "Accept: application/json, */*;q=0.5\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 51\r\n"
    "\r\n"
    "{\"key\":\"AA==\",\"range_end\":\"AA==\",\"count_only\":true}";

constexpr std::string_view status_v3beta =
    "POST /v3beta/maintenance/status HTTP/1.1\r\n"
    "Host: localhost\r\n"
    "User-Agent: ajar/0.1 (exposure audit; metadata only)\r\n"
    "Accept: application/json, */*;q=0.5\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 2\r\n"
    "\r\n"
    "{}";

// captured (open and auth alike: /version is public)
constexpr std::string_view version_3_4_23 =
    "HTTP/1.1 200 OK\r\n"
    "Access-Control-Allow-Headers: accept, content-type, authorization\r\n"
    "Access-Control-Allow-Methods: POST, GET, OPTIONS, PUT, DELETE\r\n"
    "Access-Control-Allow-Origin: *\r\n"
    "Content-Type: application/json\r\n"
    "Date: Thu, 26 Nov 2026 11:43:07 GMT\r\n"
    "Content-Length: 45\r\n"
    "\r\n"
    "{\"etcdserver\":\"3.4.23\",\"etcdcluster\":\"3.4.0\"}";

// captured: open, 3 keys
constexpr std::string_view range_3_keys =
    "HTTP/1.1 200 OK\r\n"
    "Access-Control-Allow-Headers: accept, content-type, authorization\r\n"
    "Access-Control-Allow-Methods: POST, GET, OPTIONS, PUT, DELETE\r\n"
    "Access-Control-Allow-Origin: *\r\n"
    "Content-Type: application/json\r\n"
    "Grpc-Metadata-Content-Type: application/grpc\r\n"
    "Date: Thu, 26 Nov 2026 11:43:07 GMT\r\n"
    "Content-Length: 125\r\n"
    "\r\n"
    "{\"header\":{\"cluster_id\":\"1570497092522131998\",\"member_id\":\"13107226134475551167\","
    "\"revision\":\"4\",\"raft_term\":\"2\"},\"count\":\"3\"}";

// captured: open
constexpr std::string_view status_20480 =
    "HTTP/1.1 200 OK\r\n"
    "Access-Control-Allow-Headers: accept, content-type, authorization\r\n"
    "Access-Control-Allow-Methods: POST, GET, OPTIONS, PUT, DELETE\r\n"
    "Access-Control-Allow-Origin: *\r\n"
    "Content-Type: application/json\r\n"
    "Grpc-Metadata-Content-Type: application/grpc\r\n"
    "Date: Thu, 26 Nov 2026 11:43:07 GMT\r\n"
    "Content-Length: 257\r\n"
    "\r\n"
    "{\"header\":{\"cluster_id\":\"1570497092522131998\",\"member_id\":\"13107226134475551167\","
    "\"revision\":\"4\",\"raft_term\":\"2\"},\"version\":\"3.4.23\",\"dbSize\":\"20480\","
    "\"leader\":\"13107226134475551167\",\"raftIndex\":\"7\",\"raftTerm\":\"2\","
    "\"raftAppliedIndex\":\"7\",\"dbSizeInUse\":\"16384\"}";

// captured: open after deleting every key (proto3 JSON leaves out the zero count)
constexpr std::string_view range_no_keys =
    "HTTP/1.1 200 OK\r\n"
    "Access-Control-Allow-Headers: accept, content-type, authorization\r\n"
    "Access-Control-Allow-Methods: POST, GET, OPTIONS, PUT, DELETE\r\n"
    "Access-Control-Allow-Origin: *\r\n"
    "Content-Type: application/json\r\n"
    "Grpc-Metadata-Content-Type: application/grpc\r\n"
    "Date: Thu, 26 Nov 2026 11:43:12 GMT\r\n"
    "Content-Length: 113\r\n"
    "\r\n"
    "{\"header\":{\"cluster_id\":\"1570497092522131998\",\"member_id\":\"13107226134475551167\","
    "\"revision\":\"5\",\"raft_term\":\"2\"}}";

// captured: auth enabled, no token (chunked, with a trailer)
constexpr std::string_view range_user_empty =
    "HTTP/1.1 400 Bad Request\r\n"
    "Access-Control-Allow-Headers: accept, content-type, authorization\r\n"
    "Access-Control-Allow-Methods: POST, GET, OPTIONS, PUT, DELETE\r\n"
    "Access-Control-Allow-Origin: *\r\n"
    "Content-Type: application/json\r\n"
    "Trailer: Grpc-Trailer-Content-Type\r\n"
    "Date: Thu, 26 Nov 2026 11:43:07 GMT\r\n"
    "Transfer-Encoding: chunked\r\n"
    "\r\n"
    "5e\r\n"
    "{\"error\":\"etcdserver: user name is empty\",\"message\":\"etcdserver: user name is "
    "empty\",\"code\":3}\r\n"
    "0\r\n"
    "Grpc-Trailer-Content-Type: application/grpc\r\n"
    "\r\n";

// captured: the open 3.4.23 server's answers on the /v3beta prefix
constexpr std::string_view range_v3beta_3_keys =
    "HTTP/1.1 200 OK\r\n"
    "Access-Control-Allow-Headers: accept, content-type, authorization\r\n"
    "Access-Control-Allow-Methods: POST, GET, OPTIONS, PUT, DELETE\r\n"
    "Access-Control-Allow-Origin: *\r\n"
    "Content-Type: application/json\r\n"
    "Grpc-Metadata-Content-Type: application/grpc\r\n"
    "Date: Thu, 26 Nov 2026 11:43:12 GMT\r\n"
    "Content-Length: 125\r\n"
    "\r\n"
    "{\"header\":{\"cluster_id\":\"1570497092522131998\",\"member_id\":\"13107226134475551167\","
    "\"revision\":\"8\",\"raft_term\":\"2\"},\"count\":\"3\"}";

constexpr std::string_view status_v3beta_20480 =
    "HTTP/1.1 200 OK\r\n"
    "Access-Control-Allow-Headers: accept, content-type, authorization\r\n"
    "Access-Control-Allow-Methods: POST, GET, OPTIONS, PUT, DELETE\r\n"
    "Access-Control-Allow-Origin: *\r\n"
    "Content-Type: application/json\r\n"
    "Grpc-Metadata-Content-Type: application/grpc\r\n"
    "Date: Thu, 26 Nov 2026 11:43:12 GMT\r\n"
    "Content-Length: 259\r\n"
    "\r\n"
    "{\"header\":{\"cluster_id\":\"1570497092522131998\",\"member_id\":\"13107226134475551167\","
    "\"revision\":\"8\",\"raft_term\":\"2\"},\"version\":\"3.4.23\",\"dbSize\":\"20480\","
    "\"leader\":\"13107226134475551167\",\"raftIndex\":\"11\",\"raftTerm\":\"2\","
    "\"raftAppliedIndex\":\"11\",\"dbSizeInUse\":\"16384\"}";

std::string s(std::string_view v) {
  return std::string(v);
}

ajar::core::observation run(scripted_session& session) {
  return ajar::test::run_probe(ajar::probes::etcd_probe(), session);
}

// A /version answer for another cluster version, shaped like the captured one.
std::string version_reply(std::string_view server, std::string_view cluster) {
  std::string body = std::string(R"({"etcdserver":")") + std::string(server) +
                     R"(","etcdcluster":")" + std::string(cluster) + R"("})";
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string json_reply(std::string_view status_line, std::string_view body) {
  return std::string(status_line) +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + std::string(body);
}

TEST(probe_etcd, info) {
  const auto& i = ajar::probes::etcd_probe().info();
  EXPECT_EQ(i.name, "etcd");
  ASSERT_EQ(i.default_ports.size(), 1u);
  EXPECT_EQ(i.default_ports[0], 2379);
  EXPECT_EQ(i.transport, ajar::probes::transport::plain_then_tls);
  EXPECT_FALSE(i.server_speaks_first);
}

TEST(probe_etcd, open_cluster) {
  scripted_session ss(
      {scripted_session::client(s(get_version)), scripted_session::server(s(version_3_4_23)),
       scripted_session::client(s(range_v3)), scripted_session::server(s(range_3_keys)),
       scripted_session::client(s(status_v3)), scripted_session::server(s(status_20480))});
  auto o = run(ss);
  EXPECT_TRUE(ss.mismatches().empty()) << ss.mismatches().front();
  EXPECT_EQ(ss.steps_left(), 0u);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.service, "etcd");
  EXPECT_EQ(o.product, "etcd");
  EXPECT_EQ(o.version, "3.4.23");
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.evidence, "/v3/kv/range (count_only) answered without credentials: 3 keys");
  EXPECT_EQ(o.exposure.keys, 3);
  EXPECT_EQ(o.exposure.bytes, 20480);
  EXPECT_TRUE(o.exposure.names.empty());  // key names are never asked for
  EXPECT_EQ(o.end, status::ok);
  EXPECT_EQ(ss.sent(), s(get_version) + s(range_v3) + s(status_v3));
}

TEST(probe_etcd, the_range_request_counts_only) {
  // Safety: the only range the probe sends is count_only over every key; no keys_only, no values.
  EXPECT_NE(range_v3.find(R"({"key":"AA==","range_end":"AA==","count_only":true})"),
            std::string_view::npos);
  EXPECT_EQ(range_v3.find("keys_only"), std::string_view::npos);
}

TEST(probe_etcd, open_cluster_without_keys) {
  scripted_session ss(
      {scripted_session::client(s(get_version)), scripted_session::server(s(version_3_4_23)),
       scripted_session::client(s(range_v3)), scripted_session::server(s(range_no_keys)),
       scripted_session::client(s(status_v3)), scripted_session::server(s(status_20480))});
  auto o = run(ss);
  EXPECT_TRUE(ss.mismatches().empty());
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.exposure.keys, 0);
  EXPECT_EQ(o.exposure.bytes, 20480);
}

TEST(probe_etcd, open_cluster_status_refused_keeps_the_verdict) {
  // constructed: maintenance/status answering an error after an open range (a proxy filtering it).
  scripted_session ss(
      {scripted_session::client(s(get_version)), scripted_session::server(s(version_3_4_23)),
       scripted_session::client(s(range_v3)), scripted_session::server(s(range_3_keys)),
       scripted_session::client(s(status_v3)),
       scripted_session::server(json_reply("HTTP/1.1 403 Forbidden", "{}"))});
  auto o = run(ss);
  EXPECT_TRUE(ss.mismatches().empty());
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.exposure.keys, 3);
  EXPECT_FALSE(o.exposure.bytes.has_value());
}

TEST(probe_etcd, auth_enabled) {
  scripted_session ss(
      {scripted_session::client(s(get_version)), scripted_session::server(s(version_3_4_23)),
       scripted_session::client(s(range_v3)), scripted_session::server(s(range_user_empty))});
  auto o = run(ss);
  EXPECT_TRUE(ss.mismatches().empty()) << ss.mismatches().front();
  EXPECT_EQ(ss.steps_left(), 0u);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.service, "etcd");
  EXPECT_EQ(o.product, "etcd");
  EXPECT_EQ(o.version, "3.4.23");
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.evidence, "/v3/kv/range refused: 400 etcdserver: user name is empty");
  EXPECT_TRUE(o.exposure.empty());
  EXPECT_EQ(o.end, status::ok);
  EXPECT_EQ(ss.sent(), s(get_version) + s(range_v3));  // nothing after the refusal
}

TEST(probe_etcd, auth_error_in_grpc_gateway_v2_shape) {
  // constructed from grpc-gateway v2's error body (code, message, details; no "error" key), which
  // etcd 3.5+ sends, here with the 401 some versions use.
  scripted_session ss(
      {scripted_session::client(s(get_version)),
       scripted_session::server(version_reply("3.5.9", "3.5.0")),
       scripted_session::client(s(range_v3)),
       scripted_session::server(
           json_reply("HTTP/1.1 401 Unauthorized",
                      R"({"code":16,"message":"etcdserver: invalid auth token","details":[]})"))});
  auto o = run(ss);
  EXPECT_TRUE(ss.mismatches().empty());
  EXPECT_EQ(o.version, "3.5.9");
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.evidence, "/v3/kv/range refused: 401 etcdserver: invalid auth token");
}

TEST(probe_etcd, other_error_is_not_a_verdict) {
  // constructed: an etcd error that is not about credentials (no leader during an election).
  scripted_session ss(
      {scripted_session::client(s(get_version)), scripted_session::server(s(version_3_4_23)),
       scripted_session::client(s(range_v3)),
       scripted_session::server(json_reply(
           "HTTP/1.1 503 Service Unavailable",
           R"({"error":"etcdserver: no leader","message":"etcdserver: no leader","code":14})"))});
  auto o = run(ss);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(o.evidence, "/v3/kv/range answered 503 etcdserver: no leader");
}

TEST(probe_etcd, cluster_3_3_uses_v3beta) {
  // constructed /version (3.3.x); the gateway answers are the captured 3.4.23 /v3beta ones.
  scripted_session ss({scripted_session::client(s(get_version)),
                       scripted_session::server(version_reply("3.3.27", "3.3.0")),
                       scripted_session::client(s(range_v3beta)),
                       scripted_session::server(s(range_v3beta_3_keys)),
                       scripted_session::client(s(status_v3beta)),
                       scripted_session::server(s(status_v3beta_20480))});
  auto o = run(ss);
  EXPECT_TRUE(ss.mismatches().empty()) << ss.mismatches().front();
  EXPECT_EQ(o.version, "3.3.27");
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.evidence, "/v3beta/kv/range (count_only) answered without credentials: 3 keys");
  EXPECT_EQ(o.exposure.keys, 3);
  EXPECT_EQ(o.exposure.bytes, 20480);
}

TEST(probe_etcd, etcd_2_has_no_v3_gateway) {
  // constructed: /version of an etcd 2.3 server; nothing more is sent.
  scripted_session ss({scripted_session::client(s(get_version)),
                       scripted_session::server(version_reply("2.3.8", "2.3.0"))});
  auto o = run(ss);
  EXPECT_TRUE(ss.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.version, "2.3.8");
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(o.evidence, "cluster version 2.3.0 has no v3 gateway; key count not checked");
  EXPECT_EQ(ss.sent(), s(get_version));
}

TEST(probe_etcd, range_200_without_header_is_not_a_verdict) {
  scripted_session ss(
      {scripted_session::client(s(get_version)), scripted_session::server(s(version_3_4_23)),
       scripted_session::client(s(range_v3)),
       scripted_session::server(json_reply("HTTP/1.1 200 OK", R"({"count":"3"})"))});
  auto o = run(ss);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_FALSE(o.exposure.keys.has_value());
}

TEST(probe_etcd, negative_count_is_not_believed) {
  scripted_session ss(
      {scripted_session::client(s(get_version)), scripted_session::server(s(version_3_4_23)),
       scripted_session::client(s(range_v3)),
       scripted_session::server(json_reply("HTTP/1.1 200 OK", R"({"header":{},"count":"-5"})"))});
  auto o = run(ss);
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_FALSE(o.exposure.keys.has_value());
}

TEST(probe_etcd, version_json_of_another_service_is_not_etcd) {
  // A JSON API with a "version" but without etcd's two keys (e.g. Jupyter's /api answer shape).
  scripted_session ss(
      {scripted_session::client(s(get_version)),
       scripted_session::server(json_reply("HTTP/1.1 200 OK", R"({"version":"2.14.0"})"))});
  auto o = run(ss);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::ok);
  EXPECT_EQ(ss.sent(), s(get_version));
}

TEST(probe_etcd, only_one_key_is_not_etcd) {
  scripted_session ss(
      {scripted_session::client(s(get_version)),
       scripted_session::server(json_reply("HTTP/1.1 200 OK", R"({"etcdserver":"3.4.23"})"))});
  EXPECT_FALSE(run(ss).identified);
}

TEST(probe_etcd, not_found_on_version_is_not_etcd) {
  scripted_session ss(
      {scripted_session::client(s(get_version)),
       scripted_session::server(
           "HTTP/1.1 404 Not Found\r\nContent-Length: 19\r\n\r\n404 page not found\n")});
  EXPECT_FALSE(run(ss).identified);
}

TEST(probe_etcd, random_bytes) {
  scripted_session ss(
      {scripted_session::client(s(get_version)),
       scripted_session::server(std::string("\x00\x01\xfe\xffgarbage\r\n\r\n", 15))});
  auto o = run(ss);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::protocol_error);
}

TEST(probe_etcd, silent_server) {
  scripted_session ss({scripted_session::client(s(get_version))});
  auto o = run(ss);
  EXPECT_TRUE(ss.mismatches().empty());
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::io_timeout);
}

TEST(probe_etcd, peer_closes_at_once) {
  scripted_session ss({scripted_session::close()});
  auto o = run(ss);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::connection_closed);
}

TEST(probe_etcd, truncated_version) {
  scripted_session ss(
      {scripted_session::client(s(get_version)),
       scripted_session::server(s(version_3_4_23).substr(0, s(version_3_4_23).size() - 10)),
       scripted_session::close()});
  auto o = run(ss);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::connection_closed);
}

TEST(probe_etcd, peer_closes_after_version) {
  scripted_session ss({scripted_session::client(s(get_version)),
                       scripted_session::server(s(version_3_4_23)), scripted_session::close()});
  auto o = run(ss);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(o.end, status::connection_closed);
}

TEST(probe_etcd, oversized_body) {
  // A Content-Length past the HTTP layer's body limit: the layer keeps status and headers and
  // drops the body, so the JSON that would identify etcd is not there.
  scripted_session ss(
      {scripted_session::client(s(get_version)),
       scripted_session::server("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                "Content-Length: 99999999\r\n\r\n{\"etcdserver\":")});
  auto o = run(ss);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::ok);
  EXPECT_EQ(ss.sent(), s(get_version));
}

TEST(probe_etcd, byte_budget) {
  std::string body =
      R"({"etcdserver":"3.4.23","etcdcluster":"3.4.0","pad":")" + std::string(5000, 'x') + "\"}";
  scripted_session ss({scripted_session::client(s(get_version)),
                       scripted_session::server(json_reply("HTTP/1.1 200 OK", body))},
                      true, 1024);
  auto o = run(ss);
  EXPECT_FALSE(o.identified);  // the body is cut at the budget: no JSON, no proof
  EXPECT_EQ(ss.sent(), s(get_version));
}

TEST(probe_etcd, over_tls) {
  scripted_session ss(
      {scripted_session::client(s(get_version)), scripted_session::server(s(version_3_4_23)),
       scripted_session::client(s(range_v3)), scripted_session::server(s(range_user_empty))});
  boost::asio::io_context ctx;
  auto fut = boost::asio::co_spawn(ctx, ss.start_tls(), boost::asio::use_future);
  ctx.run();
  ASSERT_EQ(fut.get(), status::ok);
  auto o = run(ss);
  EXPECT_TRUE(ss.mismatches().empty());
  EXPECT_EQ(o.verdict, auth::required);
}

}  // namespace
