// Transcript tests for the oracle probe (src/probes/oracle_tns.cpp). No Oracle listener runs
// here. Answers are built from the documented layouts: REFUSE as nmap-service-probes matches a
// 10g+ listener refusing a remote "version" command ((DESCRIPTION=(TMP=)(VSNNUM=..)(ERR=1189)
// (ERROR_STACK=(ERROR=(CODE=1189)(EMFI=4))))), ACCEPT as a tnscmd "version" transcript of an 8.1.6
// listener shows it, the 12504 REFUSE as nmap matches it, VSNNUM values from nmap's
// oracle-tns-version.nse test data. The probe's CONNECT is byte for byte nmap's oracle-tns probe.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "probe_harness.hpp"
#include "probes/registry.hpp"
#include "wire/tns.hpp"

namespace {

using namespace std::string_literals;
using ajar::core::auth;
using ajar::core::status;
using step = ajar::net::scripted_session;

const std::string connect_packet(ajar::wire::tns::connect_request);

std::string be16(std::size_t n) {
  return {static_cast<char>((n >> 8) & 0xff), static_cast<char>(n & 0xff)};
}

std::string refuse(std::string_view data) {
  std::string body = "\x22\x00"s + be16(data.size()) + std::string(data);
  return be16(8 + body.size()) + "\x00\x00\x04\x00\x00\x00"s + body;
}

std::string accept(std::string_view data) {
  std::string body = "\x01\x36\x00\x00\x08\x00\x7f\xff\x01\x00"s + be16(data.size()) + be16(32) +
                     std::string(10, '\0') + std::string(data);
  return be16(8 + body.size()) + "\x00\x00\x02\x00\x00\x00"s + body;
}

ajar::core::observation run(std::vector<step::step> script) {
  step s(std::move(script));
  auto o = ajar::test::run_probe(ajar::probes::oracle_tns_probe(), s);
  EXPECT_TRUE(s.mismatches().empty()) << s.mismatches().front();
  return o;
}

TEST(probe_oracle, info) {
  const auto& i = ajar::probes::oracle_tns_probe().info();
  EXPECT_EQ(i.name, "oracle");
  EXPECT_FALSE(i.server_speaks_first);
  ASSERT_EQ(i.default_ports.size(), 1u);
  EXPECT_EQ(i.default_ports[0], 1521);
  EXPECT_EQ(connect_packet.size(), 90u);
}

TEST(probe_oracle, refused_version_command_19c) {
  step s({step::client(connect_packet),
          step::server(refuse("(DESCRIPTION=(TMP=)(VSNNUM=318767104)(ERR=1189)(ERROR_STACK=(ERROR=("
                              "CODE=1189)(EMFI=4))))")),
          step::close()});
  auto o = ajar::test::run_probe(ajar::probes::oracle_tns_probe(), s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(s.sent(), connect_packet);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.service, "oracle");
  EXPECT_EQ(o.product, "Oracle TNS Listener");
  EXPECT_EQ(o.version, "19.0.0.0.0");
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(o.end, status::ok);
  EXPECT_EQ(o.evidence,
            "listener answered COMMAND=version with REFUSE: VSNNUM=318767104 ERR=1189 (listener "
            "could not authenticate the user (remote listener commands refused)); no login "
            "attempted");
}

TEST(probe_oracle, accepted_version_command_816) {
  auto o = run({step::client(connect_packet),
                step::server(accept("(DESCRIPTION=(TMP=)(VSNNUM=135290880)(ERR=0))"))});
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.version, "8.1.6.0.0");
  EXPECT_EQ(o.evidence,
            "listener answered COMMAND=version with ACCEPT: VSNNUM=135290880 ERR=0; no login "
            "attempted");
}

TEST(probe_oracle, banner_version_wins) {
  auto o =
      run({step::client(connect_packet),
           step::server(accept("(DESCRIPTION=(TMP=)(VSNNUM=186647552)(ERR=0))TNSLSNR for Linux: "
                               "Version 11.2.0.2.0 - Production"))});
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.version, "11.2.0.2.0");
}

TEST(probe_oracle, resend_is_answered_once) {
  auto o = run({step::client(connect_packet), step::server("\x00\x08\x00\x00\x0b\x00\x00\x00"s),
                step::client(connect_packet),
                step::server(refuse("(DESCRIPTION=(TMP=)(VSNNUM=202375680)(ERR=1189))"))});
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.version, "12.1.0.2.0");
  // A second RESEND is not followed again.
  auto twice =
      run({step::client(connect_packet), step::server("\x00\x08\x00\x00\x0b\x00\x00\x00"s),
           step::client(connect_packet), step::server("\x00\x08\x00\x00\x0b\x00\x00\x00"s)});
  EXPECT_FALSE(twice.identified);
}

TEST(probe_oracle, service_name_required_without_version) {
  auto o =
      run({step::client(connect_packet), step::server(refuse("(DESCRIPTION=(ERR=12504))\0"s))});
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.version, "");
  EXPECT_NE(o.evidence.find("ERR=12504 (listener needs SERVICE_NAME in CONNECT_DATA)"),
            std::string::npos)
      << o.evidence;
}

TEST(probe_oracle, tns_packets_without_listener_text_are_not_identified) {
  auto plain = run({step::client(connect_packet), step::server(refuse("hello"))});
  EXPECT_FALSE(plain.identified);
  // A DATA packet (type 6) with the markers: not an answer to CONNECT.
  auto data = run({step::client(connect_packet),
                   step::server("\x00\x1e\x00\x00\x06\x00\x00\x00\x00\x00(VSNNUM=1)(ERR=1)...."s)});
  EXPECT_FALSE(data.identified);
}

TEST(probe_oracle, garbage_is_not_identified) {
  auto http =
      run({step::client(connect_packet), step::server("HTTP/1.1 400 Bad Request\r\n\r\n"s)});
  EXPECT_FALSE(http.identified);
  EXPECT_EQ(http.end, status::protocol_error);
  auto random = run(
      {step::client(connect_packet), step::server("\x00\x10\x9c\x11\x77\x02\xfe\x00........"s)});
  EXPECT_FALSE(random.identified);
}

TEST(probe_oracle, silent_closing_truncated_oversized) {
  auto silent = run({step::client(connect_packet)});
  EXPECT_FALSE(silent.identified);
  EXPECT_EQ(silent.end, status::io_timeout);
  auto closed = run({step::client(connect_packet), step::close()});
  EXPECT_FALSE(closed.identified);
  EXPECT_EQ(closed.end, status::connection_closed);
  auto truncated =
      run({step::client(connect_packet),
           step::server(refuse("(DESCRIPTION=(TMP=)(VSNNUM=318767104)(ERR=1189))").substr(0, 30)),
           step::close()});
  EXPECT_FALSE(truncated.identified);
  EXPECT_EQ(truncated.end, status::connection_closed);
  auto oversized =
      run({step::client(connect_packet), step::server("\xf0\x00\x00\x00\x04\x00\x00\x00"s)});
  EXPECT_FALSE(oversized.identified);
  EXPECT_EQ(oversized.end, status::protocol_error);
}

}  // namespace
