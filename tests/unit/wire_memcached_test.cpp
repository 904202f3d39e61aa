// Unit tests for the memcached codec (src/wire/memcached.*). Replies marked "captured" are the
// exact bytes memcached 1.6.18 sent on 127.0.9.4 (python3 socket script): a text-only server
// (-B ascii) for the stats block, a default server for the binary packets, a SASL server (-S)
// for the auth failure.
#include "wire/memcached.hpp"

#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "memcached_captures.hpp"

namespace {

using namespace ajar::test::memcached_captures;

using namespace std::string_literals;
namespace mc = ajar::wire::memcached;
using ajar::wire::parse_status;






template <class Parse>
void expect_need_more_on_prefixes(Parse parse, std::string_view whole) {
  for (std::size_t n = 0; n < whole.size(); ++n)
    EXPECT_EQ(parse(whole.substr(0, n)).status, parse_status::need_more) << "prefix " << n;
}

TEST(wire_memcached, captured_fixtures_are_byte_exact) {
  EXPECT_EQ(text_stats().size(), 2215u);
  EXPECT_EQ(binary_stats().size(), 3709u);
}

TEST(wire_memcached, line_kinds) {
  auto v = mc::parse_line("VERSION 1.6.18\r\n");  // captured
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v.value.kind, mc::line_kind::version);
  EXPECT_EQ(v.value.text, "1.6.18");
  EXPECT_EQ(v.consumed, 16u);
  auto e = mc::parse_line("ERROR\r\n");  // captured: text-only server, unknown line
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e.value.kind, mc::line_kind::error);
  EXPECT_EQ(e.value.text, "");
  auto c = mc::parse_line("CLIENT_ERROR unauthenticated\r\n");  // captured: -Y server
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.value.kind, mc::line_kind::client_error);
  EXPECT_EQ(c.value.text, "unauthenticated");
  auto s = mc::parse_line("SERVER_ERROR out of memory storing object\r\n");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.value.kind, mc::line_kind::server_error);
  EXPECT_EQ(s.value.text, "out of memory storing object");
  EXPECT_EQ(mc::parse_line("END\r\n").value.kind, mc::line_kind::end);
  auto st = mc::parse_line("STAT curr_items 3\r\n");
  EXPECT_EQ(st.value.kind, mc::line_kind::stat);
  EXPECT_EQ(st.value.text, "curr_items 3");
  // Keywords are whole words; anything else is `other`, kept whole.
  auto o = mc::parse_line("VERSIONS 1\r\n");
  EXPECT_EQ(o.value.kind, mc::line_kind::other);
  EXPECT_EQ(o.value.text, "VERSIONS 1");
  EXPECT_EQ(mc::parse_line("HTTP/1.1 400 Bad Request\r\n").value.kind, mc::line_kind::other);
  EXPECT_EQ(mc::parse_line("-ERR unknown command\r\n").value.kind, mc::line_kind::other);
  // One line at a time.
  EXPECT_EQ(mc::parse_line("ERROR\r\nERROR\r\n").consumed, 7u);
}

TEST(wire_memcached, line_framing_and_limit) {
  expect_need_more_on_prefixes(mc::parse_line, "VERSION 1.6.18\r\n");
  EXPECT_EQ(mc::parse_line("VERSION 1\n").status, parse_status::error);
  EXPECT_EQ(mc::parse_line("\n").status, parse_status::error);
  std::string longest(mc::max_line_length, 'a');
  EXPECT_TRUE(mc::parse_line(longest + "\r\n").ok());
  EXPECT_EQ(mc::parse_line(longest + "a\r\n").error, "memcached: line too long");
  EXPECT_EQ(mc::parse_line(longest + "\r").status, parse_status::need_more);
  EXPECT_EQ(mc::parse_line(longest + "aa").error, "memcached: line too long");
}

TEST(wire_memcached, captured_text_stats) {
  auto r = mc::parse_stats(text_stats());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.consumed, text_stats().size());
  EXPECT_FALSE(r.value.refusal);
  EXPECT_EQ(r.value.stats.size(), 92u);
  EXPECT_EQ(r.value.stats.front().name, "pid");
  EXPECT_EQ(mc::find_stat(r.value.stats, "version"), "1.6.18");
  EXPECT_EQ(mc::find_stat(r.value.stats, "libevent"), "2.1.12-stable");
  EXPECT_EQ(mc::find_stat(r.value.stats, "curr_items"), "3");
  EXPECT_EQ(mc::find_stat(r.value.stats, "total_items"), "3");
  EXPECT_EQ(mc::find_stat(r.value.stats, "bytes"), "189");
  EXPECT_FALSE(mc::find_stat(r.value.stats, "absent"));
}

TEST(wire_memcached, stats_need_more_and_pipelining) {
  expect_need_more_on_prefixes(mc::parse_stats, "STAT pid 1\r\nSTAT a b c\r\nEND\r\n");
  auto r = mc::parse_stats("STAT a b c\r\nSTAT empty\r\nEND\r\nVERSION 1\r\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.consumed, 29u);
  ASSERT_EQ(r.value.stats.size(), 2u);
  EXPECT_EQ(r.value.stats[0].value, "b c");
  EXPECT_EQ(r.value.stats[1].value, "");
  auto none = mc::parse_stats("END\r\n");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none.value.stats.empty());
}

TEST(wire_memcached, stats_refusal) {
  auto r = mc::parse_stats("CLIENT_ERROR unauthenticated\r\n");  // captured: -Y server
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r.value.refusal);
  EXPECT_EQ(r.value.refusal->kind, mc::line_kind::client_error);
  EXPECT_EQ(r.value.refusal->text, "unauthenticated");
  EXPECT_TRUE(r.value.stats.empty());
}

TEST(wire_memcached, stats_errors_and_limit) {
  EXPECT_EQ(mc::parse_stats("STAT pid 1\r\nVERSION 1\r\nEND\r\n").error,
            "memcached: stray line in stats");
  EXPECT_EQ(mc::parse_stats("STAT  1\r\nEND\r\n").error, "memcached: STAT without a name");
  EXPECT_EQ(mc::parse_stats("STAT pid 1\nEND\r\n").status, parse_status::error);
  std::string many;
  for (std::size_t i = 0; i < mc::max_stats; ++i) many += "STAT s" + std::to_string(i) + " 0\r\n";
  EXPECT_TRUE(mc::parse_stats(many + "END\r\n").ok());
  EXPECT_EQ(mc::parse_stats(many + "STAT one_more 0\r\nEND\r\n").error, "memcached: too many stats");
}

TEST(wire_memcached, binary_packet) {
  auto r = mc::parse_binary(binary_version);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.consumed, 30u);
  EXPECT_EQ(r.value.opcode, mc::opcode_version);
  EXPECT_EQ(r.value.status, mc::status_ok);
  EXPECT_EQ(r.value.key, "");
  EXPECT_EQ(r.value.value, "1.6.18");
  expect_need_more_on_prefixes(mc::parse_binary, binary_version);
  EXPECT_EQ(mc::parse_binary("").status, parse_status::need_more);
  // Key and extras are split off the body.
  std::string with_key = "\x81\x10\x00\x03\x02\x00\x00\x00\x00\x00\x00\x07"s + std::string(12, '\0') +
                         "XXpid42";
  auto k = mc::parse_binary(with_key);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k.value.key, "pid");
  EXPECT_EQ(k.value.value, "42");
}

TEST(wire_memcached, binary_rejects_bad_packets) {
  EXPECT_EQ(mc::parse_binary("\x80\x0b"s).error, "memcached: not a binary response (magic)");
  EXPECT_EQ(mc::parse_binary("VERSION 1.6.18\r\n").status, parse_status::error);
  std::string huge = "\x81\x10\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff"s + std::string(12, '\0');
  EXPECT_EQ(mc::parse_binary(huge).error, "memcached: binary body too long");
  std::string at_limit = "\x81\x10\x00\x00\x00\x00\x00\x00\x00\x00\x40\x00"s + std::string(12, '\0');
  EXPECT_EQ(mc::parse_binary(at_limit).status, parse_status::need_more);  // 16 KiB: allowed
  std::string overlap = "\x81\x10\x00\x05\x00\x00\x00\x00\x00\x00\x00\x04"s + std::string(16, '\0');
  EXPECT_EQ(mc::parse_binary(overlap).error, "memcached: key and extras exceed body");
}

TEST(wire_memcached, captured_binary_stats) {
  auto r = mc::parse_binary_stats(binary_stats());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.consumed, binary_stats().size());
  EXPECT_EQ(r.value.status, mc::status_ok);
  EXPECT_EQ(r.value.stats.size(), 92u);
  EXPECT_EQ(mc::find_stat(r.value.stats, "version"), "1.6.18");
  EXPECT_EQ(mc::find_stat(r.value.stats, "curr_items"), "2");
  EXPECT_EQ(mc::find_stat(r.value.stats, "total_items"), "3");
  EXPECT_EQ(mc::find_stat(r.value.stats, "bytes"), "124");
  EXPECT_EQ(mc::parse_binary_stats(binary_stats().substr(0, 1000)).status, parse_status::need_more);
}

TEST(wire_memcached, binary_stats_auth_failure) {
  auto r = mc::parse_binary_stats(sasl_auth_failure);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.status, mc::status_auth_error);
  EXPECT_EQ(r.value.message, "Auth failure.");
  EXPECT_TRUE(r.value.stats.empty());
}

TEST(wire_memcached, binary_stats_reject_other_opcodes) {
  EXPECT_EQ(mc::parse_binary_stats(binary_version).error,
            "memcached: binary reply is not a stat packet");
}

TEST(wire_memcached, binary_stats_limit) {
  std::string many;
  std::string packet = "\x81\x10\x00\x01\x00\x00\x00\x00\x00\x00\x00\x02"s + std::string(12, '\0') + "k0";
  for (std::size_t i = 0; i <= mc::max_stats; ++i) many += packet;
  EXPECT_EQ(mc::parse_binary_stats(many).error, "memcached: too many stats");
}

TEST(wire_memcached, version_reply_either_protocol) {
  auto b = mc::parse_version_reply(binary_version);
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b.value.binary);
  EXPECT_EQ(b.value.packet.value, "1.6.18");
  auto t = mc::parse_version_reply("CLIENT_ERROR unauthenticated\r\n");
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t.value.binary);
  EXPECT_EQ(t.value.text.kind, mc::line_kind::client_error);
  EXPECT_EQ(mc::parse_version_reply("").status, parse_status::need_more);
  EXPECT_EQ(mc::parse_version_reply("\x81\x0b"s).status, parse_status::need_more);
  EXPECT_EQ(mc::parse_version_reply("ERR").status, parse_status::need_more);
  EXPECT_EQ(mc::parse_version_reply("x\n").status, parse_status::error);
}

}  // namespace
