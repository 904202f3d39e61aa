// Transcript tests for the mysql probe.
//
// Where the bytes come from:
//  - "MariaDB 10.11" fixtures are real: mariadbd 10.11.19-MariaDB-0+deb12u1 (Debian 12 package)
//    started with --no-defaults --bind-address=127.0.9.3 --port=3306 --skip-name-resolve on a
//    fresh mariadb-install-db data dir; a python3 socket script (connecting from 127.0.0.1) sent
//    exactly the bytes the probe sends and saved every packet. Accounts per capture:
//      open:        root@'%' with an empty password; schemas shop (2 tables, 8 rows), crm (a
//                   table with 4 rows and a view), café (1 Aria table, 2 rows), reports (only a
//                   view), empty_one (no tables)
//      password:    root@'%' IDENTIFIED BY a password                  -> ERR 1045
//      ed25519:     root@'127.0.0.1' IDENTIFIED VIA ed25519            -> switch, ERR 1045
//      restricted:  only root@'127.0.0.99' (restart needed)            -> ERR 1130 before handshake
//      too many:    max_connections=10, 11th non-admin login           -> ERR 1040 after login
//  - "MySQL 8.0.3-rc" and "MySQL 5.5.58" handshakes are real (zmap/zgrab2
//    zgrab2_schemas/zgrab2/testdata/mysql-8.0.json and mysql-5.5.json, raw_packets[0]); the
//    replies after them are constructed from the documented formats (PROTOCOLS.md §7) and say so.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "net/scripted_session.hpp"
#include "probe_harness.hpp"
#include "probes/registry.hpp"
#include "hex.hpp"

namespace {

using ajar::core::auth;
using ajar::core::status;
using ajar::net::scripted_session;

using ajar::test::hex;

std::string frame(std::uint8_t seq, std::string_view payload) {
  std::string out;
  out.push_back(static_cast<char>(payload.size() & 0xff));
  out.push_back(static_cast<char>((payload.size() >> 8) & 0xff));
  out.push_back(static_cast<char>((payload.size() >> 16) & 0xff));
  out.push_back(static_cast<char>(seq));
  out.append(payload);
  return out;
}

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

auto server = scripted_session::server;
auto client = scripted_session::client;

// ---- real MariaDB 10.11 bytes ----
const std::string mariadb_handshake =
    hex("640000000a352e352e352d31302e31312e31392d4d6172696144422d302b64656231327531002900"
        "0000645661634e3c223400fef7080200ff81150000000000001d0000002143702e2f423e515d6048"
        "2a006d7973716c5f6e61746976655f70617373776f726400");
const std::string mariadb_ok = hex("0700000200000002000000");
const std::string summary_reply =
    hex("01000001044c0000020364656612696e666f726d6174696f6e5f736368656d61067461626c657306"
        "5441424c45530c7461626c655f736368656d610c5441424c455f534348454d410c2100c0000000fd"
        "01100000001e0000030364656600000008434f554e54282a29000c3f001500000008010000000025"
        "000004036465660000000f53554d287461626c655f726f777329000c3f002c000000f60000000000"
        "33000005036465660000001d53554d28646174615f6c656e6774682b696e6465785f6c656e677468"
        "29000c3f002d000000f6000000000005000006fe000022401000000705636166c3a9013101320532"
        "343537360e0000080363726d013201340531363338340c000009077265706f7274730131fbfb0f00"
        "000a0473686f70013201380533323736380500000bfe00002240");
const std::string schemata_reply =
    hex("01000001011e0000020364656600000008434f554e54282a29000c3f001500000008810000000005"
        "000003fe0000220002000004013505000005fe00002200");
const std::string mariadb_err_1045 =
    hex("47000002ff15042332383030304163636573732064656e69656420666f7220757365722027726f6f"
        "742740273132372e302e302e312720287573696e672070617373776f72643a204e4f29");
const std::string ed25519_switch =
    hex("30000002fe636c69656e745f65643235353139006f5100028c7515b04ea2cab4397a3f9bc76f616d"
        "1331b67980f3123992a95164");
const std::string err_1045_after_switch =
    hex("48000004ff15042332383030304163636573732064656e69656420666f7220757365722027726f6f"
        "742740273132372e302e302e312720287573696e672070617373776f72643a2059455329");
const std::string mariadb_err_1130 =
    hex("44000000ff6a04486f737420273132372e302e302e3127206973206e6f7420616c6c6f7765642074"
        "6f20636f6e6e65637420746f2074686973204d61726961444220736572766572");
const std::string err_1040_after_login =
    hex("1d000002ff1004233038303034546f6f206d616e7920636f6e6e656374696f6e73");

// ---- what the python client sent, and MariaDB 10.11 accepted ----
const std::string login_native =
    hex("3c00000101a2080000000001210000000000000000000000000000000000000000000000726f6f74"
        "00006d7973716c5f6e61746976655f70617373776f726400");
const std::string summary_query =
    hex("d70000000353454c454354207461626c655f736368656d612c20434f554e54282a292c2053554d28"
        "7461626c655f726f7773292c2053554d28646174615f6c656e6774682b696e6465785f6c656e6774"
        "68292046524f4d20696e666f726d6174696f6e5f736368656d612e7461626c657320574845524520"
        "7461626c655f736368656d61204e4f5420494e2028276d7973716c272c27696e666f726d6174696f"
        "6e5f736368656d61272c27706572666f726d616e63655f736368656d61272c277379732729204752"
        "4f5550204259207461626c655f736368656d61");
const std::string schemata_query =
    hex("840000000353454c45435420434f554e54282a292046524f4d20696e666f726d6174696f6e5f7363"
        "68656d612e736368656d61746120574845524520736368656d615f6e616d65204e4f5420494e2028"
        "276d7973716c272c27696e666f726d6174696f6e5f736368656d61272c27706572666f726d616e63"
        "655f736368656d61272c277379732729");
const std::string quit = hex("0100000001");

// ---- MySQL (zgrab2 handshakes) ----
const std::string mysql8_handshake = frame(
    0, hex("0a382e302e332d72632d6c6f6700070000000d517c6e592b5e6300ffffff0200ffc315000000000000"
           "00000000210c6b6c7c6a672a4b636576006d7973716c5f6e61746976655f70617373776f726400"));
const std::string mysql55_handshake =
    frame(0, hex("0a352e352e35380001000000696645665246466f00fff70802000f8015000000000000000000007b"
                 "3d5a2f7b416e2774385730006d7973716c5f6e61746976655f70617373776f726400"));
// Constructed: the 8.0.3-rc handshake advertising caching_sha2_password (the 8.0.4+ default;
// the two names have the same length, so the frame length stays right), and our answer to it.
const std::string mysql8_sha2_handshake =
    replace_all(mysql8_handshake, "mysql_native_password", "caching_sha2_password");
const std::string login_sha2 =
    replace_all(login_native, "mysql_native_password", "caching_sha2_password");

ajar::core::observation run(scripted_session& s) {
  return ajar::test::run_probe(ajar::probes::mysql_probe(), s);
}

// The whole open conversation after the handshake and login reply.
std::vector<scripted_session::step> open_tail() {
  return {client(summary_query),  server(summary_reply), client(schemata_query),
          server(schemata_reply), client(quit),          scripted_session::close()};
}

std::vector<scripted_session::step> concat(std::vector<scripted_session::step> a,
                                           const std::vector<scripted_session::step>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

void expect_not_identified(const ajar::core::observation& o) {
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_TRUE(o.exposure.empty());
}

}  // namespace

TEST(probe_mysql, info) {
  const auto& i = ajar::probes::mysql_probe().info();
  EXPECT_EQ(i.name, "mysql");
  EXPECT_TRUE(i.server_speaks_first);
  ASSERT_EQ(i.default_ports.size(), 1U);
  EXPECT_EQ(i.default_ports[0], 3306);
}

// ---- open ----

TEST(probe_mysql, mariadb_open_root_without_password) {
  scripted_session s(
      concat({server(mariadb_handshake), client(login_native), server(mariadb_ok)}, open_tail()));
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty()) << s.mismatches().front();
  EXPECT_EQ(s.steps_left(), 1U);  // only the close
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.service, "mysql");
  EXPECT_EQ(o.product, "MariaDB");
  EXPECT_EQ(o.version, "10.11.19");
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.evidence,
            "login as root with an empty password accepted "
            "(server 5.5.5-10.11.19-MariaDB-0+deb12u1)");
  EXPECT_EQ(o.end, status::ok);
  // shop 2 tables/8 rows/32768 B, crm 2/4/16384, café 1/2/24576, reports 1 view (NULL sums),
  // plus empty_one which only the schemata count sees.
  EXPECT_EQ(o.exposure.databases, 5);
  EXPECT_EQ(o.exposure.tables, 6);
  EXPECT_EQ(o.exposure.rows, 14);
  EXPECT_EQ(o.exposure.bytes, 73728);
  EXPECT_EQ(o.exposure.names, (std::vector<std::string>{"caf\xc3\xa9", "crm", "reports", "shop"}));
}

TEST(probe_mysql, mariadb_open_delivered_in_small_pieces) {
  // Every server message split into 7-byte reads: the probe must wait for whole packets.
  std::vector<scripted_session::step> script;
  auto pieces = [&](const std::string& bytes) {
    for (std::size_t i = 0; i < bytes.size(); i += 7) script.push_back(server(bytes.substr(i, 7)));
  };
  pieces(mariadb_handshake);
  script.push_back(client(login_native));
  pieces(mariadb_ok);
  script.push_back(client(summary_query));
  pieces(summary_reply);
  script.push_back(client(schemata_query));
  pieces(schemata_reply);
  script.push_back(client(quit));
  scripted_session s(script);
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(s.steps_left(), 0U);
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.exposure.databases, 5);
  EXPECT_EQ(o.exposure.bytes, 73728);
}

TEST(probe_mysql, mysql8_open_native_password) {
  // Handshake real (8.0.3-rc); OK as documented in PROTOCOLS.md §7; result sets from MariaDB.
  scripted_session s(concat(
      {server(mysql8_handshake), client(login_native), server(hex("0700000200000002000000"))},
      open_tail()));
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.product, "MySQL");
  EXPECT_EQ(o.version, "8.0.3");
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.evidence, "login as root with an empty password accepted (server 8.0.3-rc-log)");
  EXPECT_EQ(o.exposure.tables, 6);
}

TEST(probe_mysql, mysql8_caching_sha2_fast_auth_then_ok) {
  // Constructed: 01 03 (fast auth success, seq 2) then OK (seq 3).
  scripted_session s(concat({server(mysql8_sha2_handshake), client(login_sha2),
                             server(hex("020000020103")), server(hex("0700000300000002000000"))},
                            open_tail()));
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty()) << s.mismatches().front();
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.exposure.databases, 5);
}

TEST(probe_mysql, auth_switch_answered_empty_then_ok) {
  // Constructed: a MySQL 8 server (default caching_sha2) whose root uses mysql_native_password
  // switches (seq 2, 20-byte scramble + NUL); the empty answer is seq 3; OK is seq 4.
  const std::string sw =
      frame(2,
            "\xfe"
            "mysql_native_password" +
                std::string(1, '\0') + "abcdefghijklmnopqrst" + std::string(1, '\0'));
  scripted_session s(concat({server(mysql8_sha2_handshake), client(login_sha2), server(sw),
                             client(hex("00000003")), server(hex("0700000400000002000000"))},
                            open_tail()));
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty()) << s.mismatches().front();
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.exposure.names.size(), 4U);
}

// ---- required ----

TEST(probe_mysql, mariadb_password_set) {
  scripted_session s({server(mariadb_handshake), client(login_native), server(mariadb_err_1045)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(s.steps_left(), 0U);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.product, "MariaDB");
  EXPECT_EQ(o.version, "10.11.19");
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.evidence, "ERR 1045 Access denied for user 'root'@'127.0.0.1' (using password: NO)");
  EXPECT_EQ(o.end, status::ok);
  EXPECT_TRUE(o.exposure.empty());
}

TEST(probe_mysql, mariadb_ed25519_switch_answered_empty) {
  scripted_session s({server(mariadb_handshake), client(login_native), server(ed25519_switch),
                      client(hex("00000003")), server(err_1045_after_switch)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty()) << s.mismatches().front();
  EXPECT_EQ(s.steps_left(), 0U);
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.evidence, "ERR 1045 Access denied for user 'root'@'127.0.0.1' (using password: YES)");
}

TEST(probe_mysql, caching_sha2_full_auth_required) {
  scripted_session s(
      {server(mysql8_sha2_handshake), client(login_sha2), server(hex("020000020104"))});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.evidence, "auth plugin caching_sha2_password asked for more than an empty password");
}

TEST(probe_mysql, any_err_with_sqlstate_28000_is_required) {
  // Constructed: an unusual code with the access-denied SQLSTATE.
  scripted_session s({server(mysql8_handshake), client(login_native),
                      server(frame(2, hex("ff4c0f") + "#28000Access denied"))});
  auto o = run(s);
  EXPECT_EQ(o.verdict, auth::required);
}

TEST(probe_mysql, tls_required_err_3159) {
  // Constructed (MySQL 8 wording): ERR 3159 with SQLSTATE HY000 after the login.
  const std::string msg =
      "Connections using insecure transport are prohibited while --require_secure_transport=ON.";
  scripted_session s({server(mysql8_handshake), client(login_native),
                      server(frame(2, hex("ff570c") + "#HY000" + msg))});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.evidence, "TLS required: ERR 3159 " + msg);
}

// ---- restricted ----

TEST(probe_mysql, mariadb_host_not_allowed_before_handshake) {
  scripted_session s({server(mariadb_err_1130)});
  auto o = run(s);
  EXPECT_TRUE(s.sent().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.service, "mysql");
  EXPECT_EQ(o.product, "MariaDB");
  EXPECT_EQ(o.version, "");
  EXPECT_EQ(o.verdict, auth::restricted);
  EXPECT_EQ(o.evidence,
            "ERR 1130 Host '127.0.0.1' is not allowed to connect to this MariaDB server");
  EXPECT_EQ(o.end, status::ok);
}

TEST(probe_mysql, mysql_host_blocked_before_handshake) {
  // Constructed from the documented format (seq 0, no SQLSTATE).
  const std::string msg =
      "Host '10.0.0.5' is blocked because of many connection errors; unblock with "
      "'mysqladmin flush-hosts'";
  scripted_session s({server(frame(0, hex("ff6904") + msg))});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::restricted);
  EXPECT_EQ(o.product, "");  // the message names no server
  EXPECT_EQ(o.evidence, "ERR 1129 " + msg);
}

TEST(probe_mysql, mysql_host_not_allowed_names_mysql) {
  scripted_session s({server(
      frame(0, hex("ff6a04") + "Host '10.0.0.5' is not allowed to connect to this MySQL server"))});
  auto o = run(s);
  EXPECT_EQ(o.verdict, auth::restricted);
  EXPECT_EQ(o.product, "MySQL");
}

TEST(probe_mysql, too_many_connections_before_handshake) {
  scripted_session s({server(frame(0, hex("ff1004") + "Too many connections"))});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::restricted);
  EXPECT_EQ(o.evidence, "ERR 1040 Too many connections");
}

TEST(probe_mysql, mariadb_too_many_connections_after_login) {
  scripted_session s(
      {server(mariadb_handshake), client(login_native), server(err_1040_after_login)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(o.product, "MariaDB");
  EXPECT_EQ(o.verdict, auth::restricted);
  EXPECT_EQ(o.evidence, "ERR 1040 Too many connections");
}

TEST(probe_mysql, other_error_before_handshake_is_identified_unknown) {
  scripted_session s({server(frame(0, hex("ffd80b") + "The server is currently in offline mode"))});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(o.evidence, "ERR 3032 The server is currently in offline mode");
}

// ---- versions ----

TEST(probe_mysql, mysql55_handshake_then_peer_closes) {
  scripted_session s({server(mysql55_handshake), client(login_native), scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.product, "MySQL");
  EXPECT_EQ(o.version, "5.5.58");
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(o.end, status::connection_closed);
}

TEST(probe_mysql, mariadb_version_with_and_without_5_5_5_prefix) {
  // MariaDB 11 may drop the "5.5.5-" prefix: both forms give the same product and version.
  const std::string payload = mariadb_handshake.substr(4);
  const std::string old_version = "5.5.5-10.11.19-MariaDB-0+deb12u1";
  for (std::string version :
       {"11.4.2-MariaDB-ubu2404", "5.5.5-11.4.2-MariaDB-ubu2404", "11.4.2-MariaDB"}) {
    std::string p = replace_all(payload, old_version, version);
    scripted_session s({server(frame(0, p)), client(login_native), server(mariadb_err_1045)});
    auto o = run(s);
    EXPECT_EQ(o.product, "MariaDB") << version;
    EXPECT_EQ(o.version, "11.4.2") << version;
    EXPECT_EQ(o.verdict, auth::required);
  }
}

TEST(probe_mysql, pre_41_server_is_identified_without_login) {
  // Constructed: a 4.0-era handshake without CLIENT_PROTOCOL_41.
  scripted_session s({server(frame(0, hex("0a342e302e3130000500000041424344454647480000a0")))});
  auto o = run(s);
  EXPECT_TRUE(s.sent().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.product, "MySQL");
  EXPECT_EQ(o.version, "4.0.10");
  EXPECT_EQ(o.verdict, auth::unknown);
}

// ---- not identified ----

TEST(probe_mysql, silent_server) {
  scripted_session s({});
  auto o = run(s);
  expect_not_identified(o);
  EXPECT_EQ(o.end, status::io_timeout);
  EXPECT_TRUE(s.sent().empty());
}

TEST(probe_mysql, peer_closes_immediately) {
  scripted_session s({scripted_session::close()});
  auto o = run(s);
  expect_not_identified(o);
  EXPECT_EQ(o.end, status::connection_closed);
}

TEST(probe_mysql, truncated_handshake_then_close) {
  scripted_session s({server(mariadb_handshake.substr(0, 40)), scripted_session::close()});
  auto o = run(s);
  expect_not_identified(o);
  EXPECT_EQ(o.end, status::connection_closed);
  EXPECT_TRUE(s.sent().empty());
}

TEST(probe_mysql, oversized_first_packet) {
  scripted_session s({server(hex("ffffff00") + std::string(64, '\x0a'))});
  auto o = run(s);
  expect_not_identified(o);
  EXPECT_EQ(o.end, status::protocol_error);
}

TEST(probe_mysql, other_protocols_and_garbage) {
  std::string random_bytes;
  std::uint32_t x = 2463534242U;  // xorshift32: fixed pseudo-random bytes
  for (int i = 0; i < 256; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    random_bytes.push_back(static_cast<char>(x & 0xff));
  }
  const std::vector<std::string> replies = {
      "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
      "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n",
      "-DENIED Redis is running in protected mode\r\n",
      random_bytes,
      // Framed like MySQL but not a handshake: wrong protocol byte, bad version text, seq 1.
      frame(0, hex("09352e3000")),
      frame(0, "\x0a\x01\x02\x03" + std::string(40, '\0')),
      frame(1, mariadb_handshake.substr(4)),
      // ERR-shaped but implausible: code 1, and a message with control bytes.
      frame(0, hex("ff0100") + "x"),
      frame(0, hex("ff6a04") + "\x01\x02\x03"),
      frame(0, hex("ff6a04")),
  };
  for (const auto& r : replies) {
    scripted_session s({server(r)});
    auto o = run(s);
    expect_not_identified(o);
    EXPECT_TRUE(s.sent().empty());
    EXPECT_NE(o.end, status::ok);
  }
}

// ---- trouble after login ----

TEST(probe_mysql, query_refused_keeps_verdict_none) {
  // Constructed: the summary query answered with ERR 1142 (seq 1).
  scripted_session s(
      {server(mariadb_handshake), client(login_native), server(mariadb_ok), client(summary_query),
       server(frame(1, hex("ff7604") + "#42000SELECT command denied")), client(quit)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(s.steps_left(), 0U);
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_TRUE(o.exposure.empty());
  EXPECT_EQ(o.end, status::ok);
}

TEST(probe_mysql, peer_closes_mid_resultset) {
  scripted_session s({server(mariadb_handshake), client(login_native), server(mariadb_ok),
                      client(summary_query), server(summary_reply.substr(0, 200)),
                      scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_TRUE(o.exposure.empty());
  EXPECT_EQ(o.end, status::connection_closed);
}

TEST(probe_mysql, local_infile_request_is_refused) {
  scripted_session s({server(mariadb_handshake), client(login_native), server(mariadb_ok),
                      client(summary_query), server(frame(1, "\xfb/etc/passwd")), client(quit)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.end, status::protocol_error);
  EXPECT_TRUE(o.exposure.empty());
}

TEST(probe_mysql, endless_auth_switches_are_bounded) {
  std::vector<scripted_session::step> script = {server(mariadb_handshake), client(login_native)};
  for (std::uint8_t seq = 2; seq < 10; seq = static_cast<std::uint8_t>(seq + 2)) {
    script.push_back(server(frame(seq,
                                  "\xfe"
                                  "dialog" +
                                      std::string(1, '\0'))));
    script.push_back(client(frame(static_cast<std::uint8_t>(seq + 1), "")));
  }
  script.push_back(server(frame(10,
                                "\xfe"
                                "dialog" +
                                    std::string(1, '\0'))));
  scripted_session s(script);
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(o.end, status::protocol_error);
  EXPECT_EQ(s.steps_left(), 1U);  // the fifth switch is never read
}

TEST(probe_mysql, row_cap_stops_reading_and_skips_the_count_query) {
  // Constructed: 10001 schemas of 1 table each; sequence ids wrap past 255.
  std::string reply = summary_reply.substr(0, summary_reply.find(hex("05000006fe")) + 9);
  std::uint8_t seq = 7;
  for (int i = 0; i < 10001; ++i) {
    std::string name = "db" + std::to_string(i);
    std::string row;
    row.push_back(static_cast<char>(name.size()));
    row += name +
           "\x01"
           "1"
           "\x01"
           "3"
           "\x04"
           "1000";
    reply += frame(seq, row);
    seq = static_cast<std::uint8_t>(seq + 1);
  }
  reply += frame(seq, hex("fe00002200"));
  scripted_session s({server(mariadb_handshake), client(login_native), server(mariadb_ok),
                      client(summary_query), server(reply), client(quit)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty()) << s.mismatches().front();
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.exposure.databases, 10000);
  EXPECT_EQ(o.exposure.tables, 10000);
  EXPECT_EQ(o.exposure.rows, 30000);
  EXPECT_EQ(o.exposure.bytes, 10000000);
  EXPECT_EQ(o.exposure.names.size(), 20U);
  EXPECT_EQ(o.exposure.names[19], "db19");
}

TEST(probe_mysql, hostile_values_are_cleaned) {
  // Constructed: a name with an escape sequence and invalid UTF-8, a count that overflows int64.
  std::string reply = summary_reply.substr(0, summary_reply.find(hex("05000006fe")) + 9);
  std::string name = "x\x1b[31m\xff\xc3";
  std::string row;
  row.push_back(static_cast<char>(name.size()));
  row += name +
         "\x01"
         "1"
         "\x14"
         "99999999999999999999"
         "\x03"
         "-12";
  reply += frame(7, row) + frame(8, row) + frame(9, hex("fe00002200"));
  scripted_session s({server(mariadb_handshake), client(login_native), server(mariadb_ok),
                      client(summary_query), server(reply), client(schemata_query),
                      server(schemata_reply), client(quit)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(o.exposure.names, (std::vector<std::string>{"x?[31m??", "x?[31m??"}));
  EXPECT_EQ(o.exposure.rows, INT64_MAX);
  EXPECT_EQ(o.exposure.bytes, 0);
  EXPECT_EQ(o.exposure.databases, 5);  // the schemata count (MariaDB capture) wins: 5 >= 2
}
