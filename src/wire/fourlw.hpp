// ZooKeeper four-letter words: the text a server writes back to `srvr` before it closes the
// connection. Sans-I/O: no sockets here.
//
// Replies (checked against Debian's zookeeper 3.8.0, ZooKeeperServerMain; PROTOCOLS.md section
// 13; the wording is ZooKeeper's StatCommand / NopCommand in server/command/):
//   srvr answered:   "Zookeeper version: 3.8.0-<git id>, built on <date>\n"
//                    "Latency min/avg/max: 0/0.0/0\nReceived: 1\nSent: 0\nConnections: 1\n"
//                    "Outstanding: 0\nZxid: 0x0\nMode: standalone\nNode count: 5\n"
//                    (a leader adds "Proposal sizes last/min/max: ..." after Node count)
//   word refused:    "<word> is not executed because it is not in the whitelist.\n"
//   not serving:     "This ZooKeeper instance is not currently serving requests\n"
// parse_srvr() is fed the bytes received so far. It answers as soon as the reply is complete
// ("Node count:" line, or the one-line refusals), need_more before that, and an error as soon
// as the bytes cannot be one of these replies. At end of stream (the server closes after a
// word) pass at_eof = true: a stats reply whose first line is complete is then accepted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "wire/parse.hpp"

namespace ajar::wire::fourlw {

// Largest srvr reply accepted (a real one is ~250 bytes). Stops a peer that streams text
// without ever completing the reply from growing the buffer.
inline constexpr std::size_t max_reply = 16 * 1024;
// Longest line accepted (the version line is < 100 bytes).
inline constexpr std::size_t max_line = 1024;
// Longest version kept ("3.8.0").
inline constexpr std::size_t max_version = 32;

// The four-letter words we send.
inline constexpr std::string_view srvr = "srvr";

enum class srvr_kind {
  stats,            // the server answered with its statistics
  not_whitelisted,  // 4lw.commands.whitelist refused the word
  not_serving,      // the server runs but is not serving (e.g. a quorum member without quorum)
};

struct srvr_reply {
  srvr_kind kind = srvr_kind::stats;
  std::string version_line;  // after "Zookeeper version: ": "3.8.0-..., built on ..."
  std::string version;       // the leading dotted number: "3.8.0"
  std::string mode;          // standalone, leader, follower, observer, read-only
  std::optional<std::int64_t> node_count;
  std::optional<std::int64_t> connections;
  std::string refused_word;  // not_whitelisted: the word the server named
};

parsed<srvr_reply> parse_srvr(std::string_view buffered, bool at_eof = false);

}  // namespace ajar::wire::fourlw
