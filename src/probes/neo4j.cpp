// neo4j: Bolt, the binary protocol of Neo4j (and Memgraph), default port 7687.
//
// Verdict: only what the auth scheme "none" proves. Bolt defines "none" as the token for "no
// credentials"; Neo4j accepts it only when authentication is disabled
// (dbms.security.auth_enabled=false) and otherwise answers FAILURE
// Neo.ClientError.Security.Unauthorized ("Unsupported authentication token, scheme 'none' is
// only allowed when auth is disabled."). So presenting "none" is the empty-credentials check of
// this protocol: no user name, no password, no query. SUCCESS -> none; a Security failure ->
// required; anything else -> unknown.
//
// The conversation (wire/bolt.hpp; Bolt handshake and message specifications):
//  1. Send the magic 60 60 B0 17 and the proposals 5.8-5.0, 4.4-4.1, 3.0, 1.0; read 4 bytes.
//     - One of the offered versions -> IDENTIFIED (service neo4j).
//     - 00 00 00 00 (no common version), "HTTP" (the HTTP port), anything else, silence or a
//       close -> not identified.
//  2. Present the scheme "none" the way the agreed version wants it:
//       v1 INIT "ajar/0.1" {scheme: none}
//       v3-5.0 HELLO {user_agent, scheme: none}
//       5.1+ HELLO {user_agent[, bolt_agent (5.3+)]} and LOGON {scheme: none}, pipelined.
//     Read the answer (two answers for HELLO + LOGON: the HELLO SUCCESS then carries the server
//     agent, so the version is known even when the login fails).
//     - SUCCESS to the message carrying the scheme -> verdict none. The server agent
//       ("Neo4j/5.26.0") gives product and version.
//     - FAILURE whose code (code, or neo4j_code from 5.7) is in the Security class -> required.
//     - Other FAILURE, IGNORED, garbage, a close -> verdict unknown (still identified).
//  3. After SUCCESS on v3+, send GOODBYE. Nothing else: no RUN, no query, no database named.
#include <fmt/format.h>

#include <map>
#include <string>
#include <string_view>

#include "probes/registry.hpp"
#include "wire/bolt.hpp"

namespace ajar::probes {

namespace {

namespace bolt = wire::bolt;

constexpr std::uint16_t ports[] = {7687};
constexpr std::string_view user_agent = "ajar/0.1";
// Longest server text (agent, failure code or message) kept in product, version or evidence.
constexpr std::size_t max_shown = 120;

std::string shown(std::string_view s, std::size_t limit = max_shown) {
  std::string out;
  for (char ch : s.substr(0, limit)) {
    auto c = static_cast<unsigned char>(ch);
    out.push_back(c >= 0x20 && c < 0x7f ? ch : '?');
  }
  return out;
}

// The auth request for every offered version, built once.
const std::string& auth_request(bolt::version v) {
  static const std::map<int, std::string> built = [] {
    std::map<int, std::string> out;
    for (int major = 1; major <= 5; ++major)
      for (int minor = 0; minor <= 8; ++minor) {
        bolt::version x{static_cast<std::uint8_t>(major), static_cast<std::uint8_t>(minor)};
        if (bolt::offered(x))
          out.emplace(major * 256 + minor, bolt::auth_none_request(x, user_agent));
      }
    return out;
  }();
  return built.at(v.major * 256 + v.minor);  // v was checked with bolt::offered()
}

// Product and version from a server agent: "Neo4j/5.26.0" -> Neo4j 5.26.0. Memgraph's default
// agent is "Neo4j/v5.11.0 compatible graph database server - Memgraph" (or "- memgraph"): the
// version there is the Neo4j it imitates, so Memgraph gets no version.
void from_agent(core::observation& o, std::string_view agent) {
  std::string lower;
  for (char ch : agent)
    lower.push_back(ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch);
  if (lower.find("memgraph") != std::string::npos) {
    o.product = "Memgraph";
    return;
  }
  auto slash = agent.find('/');
  if (slash == std::string_view::npos || slash == 0) return;
  o.product = shown(agent.substr(0, slash), 40);
  auto v = agent.substr(slash + 1);
  if (v.starts_with('v')) v.remove_prefix(1);
  auto end =
      v.find_first_not_of("0123456789.-+abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
  o.version = shown(v.substr(0, end), 40);
}

std::string failure_code(const bolt::message& m) {
  if (auto c = m.get("code")) return shown(*c, 80);
  if (auto c = m.get("neo4j_code")) return shown(*c, 80);
  return {};
}

// What an answer says, for the evidence: "accepted", "refused: CODE \"message\"", "answered
// IGNORED". A FAILURE code in Neo4j's namespace ("Neo.") also names the product.
std::string outcome(core::observation& o, const bolt::message& m) {
  if (m.signature == bolt::sig_success) return "accepted";
  if (m.signature == bolt::sig_failure) {
    auto code = failure_code(m);
    auto text = m.get("message");
    if (o.product.empty() && code.starts_with("Neo.")) o.product = "Neo4j";
    return fmt::format("refused: {}{}", code.empty() ? "FAILURE" : code,
                       text ? fmt::format(" \"{}\"", shown(*text)) : "");
  }
  return fmt::format("answered {}", m.signature == bolt::sig_ignored ? "IGNORED" : "a RECORD");
}

// Fills verdict and evidence from the answer to the message that carried the scheme.
void decide(core::observation& o, const bolt::message& m, std::string_view what,
            std::string_view agent) {
  auto result = outcome(o, m);
  if (m.signature == bolt::sig_success) {
    o.verdict = core::auth::none;
  } else if (m.signature == bolt::sig_failure &&
             failure_code(m).find(".Security.") != std::string::npos) {
    o.verdict = core::auth::required;
  }
  o.evidence =
      fmt::format("{} with auth scheme \"none\" {}{}", what, result,
                  agent.empty() ? std::string() : fmt::format(" (server {})", shown(agent)));
}

class neo4j final : public probe {
 public:
  [[nodiscard]] const probe_info& info() const noexcept override {
    static const probe_info i{
        "neo4j",
        "Neo4j/Memgraph Bolt: version; login with the auth scheme \"none\" (no credentials)", ports,
        transport::plain_then_tls, /*server_speaks_first=*/false};
    return i;
  }

  [[nodiscard]] std::optional<std::string> opening(std::string_view) const override {
    return std::string(bolt::handshake_request);
  }

  asio::awaitable<result> run(net::session& s) const override {
    core::observation o;
    o.service = "neo4j";
    auto h = co_await s.exchange<bolt::handshake_answer>(bolt::handshake_request,
                                                         bolt::parse_handshake_answer);
    o.end = h.status;
    if (!h.ok() || h.value.what != bolt::handshake_answer::kind::agreed) co_return o;
    auto v = h.value.agreed;
    o.identified = true;
    auto bolt_version = fmt::format("Bolt {}.{}", v.major, v.minor);
    o.evidence = fmt::format("{} agreed; no answer to the auth request", bolt_version);

    auto first = co_await s.exchange<bolt::message>(auth_request(v), bolt::parse_message);
    o.end = first.status;
    if (!first.ok()) co_return o;
    std::string agent;
    bool logon = bolt::separate_logon(v);
    std::string_view what_first = v.major < 3 ? "INIT" : "HELLO";
    const bolt::message* verdict_from = &first.value;
    net::read_outcome<bolt::message> second;
    if (logon) {
      if (first.value.signature != bolt::sig_success) {
        // HELLO carries no credentials from 5.1 on: its refusal says nothing about auth.
        o.evidence =
            fmt::format("{} HELLO {} (before LOGON)", bolt_version, outcome(o, first.value));
        co_return o;
      }
      if (auto a = first.value.get("server")) agent = std::string(*a);
      from_agent(o, agent);
      o.evidence = fmt::format("{} HELLO accepted (server {}); no answer to LOGON", bolt_version,
                               shown(agent));
      second = co_await s.read<bolt::message>(bolt::parse_message);
      o.end = second.status;
      if (!second.ok()) co_return o;
      verdict_from = &second.value;
    } else if (auto a = first.value.get("server")) {
      agent = std::string(*a);
      from_agent(o, agent);
    }
    decide(o, *verdict_from, fmt::format("{} {}", bolt_version, logon ? "LOGON" : what_first),
           agent);
    if (o.verdict == core::auth::none && v.major >= 3) (void)co_await s.send(bolt::goodbye_request);
    co_return o;
  }
};

}  // namespace

const probe& neo4j_probe() {
  static const neo4j p;
  return p;
}

}  // namespace ajar::probes
