// Unit tests for the TDS PRELOGIN codec (src/wire/tds.*). No SQL Server runs here (Debian has
// none): the answers are built from the documented layout (MS-TDS 2.2.6.5: packet type 0x04,
// option table VERSION, ENCRYPTION, INSTOPT, THREADID (empty, as SQL Server sends it), MARS,
// terminator, data) and each one was checked by feeding its data to the tedious driver's own
// PRELOGIN parser (npm tedious 19, prelogin-payload.js), which read the same version and
// encryption values.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "wire/tds.hpp"

namespace {

using namespace std::string_literals;
namespace tds = ajar::wire::tds;
using ajar::wire::parse_status;

std::string from_hex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

// SQL Server 2019 RTM (15.0.2000.0), ENCRYPT_OFF.
const std::string sql2019 = from_hex(
    "0401002b0000010000001a00060100200001020021000103002200000400220001ff0f0007d00000000000");
// SQL Server 2022 (16.0.1000.6), ENCRYPT_REQ.
const std::string sql2022_required = from_hex(
    "0401002b0000010000001a00060100200001020021000103002200000400220001ff100003e80006030000");

TEST(wire_tds, request_matches_the_documented_layout) {
  const auto& r = tds::prelogin_request;
  ASSERT_EQ(r.size(), 47u);
  EXPECT_EQ(r[0], '\x12');                 // PRELOGIN
  EXPECT_EQ(r[1], '\x01');                 // end of message
  EXPECT_EQ(r.substr(2, 2), "\x00\x2f"s);  // length 47
  EXPECT_EQ(r[8 + 25], '\xff');            // terminator after five options
}

TEST(wire_tds, sql_server_2019) {
  auto a = tds::parse_prelogin_answer(sql2019);
  ASSERT_TRUE(a.ok()) << a.error;
  EXPECT_EQ(a.consumed, sql2019.size());
  EXPECT_EQ(a.value.major, 15);
  EXPECT_EQ(a.value.minor, 0);
  EXPECT_EQ(a.value.build, 2000);
  EXPECT_EQ(a.value.sub_build, 0);
  EXPECT_EQ(a.value.encryption, tds::encrypt_off);
}

TEST(wire_tds, sql_server_2022_requires_encryption) {
  auto a = tds::parse_prelogin_answer(sql2022_required);
  ASSERT_TRUE(a.ok()) << a.error;
  EXPECT_EQ(a.value.major, 16);
  EXPECT_EQ(a.value.build, 1000);
  EXPECT_EQ(a.value.sub_build, 6);
  EXPECT_EQ(a.value.encryption, tds::encrypt_req);
}

TEST(wire_tds, every_prefix_needs_more) {
  for (std::size_t n = 0; n < sql2019.size(); ++n)
    EXPECT_EQ(tds::parse_prelogin_answer(std::string_view(sql2019).substr(0, n)).status,
              parse_status::need_more)
        << n;
}

TEST(wire_tds, rejects_what_is_not_a_prelogin_answer) {
  EXPECT_EQ(tds::parse_prelogin_answer("HTTP/1.1 400"s).status, parse_status::error);
  auto bad = sql2019;
  bad[1] = '\x00';  // not end of message
  EXPECT_EQ(tds::parse_prelogin_answer(bad).status, parse_status::error);
  bad = sql2019;
  bad[3] = '\x05';  // length shorter than the header
  bad[2] = '\x00';
  EXPECT_EQ(tds::parse_prelogin_answer(bad).status, parse_status::error);
  bad = sql2019;
  bad[8 + 25] = '\x05';  // terminator replaced: the table runs into the data
  EXPECT_EQ(tds::parse_prelogin_answer(bad).status, parse_status::error);
  bad = sql2019;
  bad[8 + 2] = '\x7f';  // VERSION offset points past the packet
  EXPECT_EQ(tds::parse_prelogin_answer(bad).status, parse_status::error);
  bad = sql2019;
  bad[8 + 4] = '\x02';  // VERSION only 2 bytes long
  EXPECT_EQ(tds::parse_prelogin_answer(bad).status, parse_status::error);
  bad = sql2019;
  bad[8] = '\x09';  // no VERSION option at all (token 9)
  EXPECT_EQ(tds::parse_prelogin_answer(bad).status, parse_status::error);
}

TEST(wire_tds, oversized_length_is_an_error_before_it_arrives) {
  auto r = tds::parse_prelogin_answer("\x04\x01\xff\xff\x00\x00\x01\x00"s);
  EXPECT_EQ(r.status, parse_status::error);
}

TEST(wire_tds, option_count_is_bounded) {
  // 40 empty options then a terminator: more than max_options.
  std::string payload;
  for (int i = 0; i < 40; ++i) payload += "\x08\x00\x00\x00\x00"s;
  payload += "\xff";
  auto n = payload.size() + 8;
  auto packet = "\x04\x01"s + static_cast<char>(n >> 8) + static_cast<char>(n & 0xff) +
                "\x00\x00\x01\x00"s + payload;
  EXPECT_EQ(tds::parse_prelogin_answer(packet).status, parse_status::error);
}

}  // namespace
