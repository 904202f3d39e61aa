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
//       That is the session step below, which the engine runs next and whose verdict wins.
//     - "srvr is not executed because it is not in the whitelist." (a build without the srvr
//       exemption) -> IDENTIFIED, verdict restricted.
//     - "This ZooKeeper instance is not currently serving requests" (e.g. a quorum member
//       without a quorum) -> IDENTIFIED, verdict unknown.
//     - Anything else (other text, binary bytes, silence, a close without a reply) -> not
//       identified.
//  No other word is sent: `mntr`, `envi`, `conf`, `cons` and `dump` would each need a
//  connection of their own, and `cons`/`dump` list clients and session paths.
//
// The session step (zookeeper_session_probe(), run by the engine on a connection of its own
// once srvr identified the server: registry follow_up_of("zookeeper"); wire/zookeeper.hpp has
// the bytes; every reply below captured from Debian's zookeeper 3.8.0):
//  2. Send a ConnectRequest for a new session (no credentials: password 16 zero bytes) and
//     read the ConnectResponse (protocol 0, a 16-byte password) -> IDENTIFIED. A close before
//     it (maxClientCnxns reached, a server not serving) or other bytes -> not identified, and
//     the srvr result stands with verdict unknown.
//  3. getChildren2("/") with xid 1, no watch: the names of the root's children and the root's
//     Stat.numChildren. Names are metadata; getData is NEVER sent (znode contents are records).
//       err 0     -> verdict NONE: an anonymous session lists the root. Exposure names = the
//                    children except ZooKeeper's own `zookeeper`; when there are no others the
//                    tree holds nothing of the user's and keys = 0 (srvr's node count counts
//                    ZooKeeper's own znodes), else keys stays srvr's node count.
//       -102 NOAUTH  -> REQUIRED: the root's ACL does not let `world:anyone` read.
//       -124 SESSIONCLOSEDREQUIRESASLAUTH (then the server closes) -> REQUIRED: the server
//                    runs with enforce.auth.enabled / sessionRequireClientSASLAuth and drops
//                    unauthenticated sessions at their first request. A close with no reply
//                    at this point means the same (older servers) -> REQUIRED.
//       -115 AUTHFAILED -> REQUIRED. Any other code -> UNKNOWN (the code in the evidence).
//  4. closeSession (xid 2) and read its reply, so the server frees the session at once
//     instead of after the session timeout.
#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "probes/registry.hpp"
#include "wire/fourlw.hpp"
#include "wire/zookeeper.hpp"

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
                              "ZooKeeper: `srvr` (version, znode count), then an anonymous session lists /",
                              ports, transport::plain_then_tls};
    return i;
  }

  [[nodiscard]] std::optional<std::string> opening(std::string_view) const override {
    return std::string(zk::srvr);
  }

  asio::awaitable<result> run(net::session& s) const override {
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

// The session step (steps 2-4 above): a connection of its own after srvr identified.
class zookeeper_session_probe_impl final : public probe {
 public:
  [[nodiscard]] const probe_info& info() const noexcept override {
    static const probe_info i{"zookeeper", "ZooKeeper: anonymous session, getChildren2 of /", ports,
                              transport::plain_then_tls};
    return i;
  }

  asio::awaitable<result> run(net::session& s) const override {
    namespace jute = wire::zookeeper;
    core::observation o;
    auto c = co_await s.exchange<jute::connect_response>(jute::connect_request, jute::parse_connect_response);
    if (!c.ok()) {
      o.end = c.status;
      co_return o;
    }
    o.identified = true;
    o.service = "zookeeper";
    o.product = "ZooKeeper";
    auto r = co_await s.exchange<jute::children_reply>(jute::get_children2_root, jute::parse_children2_reply);
    o.end = r.status;
    if (r.status == core::status::connection_closed || r.status == core::status::connection_reset) {
      o.verdict = core::auth::required;
      o.evidence = "anonymous session closed at its first request (the server requires authentication)";
      co_return o;
    }
    if (!r.ok()) {
      o.evidence = "anonymous session opened; getChildren of / not answered";
      co_return o;
    }
    const auto& v = r.value;
    if (v.header.xid != jute::children_xid) {
      o.end = core::status::protocol_error;
      o.evidence = "anonymous session opened; the reply to getChildren of / has another xid";
      co_return o;
    }
    switch (v.header.err) {
      case jute::err_ok: {
        o.verdict = core::auth::none;
        std::size_t user = 0;
        for (const auto& name : v.names) {
          if (name == "zookeeper") continue;
          ++user;
          o.exposure.add_name(quoted(name));
        }
        if (user == 0 && v.count <= 1) o.exposure.keys = 0;
        o.evidence = fmt::format("anonymous session listed / without credentials: {} {}{}", v.count,
                                 v.count == 1 ? "child" : "children", user == 0 ? ", ZooKeeper's own only" : "");
        break;
      }
      case jute::err_no_auth:
        o.verdict = core::auth::required;
        o.evidence = "anonymous session opened, getChildren of / refused: NOAUTH (-102), the root's ACL";
        break;
      case jute::err_session_closed_requires_sasl:
        o.verdict = core::auth::required;
        o.evidence = "anonymous session closed: SESSIONCLOSEDREQUIRESASLAUTH (-124), the server enforces authentication";
        break;
      case jute::err_auth_failed:
        o.verdict = core::auth::required;
        o.evidence = "anonymous session refused: AUTHFAILED (-115)";
        break;
      default:
        o.verdict = core::auth::unknown;
        o.evidence = fmt::format("anonymous session opened, getChildren of / answered error {}", v.header.err);
        break;
    }
    if (v.header.err == jute::err_session_closed_requires_sasl) co_return o;  // the server closed it
    // Free the session now; its answer (or a close) ends the conversation either way.
    (void)co_await s.exchange<jute::reply_header>(jute::close_session, jute::parse_reply_header);
    co_return o;
  }
};

}  // namespace

const probe& zookeeper_session_probe() {
  static const zookeeper_session_probe_impl p;
  return p;
}

const probe& zookeeper_probe() {
  static const zookeeper_probe_impl p;
  return p;
}

}  // namespace ajar::probes
