// The pure half of SYN discovery: checksum, SipHash, cookie, packet template, reply check.
// Known values come from outside this code: the RFC 1071 example header as printed on
// Wikipedia ("IPv4 header checksum"), the SipHash-2-4 reference vectors (Aumasson & Bernstein,
// vectors.h), and a SYN built independently with Python's struct module (see the comment at
// expected_syn).
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include "net/syn.hpp"

namespace ajar::net {
namespace {

constexpr std::uint32_t ip4(unsigned a, unsigned b, unsigned c, unsigned d) {
  return (a << 24) | (b << 16) | (c << 8) | d;
}

void put16(std::vector<std::uint8_t>& v, std::size_t at, std::uint32_t x) {
  v[at] = static_cast<std::uint8_t>(x >> 8);
  v[at + 1] = static_cast<std::uint8_t>(x);
}
void put32(std::vector<std::uint8_t>& v, std::size_t at, std::uint32_t x) {
  put16(v, at, x >> 16);
  put16(v, at + 2, x & 0xffffU);
}

// A reply as a target would send it: IPv4 (ihl 5 + ip_option_words) + 20-byte TCP header.
std::vector<std::uint8_t> reply(std::uint32_t from, std::uint32_t to, std::uint16_t sport,
                                std::uint16_t dport, std::uint32_t ack, std::uint8_t flags,
                                unsigned ip_option_words = 0, std::uint16_t frag = 0x4000) {
  std::size_t ihl = 20 + 4 * ip_option_words;
  std::vector<std::uint8_t> p(ihl + 20, 0);
  p[0] = static_cast<std::uint8_t>(0x40 | (ihl / 4));
  put16(p, 2, static_cast<std::uint32_t>(p.size()));
  put16(p, 6, frag);
  p[8] = 64;
  p[9] = 6;
  put32(p, 12, from);
  put32(p, 16, to);
  for (std::size_t i = 20; i < ihl; ++i) p[i] = 1;  // NOP options
  put16(p, ihl, sport);
  put16(p, ihl + 2, dport);
  put32(p, ihl + 4, 0x11223344);
  put32(p, ihl + 8, ack);
  p[ihl + 12] = 0x50;
  p[ihl + 13] = flags;
  return p;
}

constexpr syn_key test_key{0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};
constexpr syn_port_window test_window{61000, 256};
constexpr std::uint32_t local_ip = ip4(127, 0, 0, 1);
constexpr std::uint32_t target_ip = ip4(127, 0, 7, 3);
constexpr std::uint8_t flags_synack = 0x12, flags_rstack = 0x14, flags_rst = 0x04;

TEST(SynChecksum, Rfc1071ExampleHeader) {
  // 4500 0073 0000 4000 4011 [b861] c0a8 0001 c0a8 00c7
  std::array<std::uint8_t, 20> h{0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                                 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  EXPECT_EQ(inet_checksum(h), 0xb861);
  h[10] = 0xb8;
  h[11] = 0x61;
  EXPECT_EQ(inet_checksum(h), 0);  // a header with its checksum in place sums to zero
}

TEST(SynChecksum, OddLengthPadsWithZeroAndPartialSumsAdd) {
  std::array<std::uint8_t, 3> odd{0x12, 0x34, 0x56};
  EXPECT_EQ(inet_checksum(odd), static_cast<std::uint16_t>(~(0x1234 + 0x5600) & 0xffff));
  std::array<std::uint8_t, 2> two{0x00, 0x01};
  EXPECT_EQ(inet_checksum(two, 0xfffe), 0);       // 0xfffe + 1 = 0xffff -> complement 0
  EXPECT_EQ(inet_checksum({}, 0x1ffff), 0xfffe);  // carries fold back in
}

TEST(SynSipHash, ReferenceVectors) {
  std::array<std::uint8_t, 15> msg{};
  for (std::size_t i = 0; i < msg.size(); ++i) msg[i] = static_cast<std::uint8_t>(i);
  EXPECT_EQ(siphash24(test_key, {}), 0x726fdb47dd0e0e31ULL);
  EXPECT_EQ(siphash24(test_key, msg), 0xa129ca6149be45e5ULL);
  EXPECT_EQ(siphash24(test_key, std::span(msg).first(8)), 0x93f5f5799a932462ULL);
}

TEST(SynTemplate, MatchesIndependentlyBuiltPacket) {
  // python3: struct.pack of IPv4 (id 54321, ttl 64, no DF) + TCP SYN (window 65535, MSS 1460)
  // for 127.0.0.1:61234 -> 127.0.7.3:6379 seq 0x01020304, both checksums by RFC 1071.
  constexpr std::array<std::uint8_t, 44> expected_syn{
      0x45, 0x00, 0x00, 0x2c, 0xd4, 0x31, 0x00, 0x00, 0x40, 0x06, 0xa1, 0x96, 0x7f, 0x00, 0x00,
      0x01, 0x7f, 0x00, 0x07, 0x03, 0xef, 0x32, 0x18, 0xeb, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00,
      0x00, 0x00, 0x60, 0x02, 0xff, 0xff, 0x86, 0xfe, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4};
  syn_template t(local_ip, 54321);
  std::array<std::uint8_t, syn_template::size> out{};
  t.make(out.data(), target_ip, 61234, 6379, 0x01020304);
  EXPECT_EQ(out, expected_syn);
}

TEST(SynTemplate, IncrementalChecksumsAgreeWithFullOnes) {
  std::mt19937_64 rng(7);
  std::array<std::uint8_t, syn_template::size> out{};
  for (int i = 0; i < 2000; ++i) {
    auto src = static_cast<std::uint32_t>(rng());
    auto dst = i == 0 ? 0xffffffffU : static_cast<std::uint32_t>(rng());
    auto seq = i == 0 ? 0xffffffffU : static_cast<std::uint32_t>(rng());
    syn_template t(src, static_cast<std::uint16_t>(rng() | 1));
    t.make(out.data(), dst, static_cast<std::uint16_t>(rng()), static_cast<std::uint16_t>(rng()),
           seq);
    ASSERT_EQ(inet_checksum(std::span(out).first(20)), 0) << i;
    std::array<std::uint8_t, 12> pseudo{out[12], out[13], out[14], out[15], out[16], out[17],
                                        out[18], out[19], 0,       6,       0,       24};
    std::uint32_t pseudo_sum = 0;
    for (std::size_t j = 0; j < pseudo.size(); j += 2)
      pseudo_sum += static_cast<std::uint32_t>(pseudo[j] << 8 | pseudo[j + 1]);
    ASSERT_EQ(inet_checksum(std::span(out).subspan(20), pseudo_sum), 0) << i;
  }
}

TEST(SynCookie, DeterministicKeyedAndInsideTheWindow) {
  auto a = make_cookie(test_key, test_window, local_ip, target_ip, 6379, 0);
  auto b = make_cookie(test_key, test_window, local_ip, target_ip, 6379, 0);
  EXPECT_EQ(a.seq, b.seq);
  EXPECT_EQ(a.src_port, b.src_port);
  EXPECT_GE(a.src_port, test_window.first);
  EXPECT_LT(a.src_port, test_window.first + test_window.count);
  auto other_key = make_cookie(syn_key{1, 2}, test_window, local_ip, target_ip, 6379, 0);
  EXPECT_NE(other_key.seq, a.seq);
  EXPECT_NE(make_cookie(test_key, test_window, local_ip, target_ip, 6380, 0).seq, a.seq);
  EXPECT_NE(make_cookie(test_key, test_window, local_ip, target_ip + 1, 6379, 0).seq, a.seq);
  // A retry keeps the sequence number and moves to the next source port, wrapping in the window.
  auto retry = make_cookie(test_key, test_window, local_ip, target_ip, 6379, 1);
  EXPECT_EQ(retry.seq, a.seq);
  EXPECT_EQ(
      (retry.src_port - test_window.first + test_window.count - (a.src_port - test_window.first)) %
          test_window.count,
      1);
}

TEST(SynCookie, RoundTripThroughReplyCheck) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 500; ++i) {
    auto target = ip4(127, 0, 0, 0) | static_cast<std::uint32_t>(rng() & 0xffffff);
    auto port = static_cast<std::uint16_t>(rng() | 1);
    auto c = make_cookie(test_key, test_window, local_ip, target, port, 0);
    auto r = check_reply(reply(target, local_ip, port, c.src_port, c.seq + 1, flags_synack),
                         test_key, test_window, 0);
    ASSERT_EQ(r.verdict, syn_verdict::open);
    ASSERT_EQ(r.target_ip, target);
    ASSERT_EQ(r.target_port, port);
  }
}

TEST(SynPortWindow, StaysOutOfTheEphemeralRange) {
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    auto w = pick_port_window(seed, 32768, 60999);
    EXPECT_GE(w.first, 61000);
    EXPECT_LE(w.first + w.count - 1, 65535);
  }
  EXPECT_NE(pick_port_window(1, 32768, 60999).first, pick_port_window(2, 32768, 60999).first);
  // Ephemeral range reaching the top: go below it.
  auto below = pick_port_window(3, 40000, 65535);
  EXPECT_GE(below.first, 1024);
  EXPECT_LE(below.first + below.count - 1, 39999);
  // No room anywhere: the top of the port space (documented overlap).
  EXPECT_EQ(pick_port_window(3, 1024, 65535).first, 65536 - 256);
}

syn_verdict verdict(const std::vector<std::uint8_t>& p, unsigned retries = 0) {
  return check_reply(p, test_key, test_window, retries).verdict;
}
// The cookie of the endpoint the reply tests answer for: target_ip:6379, first attempt.
const syn_cookie ep_cookie = make_cookie(test_key, test_window, local_ip, target_ip, 6379, 0);

TEST(SynReply, HandBuiltSynAckIsOpen) {
  auto r = check_reply(
      reply(target_ip, local_ip, 6379, ep_cookie.src_port, ep_cookie.seq + 1, flags_synack),
      test_key, test_window, 0);
  EXPECT_EQ(r.verdict, syn_verdict::open);
  EXPECT_EQ(r.target_ip, target_ip);
  EXPECT_EQ(r.target_port, 6379);
}

TEST(SynReply, IpOptionsAreSkipped) {
  EXPECT_EQ(verdict(reply(target_ip, local_ip, 6379, ep_cookie.src_port, ep_cookie.seq + 1,
                          flags_synack, 2)),
            syn_verdict::open);
}

TEST(SynReply, RstWithValidCookieIsClosedNotOpen) {
  EXPECT_EQ(verdict(reply(target_ip, local_ip, 6379, ep_cookie.src_port, ep_cookie.seq + 1,
                          flags_rstack)),
            syn_verdict::closed);
  EXPECT_EQ(verdict(reply(target_ip, local_ip, 6379, ep_cookie.src_port, ep_cookie.seq + 1,
                          flags_synack | flags_rst)),
            syn_verdict::closed);
  EXPECT_EQ(verdict(reply(target_ip, local_ip, 6379, ep_cookie.src_port, 0, flags_rst)),
            syn_verdict::invalid);  // no ACK
}

TEST(SynReply, WrongAckIsInvalid) {
  EXPECT_EQ(
      verdict(reply(target_ip, local_ip, 6379, ep_cookie.src_port, ep_cookie.seq, flags_synack)),
      syn_verdict::invalid);
  EXPECT_EQ(verdict(reply(target_ip, local_ip, 6379, ep_cookie.src_port, ep_cookie.seq + 2,
                          flags_synack)),
            syn_verdict::invalid);
  EXPECT_EQ(
      verdict(reply(target_ip, local_ip, 6379, ep_cookie.src_port, ~ep_cookie.seq, flags_rstack)),
      syn_verdict::invalid);
}

TEST(SynReply, WrongAddressesOrPortsAreRejected) {
  // Another target, another target port, another local address: the cookie no longer fits.
  EXPECT_EQ(verdict(reply(target_ip + 1, local_ip, 6379, ep_cookie.src_port, ep_cookie.seq + 1,
                          flags_synack)),
            syn_verdict::invalid);
  EXPECT_EQ(verdict(reply(target_ip, local_ip, 6380, ep_cookie.src_port, ep_cookie.seq + 1,
                          flags_synack)),
            syn_verdict::invalid);
  EXPECT_EQ(verdict(reply(target_ip, local_ip + 1, 6379, ep_cookie.src_port, ep_cookie.seq + 1,
                          flags_synack)),
            syn_verdict::invalid);
  // Inside the window but not the port the cookie chose for this endpoint.
  auto wrong_port = static_cast<std::uint16_t>(
      test_window.first + (ep_cookie.src_port - test_window.first + 7) % test_window.count);
  EXPECT_EQ(verdict(reply(target_ip, local_ip, 6379, wrong_port, ep_cookie.seq + 1, flags_synack)),
            syn_verdict::invalid);
  // Outside the window: not ours at all.
  EXPECT_EQ(verdict(reply(target_ip, local_ip, 6379, 40000, ep_cookie.seq + 1, flags_synack)),
            syn_verdict::unrelated);
  EXPECT_EQ(verdict(reply(target_ip, local_ip, 6379, test_window.first + test_window.count,
                          ep_cookie.seq + 1, flags_synack)),
            syn_verdict::unrelated);
}

TEST(SynReply, RetrySourcePortsAcceptedOnlyWhenRetriesWereSent) {
  auto second = make_cookie(test_key, test_window, local_ip, target_ip, 6379, 1);
  auto p = reply(target_ip, local_ip, 6379, second.src_port, second.seq + 1, flags_synack);
  EXPECT_EQ(verdict(p, 0), syn_verdict::invalid);
  EXPECT_EQ(verdict(p, 1), syn_verdict::open);
}

TEST(SynReply, OtherFlagsFragmentsAndTruncationAreUnrelated) {
  auto ok = reply(target_ip, local_ip, 6379, ep_cookie.src_port, ep_cookie.seq + 1, flags_synack);
  EXPECT_EQ(verdict(reply(target_ip, local_ip, 6379, ep_cookie.src_port, ep_cookie.seq + 1, 0x02)),
            syn_verdict::unrelated);  // SYN
  EXPECT_EQ(verdict(reply(target_ip, local_ip, 6379, ep_cookie.src_port, ep_cookie.seq + 1, 0x10)),
            syn_verdict::unrelated);  // ACK
  EXPECT_EQ(verdict(reply(target_ip, local_ip, 6379, ep_cookie.src_port, ep_cookie.seq + 1, 0x13)),
            syn_verdict::unrelated);  // +FIN
  EXPECT_EQ(verdict(reply(target_ip, local_ip, 6379, ep_cookie.src_port, ep_cookie.seq + 1,
                          flags_synack, 0, 0x2000)),
            syn_verdict::unrelated);  // more fragments
  EXPECT_EQ(verdict(reply(target_ip, local_ip, 6379, ep_cookie.src_port, ep_cookie.seq + 1,
                          flags_synack, 0, 0x0010)),
            syn_verdict::unrelated);  // a later fragment
  auto udp = ok;
  udp[9] = 17;
  EXPECT_EQ(verdict(udp), syn_verdict::unrelated);
  auto v6 = ok;
  v6[0] = 0x65;
  EXPECT_EQ(verdict(v6), syn_verdict::unrelated);
  auto bad_ihl = ok;
  bad_ihl[0] = 0x44;
  EXPECT_EQ(verdict(bad_ihl), syn_verdict::unrelated);
  for (std::size_t n = 0; n < ok.size(); ++n)
    EXPECT_EQ(verdict(std::vector<std::uint8_t>(ok.begin(), ok.begin() + static_cast<long>(n))),
              syn_verdict::unrelated)
        << n;
}

TEST(SynReply, ReplyToARealSynFromTheTemplate) {
  // The whole loop in bytes: build the SYN, answer it as a listener would, check the answer.
  syn_template t(local_ip);
  std::array<std::uint8_t, syn_template::size> syn{};
  t.make(syn.data(), target_ip, ep_cookie.src_port, 6379, ep_cookie.seq);
  std::uint32_t seq =
      static_cast<std::uint32_t>(syn[24] << 24 | syn[25] << 16 | syn[26] << 8 | syn[27]);
  std::uint16_t sport = static_cast<std::uint16_t>(syn[20] << 8 | syn[21]);
  EXPECT_EQ(verdict(reply(target_ip, local_ip, 6379, sport, seq + 1, flags_synack)),
            syn_verdict::open);
  EXPECT_EQ(verdict(reply(target_ip, local_ip, 6379, sport, seq + 1, flags_rstack)),
            syn_verdict::closed);
}

}  // namespace
}  // namespace ajar::net
