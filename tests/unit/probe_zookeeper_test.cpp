// Transcript tests for the zookeeper probe.
//
// Real bytes: Debian's zookeeper 3.8.0-11+deb12u2 (ZooKeeperServerMain) on 127.0.9.60:2181 with
// 4lw.commands.whitelist=srvr,mntr,envi,ruok and on 127.0.9.61:2181 with whitelist=mntr,ruok; a
// python3 socket script sent `srvr` (and `stat`) and read until the server closed. Both answered
// `srvr` the same way: ZooKeeper adds srvr to every whitelist. Replies marked "constructed" are
// written from ZooKeeper's wording (server/command/NopCommand, StatCommand) for states the lab
// cannot produce in one process.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "net/scripted_session.hpp"
#include "probe_harness.hpp"
#include "probes/registry.hpp"

namespace {

using ajar::core::auth;
using ajar::core::status;
using ajar::net::scripted_session;

auto server = scripted_session::server;
auto client = scripted_session::client;

const std::string srvr = "srvr";
const std::string srvr_3_8 =
    "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\n"
    "Latency min/avg/max: 0/0.0/0\nReceived: 1\nSent: 0\nConnections: 1\nOutstanding: 0\n"
    "Zxid: 0x0\nMode: standalone\nNode count: 5\n";

ajar::core::observation run(scripted_session& s) {
  return ajar::test::run_probe(ajar::probes::zookeeper_probe(), s);
}

void expect_not_identified(const ajar::core::observation& o) {
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_TRUE(o.exposure.empty());
}

}  // namespace

TEST(probe_zookeeper, info) {
  const auto& i = ajar::probes::zookeeper_probe().info();
  EXPECT_EQ(i.name, "zookeeper");
  EXPECT_FALSE(i.server_speaks_first);
  ASSERT_EQ(i.default_ports.size(), 2U);
  EXPECT_EQ(i.default_ports[0], 2181);
}

TEST(probe_zookeeper, srvr_identifies_with_version_and_znode_count) {
  scripted_session s({client(srvr), server(srvr_3_8), scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty()) << s.mismatches().front();
  EXPECT_EQ(s.sent(), "srvr");
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.service, "zookeeper");
  EXPECT_EQ(o.product, "ZooKeeper");
  EXPECT_EQ(o.version, "3.8.0");
  EXPECT_EQ(o.verdict, auth::unknown);  // 4lw prove reachability, not readable znodes
  EXPECT_EQ(o.exposure.keys, 5);
  EXPECT_EQ(o.evidence,
            "srvr answered without credentials (ZooKeeper 3.8.0, mode standalone, 5 znodes); "
            "four-letter words carry no auth, znode ACLs not checked");
  EXPECT_EQ(o.end, status::ok);
}

TEST(probe_zookeeper, srvr_in_small_pieces_then_close) {
  std::vector<scripted_session::step> script{client(srvr)};
  for (std::size_t i = 0; i < srvr_3_8.size(); i += 3)
    script.push_back(server(srvr_3_8.substr(i, 3)));
  script.push_back(scripted_session::close());
  scripted_session s(script);
  auto o = run(s);
  EXPECT_EQ(o.version, "3.8.0");
  EXPECT_EQ(o.exposure.keys, 5);
}

TEST(probe_zookeeper, reply_without_node_count_is_taken_at_close) {
  // Constructed: a reply cut before its Node count line, then the close.
  scripted_session s(
      {client(srvr), server(srvr_3_8.substr(0, srvr_3_8.find("Node"))), scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.version, "3.8.0");
  EXPECT_FALSE(o.exposure.keys.has_value());
  EXPECT_EQ(o.end, status::ok);
}

TEST(probe_zookeeper, srvr_refused_by_the_whitelist_is_restricted) {
  // Constructed from the real `stat` refusal of 3.8.0 with the word we send.
  scripted_session s({client(srvr),
                      server("srvr is not executed because it is not in the whitelist.\n"),
                      scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::restricted);
  EXPECT_EQ(o.evidence, "srvr is not executed because it is not in the whitelist");
  EXPECT_TRUE(o.version.empty());
}

TEST(probe_zookeeper, not_serving_is_identified_without_a_verdict) {
  scripted_session s({client(srvr),
                      server("This ZooKeeper instance is not currently serving requests\n"),
                      scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::unknown);
}

TEST(probe_zookeeper, garbage_is_not_identified) {
  scripted_session s({client(srvr), server("HTTP/1.1 400 Bad Request\r\n\r\n")});
  auto o = run(s);
  expect_not_identified(o);
  EXPECT_EQ(o.end, status::protocol_error);
}

TEST(probe_zookeeper, binary_answer_is_not_identified) {
  // What a binary-protocol peer might send back: a length-prefixed frame.
  scripted_session s(
      {client(srvr), server(std::string("\0\0\0\x24\0\0\0\0", 8)), scripted_session::close()});
  expect_not_identified(run(s));
}

TEST(probe_zookeeper, silent_server_is_not_identified) {
  scripted_session s({client(srvr)});
  auto o = run(s);
  expect_not_identified(o);
  EXPECT_EQ(o.end, status::io_timeout);
}

TEST(probe_zookeeper, close_without_a_reply_is_not_identified) {
  scripted_session s({client(srvr), scripted_session::close()});
  auto o = run(s);
  expect_not_identified(o);
  EXPECT_EQ(o.end, status::connection_closed);
}

TEST(probe_zookeeper, immediate_close_is_not_identified) {
  scripted_session s({scripted_session::close()});
  expect_not_identified(run(s));
}

TEST(probe_zookeeper, endless_text_is_cut_off) {
  scripted_session s(
      {client(srvr), server("Zookeeper version: 3.8.0\nReceived: " + std::string(64 * 1024, '1'))});
  auto o = run(s);
  expect_not_identified(o);
  EXPECT_EQ(o.end, status::protocol_error);
}
