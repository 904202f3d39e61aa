// Transcript tests for the memcached probe (src/probes/memcached.cpp). Server replies marked
// "captured" are the exact bytes memcached 1.6.18 sent on 127.0.9.4 to the probe's own requests
// (python3 socket script), with these servers:
//   default    memcached -U 0                     (negotiates text/binary; 2 items stored)
//   authfile   memcached -U 0 -Y authfile         (text only; refuses `version` too)
//   sasl       memcached -U 0 -S                  (binary only; SASL_CONF_PATH mech_list plain)
//   ascii      memcached -U 0 -B ascii            (text only, no auth; 3 items stored)
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "memcached_captures.hpp"
#include "probe_harness.hpp"
#include "probes/registry.hpp"

namespace {

using ajar::test::memcached_captures::binary_stats;
using ajar::test::memcached_captures::binary_version;
using ajar::test::memcached_captures::crlf;
using ajar::test::memcached_captures::from_hex;
using ajar::test::memcached_captures::sasl_auth_failure;
// The request constant text_stats below shadows the capture of the same name.
const std::string& text_stats_reply() { return ajar::test::memcached_captures::text_stats(); }

using namespace std::string_literals;
using ajar::net::scripted_session;
using ajar::core::auth;
using ajar::core::status;

// The probe's requests.
const std::string dual_version = "\x80\x0b"s + std::string(20, '\0') + "\r\n";
const std::string binary_stat = "\x80\x10"s + std::string(22, '\0');
const std::string binary_quit = "\x80\x07"s + std::string(22, '\0');
const std::string text_version = "version\r\n";
const std::string text_stats = "stats\r\n";
const std::string text_quit = "quit\r\n";






ajar::core::observation run(scripted_session& s) {
  return ajar::test::run_probe(ajar::probes::memcached_probe(), s);
}

TEST(probe_memcached, info) {
  const auto& i = ajar::probes::memcached_probe().info();
  EXPECT_EQ(i.name, "memcached");
  ASSERT_EQ(i.default_ports.size(), 1u);
  EXPECT_EQ(i.default_ports[0], 11211);
  EXPECT_FALSE(i.server_speaks_first);
}

TEST(probe_memcached, default_server_binary_stats) {
  scripted_session s({scripted_session::client(dual_version),
                      scripted_session::server(binary_version),  // captured
                      scripted_session::client(binary_stat),
                      scripted_session::server(binary_stats()),  // captured
                      scripted_session::client(binary_quit)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty()) << s.mismatches().front();
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.service, "memcached");
  EXPECT_EQ(o.product, "memcached");
  EXPECT_EQ(o.version, "1.6.18");
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.exposure.items, 2);
  EXPECT_EQ(o.exposure.bytes, 124);
  EXPECT_FALSE(o.exposure.keys);
  EXPECT_TRUE(o.exposure.names.empty());
  EXPECT_EQ(o.evidence, "stats answered without authentication (version 1.6.18, curr_items 2)");
  EXPECT_EQ(o.end, status::ok);
  EXPECT_EQ(s.sent(), dual_version + binary_stat + binary_quit);
  EXPECT_EQ(s.steps_left(), 0u);
}

TEST(probe_memcached, sasl_server) {
  scripted_session s({scripted_session::client(dual_version),
                      scripted_session::server(binary_version),     // captured
                      scripted_session::client(binary_stat),
                      scripted_session::server(sasl_auth_failure),  // captured
                      scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.product, "memcached");
  EXPECT_EQ(o.version, "1.6.18");
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.evidence, "binary stat refused: Auth failure. (SASL, status 0x0020)");
  EXPECT_TRUE(o.exposure.empty());
  EXPECT_EQ(s.sent(), dual_version + binary_stat);
}

TEST(probe_memcached, binary_version_refused) {
  // constructed: a server that wants SASL even for version.
  std::string refused = sasl_auth_failure;
  refused[1] = '\x0b';
  scripted_session s({scripted_session::client(dual_version), scripted_session::server(refused)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.version, "");
  EXPECT_EQ(o.evidence, "binary version refused: Auth failure. (status 0x0020)");
  EXPECT_EQ(s.sent(), dual_version);
}

TEST(probe_memcached, authfile_server) {
  // captured: -Y refuses every command before authentication, `version` included; the dual
  // request is one text line to it.
  scripted_session s({scripted_session::client(dual_version),
                      scripted_session::server("CLIENT_ERROR unauthenticated\r\n")});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.product, "memcached");
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.evidence, "version refused: CLIENT_ERROR unauthenticated");
  EXPECT_EQ(s.sent(), dual_version);
}

TEST(probe_memcached, ascii_server_text_stats) {
  scripted_session s({scripted_session::client(dual_version),
                      scripted_session::server("ERROR\r\n"),  // captured
                      scripted_session::client(text_version),
                      scripted_session::server("VERSION 1.6.18\r\n"),  // captured
                      scripted_session::client(text_stats),
                      scripted_session::server(text_stats_reply()),  // captured
                      scripted_session::client(text_quit),
                      scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty()) << s.mismatches().front();
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.version, "1.6.18");
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.exposure.items, 3);
  EXPECT_EQ(o.exposure.bytes, 189);
  EXPECT_EQ(o.evidence, "stats answered without authentication (version 1.6.18, curr_items 3)");
  EXPECT_EQ(o.end, status::ok);
  EXPECT_EQ(s.sent(), dual_version + text_version + text_stats + text_quit);
}

TEST(probe_memcached, ascii_server_refusing_stats_only) {
  // constructed: a text server that allows `version` before authentication but not `stats`.
  scripted_session s({scripted_session::client(dual_version), scripted_session::server("ERROR\r\n"),
                      scripted_session::client(text_version),
                      scripted_session::server("VERSION 1.6.18\r\n"),
                      scripted_session::client(text_stats),
                      scripted_session::server("CLIENT_ERROR unauthenticated\r\n")});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.version, "1.6.18");
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.evidence, "stats refused: CLIENT_ERROR unauthenticated");
  EXPECT_EQ(s.sent(), dual_version + text_version + text_stats);
}

TEST(probe_memcached, ascii_server_refusing_version_in_text) {
  // constructed: ERROR for the binary line, then the auth refusal for `version`.
  scripted_session s({scripted_session::client(dual_version), scripted_session::server("ERROR\r\n"),
                      scripted_session::client(text_version),
                      scripted_session::server("CLIENT_ERROR unauthenticated\r\n")});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(s.sent(), dual_version + text_version);
}

TEST(probe_memcached, stats_refused_otherwise) {
  scripted_session s({scripted_session::client(dual_version), scripted_session::server("ERROR\r\n"),
                      scripted_session::client(text_version),
                      scripted_session::server("VERSION 1.4.5\r\n"),
                      scripted_session::client(text_stats),
                      scripted_session::server("SERVER_ERROR busy\r\n")});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.version, "1.4.5");
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(o.evidence, "stats refused: busy");
}

TEST(probe_memcached, truncated_text_stats) {
  scripted_session s({scripted_session::client(dual_version), scripted_session::server("ERROR\r\n"),
                      scripted_session::client(text_version),
                      scripted_session::server("VERSION 1.6.18\r\n"),
                      scripted_session::client(text_stats),
                      scripted_session::server(text_stats_reply().substr(0, 500)),
                      scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(o.identified);  // VERSION proved memcached
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(o.end, status::connection_closed);
  EXPECT_TRUE(o.exposure.empty());
}

TEST(probe_memcached, truncated_binary_stats) {
  scripted_session s({scripted_session::client(dual_version), scripted_session::server(binary_version),
                      scripted_session::client(binary_stat),
                      scripted_session::server(binary_stats().substr(0, 1000)),
                      scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.version, "1.6.18");
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(o.end, status::connection_closed);
  EXPECT_EQ(s.sent(), dual_version + binary_stat);
}

TEST(probe_memcached, error_alone_is_not_memcached) {
  // Many text servers say ERROR; only VERSION (or the auth refusal) identifies.
  scripted_session s({scripted_session::client(dual_version), scripted_session::server("ERROR\r\n"),
                      scripted_session::client(text_version),
                      scripted_session::server("ERROR\r\n")});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(s.sent(), dual_version + text_version);
}

TEST(probe_memcached, error_then_silence) {
  scripted_session s({scripted_session::client(dual_version), scripted_session::server("ERROR\r\n"),
                      scripted_session::client(text_version)});
  auto o = run(s);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::io_timeout);
}

TEST(probe_memcached, other_text_is_not_memcached) {
  for (std::string reply : {"-ERR unknown command\r\n"s, "HTTP/1.1 400 Bad Request\r\n"s,
                            "VERSION 1.6.18\r\n"s, "CLIENT_ERROR bad command line format\r\n"s}) {
    scripted_session s({scripted_session::client(dual_version), scripted_session::server(reply)});
    auto o = run(s);
    EXPECT_TRUE(s.mismatches().empty()) << reply;
    EXPECT_FALSE(o.identified) << reply;
    EXPECT_EQ(s.sent(), dual_version) << reply;
  }
}

TEST(probe_memcached, binary_packet_with_other_opcode) {
  std::string other = binary_version;
  other[1] = '\x01';
  scripted_session s({scripted_session::client(dual_version), scripted_session::server(other)});
  auto o = run(s);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(s.sent(), dual_version);
}

TEST(probe_memcached, binary_huge_body) {
  scripted_session s({scripted_session::client(dual_version),
                      scripted_session::server("\x81\x0b\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff"s +
                                               std::string(12, '\0'))});
  auto o = run(s);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::protocol_error);
}

TEST(probe_memcached, random_bytes) {
  scripted_session s({scripted_session::client(dual_version),
                      scripted_session::server("\x16\x03\x01\x00\xa5\n"s)});
  auto o = run(s);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::protocol_error);
}

TEST(probe_memcached, endless_line) {
  scripted_session s({scripted_session::client(dual_version),
                      scripted_session::server(std::string(5000, 'A'))});
  auto o = run(s);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::protocol_error);
}

TEST(probe_memcached, silent_server) {
  scripted_session s({scripted_session::client(dual_version)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::io_timeout);
}

TEST(probe_memcached, peer_closes_at_once) {
  scripted_session s({scripted_session::close()});
  auto o = run(s);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::connection_closed);
}

}  // namespace
