// Unit tests for the RESP2 codec (src/wire/resp.*). Replies marked "captured" are the exact bytes
// redis-server 7.0.15 sent on 127.0.9.4 (python3 socket script, RESP2 INFO / PING / QUIT).
#include "wire/resp.hpp"

#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace {

using namespace std::string_literals;
namespace resp = ajar::wire::resp;
using ajar::wire::parse_status;

// Every strict prefix of a complete value must ask for more bytes, never succeed or fail.
void expect_need_more_on_prefixes(std::string_view whole) {
  for (std::size_t n = 0; n < whole.size(); ++n)
    EXPECT_EQ(resp::parse(whole.substr(0, n)).status, parse_status::need_more) << "prefix " << n;
}

TEST(wire_resp, simple_string) {
  auto r = resp::parse("+PONG\r\n");  // captured: PING on 7.0.15
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.kind, resp::kind::simple);
  EXPECT_EQ(r.value.text, "PONG");
  EXPECT_EQ(r.consumed, 7u);
}

TEST(wire_resp, error) {
  auto r = resp::parse("-NOAUTH Authentication required.\r\n");  // captured: INFO, requirepass
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.kind, resp::kind::error);
  EXPECT_EQ(r.value.text, "NOAUTH Authentication required.");
}

TEST(wire_resp, integers) {
  auto r = resp::parse(":1000\r\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.kind, resp::kind::integer);
  EXPECT_EQ(r.value.integer, 1000);
  auto neg = resp::parse(":-42\r\n");
  ASSERT_TRUE(neg.ok());
  EXPECT_EQ(neg.value.integer, -42);
  EXPECT_EQ(resp::parse(":9223372036854775807\r\n").value.integer, INT64_MAX);
  EXPECT_EQ(resp::parse(":9223372036854775808\r\n").status, parse_status::error);
  EXPECT_EQ(resp::parse(":12a\r\n").status, parse_status::error);
  EXPECT_EQ(resp::parse(":\r\n").status, parse_status::error);
  EXPECT_EQ(resp::parse(":+1\r\n").status, parse_status::error);
}

TEST(wire_resp, bulk_strings) {
  auto r = resp::parse("$5\r\nhe\r\no\r\n");  // a bulk may hold CR LF
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.kind, resp::kind::bulk);
  EXPECT_EQ(r.value.text, "he\r\no");
  EXPECT_EQ(r.consumed, 11u);
  auto empty = resp::parse("$0\r\n\r\n");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty.value.kind, resp::kind::bulk);
  EXPECT_EQ(empty.value.text, "");
  auto null = resp::parse("$-1\r\n");
  ASSERT_TRUE(null.ok());
  EXPECT_EQ(null.value.kind, resp::kind::null);
  EXPECT_EQ(null.consumed, 5u);
}

TEST(wire_resp, nested_arrays) {
  const std::string bytes = "*3\r\n:1\r\n*2\r\n$3\r\nfoo\r\n$-1\r\n*-1\r\n";
  auto r = resp::parse(bytes);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.consumed, bytes.size());
  ASSERT_EQ(r.value.kind, resp::kind::array);
  ASSERT_EQ(r.value.elements.size(), 3u);
  EXPECT_EQ(r.value.elements[0].integer, 1);
  ASSERT_EQ(r.value.elements[1].elements.size(), 2u);
  EXPECT_EQ(r.value.elements[1].elements[0].text, "foo");
  EXPECT_EQ(r.value.elements[1].elements[1].kind, resp::kind::null);
  EXPECT_EQ(r.value.elements[2].kind, resp::kind::null_array);
  expect_need_more_on_prefixes(bytes);
  auto empty = resp::parse("*0\r\n");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty.value.elements.empty());
}

TEST(wire_resp, consumes_one_value_of_a_pipeline) {
  auto r = resp::parse("+OK\r\n+PONG\r\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.text, "OK");
  EXPECT_EQ(r.consumed, 5u);
}

TEST(wire_resp, need_more) {
  EXPECT_EQ(resp::parse("").status, parse_status::need_more);
  EXPECT_EQ(resp::parse("$10\r\nabc").status, parse_status::need_more);
  EXPECT_EQ(resp::parse("*2\r\n:1\r\n").status, parse_status::need_more);
  expect_need_more_on_prefixes("-DENIED Redis is running in protected mode\r\n");
  expect_need_more_on_prefixes("$14\r\nredis_version:\r\n");
}

TEST(wire_resp, rejects_malformed_framing) {
  EXPECT_EQ(resp::parse("HTTP/1.1 400 Bad Request\r\n").status, parse_status::error);
  EXPECT_EQ(resp::parse("H").status, parse_status::error);  // fails at the first byte
  EXPECT_EQ(resp::parse("%1\r\n").status, parse_status::error);  // RESP3 map
  EXPECT_EQ(resp::parse("+OK\n").status, parse_status::error);
  EXPECT_EQ(resp::parse("+O\rK\r\n").status, parse_status::error);
  EXPECT_EQ(resp::parse("$3\r\nfooXY").status, parse_status::error);
  EXPECT_EQ(resp::parse("$-2\r\n").status, parse_status::error);
  EXPECT_EQ(resp::parse("*-2\r\n").status, parse_status::error);
  EXPECT_EQ(resp::parse("$abc\r\n").status, parse_status::error);
  EXPECT_EQ(resp::parse("*1\r\n?\r\n").status, parse_status::error);
}

TEST(wire_resp, limits) {
  // Bulk length: the limit itself is fine (waits for the body), one more is refused at once.
  EXPECT_EQ(resp::parse("$" + std::to_string(resp::max_bulk_length) + "\r\n").status,
            parse_status::need_more);
  auto big = resp::parse("$" + std::to_string(resp::max_bulk_length + 1) + "\r\n");
  EXPECT_EQ(big.status, parse_status::error);
  EXPECT_EQ(big.error, "resp: bulk string too long");
  EXPECT_EQ(resp::parse("$99999999999999999999\r\n").status, parse_status::error);
  // Array elements.
  EXPECT_EQ(resp::parse("*" + std::to_string(resp::max_array_elements) + "\r\n").status,
            parse_status::need_more);
  EXPECT_EQ(resp::parse("*" + std::to_string(resp::max_array_elements + 1) + "\r\n").error,
            "resp: array has too many elements");
  // Nesting: max_depth arrays deep is accepted, one more is not.
  std::string deep;
  for (int i = 0; i < resp::max_depth; ++i) deep += "*1\r\n";
  EXPECT_TRUE(resp::parse(deep + ":1\r\n").ok());
  EXPECT_EQ(resp::parse("*1\r\n" + deep + ":1\r\n").error, "resp: arrays nested too deep");
  // Line length: a line that never ends is refused once it passes the limit.
  std::string line = "+" + std::string(resp::max_line_length - 1, 'a');
  EXPECT_TRUE(resp::parse(line + "\r\n").ok());
  EXPECT_EQ(resp::parse(line + "a\r\n").error, "resp: line too long");
  EXPECT_EQ(resp::parse(line + "\r").status, parse_status::need_more);
  EXPECT_EQ(resp::parse(line + "aa").error, "resp: line too long");
}

TEST(wire_resp, denied_line_fits_the_line_limit) {
  // captured: redis-server 7.0.15, protected-mode yes, no password, peer 127.0.9.4 (not
  // 127.0.0.1, so Redis 7.0 does not count it as loopback). 1067 bytes in one error line.
  std::string denied =
      "-DENIED Redis is running in protected mode because protected mode is enabled and no "
      "password is set for the default user. In this mode connections are only accepted from "
      "the loopback interface. If you want to connect from external computers to Redis you may "
      "adopt one of the following solutions: 1) Just disable protected mode sending the command "
      "'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from "
      "the same host the server is running, however MAKE SURE Redis is not publicly accessible "
      "from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) "
      "Alternatively you can just disable the protected mode by editing the Redis configuration "
      "file, and setting the protected mode option to 'no', and then restarting the server. 3) "
      "If you started the server manually just for testing, restart it with the "
      "'--protected-mode no' option. 4) Setup a an authentication password for the default "
      "user. NOTE: You only need to do one of the above things in order for the server to start "
      "accepting connections from the outside.\r\n";
  auto r = resp::parse(denied);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.kind, resp::kind::error);
  EXPECT_TRUE(r.value.text.starts_with("DENIED Redis is running in protected mode"));
  EXPECT_EQ(r.consumed, denied.size());
}

TEST(wire_resp, split_info) {
  // Excerpt of the captured 7.0.15 INFO bulk (first and last lines).
  const std::string bulk =
      "# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\nredis_mode:standalone\r\n"
      "os:Linux 6.18.44-fc-v657 x86_64\r\n\r\n# Memory\r\nused_memory:991744\r\n\r\n"
      "# Keyspace\r\ndb0:keys=5,expires=0,avg_ttl=0\r\ndb3:keys=2,expires=1,avg_ttl=999900\r\n";
  auto lines = resp::split_info(bulk);
  ASSERT_EQ(lines.size(), 10u);
  EXPECT_TRUE(lines[0].section);
  EXPECT_EQ(lines[0].key, "Server");
  EXPECT_FALSE(lines[1].section);
  EXPECT_EQ(lines[1].key, "redis_version");
  EXPECT_EQ(lines[1].value, "7.0.15");
  EXPECT_EQ(lines[4].value, "Linux 6.18.44-fc-v657 x86_64");
  EXPECT_EQ(lines[9].key, "db3");
  EXPECT_EQ(lines[9].value, "keys=2,expires=1,avg_ttl=999900");
  EXPECT_EQ(resp::info_field(lines, "used_memory"), "991744");
  EXPECT_EQ(resp::info_field(lines, "absent"), "");
  EXPECT_TRUE(resp::has_section(lines, "Keyspace"));
  EXPECT_FALSE(resp::has_section(lines, "KeyDB"));
}

TEST(wire_resp, split_info_tolerates_odd_lines) {
  auto lines = resp::split_info("#   KeyDB  \nno colon here\n:novalue\nk:v:w\r\nlast:1");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].key, "KeyDB");
  EXPECT_EQ(lines[1].key, "k");
  EXPECT_EQ(lines[1].value, "v:w");
  EXPECT_EQ(lines[2].value, "1");
  EXPECT_TRUE(resp::split_info("").empty());
}

}  // namespace
