// Transcript tests for the clickhouse probe (src/probes/clickhouse.cpp).
//
// Replies marked "captured" are the exact bytes Debian's clickhouse-server 18.16.1 sent to the
// probe's own requests (python3 socket script, one keep-alive connection per conversation):
//   open        127.0.9.35:8123, users.xml default with <password></password>, networks ::/0;
//               database lab_analytics with events (MergeTree, 5 rows) and sessions (TinyLog,
//               3 rows), created with clickhouse-client.
//   password    127.0.9.36:8123, the same with <password>...</password> for default.
//   restricted  127.0.9.37:8123, default with an empty password but networks 127.0.0.99 only.
// Replies marked "constructed" say what they were built from.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "probe_harness.hpp"
#include "probes/registry.hpp"

namespace {

using ajar::core::auth;
using ajar::core::status;
using ajar::net::scripted_session;

// GET /?query=SELECT version() FORMAT JSON
constexpr std::string_view get_version =
    "GET /?query=SELECT%20version()%20FORMAT%20JSON HTTP/1.1\r\n"
    "Host: localhost\r\n"
    "User-Agent: ajar/0.1 (exposure audit; metadata only)\r\n"
    "Accept: application/json, */*;q=0.5\r\n"
    "\r\n";

// Shape a: system.tables with total_rows/total_bytes
constexpr std::string_view get_shape_a =
    "GET "
    "/?query=SELECT%20(SELECT%20count()%20FROM%20system.databases%20WHERE%20name%20NOT%20IN%20('"
    "system','INFORMATION_SCHEMA','information_schema'))%20AS%20databases,%20count()%20AS%20tables,"
    "%20sum(total_rows)%20AS%20rows,%20sum(total_bytes)%20AS%20bytes,%20(SELECT%20groupArray(name)%"
    "20FROM%20(SELECT%20name%20FROM%20system.databases%20WHERE%20name%20NOT%20IN%20('system','"
    "INFORMATION_SCHEMA','information_schema')%20ORDER%20BY%20name%20LIMIT%2020))%20AS%20names%"
    "20FROM%20system.tables%20WHERE%20database%20NOT%20IN%20('system','INFORMATION_SCHEMA','"
    "information_schema')%20FORMAT%20JSON HTTP/1.1\r\n"
    "Host: localhost\r\n"
    "User-Agent: ajar/0.1 (exposure audit; metadata only)\r\n"
    "Accept: application/json, */*;q=0.5\r\n"
    "\r\n";

// Shape b: system.parts sums
constexpr std::string_view get_shape_b =
    "GET "
    "/?query=SELECT%20(SELECT%20count()%20FROM%20system.databases%20WHERE%20name%20NOT%20IN%20('"
    "system','INFORMATION_SCHEMA','information_schema'))%20AS%20databases,%20(SELECT%20count()%"
    "20FROM%20system.tables%20WHERE%20database%20NOT%20IN%20('system','INFORMATION_SCHEMA','"
    "information_schema'))%20AS%20tables,%20sum(rows)%20AS%20rows,%20sum(bytes_on_disk)%20AS%"
    "20bytes,%20(SELECT%20groupArray(name)%20FROM%20(SELECT%20name%20FROM%20system.databases%"
    "20WHERE%20name%20NOT%20IN%20('system','INFORMATION_SCHEMA','information_schema')%20ORDER%20BY%"
    "20name%20LIMIT%2020))%20AS%20names%20FROM%20system.parts%20WHERE%20active%20AND%20database%"
    "20NOT%20IN%20('system','INFORMATION_SCHEMA','information_schema')%20FORMAT%20JSON HTTP/1.1\r\n"
    "Host: localhost\r\n"
    "User-Agent: ajar/0.1 (exposure audit; metadata only)\r\n"
    "Accept: application/json, */*;q=0.5\r\n"
    "\r\n";

// Shape c: counts only
constexpr std::string_view get_shape_c =
    "GET "
    "/?query=SELECT%20(SELECT%20count()%20FROM%20system.databases%20WHERE%20name%20NOT%20IN%20('"
    "system','INFORMATION_SCHEMA','information_schema'))%20AS%20databases,%20count()%20AS%20tables,"
    "%20(SELECT%20groupArray(name)%20FROM%20(SELECT%20name%20FROM%20system.databases%20WHERE%"
    "20name%20NOT%20IN%20('system','INFORMATION_SCHEMA','information_schema')%20ORDER%20BY%20name%"
    "20LIMIT%2020))%20AS%20names%20FROM%20system.tables%20WHERE%20database%20NOT%20IN%20('system','"
    "INFORMATION_SCHEMA','information_schema')%20FORMAT%20JSON HTTP/1.1\r\n"
    "Host: localhost\r\n"
    "User-Agent: ajar/0.1 (exposure audit; metadata only)\r\n"
    "Accept: application/json, */*;q=0.5\r\n"
    "\r\n";

// captured: open
constexpr std::string_view version_open =
    "HTTP/1.1 200 OK\r\n"
    "Date: Thu, 26 Nov 2026 11:54:08 GMT\r\n"
    "Connection: Keep-Alive\r\n"
    "Content-Type: application/json; charset=UTF-8\r\n"
    "X-ClickHouse-Server-Display-Name: vm\r\n"
    "Transfer-Encoding: chunked\r\n"
    "Keep-Alive: timeout=3\r\n"
    "\r\n"
    "DC\r\n"
    "{\n"
    "\t\"meta\":\n"
    "\t[\n"
    "\t\t{\n"
    "\t\t\t\"name\": \"version()\",\n"
    "\t\t\t\"type\": \"String\"\n"
    "\t\t}\n"
    "\t],\n"
    "\n"
    "\t\"data\":\n"
    "\t[\n"
    "\t\t{\n"
    "\t\t\t\"version()\": \"18.16.1\"\n"
    "\t\t}\n"
    "\t],\n"
    "\n"
    "\t\"rows\": 1,\n"
    "\n"
    "\t\"statistics\":\n"
    "\t{\n"
    "\t\t\"elapsed\": 0.000033118,\n"
    "\t\t\"rows_read\": 1,\n"
    "\t\t\"bytes_read\": 1\n"
    "\t}\n"
    "}\n"
    "\r\n"
    "0\r\n"
    "\r\n";

// captured: open (18.16 has no total_rows/total_bytes)
constexpr std::string_view shape_a_unknown_identifier =
    "HTTP/1.1 404 Not Found\r\n"
    "Date: Thu, 26 Nov 2026 11:54:08 GMT\r\n"
    "Connection: Keep-Alive\r\n"
    "Content-Type: text/plain; charset=UTF-8\r\n"
    "X-ClickHouse-Server-Display-Name: vm\r\n"
    "Transfer-Encoding: chunked\r\n"
    "Keep-Alive: timeout=3\r\n"
    "\r\n"
    "65\r\n"
    "Code: 47, e.displayText() = DB::Exception: Unknown identifier: total_bytes, e.what() = "
    "DB::Exception\n"
    "\r\n"
    "0\r\n"
    "\r\n";

// captured: open
constexpr std::string_view shape_b_open =
    "HTTP/1.1 200 OK\r\n"
    "Date: Thu, 26 Nov 2026 11:54:08 GMT\r\n"
    "Connection: Keep-Alive\r\n"
    "Content-Type: application/json; charset=UTF-8\r\n"
    "X-ClickHouse-Server-Display-Name: vm\r\n"
    "Transfer-Encoding: chunked\r\n"
    "Keep-Alive: timeout=3\r\n"
    "\r\n"
    "200\r\n"
    "{\n"
    "\t\"meta\":\n"
    "\t[\n"
    "\t\t{\n"
    "\t\t\t\"name\": \"databases\",\n"
    "\t\t\t\"type\": \"UInt64\"\n"
    "\t\t},\n"
    "\t\t{\n"
    "\t\t\t\"name\": \"tables\",\n"
    "\t\t\t\"type\": \"UInt64\"\n"
    "\t\t},\n"
    "\t\t{\n"
    "\t\t\t\"name\": \"rows\",\n"
    "\t\t\t\"type\": \"UInt64\"\n"
    "\t\t},\n"
    "\t\t{\n"
    "\t\t\t\"name\": \"bytes\",\n"
    "\t\t\t\"type\": \"UInt64\"\n"
    "\t\t},\n"
    "\t\t{\n"
    "\t\t\t\"name\": \"names\",\n"
    "\t\t\t\"type\": \"Array(String)\"\n"
    "\t\t}\n"
    "\t],\n"
    "\n"
    "\t\"data\":\n"
    "\t[\n"
    "\t\t{\n"
    "\t\t\t\"databases\": \"2\",\n"
    "\t\t\t\"tables\": \"2\",\n"
    "\t\t\t\"rows\": \"5\",\n"
    "\t\t\t\"bytes\": \"517\",\n"
    "\t\t\t\"names\": [\"default\",\"lab_analytics\"]\n"
    "\t\t}\n"
    "\t],\n"
    "\n"
    "\t\"rows\": 1,\n"
    "\n"
    "\t\"statistics\":\n"
    "\t{\n"
    "\t\t\"elapsed\": 0.00006594,\n"
    "\t\t\"rows_read\": 1,\n"
    "\t\t\"bytes_read\": 314\n"
    "\t}\n"
    "}\n"
    "\r\n"
    "0\r\n"
    "\r\n";

// captured: open
constexpr std::string_view shape_c_open =
    "HTTP/1.1 200 OK\r\n"
    "Date: Thu, 26 Nov 2026 11:54:08 GMT\r\n"
    "Connection: Keep-Alive\r\n"
    "Content-Type: application/json; charset=UTF-8\r\n"
    "X-ClickHouse-Server-Display-Name: vm\r\n"
    "Transfer-Encoding: chunked\r\n"
    "Keep-Alive: timeout=3\r\n"
    "\r\n"
    "17C\r\n"
    "{\n"
    "\t\"meta\":\n"
    "\t[\n"
    "\t\t{\n"
    "\t\t\t\"name\": \"databases\",\n"
    "\t\t\t\"type\": \"UInt64\"\n"
    "\t\t},\n"
    "\t\t{\n"
    "\t\t\t\"name\": \"tables\",\n"
    "\t\t\t\"type\": \"UInt64\"\n"
    "\t\t},\n"
    "\t\t{\n"
    "\t\t\t\"name\": \"names\",\n"
    "\t\t\t\"type\": \"Array(String)\"\n"
    "\t\t}\n"
    "\t],\n"
    "\n"
    "\t\"data\":\n"
    "\t[\n"
    "\t\t{\n"
    "\t\t\t\"databases\": \"2\",\n"
    "\t\t\t\"tables\": \"2\",\n"
    "\t\t\t\"names\": [\"default\",\"lab_analytics\"]\n"
    "\t\t}\n"
    "\t],\n"
    "\n"
    "\t\"rows\": 1,\n"
    "\n"
    "\t\"statistics\":\n"
    "\t{\n"
    "\t\t\"elapsed\": 0.000150423,\n"
    "\t\t\"rows_read\": 2,\n"
    "\t\t\"bytes_read\": 44\n"
    "\t}\n"
    "}\n"
    "\r\n"
    "0\r\n"
    "\r\n";

// captured: password
constexpr std::string_view version_password_required =
    "HTTP/1.1 401 Unauthorized\r\n"
    "Date: Thu, 26 Nov 2026 11:54:08 GMT\r\n"
    "Connection: Keep-Alive\r\n"
    "Content-Type: text/plain; charset=UTF-8\r\n"
    "X-ClickHouse-Server-Display-Name: vm\r\n"
    "Transfer-Encoding: chunked\r\n"
    "WWW-Authenticate: Basic realm=\"ClickHouse server HTTP API\"\r\n"
    "\r\n"
    "69\r\n"
    "Code: 194, e.displayText() = DB::Exception: Password required for user default, e.what() = "
    "DB::Exception\n"
    "\r\n"
    "0\r\n"
    "\r\n";

// captured: restricted
constexpr std::string_view version_ip_not_allowed =
    "HTTP/1.1 500 Internal Server Error\r\n"
    "Date: Thu, 26 Nov 2026 11:54:13 GMT\r\n"
    "Connection: Keep-Alive\r\n"
    "Content-Type: text/plain; charset=UTF-8\r\n"
    "X-ClickHouse-Server-Display-Name: vm\r\n"
    "Transfer-Encoding: chunked\r\n"
    "\r\n"
    "84\r\n"
    "Code: 195, e.displayText() = DB::Exception: User default is not allowed to connect from "
    "address 127.0.0.1, e.what() = DB::Exception\n"
    "\r\n"
    "0\r\n"
    "\r\n";

// A chunked answer (one chunk), as ClickHouse sends them: `head` is the status line and headers.
std::string chunked(std::string_view head, std::string_view body) {
  std::string out(head);
  out += "Transfer-Encoding: chunked\r\n\r\n";
  char size[24];
  std::snprintf(size, sizeof size, "%zx\r\n", body.size());
  out += size;
  out += body;
  out += "\r\n0\r\n\r\n";
  return out;
}

// constructed: the 403 a 22.3 server sent to an HTTP query as default with a wrong password,
// as quoted (curl -v) in Altinity/clickhouse-operator issue #1008; current releases map 516 to
// 403 (src/Server/HTTP/exceptionCodeToHTTPStatus.cpp).
const std::string version_authentication_failed_22_3 = chunked(
    "HTTP/1.1 403 Forbidden\r\n"
    "Date: Tue, 13 Sep 2022 09:37:48 GMT\r\n"
    "Connection: Keep-Alive\r\n"
    "Content-Type: text/plain; charset=UTF-8\r\n"
    "X-ClickHouse-Server-Display-Name: chi-repl-05-replicated-0-0-0\r\n"
    "X-ClickHouse-Exception-Code: 516\r\n",
    "Code: 516. DB::Exception: default: Authentication failed: password is incorrect or there is "
    "no user with such "
    "name. (AUTHENTICATION_FAILED) (version 22.3.12.19 (official build))\n");

// constructed from the HTTP interface docs (response headers X-ClickHouse-Query-Id, -Format,
// -Timezone, -Summary) and the JSON format the 18.16 capture shows: a 24.3 server, open.
const std::string version_open_24_3 = chunked(
    "HTTP/1.1 200 OK\r\n"
    "Date: Thu, 26 Nov 2026 11:55:00 GMT\r\n"
    "Connection: Keep-Alive\r\n"
    "Content-Type: application/json; charset=UTF-8\r\n"
    "X-ClickHouse-Server-Display-Name: ch-lab\r\n"
    "X-ClickHouse-Query-Id: 5bd0f2f4-8c5e-4a2e-9f51-2b2b0b7d7c11\r\n"
    "X-ClickHouse-Format: JSON\r\n"
    "X-ClickHouse-Timezone: UTC\r\n"
    "Keep-Alive: timeout=10\r\n"
    "X-ClickHouse-Summary: "
    "{\"read_rows\":\"1\",\"read_bytes\":\"1\",\"written_rows\":\"0\",\"written_bytes\":\"0\","
    "\"total_rows_to_read\":\"0\",\"result_rows\":\"0\",\"result_bytes\":\"0\",\"elapsed_ns\":"
    "\"412845\"}\r\n",
    "{\n\t\"meta\":\n\t[\n\t\t{\n\t\t\t\"name\": \"version()\",\n\t\t\t\"type\": "
    "\"String\"\n\t\t}\n\t],\n\n"
    "\t\"data\":\n\t[\n\t\t{\n\t\t\t\"version()\": \"24.3.2.23\"\n\t\t}\n\t],\n\n\t\"rows\": 1,\n\n"
    "\t\"statistics\":\n\t{\n\t\t\"elapsed\": 0.0004,\n\t\t\"rows_read\": 1,\n\t\t\"bytes_read\": "
    "1\n\t}\n}\n");

std::string s(std::string_view v) {
  return std::string(v);
}

ajar::core::observation run(scripted_session& session) {
  return ajar::test::run_probe(ajar::probes::clickhouse_probe(), session);
}

std::string chunked_json(std::string_view extra_headers, std::string_view body) {
  return chunked("HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=UTF-8\r\n" +
                     std::string(extra_headers),
                 body);
}

TEST(probe_clickhouse, info) {
  const auto& i = ajar::probes::clickhouse_probe().info();
  EXPECT_EQ(i.name, "clickhouse");
  ASSERT_EQ(i.default_ports.size(), 1u);
  EXPECT_EQ(i.default_ports[0], 8123);
  EXPECT_EQ(i.transport, ajar::probes::transport::plain_then_tls);
}

TEST(probe_clickhouse, open_18_16_falls_back_to_parts) {
  scripted_session ss(
      {scripted_session::client(s(get_version)), scripted_session::server(s(version_open)),
       scripted_session::client(s(get_shape_a)),
       scripted_session::server(s(shape_a_unknown_identifier)),
       scripted_session::client(s(get_shape_b)), scripted_session::server(s(shape_b_open))});
  auto o = run(ss);
  EXPECT_TRUE(ss.mismatches().empty()) << ss.mismatches().front();
  EXPECT_EQ(ss.steps_left(), 0u);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.service, "clickhouse");
  EXPECT_EQ(o.product, "ClickHouse");
  EXPECT_EQ(o.version, "18.16.1");
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.evidence,
            "SELECT version() answered as default without a password (version 18.16.1)");
  EXPECT_EQ(o.exposure.databases, 2);  // default, lab_analytics
  EXPECT_EQ(o.exposure.tables, 2);
  EXPECT_EQ(o.exposure.rows, 5);  // active MergeTree parts only: the TinyLog table has none
  EXPECT_EQ(o.exposure.bytes, 517);
  EXPECT_EQ(o.exposure.names, (std::vector<std::string>{"default", "lab_analytics"}));
  EXPECT_EQ(o.end, status::ok);
  EXPECT_EQ(ss.sent(), s(get_version) + s(get_shape_a) + s(get_shape_b));
}

TEST(probe_clickhouse, counts_only_when_parts_fail_too) {
  // The captured 18.16 shape-c answer after a (constructed) shape-b exception.
  std::string b_fails =
      chunked("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=UTF-8\r\n",
              "Code: 47, e.displayText() = DB::Exception: Unknown identifier: bytes_on_disk, "
              "e.what() = DB::Exception\n");
  scripted_session ss(
      {scripted_session::client(s(get_version)), scripted_session::server(s(version_open)),
       scripted_session::client(s(get_shape_a)),
       scripted_session::server(s(shape_a_unknown_identifier)),
       scripted_session::client(s(get_shape_b)), scripted_session::server(b_fails),
       scripted_session::client(s(get_shape_c)), scripted_session::server(s(shape_c_open))});
  auto o = run(ss);
  EXPECT_TRUE(ss.mismatches().empty()) << ss.mismatches().front();
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.exposure.databases, 2);
  EXPECT_EQ(o.exposure.tables, 2);
  EXPECT_FALSE(o.exposure.rows.has_value());
  EXPECT_FALSE(o.exposure.bytes.has_value());
  EXPECT_EQ(o.exposure.names, (std::vector<std::string>{"default", "lab_analytics"}));
}

TEST(probe_clickhouse, open_24_3_uses_total_rows) {
  std::string a = chunked_json(
      "X-ClickHouse-Server-Display-Name: ch-lab\r\nX-ClickHouse-Format: JSON\r\n",
      "{\n\t\"meta\": [],\n\t\"data\":\n\t[\n\t\t{\n\t\t\t\"databases\": \"3\",\n"
      "\t\t\t\"tables\": \"4\",\n\t\t\t\"rows\": \"1200\",\n\t\t\t\"bytes\": \"65536\",\n"
      "\t\t\t\"names\": [\"default\",\"lab_analytics\",\"lab_logs\"]\n\t\t}\n\t],\n"
      "\t\"rows\": 1\n}\n");
  scripted_session ss({scripted_session::client(s(get_version)),
                       scripted_session::server(version_open_24_3),
                       scripted_session::client(s(get_shape_a)), scripted_session::server(a)});
  auto o = run(ss);
  EXPECT_TRUE(ss.mismatches().empty()) << ss.mismatches().front();
  EXPECT_EQ(ss.steps_left(), 0u);
  EXPECT_EQ(o.version, "24.3.2.23");
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.exposure.databases, 3);
  EXPECT_EQ(o.exposure.tables, 4);
  EXPECT_EQ(o.exposure.rows, 1200);
  EXPECT_EQ(o.exposure.bytes, 65536);
  EXPECT_EQ(o.exposure.names.size(), 3u);
}

TEST(probe_clickhouse, requests_read_system_tables_only) {
  // Safety: every query names system tables only, and GET keeps the server read-only.
  for (auto r : {get_version, get_shape_a, get_shape_b, get_shape_c}) {
    EXPECT_TRUE(r.starts_with("GET /?query=SELECT%20")) << r;
    EXPECT_EQ(r.find("Authorization"), std::string_view::npos);
    EXPECT_EQ(r.find("password"), std::string_view::npos);
  }
  for (auto r : {get_shape_a, get_shape_b, get_shape_c}) {
    std::string_view rest = r;
    for (auto at = rest.find("FROM%20"); at != std::string_view::npos; at = rest.find("FROM%20")) {
      rest.remove_prefix(at + 7);
      EXPECT_TRUE(rest.starts_with("system.") || rest.starts_with("(SELECT")) << rest.substr(0, 40);
    }
  }
}

TEST(probe_clickhouse, password_required_18_16) {
  scripted_session ss({scripted_session::client(s(get_version)),
                       scripted_session::server(s(version_password_required))});
  auto o = run(ss);
  EXPECT_TRUE(ss.mismatches().empty()) << ss.mismatches().front();
  EXPECT_EQ(ss.steps_left(), 0u);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.service, "clickhouse");
  EXPECT_EQ(o.product, "ClickHouse");
  EXPECT_EQ(o.version, "");  // 18.16 exceptions do not carry it
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.evidence,
            "SELECT version() as default without a password: 401 Code 194: Password required for "
            "user default");
  EXPECT_TRUE(o.exposure.empty());
  EXPECT_EQ(o.end, status::ok);
  EXPECT_EQ(ss.sent(), s(get_version));
}

TEST(probe_clickhouse, authentication_failed_current) {
  scripted_session ss({scripted_session::client(s(get_version)),
                       scripted_session::server(version_authentication_failed_22_3)});
  auto o = run(ss);
  EXPECT_TRUE(ss.mismatches().empty()) << ss.mismatches().front();
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.version, "22.3.12.19");
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.evidence,
            "SELECT version() as default without a password: 403 Code 516: default: Authentication "
            "failed: password "
            "is incorrect or there is no user with such name.");
}

TEST(probe_clickhouse, address_not_allowed_18_16) {
  scripted_session ss({scripted_session::client(s(get_version)),
                       scripted_session::server(s(version_ip_not_allowed))});
  auto o = run(ss);
  EXPECT_TRUE(ss.mismatches().empty()) << ss.mismatches().front();
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::restricted);
  EXPECT_EQ(o.evidence,
            "SELECT version() as default without a password: 500 Code 195: User default is not "
            "allowed to connect "
            "from address 127.0.0.1");
}

TEST(probe_clickhouse, exception_code_header_alone) {
  // constructed: a proxy rewrote the body but kept ClickHouse's header.
  std::string r =
      "HTTP/1.1 403 Forbidden\r\nX-ClickHouse-Exception-Code: 516\r\nContent-Length: "
      "9\r\n\r\nForbidden";
  scripted_session ss({scripted_session::client(s(get_version)), scripted_session::server(r)});
  auto o = run(ss);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::required);
}

TEST(probe_clickhouse, other_exception_is_identified_without_a_verdict) {
  std::string r = chunked("HTTP/1.1 500 Internal Server Error\r\n",
                          "Code: 202. DB::Exception: Too many simultaneous queries. Maximum: 100. "
                          "(TOO_MANY_SIMULTANEOUS_QUERIES) (version 24.3.2.23 (official build))\n");
  scripted_session ss({scripted_session::client(s(get_version)), scripted_session::server(r)});
  auto o = run(ss);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.version, "24.3.2.23");
  EXPECT_EQ(o.verdict, auth::unknown);
}

TEST(probe_clickhouse, ok_dot_is_not_proof) {
  // What GET / and /ping answer: any server can say it.
  scripted_session ss(
      {scripted_session::client(s(get_version)),
       scripted_session::server("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nOk.\n")});
  auto o = run(ss);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(ss.sent(), s(get_version));
}

TEST(probe_clickhouse, json_without_clickhouse_headers_is_not_proof) {
  std::string body =
      R"j({"meta":[{"name":"version()","type":"String"}],"data":[{"version()":"18.16.1"}],"rows":1})j";
  scripted_session ss(
      {scripted_session::client(s(get_version)), scripted_session::server(chunked_json("", body))});
  EXPECT_FALSE(run(ss).identified);
}

TEST(probe_clickhouse, code_text_without_db_exception_is_not_proof) {
  std::string r = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 13\r\n\r\nCode: 1, oops";
  scripted_session ss({scripted_session::client(s(get_version)), scripted_session::server(r)});
  EXPECT_FALSE(run(ss).identified);
}

TEST(probe_clickhouse, hostile_aggregates) {
  std::string a = chunked_json(
      "X-ClickHouse-Format: JSON\r\n",
      R"({"data":[{"databases":"-1","tables":"x","rows":null,"bytes":"18446744073709551615",)"
      R"("names":["a",5,"b"]}]})");
  scripted_session ss({scripted_session::client(s(get_version)),
                       scripted_session::server(s(version_open)),
                       scripted_session::client(s(get_shape_a)), scripted_session::server(a)});
  auto o = run(ss);
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_FALSE(o.exposure.databases.has_value());
  EXPECT_FALSE(o.exposure.tables.has_value());
  EXPECT_FALSE(o.exposure.rows.has_value());
  EXPECT_FALSE(o.exposure.bytes.has_value());
  EXPECT_EQ(o.exposure.names, (std::vector<std::string>{"a", "b"}));
}

TEST(probe_clickhouse, connection_closed_before_aggregates) {
  scripted_session ss({scripted_session::client(s(get_version)),
                       scripted_session::server(s(version_open)), scripted_session::close()});
  auto o = run(ss);
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_TRUE(o.exposure.empty());
  EXPECT_EQ(o.end, status::connection_closed);
}

TEST(probe_clickhouse, random_bytes) {
  scripted_session ss({scripted_session::client(s(get_version)),
                       scripted_session::server(std::string("\x00\x01\xfe\xff junk\r\n\r\n", 13))});
  auto o = run(ss);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::protocol_error);
}

TEST(probe_clickhouse, silent_server) {
  scripted_session ss({scripted_session::client(s(get_version))});
  auto o = run(ss);
  EXPECT_TRUE(ss.mismatches().empty());
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::io_timeout);
}

TEST(probe_clickhouse, peer_closes_at_once) {
  scripted_session ss({scripted_session::close()});
  auto o = run(ss);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::connection_closed);
}

TEST(probe_clickhouse, truncated_answer) {
  scripted_session ss({scripted_session::client(s(get_version)),
                       scripted_session::server(s(version_open).substr(0, 250)),
                       scripted_session::close()});
  auto o = run(ss);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::connection_closed);
}

TEST(probe_clickhouse, oversized_chunk) {
  scripted_session ss({scripted_session::client(s(get_version)),
                       scripted_session::server("HTTP/1.1 200 OK\r\nX-ClickHouse-Format: JSON\r\n"
                                                "Transfer-Encoding: chunked\r\n\r\nfffffff\r\n{")});
  auto o = run(ss);
  EXPECT_FALSE(o.identified);  // the HTTP layer keeps the headers but drops the body: no JSON
  EXPECT_EQ(ss.sent(), s(get_version));
}

}  // namespace
