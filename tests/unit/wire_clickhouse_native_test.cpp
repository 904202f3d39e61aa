// Codec tests for src/wire/clickhouse_native. The server Hello and the client Hello are real
// bytes: Debian's clickhouse-server 18.16.1 (revision 54412) on 127.0.9.62:9000 with the lab's
// config template, sent the probe's Hello by a python3 socket script. The Exception packets are
// constructed in the layout the same server used for its 194/195 answers (see
// probe_clickhouse_native_test.cpp for those captures in full).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "wire/clickhouse_native.hpp"
#include "hex.hpp"

namespace ch = ajar::wire::clickhouse_native;
using ajar::wire::parse_status;

namespace {

using ajar::test::hex;

std::string varuint(std::uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}
std::string str(std::string_view s) {
  return varuint(s.size()) + std::string(s);
}
std::string int32(std::uint32_t v) {
  return {static_cast<char>(v & 0xff), static_cast<char>((v >> 8) & 0xff),
          static_cast<char>((v >> 16) & 0xff), static_cast<char>((v >> 24) & 0xff)};
}

// 18.16.1: Hello "ClickHouse" 18.16 rev 54412, "Etc/UTC", display name "cap-open", patch 1.
const std::string open_hello =
    hex("000a436c69636b486f75736512108ca903074574632f555443086361702d6f70656e01");

TEST(WireClickhouseNative, ClientHelloIsTheBytes1816Accepted) {
  EXPECT_EQ(ch::client_hello("ajar", 1, 0, ch::client_revision, "default", "default", ""),
            hex("0004616a61720100b3a9030764656661756c740764656661756c7400"));
}

TEST(WireClickhouseNative, VarUInt) {
  EXPECT_EQ(ch::parse_varuint(hex("00")).value, 0u);
  auto r = ch::parse_varuint(hex("8ca903ff"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value, 54412u);
  EXPECT_EQ(r.consumed, 3u);
  EXPECT_EQ(ch::parse_varuint(hex("ffffffffffffffffff01")).value, UINT64_MAX);
  EXPECT_EQ(ch::parse_varuint(hex("8ca9")).status, parse_status::need_more);
  EXPECT_EQ(ch::parse_varuint("").status, parse_status::need_more);
  EXPECT_EQ(ch::parse_varuint(hex("ffffffffffffffffff02")).status, parse_status::error);
  EXPECT_EQ(ch::parse_varuint(hex("ffffffffffffffffffff01")).status, parse_status::error);
}

TEST(WireClickhouseNative, StringLimits) {
  const std::string in = str("Etc/UTC") + "x";
  auto s = ch::parse_string(in, 64);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.value, "Etc/UTC");
  EXPECT_EQ(s.consumed, 8u);
  EXPECT_EQ(ch::parse_string(varuint(5) + "abc", 64).status, parse_status::need_more);
  EXPECT_EQ(ch::parse_string(varuint(65) + "abc", 64).status, parse_status::error);
}

TEST(WireClickhouseNative, ServerHelloOf1816) {
  auto p = ch::parse_server_packet(open_hello);
  ASSERT_TRUE(p.ok()) << p.error;
  EXPECT_EQ(p.consumed, open_hello.size());
  EXPECT_EQ(p.value.type, ch::packet_hello);
  EXPECT_EQ(p.value.hello.name, "ClickHouse");
  EXPECT_EQ(p.value.hello.major, 18u);
  EXPECT_EQ(p.value.hello.minor, 16u);
  EXPECT_EQ(p.value.hello.revision, 54412u);
  EXPECT_EQ(p.value.hello.timezone, "Etc/UTC");
  EXPECT_EQ(p.value.hello.display_name, "cap-open");
  ASSERT_TRUE(p.value.hello.patch.has_value());
  EXPECT_EQ(*p.value.hello.patch, 1u);
  for (std::size_t n = 0; n < open_hello.size(); ++n)
    EXPECT_EQ(ch::parse_server_packet(std::string_view(open_hello).substr(0, n)).status,
              parse_status::need_more)
        << n;
}

TEST(WireClickhouseNative, HelloFieldsFollowTheLowerRevision) {
  // An old server (revision 54100): time zone only, no display name or patch.
  auto old = varuint(0) + str("ClickHouse") + varuint(1) + varuint(1) + varuint(54100) + str("UTC");
  auto p = ch::parse_server_packet(old);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.value.hello.timezone, "UTC");
  EXPECT_TRUE(p.value.hello.display_name.empty());
  EXPECT_FALSE(p.value.hello.patch.has_value());
  EXPECT_EQ(p.consumed, old.size());
  // Read as a client that announced 54000: nothing after the revision.
  auto q = ch::parse_server_packet(open_hello, 54000);
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(q.value.hello.timezone.empty());
  EXPECT_EQ(q.consumed, 17u);
}

TEST(WireClickhouseNative, ExceptionChain) {
  auto e = varuint(2) + int32(194) + str("DB::Exception") +
           str("DB::Exception: Password required for user default") + str("0. trace\n") + '\1' +
           int32(1001) + str("DB::Exception") + str("inner") + str("") + '\0';
  auto p = ch::parse_server_packet(e);
  ASSERT_TRUE(p.ok()) << p.error;
  EXPECT_EQ(p.value.type, ch::packet_exception);
  ASSERT_EQ(p.value.exception.size(), 2u);
  EXPECT_EQ(p.value.exception[0].code, 194);
  EXPECT_EQ(p.value.exception[0].message, "DB::Exception: Password required for user default");
  EXPECT_EQ(p.value.exception[0].stack_trace, "0. trace\n");
  EXPECT_EQ(p.value.exception[1].code, 1001);
  for (std::size_t n = 0; n < e.size(); ++n)
    EXPECT_EQ(ch::parse_server_packet(std::string_view(e).substr(0, n)).status,
              parse_status::need_more)
        << n;
}

TEST(WireClickhouseNative, ExceptionLimits) {
  std::string deep = varuint(2);
  for (std::size_t i = 0; i <= ch::max_nested_exceptions; ++i)
    deep += int32(1) + str("DB::Exception") + str("m") + str("") + '\1';
  EXPECT_EQ(ch::parse_server_packet(deep).status, parse_status::error);
  EXPECT_EQ(
      ch::parse_server_packet(varuint(2) + int32(1) + str("DB::E") + str("m") + str("") + '\2')
          .status,
      parse_status::error);
  EXPECT_EQ(
      ch::parse_server_packet(varuint(2) + int32(1) + varuint(ch::max_exception_string + 1)).status,
      parse_status::error);
}

TEST(WireClickhouseNative, OtherPacketsAreErrors) {
  EXPECT_EQ(ch::parse_server_packet(hex("04")).status, parse_status::error);  // Pong
  EXPECT_EQ(ch::parse_server_packet("HTTP/1.0 400 Bad Request\r\n").status, parse_status::error);
  EXPECT_EQ(ch::parse_server_packet(varuint(0) + varuint(ch::max_hello_string + 1)).status,
            parse_status::error);
}

}  // namespace
