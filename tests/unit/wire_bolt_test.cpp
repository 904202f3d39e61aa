// Unit tests for the Bolt codec (src/wire/bolt.*). No Neo4j runs here (Debian has none). The
// server messages are built from the Bolt message specification (neo4j/docs-bolt message.adoc:
// SUCCESS {"server": "Neo4j/4.0.0", "hints": {...}}, FAILURE {"code", "message"}; 5.7+ FAILURE
// with neo4j_code and gql_status) with the FAILURE text Neo4j's authentication code uses for the
// "none" scheme. Each was checked against the official JavaScript driver (npm neo4j-driver
// 5.28.3) talking to a python fake peer on 127.0.9.71: the driver accepted the SUCCESS answers
// and reported the FAILURE as Neo.ClientError.Security.Unauthorized. The requests were compared
// with what that driver sends for auth.none() at Bolt 3.0 and 5.4 (same bytes, except that the
// driver's bolt_agent also names platform and language).
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "wire/bolt.hpp"

namespace {

using namespace std::string_literals;
namespace bolt = ajar::wire::bolt;
using ajar::wire::parse_status;

std::string from_hex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

// SUCCESS {"server": "Neo4j/5.13.0", "connection_id": "bolt-4",
//          "hints": {"connection.recv_timeout_seconds": 120}}
const std::string hello_success = from_hex(
    "0055b170a3867365727665728c4e656f346a2f352e31332e308d636f6e6e656374696f6e5f696486626f6c742d34"
    "8568696e7473a1d01f636f6e6e656374696f6e2e726563765f74696d656f75745f7365636f6e6473780000");
// FAILURE {"code": "Neo.ClientError.Security.Unauthorized", "message": "Unsupported
//          authentication token, scheme 'none' is only allowed when auth is disabled."}
const std::string none_refused = from_hex(
    "008fb17fa284636f6465d0254e656f2e436c69656e744572726f722e53656375726974792e556e617574686f7269"
    "7a6564876d657373616765d056556e737570706f727465642061757468656e7469636174696f6e20746f6b656e2c"
    "20736368656d6520276e6f6e6527206973206f6e6c7920616c6c6f776564207768656e206175746820697320646973"
    "61"
    "626c65642e0000");

TEST(wire_bolt, handshake_request) {
  EXPECT_EQ(bolt::handshake_request,
            "\x60\x60\xb0\x17\x00\x08\x08\x05\x00\x03\x04\x04\x00\x00\x00\x03\x00\x00\x00\x01"s);
}

TEST(wire_bolt, handshake_answers) {
  auto v = bolt::parse_handshake_answer("\x00\x00\x04\x05"s);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v.value.what, bolt::handshake_answer::kind::agreed);
  EXPECT_EQ(v.value.agreed.major, 5);
  EXPECT_EQ(v.value.agreed.minor, 4);
  EXPECT_EQ(v.consumed, 4u);
  EXPECT_EQ(bolt::parse_handshake_answer("\x00\x00\x00"s).status, parse_status::need_more);
  EXPECT_EQ(bolt::parse_handshake_answer("\x00\x00\x00\x00"s).value.what,
            bolt::handshake_answer::kind::none);
  EXPECT_EQ(bolt::parse_handshake_answer("HTTP/1.1 400"s).value.what,
            bolt::handshake_answer::kind::http);
  // A version nobody offered, a range in the answer, random bytes.
  EXPECT_EQ(bolt::parse_handshake_answer("\x00\x00\x00\x02"s).value.what,
            bolt::handshake_answer::kind::other);
  EXPECT_EQ(bolt::parse_handshake_answer("\x00\x02\x04\x04"s).value.what,
            bolt::handshake_answer::kind::other);
  EXPECT_EQ(bolt::parse_handshake_answer("\x9f\x13\xee\x01"s).value.what,
            bolt::handshake_answer::kind::other);
}

TEST(wire_bolt, offered_versions) {
  EXPECT_TRUE(bolt::offered({5, 0}));
  EXPECT_TRUE(bolt::offered({5, 8}));
  EXPECT_FALSE(bolt::offered({5, 9}));
  EXPECT_TRUE(bolt::offered({4, 1}));
  EXPECT_TRUE(bolt::offered({4, 4}));
  EXPECT_FALSE(bolt::offered({4, 0}));  // 4.0 servers take no ranges: they get 3.0
  EXPECT_TRUE(bolt::offered({3, 0}));
  EXPECT_TRUE(bolt::offered({1, 0}));
  EXPECT_FALSE(bolt::offered({2, 0}));
  EXPECT_FALSE(bolt::offered({6, 0}));
}

TEST(wire_bolt, auth_requests_per_version) {
  // v3-5.0: the neo4j-driver 5.28.3 bytes for HELLO with auth.none() and user agent "ajar/0.1".
  EXPECT_EQ(
      bolt::auth_none_request({3, 0}, "ajar/0.1"),
      from_hex("0023b101a28a757365725f6167656e7488616a61722f302e3186736368656d65846e6f6e650000"));
  EXPECT_EQ(bolt::auth_none_request({4, 4}, "ajar/0.1"),
            bolt::auth_none_request({3, 0}, "ajar/0.1"));
  // v1: INIT "ajar/0.1" {scheme: "none"}.
  EXPECT_EQ(bolt::auth_none_request({1, 0}, "ajar/0.1"),
            from_hex("0018b20188616a61722f302e31a186736368656d65846e6f6e650000"));
  // 5.1: HELLO {user_agent} then LOGON {scheme: "none"} (the driver's LOGON bytes).
  const std::string logon = from_hex("000fb16aa186736368656d65846e6f6e650000");
  EXPECT_EQ(bolt::auth_none_request({5, 1}, "ajar/0.1"),
            from_hex("0017b101a18a757365725f6167656e7488616a61722f302e310000") + logon);
  // 5.3+: HELLO also carries bolt_agent {product}.
  EXPECT_EQ(bolt::auth_none_request({5, 4}, "ajar/0.1"),
            from_hex("0034b101a28a757365725f6167656e7488616a61722f302e318a626f6c745f6167656e74a1"
                     "8770726f6475637488616a61722f302e310000") +
                logon);
  EXPECT_FALSE(bolt::separate_logon({5, 0}));
  EXPECT_TRUE(bolt::separate_logon({5, 1}));
}

TEST(wire_bolt, success_metadata) {
  auto m = bolt::parse_message(hello_success);
  ASSERT_TRUE(m.ok()) << m.error;
  EXPECT_EQ(m.consumed, hello_success.size());
  EXPECT_EQ(m.value.signature, bolt::sig_success);
  EXPECT_EQ(m.value.get("server"), "Neo4j/5.13.0");
  EXPECT_EQ(m.value.get("connection_id"), "bolt-4");
  EXPECT_FALSE(m.value.get("hints"));  // a map: skipped
}

TEST(wire_bolt, failure_metadata) {
  auto m = bolt::parse_message(none_refused);
  ASSERT_TRUE(m.ok()) << m.error;
  EXPECT_EQ(m.value.signature, bolt::sig_failure);
  EXPECT_EQ(m.value.get("code"), "Neo.ClientError.Security.Unauthorized");
  EXPECT_EQ(
      m.value.get("message"),
      "Unsupported authentication token, scheme 'none' is only allowed when auth is disabled.");
}

TEST(wire_bolt, every_prefix_needs_more) {
  for (std::size_t n = 0; n < hello_success.size(); ++n)
    EXPECT_EQ(bolt::parse_message(std::string_view(hello_success).substr(0, n)).status,
              parse_status::need_more)
        << n;
}

TEST(wire_bolt, two_messages_and_noops) {
  // NOOP chunks before a message are skipped; a second message stays in the buffer.
  auto bytes = "\x00\x00\x00\x00"s + hello_success + "\x00\x03\xb1\x70\xa0\x00\x00"s;
  auto first = bolt::parse_message(bytes);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first.consumed, 4 + hello_success.size());
  auto second = bolt::parse_message(std::string_view(bytes).substr(first.consumed));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second.value.signature, bolt::sig_success);
  EXPECT_TRUE(second.value.strings.empty());
}

TEST(wire_bolt, message_split_over_chunks) {
  // SUCCESS {"server": "X/1"} in two chunks.
  std::string body = "\xb1\x70\xa1\x86server\x83X/1"s;
  std::string chunked = "\x00\x03"s + body.substr(0, 3) + "\x00"s +
                        static_cast<char>(body.size() - 3) + body.substr(3) + "\x00\x00"s;
  auto ok = bolt::parse_message(chunked);
  ASSERT_TRUE(ok.ok()) << ok.error;
  EXPECT_EQ(ok.value.get("server"), "X/1");
}

TEST(wire_bolt, rejects_garbage) {
  EXPECT_EQ(bolt::parse_message("\x00\x02\x01\x02\x00\x00"s).status,
            parse_status::error);  // not a struct
  EXPECT_EQ(bolt::parse_message("\x00\x02\xb0\x01\x00\x00"s).status,
            parse_status::error);  // client message
  EXPECT_EQ(bolt::parse_message("\x00\x03\xb1\x70\xc7\x00\x00"s).status,
            parse_status::error);  // bad marker
  EXPECT_EQ(bolt::parse_message("\x00\x04\xb1\x70\xa0\x01\x00\x00"s).status,
            parse_status::error);  // left over
  EXPECT_EQ(bolt::parse_message("\x00\x03\xb1\x70\xa1\x00\x00"s).status,
            parse_status::error);  // short map
}

TEST(wire_bolt, limits) {
  // Endless NOOPs.
  std::string noops;
  for (std::size_t i = 0; i <= bolt::max_noops; ++i) noops += "\x00\x00"s;
  EXPECT_EQ(bolt::parse_message(noops).status, parse_status::error);
  // A message growing past max_message_size is refused before it completes.
  std::string big;
  for (std::size_t i = 0; i * 0xffff <= bolt::max_message_size; ++i)
    big += "\xff\xff"s + std::string(0xffff, '\x01');
  EXPECT_EQ(bolt::parse_message(big).status, parse_status::error);
  // Nesting deeper than max_depth: SUCCESS {"k": [[[[...]]]]}.
  std::string deep = "\xb1\x70\xa1\x81k"s + std::string(40, '\x91') + "\x01";
  std::string msg = "\x00"s + static_cast<char>(deep.size()) + deep + "\x00\x00"s;
  EXPECT_EQ(bolt::parse_message(msg).status, parse_status::error);
  // Too many values: SUCCESS {"k": [5000 tiny ints]} (list16).
  std::string many = "\xb1\x70\xa1\x81k\xd5\x13\x88"s + std::string(5000, '\x01');
  std::string msg2 = "\x13\x90"s + many + "\x00\x00"s;  // 0x1390 = 5008 bytes
  ASSERT_EQ(many.size(), 0x1390u);
  EXPECT_EQ(bolt::parse_message(msg2).status, parse_status::error);
}

}  // namespace
