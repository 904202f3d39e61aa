// Transcript tests for the couchdb probe (src/probes/couchdb.cpp). No CouchDB server is
// available here (no Debian package), so every reply comes from the CouchDB documentation
// (apache/couchdb src/docs/src/api/...) or PROTOCOLS.md sections 5 and 19.6, named per
// transcript:
//   - GET / welcome 3.4.2: PROTOCOLS.md 5 (docs api/server/common.rst, chttpd_misc.erl
//     handle_welcome_req); 2.3.1: the same keys with 2.3.1's git_sha/features.
//   - GET /_session: docs api/server/authn.rst (userCtx {name, roles}, info {...}); admin party
//     grants roles ["_admin"] to a caller without credentials (chttpd_auth.erl, no [admins]).
//   - GET /_all_dbs: docs api/server/common.rst example ["_users","contacts",...].
//   - POST /_dbs_info: docs api/server/common.rst example (animals / plants db info).
//   - GET /{db}: docs api/database/common.rst (GET /receipts), PROTOCOLS.md 19.6.
//   - 401 bodies: PROTOCOLS.md 19.6 ("You are not a server admin.", "Authentication required.").
// Headers are CouchDB's (Cache-Control: must-revalidate, Server: CouchDB/<v> (Erlang OTP/<n>),
// X-Couch-Request-ID, X-CouchDB-Body-Time), as in the docs' example responses.
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

std::string post_json(std::string_view target, std::string_view body) {
  return "POST " + std::string(target) +
         " HTTP/1.1\r\nHost: localhost\r\nUser-Agent: ajar/0.1 (exposure audit; metadata only)\r\n"
         "Accept: application/json, */*;q=0.5\r\nContent-Type: "
         "application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

std::string couch(std::string_view status_line, std::string_view body,
                  std::string_view server = "CouchDB/3.4.2 (Erlang OTP/25)") {
  std::string b = std::string(body) + "\n";
  return "HTTP/1.1 " + std::string(status_line) +
         "\r\nCache-Control: must-revalidate\r\nContent-Length: " + std::to_string(b.size()) +
         "\r\nContent-Type: application/json\r\nDate: Sat, 10 Aug 2024 06:33:33 GMT\r\nServer: " +
         std::string(server) +
         "\r\nX-Couch-Request-ID: 5c058bdd37\r\nX-CouchDB-Body-Time: 0\r\n\r\n" + b;
}

constexpr std::string_view server2 = "CouchDB/2.3.1 (Erlang OTP/19)";

constexpr std::string_view welcome3 =
    R"({"couchdb":"Welcome","version":"3.4.2","git_sha":"6e5ad2a5c","uuid":"9ddf59457dbb8772316cf06fc5e5a2e4",)"
    R"("features":["access-ready","partitioned","pluggable-storage-engines","reshard","scheduler"],)"
    R"("vendor":{"name":"The Apache Software Foundation"}})";
constexpr std::string_view welcome2 =
    R"({"couchdb":"Welcome","version":"2.3.1","git_sha":"c298091a4","uuid":"6a3f1c9e0b7d4e2fa58c1d0e9b7a6f54",)"
    R"("features":["pluggable-storage-engines","scheduler"],"vendor":{"name":"The Apache Software Foundation"}})";

constexpr std::string_view session_admin_party =
    R"({"ok":true,"userCtx":{"name":null,"roles":["_admin"]},"info":{"authentication_handlers":["cookie","default"],)"
    R"("authenticated":"default"}})";
constexpr std::string_view session_anonymous =
    R"({"ok":true,"userCtx":{"name":null,"roles":[]},"info":{"authentication_handlers":["cookie","default"]}})";

constexpr std::string_view all_dbs_doc = R"(["_users","contacts","docs","invoices","locations"])";
// POST /_dbs_info {"keys":[...]} in the probe's order: user databases first, then _users.
constexpr std::string_view dbs_info_keys =
    R"({"keys":["contacts","docs","invoices","locations","_users"]})";

std::string db_info(std::string_view name, long docs, long file) {
  return R"({"db_name":")" + std::string(name) + R"(","update_seq":"52232","sizes":{"file":)" +
         std::to_string(file) +
         R"(,"external":1713103872,"active":1162451555},"purge_seq":0,"doc_del_count":0,"doc_count":)" +
         std::to_string(docs) +
         R"(,"disk_format_version":6,"compact_running":false,"cluster":{"q":8,"n":3,"w":2,"r":2},)"
         R"("instance_start_time":"0"})";
}

// The docs example rows (animals: 52224 docs, 1178613587 bytes; plants: 11 docs, 3872387 bytes),
// under the names this transcript asked for; _users answers not_found as the docs describe for
// unknown names.
std::string dbs_info_reply() {
  return "[" + std::string(R"({"key":"contacts","info":)") +
         db_info("contacts", 52224, 1178613587) + "}," + R"({"key":"docs","info":)" +
         db_info("docs", 11, 3872387) + "}," + R"({"key":"invoices","info":)" +
         db_info("invoices", 6146, 137433211) + "}," + R"({"key":"locations","info":)" +
         db_info("locations", 0, 41256) + "}," + R"({"key":"_users","error":"not_found"}])";
}

constexpr std::string_view not_admin =
    R"({"error":"unauthorized","reason":"You are not a server admin."})";

ajar::core::observation run(scripted_session& s) {
  return ajar::test::run_probe(ajar::probes::couchdb_probe(), s);
}

TEST(probe_couchdb, info_names_ports_and_transport) {
  const auto& i = ajar::probes::couchdb_probe().info();
  EXPECT_EQ(i.name, "couchdb");
  ASSERT_EQ(i.default_ports.size(), 2u);
  EXPECT_EQ(i.default_ports[0], 5984);
  EXPECT_EQ(i.default_ports[1], 6984);
  EXPECT_EQ(i.transport, ajar::probes::transport::plain_then_tls);
}

TEST(probe_couchdb, admin_party_is_unclaimed_with_sizes) {
  scripted_session s({scripted_session::client(get("/")),
                      scripted_session::server(couch("200 OK", welcome2, server2)),
                      scripted_session::client(get("/_session")),
                      scripted_session::server(couch("200 OK", session_admin_party, server2)),
                      scripted_session::client(get("/_all_dbs")),
                      scripted_session::server(couch("200 OK", all_dbs_doc, server2)),
                      scripted_session::client(post_json("/_dbs_info", dbs_info_keys)),
                      scripted_session::server(couch("200 OK", dbs_info_reply(), server2))});
  auto obs = run(s);
  EXPECT_TRUE(s.mismatches().empty()) << s.mismatches().front();
  EXPECT_EQ(s.steps_left(), 0u);
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.service, "couchdb");
  EXPECT_EQ(obs.product, "CouchDB");
  EXPECT_EQ(obs.version, "2.3.1");
  EXPECT_EQ(obs.verdict, auth::unclaimed);
  EXPECT_NE(obs.evidence.find("admin party"), std::string::npos) << obs.evidence;
  EXPECT_EQ(obs.exposure.databases, 5);
  EXPECT_EQ(obs.exposure.documents, 52224 + 11 + 6146 + 0);
  EXPECT_EQ(obs.exposure.bytes, 1178613587LL + 3872387 + 137433211 + 41256);
  EXPECT_EQ(obs.exposure.names,
            (std::vector<std::string>{"contacts", "docs", "invoices", "locations", "_users"}));
  EXPECT_EQ(obs.end, status::ok);
}

TEST(probe_couchdb, anonymous_listing_is_none) {
  scripted_session s({scripted_session::client(get("/")),
                      scripted_session::server(couch("200 OK", welcome2, server2)),
                      scripted_session::client(get("/_session")),
                      scripted_session::server(couch("200 OK", session_anonymous, server2)),
                      scripted_session::client(get("/_all_dbs")),
                      scripted_session::server(couch("200 OK", all_dbs_doc, server2)),
                      scripted_session::client(post_json("/_dbs_info", dbs_info_keys)),
                      scripted_session::server(couch("200 OK", dbs_info_reply(), server2))});
  auto obs = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(obs.verdict, auth::none);
  // _users answered {"error":"not_found"} in the batch, so four of five were sized.
  EXPECT_EQ(obs.evidence,
            "GET /_all_dbs answered without credentials (5 databases); sizes of 4 of them");
  EXPECT_EQ(obs.exposure.databases, 5);
  EXPECT_EQ(obs.exposure.documents, 58381);
}

TEST(probe_couchdb, couchdb3_default_is_required_with_version) {
  scripted_session s({scripted_session::client(get("/")),
                      scripted_session::server(couch("200 OK", welcome3)),
                      scripted_session::client(get("/_session")),
                      scripted_session::server(couch("200 OK", session_anonymous)),
                      scripted_session::client(get("/_all_dbs")),
                      scripted_session::server(couch("401 Unauthorized", not_admin))});
  auto obs = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(s.steps_left(), 0u);
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.version, "3.4.2");
  EXPECT_EQ(obs.verdict, auth::required);
  EXPECT_EQ(obs.evidence, "GET /_all_dbs refused: 401 You are not a server admin.");
  EXPECT_TRUE(obs.exposure.empty());
}

TEST(probe_couchdb, require_valid_user_401_on_root_is_required) {
  scripted_session s({scripted_session::client(get("/")),
                      scripted_session::server(couch(
                          "401 Unauthorized",
                          R"({"error":"unauthorized","reason":"Authentication required."})"))});
  auto obs = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.product, "CouchDB");
  EXPECT_EQ(obs.version, "3.4.2");  // from the Server header
  EXPECT_EQ(obs.verdict, auth::required);
  EXPECT_EQ(obs.evidence, "GET / refused: 401 Authentication required. (require_valid_user)");
}

TEST(probe_couchdb, a_401_without_couchdb_server_header_is_not_couchdb) {
  scripted_session s({scripted_session::client(get("/")),
                      scripted_session::server(
                          "HTTP/1.1 401 Unauthorized\r\nServer: nginx\r\nContent-Length: 62\r\n\r\n"
                          R"({"error":"unauthorized","reason":"Authentication required."})"
                          "\n\n")});
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
}

TEST(probe_couchdb, without_dbs_info_falls_back_to_per_database_metadata) {
  // CouchDB 2.1 (no POST /_dbs_info): one GET per database. A name with '/' is escaped; a
  // database whose metadata is refused (3.x default_security) is listed but not sized.
  constexpr std::string_view server21 = "CouchDB/2.1.0-7f17678 (Erlang OTP/17)";
  constexpr std::string_view welcome21 =
      R"({"couchdb":"Welcome","version":"2.1.0","vendor":{"name":"The Apache Software Foundation"}})";
  scripted_session s(
      {scripted_session::client(get("/")),
       scripted_session::server(couch("200 OK", welcome21, server21)),
       scripted_session::client(get("/_session")),
       scripted_session::server(couch("200 OK", session_anonymous, server21)),
       scripted_session::client(get("/_all_dbs")),
       scripted_session::server(couch("200 OK", R"(["receipts","team/ledger"])", server21)),
       scripted_session::client(post_json("/_dbs_info", R"({"keys":["receipts","team/ledger"]})")),
       scripted_session::server(couch(
           "400 Bad Request",
           R"({"error":"illegal_database_name","reason":"Name: '_dbs_info'. Only lowercase characters (a-z), digits (0-9), and any of the characters _, $, (, ), +, -, and / are allowed. Must begin with a letter."})",
           server21)),
       scripted_session::client(get("/receipts")),
       scripted_session::server(couch("200 OK", db_info("receipts", 6146, 137433211), server21)),
       scripted_session::client(get("/team%2Fledger")),
       scripted_session::server(
           couch("401 Unauthorized",
                 R"({"error":"unauthorized","reason":"You are not authorized to access this db."})",
                 server21))});
  auto obs = run(s);
  EXPECT_TRUE(s.mismatches().empty()) << (s.mismatches().empty() ? "" : s.mismatches().front());
  EXPECT_EQ(s.steps_left(), 0u);
  EXPECT_EQ(obs.version, "2.1.0");
  EXPECT_EQ(obs.verdict, auth::none);
  EXPECT_EQ(obs.exposure.databases, 2);
  EXPECT_EQ(obs.exposure.documents, 6146);
  EXPECT_EQ(obs.exposure.bytes, 137433211);
  EXPECT_NE(obs.evidence.find("sizes of 1 of them"), std::string::npos) << obs.evidence;
}

TEST(probe_couchdb, couchdb1_disk_size_is_used_when_sizes_are_absent) {
  constexpr std::string_view server1 = "CouchDB/1.6.1 (Erlang OTP/17)";
  constexpr std::string_view welcome1 =
      R"({"couchdb":"Welcome","uuid":"85fb71bf700c17267fef77535820e371","version":"1.6.1","vendor":{"name":"The Apache Software Foundation","version":"1.6.1"}})";
  scripted_session s(
      {scripted_session::client(get("/")),
       scripted_session::server(couch("200 OK", welcome1, server1)),
       scripted_session::client(get("/_session")),
       scripted_session::server(couch("200 OK", session_admin_party, server1)),
       scripted_session::client(get("/_all_dbs")),
       scripted_session::server(couch("200 OK", R"(["mailbox"])", server1)),
       scripted_session::client(post_json("/_dbs_info", R"({"keys":["mailbox"]})")),
       scripted_session::server(couch("404 Object Not Found",
                                      R"({"error":"not_found","reason":"no_db_file"})", server1)),
       scripted_session::client(get("/mailbox")),
       scripted_session::server(couch(
           "200 OK",
           R"({"db_name":"mailbox","doc_count":64438,"doc_del_count":12,"update_seq":76215,)"
           R"("purge_seq":0,"compact_running":false,"disk_size":8286310,"data_size":5301022,)"
           R"("instance_start_time":"1376116576000000","disk_format_version":6,"committed_update_seq":76215})",
           server1))});
  auto obs = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(obs.verdict, auth::unclaimed);
  EXPECT_EQ(obs.exposure.documents, 64438);
  EXPECT_EQ(obs.exposure.bytes, 8286310);
}

TEST(probe_couchdb, many_databases_are_counted_and_at_most_twenty_sized) {
  std::string list = "[\"_replicator\",\"_users\"";
  std::string keys = "{\"keys\":[";
  for (int n = 0; n < 25; ++n) {
    char name[16];
    std::snprintf(name, sizeof name, "userdb-%02d", n);
    list += ",\"" + std::string(name) + "\"";
    if (n < 20) keys += (n > 0 ? ",\"" : "\"") + std::string(name) + "\"";
  }
  list += "]";
  keys += "]}";
  scripted_session s(
      {scripted_session::client(get("/")),
       scripted_session::server(couch("200 OK", welcome2, server2)),
       scripted_session::client(get("/_session")),
       scripted_session::server(couch("200 OK", session_anonymous, server2)),
       scripted_session::client(get("/_all_dbs")),
       scripted_session::server(couch("200 OK", list, server2)),
       scripted_session::client(post_json("/_dbs_info", keys)),
       scripted_session::server(couch("200 OK",
                                      "[" + std::string(R"({"key":"userdb-00","info":)") +
                                          db_info("userdb-00", 3, 4096) + "}]",
                                      server2))});
  auto obs = run(s);
  EXPECT_TRUE(s.mismatches().empty()) << (s.mismatches().empty() ? "" : s.mismatches().front());
  EXPECT_EQ(obs.exposure.databases, 27);
  ASSERT_EQ(obs.exposure.names.size(), 20u);
  EXPECT_EQ(obs.exposure.names.front(), "userdb-00");
  EXPECT_EQ(obs.exposure.names.back(), "userdb-19");
  EXPECT_EQ(obs.exposure.documents, 3);
  EXPECT_EQ(obs.exposure.bytes, 4096);
}

TEST(probe_couchdb, other_json_root_is_not_couchdb) {
  scripted_session s(
      {scripted_session::client(get("/")),
       scripted_session::server(
           "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n"
           R"({"couchdb":"Hello","version":"1.0.0"}   )")});
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
  EXPECT_EQ(s.steps_left(), 0u);  // nothing more was asked
}

TEST(probe_couchdb, connection_closed_after_welcome_keeps_identity) {
  scripted_session s(
      {scripted_session::client(get("/")), scripted_session::server(couch("200 OK", welcome3)),
       scripted_session::close()},
      /*strict=*/false);
  auto obs = run(s);
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.version, "3.4.2");
  EXPECT_EQ(obs.verdict, auth::unknown);
  EXPECT_EQ(obs.end, status::connection_closed);
  EXPECT_FALSE(obs.evidence.empty());
}

TEST(probe_couchdb, garbage_bytes_are_not_identified) {
  scripted_session s({scripted_session::client(get("/")),
                      scripted_session::server("\x16\x03\x01\x02\x00garbage")});
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
}

TEST(probe_couchdb, silent_server_is_not_identified) {
  scripted_session s({scripted_session::client(get("/"))});
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
  EXPECT_EQ(obs.end, status::io_timeout);
}

TEST(probe_couchdb, peer_closing_at_once_is_not_identified) {
  scripted_session s({scripted_session::close()}, /*strict=*/false);
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
  EXPECT_EQ(obs.end, status::connection_closed);
}

TEST(probe_couchdb, truncated_welcome_is_not_identified) {
  auto full = couch("200 OK", welcome3);
  scripted_session s({scripted_session::client(get("/")),
                      scripted_session::server(full.substr(0, full.size() - 30)),
                      scripted_session::close()});
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
}

}  // namespace
