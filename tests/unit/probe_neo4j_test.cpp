// Transcript tests for the neo4j probe (src/probes/neo4j.cpp). No Neo4j runs here (Debian has
// none). Server messages are built from the Bolt specification (neo4j/docs-bolt: handshake.adoc,
// message.adoc) with Neo4j's text for a refused "none" token ("Unsupported authentication token,
// scheme 'none' is only allowed when auth is disabled.", Neo.ClientError.Security.Unauthorized)
// and Memgraph's default server agent; the official JavaScript driver (npm neo4j-driver 5.28.3)
// accepted the SUCCESS messages and reported the FAILURE's code when a python fake peer on
// 127.0.9.71 sent them. The probe's HELLO (v3-5.0) and LOGON bytes equal what that driver sends
// for auth.none() with user agent "ajar/0.1".
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "probe_harness.hpp"
#include "probes/registry.hpp"

namespace {

using namespace std::string_literals;
using ajar::core::auth;
using ajar::core::status;
using ajar::net::scripted_session;

std::string from_hex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

// The probe's requests.
const std::string handshake =
    "\x60\x60\xb0\x17\x00\x08\x08\x05\x00\x03\x04\x04\x00\x00\x00\x03\x00\x00\x00\x01"s;
const std::string hello_v3 =  // HELLO {user_agent: "ajar/0.1", scheme: "none"}
    from_hex("0023b101a28a757365725f6167656e7488616a61722f302e3186736368656d65846e6f6e650000");
const std::string init_v1 =  // INIT "ajar/0.1" {scheme: "none"}
    from_hex("0018b20188616a61722f302e31a186736368656d65846e6f6e650000");
const std::string
    hello_logon_54 =  // HELLO {user_agent, bolt_agent {product}}, LOGON {scheme: none}
    from_hex(
        "0034b101a28a757365725f6167656e7488616a61722f302e318a626f6c745f6167656e74a1"
        "8770726f6475637488616a61722f302e310000"
        "000fb16aa186736368656d65846e6f6e650000");
const std::string hello_logon_51 =  // HELLO {user_agent}, LOGON {scheme: none}
    from_hex(
        "0017b101a18a757365725f6167656e7488616a61722f302e310000"
        "000fb16aa186736368656d65846e6f6e650000");
const std::string goodbye = "\x00\x02\xb0\x02\x00\x00"s;

// Server messages.
// SUCCESS {"server": "Neo4j/5.13.0", "connection_id": "bolt-4",
//          "hints": {"connection.recv_timeout_seconds": 120}}
const std::string hello_success_5 = from_hex(
    "0055b170a3867365727665728c4e656f346a2f352e31332e308d636f6e6e656374696f6e5f696486626f6c742d34"
    "8568696e7473a1d01f636f6e6e656374696f6e2e726563765f74696d656f75745f7365636f6e6473780000");
const std::string success_empty = from_hex("0003b170a00000");  // SUCCESS {}
// SUCCESS {"server": "Neo4j/4.4.26", "connection_id": "bolt-12"}
const std::string hello_success_44 = from_hex(
    "002db170a2867365727665728c4e656f346a2f342e342e32368d636f6e6e656374696f6e5f696487626f6c742d3132"
    "0000");
// SUCCESS {"server": "Neo4j/3.4.18"}
const std::string init_success_34 =
    from_hex("0017b170a1867365727665728c4e656f346a2f332e342e31380000");
// FAILURE {"code": "Neo.ClientError.Security.Unauthorized", "message": "Unsupported authentication
//          token, scheme 'none' is only allowed when auth is disabled."}
const std::string none_refused = from_hex(
    "008fb17fa284636f6465d0254e656f2e436c69656e744572726f722e53656375726974792e556e617574686f7269"
    "7a6564876d657373616765d056556e737570706f727465642061757468656e7469636174696f6e20746f6b656e2c"
    "20736368656d6520276e6f6e6527206973206f6e6c7920616c6c6f776564207768656e206175746820697320646973"
    "61"
    "626c65642e0000");
// Bolt 5.7+ FAILURE: {"gql_status": "42NFF", "description": ..., "neo4j_code":
//   "Neo.ClientError.Security.Unauthorized", "message": ..., "diagnostic_record": {...}}
const std::string none_refused_gql = from_hex(
    "013cb17fa58a67716c5f7374617475738534324e46468b6465736372697074696f6ed0476572726f723a2073796e74"
    "6178206572726f72206f72206163636573732072756c652076696f6c6174696f6e202d207065726d697373696f6e2f"
    "6163636573732064656e6965648a6e656f346a5f636f6465d0254e656f2e436c69656e744572726f722e5365637572"
    "6974792e556e617574686f72697a6564876d657373616765d056556e737570706f727465642061757468656e746963"
    "6174696f6e20746f6b656e2c20736368656d6520276e6f6e6527206973206f6e6c7920616c6c6f776564207768656e"
    "20617574682069732064697361626c65642ed011646961676e6f737469635f7265636f7264a3894f5045524154494f"
    "4e808e4f5045524154494f4e5f434f444581308e43555252454e545f534348454d41812f0000");
// SUCCESS {"server": "Neo4j/v5.11.0 compatible graph database server - Memgraph",
//          "connection_id": "bolt-1"}
const std::string memgraph_success = from_hex(
    "005ab170a286736572766572d0394e656f346a2f76352e31312e3020636f6d70617469626c652067726170682064"
    "6174616261736520736572766572202d204d656d67726170688d636f6e6e656374696f6e5f696486626f6c742d31"
    "0000");
// FAILURE {"code": "Neo.ClientError.Request.Invalid", "message": "Message 'HELLO' has invalid
//          field: bolt_agent"}
const std::string hello_invalid = from_hex(
    "0060b17fa284636f6465d01f4e656f2e436c69656e744572726f722e526571756573742e496e76616c6964876d6573"
    "73616765d02d4d657373616765202748454c4c4f272068617320696e76616c6964206669656c643a20626f6c745f61"
    "67656e740000");

ajar::core::observation run(std::vector<scripted_session::step> script,
                            std::string* sent = nullptr) {
  scripted_session s(std::move(script));
  auto o = ajar::test::run_probe(ajar::probes::neo4j_probe(), s);
  EXPECT_TRUE(s.mismatches().empty()) << s.mismatches().front();
  if (sent != nullptr) *sent = s.sent();
  return o;
}

using step = scripted_session;

TEST(probe_neo4j, info) {
  const auto& i = ajar::probes::neo4j_probe().info();
  EXPECT_EQ(i.name, "neo4j");
  EXPECT_FALSE(i.server_speaks_first);
  ASSERT_EQ(i.default_ports.size(), 1u);
  EXPECT_EQ(i.default_ports[0], 7687);
}

TEST(probe_neo4j, bolt5_auth_disabled_is_none) {
  std::string sent;
  auto o =
      run({step::client(handshake), step::server("\x00\x00\x04\x05"s), step::client(hello_logon_54),
           step::server(hello_success_5 + success_empty), step::client(goodbye)},
          &sent);
  EXPECT_EQ(sent, handshake + hello_logon_54 + goodbye);  // no RUN, no query
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.service, "neo4j");
  EXPECT_EQ(o.product, "Neo4j");
  EXPECT_EQ(o.version, "5.13.0");
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.end, status::ok);
  EXPECT_EQ(o.evidence, "Bolt 5.4 LOGON with auth scheme \"none\" accepted (server Neo4j/5.13.0)");
  EXPECT_TRUE(o.exposure.empty());
}

TEST(probe_neo4j, bolt5_auth_enabled_is_required_with_version) {
  auto o =
      run({step::client(handshake), step::server("\x00\x00\x04\x05"s), step::client(hello_logon_54),
           step::server(hello_success_5), step::server(none_refused)});
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.product, "Neo4j");
  EXPECT_EQ(o.version, "5.13.0");
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(
      o.evidence,
      "Bolt 5.4 LOGON with auth scheme \"none\" refused: Neo.ClientError.Security.Unauthorized "
      "\"Unsupported authentication token, scheme 'none' is only allowed when auth is "
      "disabled.\" (server Neo4j/5.13.0)");
}

TEST(probe_neo4j, bolt58_gql_failure_is_required) {
  auto o = run({step::client(handshake), step::server("\x00\x00\x08\x05"s),
                step::client(hello_logon_54), step::server(hello_success_5 + none_refused_gql)});
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_NE(o.evidence.find("Bolt 5.8 LOGON"), std::string::npos) << o.evidence;
  EXPECT_NE(o.evidence.find("Neo.ClientError.Security.Unauthorized"), std::string::npos);
}

TEST(probe_neo4j, bolt51_has_no_bolt_agent) {
  auto o =
      run({step::client(handshake), step::server("\x00\x00\x01\x05"s), step::client(hello_logon_51),
           step::server(hello_success_5 + success_empty), step::client(goodbye)});
  EXPECT_EQ(o.verdict, auth::none);
}

TEST(probe_neo4j, bolt44_auth_disabled_and_enabled) {
  auto open = run({step::client(handshake), step::server("\x00\x00\x04\x04"s),
                   step::client(hello_v3), step::server(hello_success_44), step::client(goodbye)});
  EXPECT_TRUE(open.identified);
  EXPECT_EQ(open.version, "4.4.26");
  EXPECT_EQ(open.verdict, auth::none);
  EXPECT_EQ(open.evidence,
            "Bolt 4.4 HELLO with auth scheme \"none\" accepted (server Neo4j/4.4.26)");

  // Before 5.1 a refused HELLO carries no server agent: product from the code, no version.
  auto secured = run({step::client(handshake), step::server("\x00\x00\x04\x04"s),
                      step::client(hello_v3), step::server(none_refused)});
  EXPECT_TRUE(secured.identified);
  EXPECT_EQ(secured.product, "Neo4j");
  EXPECT_EQ(secured.version, "");
  EXPECT_EQ(secured.verdict, auth::required);
}

TEST(probe_neo4j, bolt3_and_bolt1) {
  auto v3 = run({step::client(handshake), step::server("\x00\x00\x00\x03"s), step::client(hello_v3),
                 step::server(hello_success_44), step::client(goodbye)});
  EXPECT_EQ(v3.verdict, auth::none);
  EXPECT_NE(v3.evidence.find("Bolt 3.0 HELLO"), std::string::npos);
  // Bolt 1 (Neo4j 3.0-3.4): INIT, and no GOODBYE (v1 has none).
  auto v1 = run({step::client(handshake), step::server("\x00\x00\x00\x01"s), step::client(init_v1),
                 step::server(init_success_34)});
  EXPECT_EQ(v1.verdict, auth::none);
  EXPECT_EQ(v1.version, "3.4.18");
  EXPECT_EQ(v1.evidence, "Bolt 1.0 INIT with auth scheme \"none\" accepted (server Neo4j/3.4.18)");
}

TEST(probe_neo4j, memgraph_without_users) {
  auto o =
      run({step::client(handshake), step::server("\x00\x00\x04\x05"s), step::client(hello_logon_54),
           step::server(memgraph_success + success_empty), step::client(goodbye)});
  EXPECT_EQ(o.product, "Memgraph");
  EXPECT_EQ(o.version, "");
  EXPECT_EQ(o.verdict, auth::none);
}

TEST(probe_neo4j, refused_hello_is_unknown) {
  auto o = run({step::client(handshake), step::server("\x00\x00\x04\x05"s),
                step::client(hello_logon_54), step::server(hello_invalid)});
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(o.product, "Neo4j");
  EXPECT_EQ(o.evidence,
            "Bolt 5.4 HELLO refused: Neo.ClientError.Request.Invalid \"Message 'HELLO' has invalid "
            "field: bolt_agent\" (before LOGON)");
}

TEST(probe_neo4j, ignored_and_garbage_after_handshake_are_unknown) {
  auto ignored = run({step::client(handshake), step::server("\x00\x00\x04\x04"s),
                      step::client(hello_v3), step::server("\x00\x02\xb0\x7e\x00\x00"s)});
  EXPECT_TRUE(ignored.identified);
  EXPECT_EQ(ignored.verdict, auth::unknown);
  EXPECT_NE(ignored.evidence.find("answered IGNORED"), std::string::npos);
  auto garbage = run({step::client(handshake), step::server("\x00\x00\x04\x04"s),
                      step::client(hello_v3), step::server("\x00\x03\x41\x42\x43\x00\x00"s)});
  EXPECT_TRUE(garbage.identified);
  EXPECT_EQ(garbage.verdict, auth::unknown);
  EXPECT_EQ(garbage.end, status::protocol_error);
}

TEST(probe_neo4j, close_after_handshake_is_identified_unknown) {
  auto o = run({step::client(handshake), step::server("\x00\x00\x04\x04"s), step::client(hello_v3),
                step::close()});
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(o.end, status::connection_closed);
  EXPECT_EQ(o.evidence, "Bolt 4.4 agreed; no answer to the auth request");
  // HELLO accepted, then the LOGON answer never comes.
  auto half = run({step::client(handshake), step::server("\x00\x00\x04\x05"s),
                   step::client(hello_logon_54), step::server(hello_success_5), step::close()});
  EXPECT_EQ(half.verdict, auth::unknown);
  EXPECT_EQ(half.version, "5.13.0");
  EXPECT_EQ(half.evidence, "Bolt 5.4 HELLO accepted (server Neo4j/5.13.0); no answer to LOGON");
}

TEST(probe_neo4j, handshake_without_agreement_is_not_identified) {
  for (auto answer : {"\x00\x00\x00\x00"s, "HTTP"s, "\x00\x00\x00\x02"s, "\xde\xad\xbe\xef"s}) {
    auto o = run({step::client(handshake), step::server(answer)});
    EXPECT_FALSE(o.identified);
    EXPECT_EQ(o.end, status::ok);
  }
}

TEST(probe_neo4j, silent_or_closing_server_is_not_identified) {
  auto silent = run({step::client(handshake)});
  EXPECT_FALSE(silent.identified);
  EXPECT_EQ(silent.end, status::io_timeout);
  auto closed = run({step::client(handshake), step::close()});
  EXPECT_FALSE(closed.identified);
  EXPECT_EQ(closed.end, status::connection_closed);
  auto truncated = run({step::client(handshake), step::server("\x00\x00"s), step::close()});
  EXPECT_FALSE(truncated.identified);
  EXPECT_EQ(truncated.end, status::connection_closed);
}

TEST(probe_neo4j, oversized_message_is_refused) {
  std::string big;
  for (int i = 0; i < 2; ++i) big += "\xff\xff"s + std::string(0xffff, '\x01');
  auto o = run({step::client(handshake), step::server("\x00\x00\x04\x04"s), step::client(hello_v3),
                step::server(big)});
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(o.end, status::protocol_error);
}

}  // namespace
