// Unit tests for the Oracle TNS codec (src/wire/tns.*). No Oracle listener runs here. Packets
// are built from the documented layouts: REFUSE as nmap-service-probes matches it
// (`..\0\0\x04\0\0\0\"\0..(DESCRIPTION=(TMP=)(VSNNUM=..)(ERR=1189)(ERROR_STACK=...`), ACCEPT as
// a tnscmd "version" transcript of an 8.1.6 listener shows it (length 0x4d, data length 0x2d at
// data offset 0x20, data "(DESCRIPTION=(TMP=)(VSNNUM=135290880)(ERR=0))"), VSNNUM values from
// the test data in nmap's oracle-tns-version.nse.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "wire/tns.hpp"

namespace {

using namespace std::string_literals;
namespace tns = ajar::wire::tns;
using ajar::wire::parse_status;

std::string be16(std::size_t n) {
  return {static_cast<char>((n >> 8) & 0xff), static_cast<char>(n & 0xff)};
}

std::string refuse(std::string_view data) {
  std::string body = "\x22\x00"s + be16(data.size()) + std::string(data);
  return be16(8 + body.size()) + "\x00\x00\x04\x00\x00\x00"s + body;
}

std::string accept(std::string_view data) {
  // version 310, options, SDU 2048, TDU 32767, byte order, data length, data offset 32, then
  // 10 bytes of flags and reserved fields before the data.
  std::string body = "\x01\x36\x00\x00\x08\x00\x7f\xff\x01\x00"s + be16(data.size()) + be16(32) +
                     std::string(10, '\0') + std::string(data);
  return be16(8 + body.size()) + "\x00\x00\x02\x00\x00\x00"s + body;
}

constexpr std::string_view refused_1189 =
    "(DESCRIPTION=(TMP=)(VSNNUM=318767104)(ERR=1189)(ERROR_STACK=(ERROR=(CODE=1189)(EMFI=4))))";

TEST(wire_tns, request_is_nmaps_connect) {
  // nmap-service-probes "Probe TCP oracle-tns", decoded.
  std::string nmap;
  for (std::string_view hex : {"005a0000010000000136012c000008007fff7f08000000010020003a00000000000"
                               "00000000000000000000034e6",
                               "00000001000000000000000028434f4e4e4543545f444154413d28434f4d4d414e4"
                               "43d76657273696f6e2929"}) {
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
      nmap.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  EXPECT_EQ(tns::connect_request, nmap);
  EXPECT_EQ(tns::connect_request.size(), 90u);
  EXPECT_EQ(tns::connect_request.substr(0, 8), "\x00\x5a\x00\x00\x01\x00\x00\x00"s);
  EXPECT_EQ(tns::connect_request.substr(58), "(CONNECT_DATA=(COMMAND=version))");
}

TEST(wire_tns, refuse_with_vsnnum_and_error) {
  auto bytes = refuse(refused_1189);
  auto p = tns::parse_packet(bytes);
  ASSERT_TRUE(p.ok()) << p.error;
  EXPECT_EQ(p.consumed, bytes.size());
  EXPECT_EQ(p.value.type, tns::type_refuse);
  auto text = tns::answer_text(p.value);
  EXPECT_EQ(text, refused_1189);
  EXPECT_EQ(tns::find_vsnnum(text), 318767104u);
  EXPECT_EQ(tns::find_err(text), 1189u);
  EXPECT_FALSE(tns::find_banner_version(text));
}

TEST(wire_tns, accept_with_vsnnum) {
  auto bytes = accept("(DESCRIPTION=(TMP=)(VSNNUM=135290880)(ERR=0))");
  ASSERT_EQ(bytes.size(), 0x4du);
  auto p = tns::parse_packet(bytes);
  ASSERT_TRUE(p.ok()) << p.error;
  EXPECT_EQ(p.value.type, tns::type_accept);
  auto text = tns::answer_text(p.value);
  EXPECT_EQ(text, "(DESCRIPTION=(TMP=)(VSNNUM=135290880)(ERR=0))");
  EXPECT_EQ(tns::decode_vsnnum(*tns::find_vsnnum(text)), "8.1.6.0.0");
  EXPECT_EQ(tns::find_err(text), 0u);
}

TEST(wire_tns, vsnnum_decoding) {
  // nmap oracle-tns-version.nse test data.
  EXPECT_EQ(tns::decode_vsnnum(153092352), "9.2.0.1.0");
  EXPECT_EQ(tns::decode_vsnnum(169869568), "10.2.0.1.0");
  EXPECT_EQ(tns::decode_vsnnum(185599488), "11.1.0.6.0");
  EXPECT_EQ(tns::decode_vsnnum(202375680), "12.1.0.2.0");
  EXPECT_EQ(tns::decode_vsnnum(318767104), "19.0.0.0.0");
  EXPECT_EQ(tns::decode_vsnnum(352321536), "21.0.0.0.0");
}

TEST(wire_tns, banner_version) {
  EXPECT_EQ(tns::find_banner_version("\x01TNSLSNR for Linux: Version 11.2.0.2.0 - Production\n"),
            "11.2.0.2.0");
  EXPECT_EQ(tns::find_banner_version("TNSLSNR for 32-bit Windows: Version 10.2.0.1.0 - Production"),
            "10.2.0.1.0");
  EXPECT_FALSE(tns::find_banner_version("TNSLSNR for Linux: Release"));
  EXPECT_FALSE(tns::find_banner_version("TNSLSNR for Linux: Version - Production"));
}

TEST(wire_tns, number_markers_need_digits_and_a_parenthesis) {
  EXPECT_FALSE(tns::find_vsnnum("(VSNNUM=)"));
  EXPECT_FALSE(tns::find_vsnnum("(VSNNUM=12"));
  EXPECT_FALSE(tns::find_vsnnum("(VSNNUM=99999999999)"));  // beyond 32 bits
  EXPECT_FALSE(tns::find_err("(ERR=x)"));
  EXPECT_EQ(tns::find_err("(DESCRIPTION=(ERR=12504))"), 12504u);
}

TEST(wire_tns, every_prefix_needs_more) {
  auto bytes = refuse(refused_1189);
  for (std::size_t n = 0; n < bytes.size(); ++n)
    EXPECT_EQ(tns::parse_packet(std::string_view(bytes).substr(0, n)).status,
              parse_status::need_more)
        << n;
}

TEST(wire_tns, resend) {
  auto p = tns::parse_packet("\x00\x08\x00\x00\x0b\x00\x00\x00"s);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.value.type, tns::type_resend);
  EXPECT_TRUE(tns::answer_text(p.value).empty());
}

TEST(wire_tns, rejects_bad_headers) {
  EXPECT_EQ(tns::parse_packet("\x00\x04\x00\x00\x04\x00\x00\x00"s).status,
            parse_status::error);  // short
  EXPECT_EQ(tns::parse_packet("\x00\x20\x00\x00\x00\x00\x00\x00"s).status,
            parse_status::error);  // type 0
  EXPECT_EQ(tns::parse_packet("\x00\x20\x00\x00\x47\x00\x00\x00"s).status,
            parse_status::error);  // type 71
  EXPECT_EQ(tns::parse_packet("\xff\xff\x00\x00\x04\x00\x00\x00"s).status,
            parse_status::error);  // too big
  EXPECT_EQ(tns::parse_packet("HTTP/1.1 400 Bad Request\r\n"s).status, parse_status::error);
}

TEST(wire_tns, answer_text_stays_inside_the_body) {
  // REFUSE claiming 200 bytes of data but carrying 5.
  auto bytes = be16(8 + 9) + "\x00\x00\x04\x00\x00\x00"s + "\x22\x00\x00\xc8(ERR="s;
  auto p = tns::parse_packet(bytes);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(tns::answer_text(p.value), "(ERR=");
  // ACCEPT whose data offset points past the packet.
  auto a = accept("(X)");
  a[8 + 13] = '\x7f';
  auto pa = tns::parse_packet(a);
  ASSERT_TRUE(pa.ok());
  EXPECT_TRUE(tns::answer_text(pa.value).empty());
}

}  // namespace
