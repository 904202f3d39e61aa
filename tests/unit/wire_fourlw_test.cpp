// Codec tests for src/wire/fourlw (ZooKeeper four-letter-word replies).
//
// Real bytes: Debian's zookeeper 3.8.0-11+deb12u2 run as ZooKeeperServerMain on 127.0.9.60:2181
// (4lw.commands.whitelist=srvr,mntr,envi,ruok) and 127.0.9.61:2181 (whitelist=mntr,ruok), a
// python3 socket script sending one word per connection and reading until the server closed.
// Constructed replies say so (leader, not serving, the srvr refusal of a build that can refuse it).
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "wire/fourlw.hpp"

namespace zk = ajar::wire::fourlw;
using ajar::wire::parse_status;

namespace {

// `srvr` on 3.8.0, both instances (the second's whitelist lacks srvr: ZooKeeper re-adds it).
const std::string srvr_3_8 =
    "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\n"
    "Latency min/avg/max: 0/0.0/0\nReceived: 1\nSent: 0\nConnections: 1\nOutstanding: 0\n"
    "Zxid: 0x0\nMode: standalone\nNode count: 5\n";
// `stat` on the 3.8.0 instance whose whitelist lacks it.
const std::string stat_refused = "stat is not executed because it is not in the whitelist.\n";

TEST(WireFourlw, SrvrOf38) {
  auto r = zk::parse_srvr(srvr_3_8);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.consumed, srvr_3_8.size());
  EXPECT_EQ(r.value.kind, zk::srvr_kind::stats);
  EXPECT_EQ(r.value.version, "3.8.0");
  EXPECT_EQ(r.value.version_line, "3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC");
  EXPECT_EQ(r.value.mode, "standalone");
  EXPECT_EQ(r.value.node_count, 5);
  EXPECT_EQ(r.value.connections, 1);
}

TEST(WireFourlw, NeedsMoreUntilNodeCountLineEnds) {
  for (std::size_t n = 0; n < srvr_3_8.size(); ++n)
    EXPECT_EQ(zk::parse_srvr(std::string_view(srvr_3_8).substr(0, n)).status,
              parse_status::need_more)
        << n;
}

TEST(WireFourlw, AtEndOfStreamAStatsReplyWithAVersionLineIsEnough) {
  auto cut = srvr_3_8.substr(0, srvr_3_8.find("Mode"));
  auto r = zk::parse_srvr(cut, /*at_eof=*/true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.version, "3.8.0");
  EXPECT_FALSE(r.value.node_count.has_value());
  EXPECT_EQ(zk::parse_srvr("Zookeeper version: 3.8", true).status, parse_status::error);
  EXPECT_EQ(zk::parse_srvr("", true).status, parse_status::error);
}

TEST(WireFourlw, LeaderLinesAfterNodeCountAreLeftUnread) {
  // Constructed: a leader appends its proposal sizes after Node count.
  const std::string leader =
      "Zookeeper version: 3.5.9-83df9301aa5c2a5d284a9940177808c01bc35cef, built on 01/06/2021 "
      "20:03 GMT\nLatency min/avg/max: 0/0/0\nReceived: 3\nSent: 2\nConnections: 1\nOutstanding: "
      "0\nZxid: 0x100000002\nMode: leader\nNode count: 12\nProposal sizes last/min/max: -1/-1/-1\n";
  auto r = zk::parse_srvr(leader);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.mode, "leader");
  EXPECT_EQ(r.value.node_count, 12);
  EXPECT_EQ(r.value.version, "3.5.9");
  EXPECT_LT(r.consumed, leader.size());
}

TEST(WireFourlw, Refusals) {
  auto stat = zk::parse_srvr(stat_refused);
  ASSERT_TRUE(stat.ok());
  EXPECT_EQ(stat.value.kind, zk::srvr_kind::not_whitelisted);
  EXPECT_EQ(stat.value.refused_word, "stat");
  EXPECT_EQ(stat.consumed, stat_refused.size());
  for (std::size_t n = 0; n < stat_refused.size(); ++n)
    EXPECT_EQ(zk::parse_srvr(std::string_view(stat_refused).substr(0, n)).status,
              parse_status::need_more)
        << n;
  // Without the newline, accepted only at end of stream.
  auto bare = stat_refused.substr(0, stat_refused.size() - 1);
  EXPECT_EQ(zk::parse_srvr(bare).status, parse_status::need_more);
  EXPECT_TRUE(zk::parse_srvr(bare, true).ok());

  // Constructed: a server in a quorum that has not formed.
  auto ns = zk::parse_srvr("This ZooKeeper instance is not currently serving requests\n");
  ASSERT_TRUE(ns.ok());
  EXPECT_EQ(ns.value.kind, zk::srvr_kind::not_serving);
}

TEST(WireFourlw, ForeignBytesAreErrorsEarly) {
  EXPECT_EQ(zk::parse_srvr("HTTP/1.1 400").status, parse_status::error);
  // "imok" (ruok's answer) could still become "imok is not executed ...": an error at the end.
  EXPECT_EQ(zk::parse_srvr("imok").status, parse_status::need_more);
  EXPECT_EQ(zk::parse_srvr("imok", true).status, parse_status::error);
  EXPECT_EQ(zk::parse_srvr(std::string("\0\0\0\x24", 4)).status, parse_status::error);
  EXPECT_EQ(zk::parse_srvr("Zookeeper versions").status, parse_status::error);
  EXPECT_EQ(zk::parse_srvr("stat is not executed because it is not in the whitelist!\n").status,
            parse_status::error);
  EXPECT_EQ(zk::parse_srvr("Zookeeper version: banana\nNode count: 1\n").status,
            parse_status::error);
  EXPECT_EQ(zk::parse_srvr("Zookeeper version: 3.8.0\nNode count: many\n").status,
            parse_status::error);
  EXPECT_EQ(zk::parse_srvr("Zookeeper version: 3.8.0\x01\n").status, parse_status::error);
}

TEST(WireFourlw, Limits) {
  std::string endless = "Zookeeper version: 3.8.0\nLatency: " + std::string(zk::max_line + 1, 'x');
  EXPECT_EQ(zk::parse_srvr(endless).status, parse_status::error);
  std::string many = "Zookeeper version: 3.8.0\n";
  while (many.size() <= zk::max_reply) many += "Received: 1\n";
  EXPECT_EQ(zk::parse_srvr(many).status, parse_status::error);
}

}  // namespace
