// Transcripts from the hostile servers (tests/hostile/hostile_server.py, issue 9): the bytes each
// mode sends, fed to the probes and codecs they attack. Every reply below is what
// hostile_server.py writes (printed with `python3 -c "import hostile_server as h; ..."` from
// tests/hostile); none is a real server's. The integration side is
// tests/integration/test_hostile_servers.py.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "net/scripted_session.hpp"
#include "probe_harness.hpp"
#include "probes/http.hpp"
#include "probes/registry.hpp"
#include "wire/mongo.hpp"
#include "wire/mysql.hpp"
#include "wire/resp.hpp"
#include "hex.hpp"

namespace {

using ajar::core::auth;
using ajar::core::status;
using ajar::net::scripted_session;
using ajar::wire::parse_status;

using ajar::test::hex;

auto server = scripted_session::server;
auto client = scripted_session::client;

// hostile_server.mysql_greeting(): Handshake v10 "8.0.35-honeypot", mysql_native_password.
const std::string honeypot_greeting =
    hex("530000000a382e302e33352d686f6e6579706f740007000000616263646566676800fff7210200ffdf15000000"
        "00000000000000696a6b6c6d6e6f7071727374006d7973716c5f6e61746976655f70617373776f726400");
// What the MySQL probe sends to a mysql_native_password server (the same bytes as in
// probe_mysql_test.cpp, which MariaDB 10.11 accepted).
const std::string login_native =
    hex("3c00000101a2080000000001210000000000000000000000000000000000000000000000726f6f74"
        "00006d7973716c5f6e61746976655f70617373776f726400");
// hostile_server.mysql_ok(2): OK to the login.
const std::string honeypot_ok = hex("0700000200000002000000");
// The probe's summary query and COM_QUIT (the same bytes as in probe_mysql_test.cpp).
const std::string summary_query =
    hex("d70000000353454c454354207461626c655f736368656d612c20434f554e54282a292c2053554d28"
        "7461626c655f726f7773292c2053554d28646174615f6c656e6774682b696e6465785f6c656e6774"
        "68292046524f4d20696e666f726d6174696f6e5f736368656d612e7461626c657320574845524520"
        "7461626c655f736368656d61204e4f5420494e2028276d7973716c272c27696e666f726d6174696f"
        "6e5f736368656d61272c27706572666f726d616e63655f736368656d61272c277379732729204752"
        "4f5550204259207461626c655f736368656d61");
const std::string quit = hex("0100000001");

ajar::core::observation run(const ajar::probes::probe& p, scripted_session& s) {
  return ajar::test::run_probe(p, s);
}

// ---- MySQL: the handshake identifies; the login may still end in nothing ----

TEST(probe_hostile, mysql_login_answered_by_a_close_still_has_evidence) {
  // Found by the honeypot (mode rst/honeypot): identified by the handshake, then the peer went
  // away during the login. The finding used to carry an empty evidence line.
  scripted_session s({server(honeypot_greeting), client(login_native), scripted_session::close()});
  auto o = run(ajar::probes::mysql_probe(), s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.product, "MySQL");
  EXPECT_EQ(o.version, "8.0.35");
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(o.end, status::connection_closed);
  EXPECT_EQ(o.evidence,
            "handshake from server 8.0.35-honeypot; the empty-password login as root got no verdict "
            "(connection-closed)");
}

TEST(probe_hostile, mysql_login_answered_by_silence_still_has_evidence) {
  scripted_session s({server(honeypot_greeting), client(login_native)});
  auto o = run(ajar::probes::mysql_probe(), s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(o.end, status::io_timeout);
  EXPECT_NE(o.evidence.find("(io-timeout)"), std::string::npos) << o.evidence;
}

TEST(probe_hostile, mysql_honeypot_ok_to_everything_invents_no_exposure) {
  // Found by the honeypot: it answers the login with OK and every COM_QUERY with an OK packet,
  // never a result set. The login proves verdict none; the probe used to read the OK as an
  // empty result set and report 0 databases, 0 tables, 0 rows, 0 bytes.
  scripted_session s({server(honeypot_greeting), client(login_native), server(honeypot_ok),
                      client(summary_query), server(hex("0700000100000002000000")), client(quit)});
  auto o = run(ajar::probes::mysql_probe(), s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.evidence, "login as root with an empty password accepted (server 8.0.35-honeypot)");
  EXPECT_TRUE(o.exposure.empty());
  EXPECT_EQ(o.end, status::protocol_error);
}

TEST(probe_hostile, mysql_packet_of_16_mib_is_refused_not_buffered) {
  // mode mysql-huge: a header announcing 0xFFFFFF bytes, the start of a handshake, filler.
  std::string bytes = hex("ffffff000a382e302e333500070000006162636465666768") + std::string(64 * 1024, 'R');
  auto r = ajar::wire::mysql::parse_packet(bytes);
  EXPECT_EQ(r.status, parse_status::error);
  scripted_session s({server(bytes)}, /*strict=*/false);
  auto o = run(ajar::probes::mysql_probe(), s);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::protocol_error);
}

// ---- RESP: an array header of a billion elements ----

TEST(probe_hostile, resp_array_of_a_billion_is_an_error_at_the_header) {
  std::string bytes = "*1000000000\r\n";
  for (int i = 0; i < 1000; ++i) bytes += ":1\r\n";
  EXPECT_EQ(ajar::wire::resp::parse("*1000000000\r\n").status, parse_status::error);
  scripted_session s({client("*1\r\n$4\r\nINFO\r\n"), server(bytes)});
  auto o = run(ajar::probes::redis_probe(), s);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::protocol_error);
}

// ---- MongoDB: BSON whose lengths lie (hostile_server.bson_lying(variant, 1)) ----

// Every variant answers request 1 (isMaster) with an OP_REPLY carrying all the fields of a good
// isMaster answer; only a length lies. Variant 6 is a message header of 2 GiB.
const std::vector<std::string>& lying_replies() {
  static const std::string fields =
      "0869736d617374657200010869735772697461626c655072696d6172790001106d617842736f6e4f626a6563"
      "7453697a650000000001106d61785769726556657273696f6e0005000000106d696e5769726556657273696f"
      "6e00000000000276657273696f6e0007000000332e342e32340004646174616261736573003900000003300031"
      "000000026e616d650006000000686f6e6579000173697a654f6e4469736b00000000000000c04008656d707479"
      "0000000001746f74616c53697a6500000000000000c040016f6b00000000000000f03f";
  static const std::string head = "9210000001000000010000000800000000000000000000000000000001000000";
  static const std::vector<std::string> v = {
      hex("fe000000" + head + "ffffff7f" + fields + "00"),  // document claims 2 GiB
      hex("fe000000" + head + "c2040000" + fields + "00"),  // longer than the message
      hex("fe000000" + head + "05000000" + fields + "00"),  // shorter than its elements
      hex("fe000000" + head + "ffffffff" + fields + "00"),  // negative
      // an embedded document claiming 64 KiB inside a 237-byte parent
      hex("11010000" + head + "ed000000" + fields + "03696e6e65720000000100106100010000000000"),
      // a string claiming 2 GiB - 16
      hex("0a010000" + head + "e6000000" + fields + "027a7a00f0ffff7f332e340000"),
      hex("ffffff7f" + head + "da000000" + fields + "00"),  // message header claims 2 GiB
  };
  return v;
}

TEST(probe_hostile, bson_lying_lengths_never_parse) {
  std::size_t i = 0;
  for (const auto& bytes : lying_replies()) {
    auto r = ajar::wire::mongo::parse_reply(bytes);
    EXPECT_NE(r.status, parse_status::ok) << "variant " << i;
    ++i;
  }
}

TEST(probe_hostile, bson_lying_lengths_are_not_mongodb) {
  std::size_t i = 0;
  for (const auto& bytes : lying_replies()) {
    scripted_session s({server(bytes), scripted_session::close()}, /*strict=*/false);
    auto o = run(ajar::probes::mongodb_probe(), s);
    EXPECT_FALSE(o.identified) << "variant " << i;
    EXPECT_EQ(o.verdict, auth::unknown) << "variant " << i;
    EXPECT_TRUE(o.exposure.empty()) << "variant " << i;
    ++i;
  }
}

// ---- HTTP: a petabyte Content-Length, JSON nested 100000 deep ----

TEST(probe_hostile, json_nested_100000_deep_is_refused) {
  constexpr std::size_t depth = 100000;
  EXPECT_FALSE(ajar::probes::http::parse_json(std::string(depth, '[') + std::string(depth, ']')));
  std::string objects;
  for (std::size_t i = 0; i < depth; ++i) objects += "{\"a\":";
  objects += "1" + std::string(depth, '}');
  EXPECT_FALSE(ajar::probes::http::parse_json(objects));
}

TEST(probe_hostile, elasticsearch_given_deep_json_is_not_identified) {
  constexpr std::size_t depth = 100000;
  std::string body = std::string(depth, '[') + std::string(depth, ']');
  std::string reply = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\n\r\n" + body;
  scripted_session s({server(reply), scripted_session::close()}, /*strict=*/false);
  auto o = run(ajar::probes::elasticsearch_probe(), s);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.verdict, auth::unknown);
}

TEST(probe_hostile, content_length_of_a_petabyte_is_cut_at_the_body_limit) {
  std::string reply =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000000000000\r\n\r\n{\"name\":\"xxxx";
  scripted_session s({server(reply)}, /*strict=*/false);
  auto o = run(ajar::probes::elasticsearch_probe(), s);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_LE(s.bytes_received(), reply.size());
}

}  // namespace
