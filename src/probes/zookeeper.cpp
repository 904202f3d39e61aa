// zookeeper: Apache ZooKeeper's client port (default 2181; 2281 is the usual secureClientPort).
//
// The conversation (PROTOCOLS.md section 13; every reply checked against Debian's zookeeper
// 3.8.0 run as ZooKeeperServerMain):
//  1. Send the four-letter word `srvr` and read until the reply is complete (its "Node count:"
//     line) or the server closes, which ZooKeeper does after every four-letter word.
//     - "Zookeeper version: 3.x.y-..., built on ...\n...Node count: N\n" -> IDENTIFIED;
//       version from the first line, exposure keys = N (znodes, ZooKeeper's own included),
//       mode (standalone/leader/follower) in the evidence. Verdict UNKNOWN, on purpose:
//       four-letter words carry no authentication at all, and ZooKeeper re-adds `srvr` to
//       every 4lw.commands.whitelist (zkServer.sh needs it), so an answer proves only that the
//       port is reachable. Whether znodes are readable without credentials is decided by their
//       ACLs (and by sessionRequireClientSASLAuth / enforce.auth.enabled), which only the
//       binary protocol (ConnectRequest + getChildren) can see, on a connection of its own:
//       a connection that began with a four-letter word is closed by the server after it.
//     - "srvr is not executed because it is not in the whitelist." (a build without the srvr
//       exemption) -> IDENTIFIED, verdict restricted.
//     - "This ZooKeeper instance is not currently serving requests" (e.g. a quorum member
//       without a quorum) -> IDENTIFIED, verdict unknown.
//     - Anything else (other text, binary bytes, silence, a close without a reply) -> not
//       identified.
//  No other word is sent: `mntr`, `envi`, `conf`, `cons` and `dump` would each need a
//  connection of their own, and `cons`/`dump` list clients and session paths.
#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "probes/registry.hpp"
#include "wire/fourlw.hpp"

namespace ajar::probes {

namespace {

namespace zk = wire::fourlw;

constexpr std::uint16_t ports[] = {2181, 2281};

// How much of the server's text goes into evidence.
constexpr std::size_t max_quoted = 100;

std::string quoted(std::string_view s) {
  std::string out;
  for (char ch : s.substr(0, max_quoted)) {
    auto c = static_cast<unsigned char>(ch);
    out.push_back(c >= 0x20 && c < 0x7f ? ch : '?');
  }
  return out;
}

class zookeeper_probe_impl final : public probe {
 public:
  [[nodiscard]] const probe_info& info() const noexcept override {
    static const probe_info i{"zookeeper",
                              "ZooKeeper: `srvr` four-letter word (version, mode, znode count)",
                              ports, transport::plain_then_tls};
    return i;
  }

  asio::awaitable<core::observation> run(net::session& s) const override {
    core::observation o;
    auto r = co_await s.exchange<zk::srvr_reply>(
        zk::srvr, [](std::string_view b) { return zk::parse_srvr(b, false); });
    if (r.status == core::status::connection_closed || r.status == core::status::connection_reset) {
      // The server closes after answering: whatever arrived before the close is the reply.
      auto last = zk::parse_srvr(s.buffer(), /*at_eof=*/true);
      if (last.ok()) {
        r.status = core::status::ok;
        r.value = std::move(last.value);
      }
    }
    if (!r.ok()) {
      o.end = r.status;
      co_return o;
    }
    o.identified = true;
    o.service = "zookeeper";
    o.product = "ZooKeeper";
    const auto& v = r.value;
    switch (v.kind) {
      case zk::srvr_kind::stats:
        o.version = v.version;
        o.verdict = core::auth::unknown;
        if (v.node_count) o.exposure.keys = *v.node_count;
        o.evidence = fmt::format(
            "srvr answered without credentials (ZooKeeper {}, mode {}, {} znodes); four-letter "
            "words carry no auth, znode ACLs not checked",
            quoted(v.version), v.mode.empty() ? std::string("?") : quoted(v.mode),
            v.node_count ? fmt::format("{}", *v.node_count) : std::string("?"));
        break;
      case zk::srvr_kind::not_whitelisted:
        o.verdict = core::auth::restricted;
        o.evidence = fmt::format("{} is not executed because it is not in the whitelist",
                                 quoted(v.refused_word));
        break;
      case zk::srvr_kind::not_serving:
        o.verdict = core::auth::unknown;
        o.evidence = "This ZooKeeper instance is not currently serving requests";
        break;
    }
    co_return o;
  }
};

}  // namespace

const probe& zookeeper_probe() {
  static const zookeeper_probe_impl p;
  return p;
}

}  // namespace ajar::probes
