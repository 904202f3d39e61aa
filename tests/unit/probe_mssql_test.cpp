// Transcript tests for the mssql probe (src/probes/mssql.cpp). No SQL Server runs here (Debian
// has none): the PRELOGIN answers are built from MS-TDS 2.2.6.5 (packet type 0x04; options
// VERSION, ENCRYPTION, INSTOPT, THREADID with no data, MARS; terminator; data) and were read back
// with the tedious driver's PRELOGIN parser (npm tedious 19), which agreed on version and
// encryption. The probe's request is the MS-TDS 4.1 sample layout (47 bytes).
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

// The probe's PRELOGIN, spelled out.
const std::string prelogin = from_hex(
    "1201002f0000010000001a00060100200001020021000103002200040400260001ff000000000000000000000000"
    "00");
// SQL Server 2019 RTM, 15.0.2000.0, ENCRYPT_OFF.
const std::string sql2019 = from_hex(
    "0401002b0000010000001a00060100200001020021000103002200000400220001ff0f0007d00000000000");
// SQL Server 2022, 16.0.1000.6, ENCRYPT_REQ (force encryption).
const std::string sql2022_required = from_hex(
    "0401002b0000010000001a00060100200001020021000103002200000400220001ff100003e80006030000");
// SQL Server 2017, 14.0.1000.169, ENCRYPT_NOT_SUP.
const std::string sql2017_no_tls = from_hex(
    "0401002b0000010000001a00060100200001020021000103002200000400220001ff0e0003e800a9020000");

ajar::core::observation run(std::vector<scripted_session::step> script) {
  scripted_session s(std::move(script));
  auto o = ajar::test::run_probe(ajar::probes::mssql_probe(), s);
  EXPECT_TRUE(s.mismatches().empty()) << s.mismatches().front();
  return o;
}

TEST(probe_mssql, info) {
  const auto& i = ajar::probes::mssql_probe().info();
  EXPECT_EQ(i.name, "mssql");
  EXPECT_FALSE(i.server_speaks_first);
  EXPECT_EQ(i.transport, ajar::probes::transport::plain_then_tls);
  ASSERT_EQ(i.default_ports.size(), 1u);
  EXPECT_EQ(i.default_ports[0], 1433);
}

TEST(probe_mssql, sql_server_2019) {
  scripted_session s({scripted_session::client(prelogin), scripted_session::server(sql2019)});
  auto o = ajar::test::run_probe(ajar::probes::mssql_probe(), s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(s.sent(), prelogin);  // no LOGIN7 follows
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.service, "mssql");
  EXPECT_EQ(o.product, "Microsoft SQL Server");
  EXPECT_EQ(o.version, "15.0.2000");
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(o.end, status::ok);
  EXPECT_EQ(o.evidence,
            "PRELOGIN answered: version 15.0.2000 (SQL Server 2019), encryption off (login packet "
            "only); no login attempted");
}

TEST(probe_mssql, encryption_required_and_not_supported) {
  auto req = run({scripted_session::client(prelogin), scripted_session::server(sql2022_required),
                  scripted_session::close()});
  EXPECT_TRUE(req.identified);
  EXPECT_EQ(req.version, "16.0.1000");
  EXPECT_EQ(req.verdict, auth::unknown);
  EXPECT_NE(req.evidence.find("(SQL Server 2022), encryption required"), std::string::npos)
      << req.evidence;
  auto none = run({scripted_session::client(prelogin), scripted_session::server(sql2017_no_tls)});
  EXPECT_NE(none.evidence.find("14.0.1000 (SQL Server 2017), encryption not supported"),
            std::string::npos)
      << none.evidence;
}

TEST(probe_mssql, answer_split_over_reads) {
  std::vector<scripted_session::step> script{scripted_session::client(prelogin)};
  for (std::size_t at = 0; at < sql2019.size(); at += 5)
    script.push_back(scripted_session::server(sql2019.substr(at, 5)));
  auto o = run(std::move(script));
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.version, "15.0.2000");
}

TEST(probe_mssql, garbage_is_not_identified) {
  auto o = run({scripted_session::client(prelogin),
                scripted_session::server(
                    "\x04\x01\x00\x10\x00\x00\x01\x00garbage!"s)});  // type 4, no options
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::protocol_error);
  auto http = run({scripted_session::client(prelogin),
                   scripted_session::server("HTTP/1.1 400 Bad Request\r\n\r\n"s)});
  EXPECT_FALSE(http.identified);
  EXPECT_EQ(http.end, status::protocol_error);
}

TEST(probe_mssql, silent_server_is_not_identified) {
  auto o = run({scripted_session::client(prelogin)});
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::io_timeout);
}

TEST(probe_mssql, immediate_close_is_not_identified) {
  // SQL Server 2022 strict encryption closes a plaintext PRELOGIN without a byte: the engine's
  // TLS retry then takes over (transport plain_then_tls).
  auto o = run({scripted_session::client(prelogin), scripted_session::close()});
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::connection_closed);
}

TEST(probe_mssql, truncated_answer_is_not_identified) {
  auto o = run({scripted_session::client(prelogin), scripted_session::server(sql2019.substr(0, 20)),
                scripted_session::close()});
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::connection_closed);
}

TEST(probe_mssql, oversized_packet_is_not_waited_for) {
  auto o = run({scripted_session::client(prelogin),
                scripted_session::server("\x04\x01\xff\xf0\x00\x00\x01\x00"s)});
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::protocol_error);
}

}  // namespace
