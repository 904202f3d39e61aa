#include "engine/endpoint.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <string>

#include <fmt/format.h>

#include "net/tcp_session.hpp"
#include "probes/registry.hpp"

namespace ajar::engine {

namespace {

using net::clock;
using session_ptr = std::unique_ptr<net::tcp_session>;

struct context {
  const core::endpoint& ep;
  const scan_options& o;
  net::token_bucket& bucket;
  // The connection the runner made; the first open_connection takes it.
  mutable session_ptr first;
};

// One paced connect. The endpoint's first connect, with its retries, is the runner's
// (net::connector); these are the further ones, for the next probe.
boost::asio::awaitable<std::pair<core::status, session_ptr>> connect(const context& c, clock::time_point deadline) {
  co_await c.bucket.acquire();
  co_return co_await net::tcp_session::connect(c.ep, clock::now() + c.o.connect_timeout, deadline, c.o.source);
}

// A TLS server that asked for a client certificate and refused us without one (dockerd
// --tlsverify, etcd --client-cert-auth) proves only that it speaks TLS and wants mutual TLS: no
// byte of the protocol behind it. On a port the probe claims by default that is still worth a
// finding -- service presumed from the port (the evidence says so), verdict required, no
// product or version; on any other port it stays unidentified.
void claim_client_cert_refusal(core::observation& obs, const probes::probe& p, const net::session& s,
                               std::uint16_t port) {
  auto ports = p.info().default_ports;
  if (obs.identified || s.client_cert_refusal().empty() ||
      std::find(ports.begin(), ports.end(), port) == ports.end())
    return;
  obs.identified = true;
  obs.service = std::string(p.info().name);
  obs.product.clear();
  obs.version.clear();
  obs.verdict = core::auth::required;
  obs.exposure = {};
  obs.end = core::status::tls_client_cert_required;
  if (obs.evidence.empty())
    obs.evidence = fmt::format(
        "TLS server requires a client certificate ({}); {} presumed from port {}, its protocol was not reached",
        s.client_cert_refusal(), p.info().name, port);
}

// Observations travel up the coroutine chain on the heap: g++ gives every local and temporary
// of a coroutine its own slot in the frame, so a `core::observation` (~440 bytes) held by
// value in each frame of the chain cost several KiB per connection in flight (heaptrack:
// 16 KiB per connection before, docs/PERFORMANCE.md). A pointer costs 8.
core::observation_ptr ended(core::status st) {
  auto obs = std::make_unique<core::observation>();
  obs->end = st;
  return obs;
}

void finish_tls(core::observation& obs, const probes::probe& p, const net::session& s, std::uint16_t port) {
  obs.tls = true;
  obs.certificate = s.certificate();
  claim_client_cert_refusal(obs, p, s, port);
}

boost::asio::awaitable<core::observation_ptr> run_over_tls(const probes::probe& p, net::session& s,
                                                           std::uint16_t port) {
  auto st = co_await s.start_tls();
  // A refused client certificate still runs the probe: it sees tls-client-cert-required on its
  // first exchange and may say what that means for its service.
  if (st != core::status::ok && st != core::status::tls_client_cert_required) co_return ended(st);
  core::observation_ptr obs = co_await p.run(s);
  finish_tls(*obs, p, s, port);
  co_return obs;
}

// Whether a plain conversation that did not identify the service hints at TLS: the peer
// closed without a byte, reset, sent a TLS record first, or said it wanted TLS.
bool hints_tls(const core::observation& obs, const net::tcp_session& s) {
  return obs.wants_tls || s.first_bytes_look_like_tls() ||
         (s.bytes_received() == 0 &&
          (obs.end == core::status::connection_closed || obs.end == core::status::connection_reset));
}

// How long to listen on a fresh connection for a server-first banner before speaking: MySQL,
// SSH, FTP and SMTP greet at once after accept, so a few hundred ms covers a slow link; capped
// at a quarter of the time left so a short --timeout still leaves the client-first probes time.
constexpr auto banner_window = std::chrono::milliseconds(600);
// Reads while listening: enough for a greeting split over a couple of segments; each is bounded
// by the window, and the session's byte budget bounds what they keep.
constexpr int max_banner_reads = 4;
// A peer silent through the banner window and through this many client-first requests (the
// first ones in cheap_order: Redis INFO, HTTP GET /, an Oracle TNS connect) is taken for a
// tarpit or a service we do not speak: every lab server answers or closes on at least one of
// them at once (docs/ARCHITECTURE.md). Stops a silent port costing a connection per probe.
constexpr std::size_t silent_give_up = 3;
// Bytes of an unrecognised banner quoted in the `unknown` evidence (peer-chosen text).
constexpr std::size_t banner_quote = 40;

// Identify-only services that are not data stores: named when a banner routes to them, but
// reported only under --all (a database audit lists databases; these would be noise).
constexpr std::array<std::string_view, 3> only_under_all = {"ftp", "smtp", "ssh"};

bool claims_port(const probes::probe& p, std::uint16_t port) {
  auto ports = p.info().default_ports;
  return std::find(ports.begin(), ports.end(), port) != ports.end();
}

// The connection for the next probe: the runner's first one, then new ones (a port that
// accepted once is not retried: a timeout now is the peer's answer).
boost::asio::awaitable<session_ptr> open_connection(const context& c, clock::time_point deadline) {
  if (c.first) co_return std::move(c.first);
  auto [st, session] = co_await connect(c, deadline);
  if (st != core::status::ok) co_return nullptr;
  co_return std::move(session);
}

// What the conversation on `s` showed before it is closed: whether the peer sent anything, and
// its first bytes.
void note_conversation(const net::tcp_session& s, endpoint_outcome& out, std::string& first) {
  out.spoke = out.spoke || s.bytes_received() > 0;
  first.assign(s.first_bytes());
}

// Runs `p` on `session` until `probe_deadline` by its transport -- TLS from the start, plain
// only, or plain first and TLS again on a new connection when the peer hinted at it -- then
// closes it. `first` gets the first bytes the peer sent (a greeting that arrived after the
// banner window shows up there).
boost::asio::awaitable<core::observation_ptr> run_on(const probes::probe& p, session_ptr session, const context& c,
                                                     clock::time_point probe_deadline, endpoint_outcome& out,
                                                     std::string& first) {
  session->set_deadline(probe_deadline);
  core::observation_ptr obs;
  auto transport = p.info().transport;
  if (transport == probes::transport::tls) {
    obs = co_await run_over_tls(p, *session, c.ep.port);
  } else {
    obs = co_await p.run(*session);
    if (transport == probes::transport::plain_then_tls && !obs->identified && hints_tls(*obs, *session) &&
        clock::now() < probe_deadline) {
      note_conversation(*session, out, first);
      session->abort();
      auto retry = co_await connect(c, probe_deadline);
      if (retry.first == core::status::ok) {
        session = std::move(retry.second);
        session->set_deadline(probe_deadline);
        obs = co_await run_over_tls(p, *session, c.ep.port);
      }
    }
  }
  note_conversation(*session, out, first);
  session->abort();
  if (obs->identified && obs->service.empty()) obs->service = std::string(p.info().name);
  co_return obs;
}

enum class heard { silence, banner, closed };

// Listens on a fresh connection until `until` for bytes the server sends unasked. The bytes
// stay in the session's buffer, so the probe they are routed to reads them as its own.
boost::asio::awaitable<heard> listen(net::tcp_session& s, clock::time_point until) {
  s.set_deadline(until);
  for (int i = 0; i < max_banner_reads; ++i) {
    auto st = co_await s.read_more();
    if (st != core::status::ok) {
      if (!s.buffer().empty()) co_return heard::banner;
      co_return st == core::status::io_timeout ? heard::silence : heard::closed;
    }
    if (!route_banner(s.buffer()).empty() || s.buffer().find('\n') != std::string_view::npos) break;
  }
  co_return heard::banner;
}

const probes::probe* by_name(const std::vector<const probes::probe*>& candidates, std::string_view name) {
  if (name.empty()) return nullptr;
  for (const auto* p : candidates)
    if (p->info().name == name) return p;
  return nullptr;
}

std::string quote(std::string_view bytes) {
  std::string out;
  for (char ch : bytes.substr(0, banner_quote)) {
    auto u = static_cast<unsigned char>(ch);
    out.push_back(u >= 0x20 && u < 0x7f ? ch : '.');
  }
  return out;
}

// Where identification stands: the observation once a probe recognised the service, else how
// the last conversation ended and what the peer said unasked.
struct identify_result {
  core::observation_ptr found;
  core::status last_end = core::status::ok;
  std::string note;
};

// The three steps of identification on any port (docs/ARCHITECTURE.md): the probes that claim
// the port, each on a fresh connection; then one connection that listens for a banner and
// hands it to the probe the banner names; then the client-first probes in `candidates` order
// (cheapest first), the first of them on the connection that stayed silent.
boost::asio::awaitable<identify_result> identify(const context& c, clock::time_point deadline,
                                                 const std::vector<const probes::probe*>& candidates,
                                                 endpoint_outcome& out) {
  identify_result r;
  std::string first;
  auto tried = [&](const probes::probe* p) {
    return claims_port(*p, c.ep.port);  // claimants ran in step 1
  };
  // 1. Claimants: half the time left each (all of it for the last candidate), so a peer that
  //    never answers the expected protocol -- a Redis on 5432 ignores a PostgreSQL startup
  //    message -- cannot eat the deadline before the others have their turn.
  std::size_t i = 0;
  for (; i < candidates.size() && claims_port(*candidates[i], c.ep.port); ++i) {
    auto now = clock::now();
    if (now >= deadline) co_return r;
    auto session = co_await open_connection(c, deadline);
    if (!session) co_return r;  // closed, filtered, or gone between probes
    auto probe_deadline = i + 1 == candidates.size() ? deadline : now + (deadline - now) / 2;
    auto obs = co_await run_on(*candidates[i], std::move(session), c, probe_deadline, out, first);
    r.last_end = obs->end;
    if (obs->identified) {
      r.found = std::move(obs);
      co_return r;
    }
  }
  if (i == candidates.size()) co_return r;

  // 2. Listen briefly; a banner routes to its probe, which reads it from the same connection.
  auto now = clock::now();
  if (now >= deadline) co_return r;
  session_ptr silent = co_await open_connection(c, deadline);
  if (!silent) co_return r;
  auto listening = clock::now();
  auto h = co_await listen(*silent, std::min(now + banner_window, now + (deadline - now) / 4));
  out.spoke = out.spoke || silent->bytes_received() > 0;
  if (h == heard::banner) {
    const auto* routed = by_name(candidates, route_banner(silent->buffer()));
    r.note = fmt::format("it spoke first: \"{}\"", quote(silent->buffer()));
    if (routed == nullptr || tried(routed)) {
      // A banner no probe (or only a claimant that already failed) owns: the client-first
      // probes would only be talking over it.
      silent->abort();
      co_return r;
    }
    auto obs = co_await run_on(*routed, std::move(silent), c, deadline, out, first);
    r.last_end = obs->end;
    if (obs->identified) r.found = std::move(obs);
    co_return r;
  }
  if (h == heard::closed) {
    r.last_end = core::status::connection_closed;
    silent.reset();
    // Closed at once, before we said anything (tcpwrappers, a connection limit): it will close
    // on every probe the same way. A close after a while may be an idle timeout: go on.
    if (clock::now() - listening < banner_window / 4) {
      r.note = "it closed the connection at once, before any request";
      co_return r;
    }
  }

  // 3. The client-first rest, sharing the time left fairly.
  std::vector<const probes::probe*> rest;
  for (std::size_t k = i; k < candidates.size(); ++k)
    if (!candidates[k]->info().server_speaks_first) rest.push_back(candidates[k]);
  bool all_silent = h == heard::silence;
  for (std::size_t k = 0; k < rest.size(); ++k) {
    now = clock::now();
    if (now >= deadline) co_return r;
    session_ptr session = std::move(silent);
    if (!session) session = co_await open_connection(c, deadline);
    if (!session) co_return r;
    auto left = static_cast<long>(rest.size() - k);
    auto probe_deadline = left == 1 ? deadline : now + (deadline - now) / left;
    auto obs = co_await run_on(*rest[k], std::move(session), c, probe_deadline, out, first);
    r.last_end = obs->end;
    if (obs->identified) {
      r.found = std::move(obs);
      co_return r;
    }
    all_silent = all_silent && first.empty() && obs->end == core::status::io_timeout;
    if (all_silent && k + 1 >= silent_give_up && k + 1 < rest.size()) {
      r.note = fmt::format("silent: no banner and no answer to {} requests", k + 1);
      co_return r;
    }
    // A greeting that came after the window: give it to its probe on a fresh connection.
    const auto* late = by_name(candidates, route_banner(first));
    if (late != nullptr && late->info().server_speaks_first && !tried(late)) {
      auto s = co_await open_connection(c, deadline);
      if (!s) co_return r;
      auto routed = co_await run_on(*late, std::move(s), c, deadline, out, first);
      r.last_end = routed->end;
      if (routed->identified) r.found = std::move(routed);
      co_return r;
    }
  }
  co_return r;
}

// The order client-first probes are tried in on a port none of them claims: short requests
// that a wrong server answers (or closes on) at once first, then the binary handshakes, then
// the HTTP family. Names not listed (declarative signatures) follow in registry order.
// The first three are the ones silent_give_up relies on: Redis INFO (answered or closed on at
// once by the binary and text servers measured), an HTTP GET (HTTP servers wait silently for
// the end of a request head, so INFO alone leaves them mute), and an Oracle TNS connect (a TNS
// listener waits silently for the length the first two bytes of any other request announce).
constexpr std::array<std::string_view, 22> cheap_order = {
    "redis", "elasticsearch", "oracle",                                         // silent_give_up
    "memcached", "zookeeper", "postgresql", "mongodb", "cassandra",             // short binary/text
    "clickhouse-native", "mssql", "amqp", "neo4j", "elasticsearch-transport",  // handshakes
    "couchdb", "clickhouse", "influxdb", "etcd", "consul", "docker", "solr", "kibana",
    "rabbitmq"};                                                                // the HTTP family

std::size_t cheap_rank(const probes::probe* p) {
  auto it = std::find(cheap_order.begin(), cheap_order.end(), p->info().name);
  return static_cast<std::size_t>(it - cheap_order.begin());
}

}  // namespace

std::string_view route_banner(std::string_view b) noexcept {
  if (b.starts_with("SSH-")) return "ssh";
  // MySQL/MariaDB: a packet header (3-byte length, sequence 0), then Handshake v10 with a
  // version string starting with a digit, or an ERR packet (0xff) -- "host not allowed".
  if (b.size() >= 6 && b[3] == '\0') {
    auto len = static_cast<std::size_t>(static_cast<unsigned char>(b[0])) |
               static_cast<std::size_t>(static_cast<unsigned char>(b[1])) << 8U |
               static_cast<std::size_t>(static_cast<unsigned char>(b[2])) << 16U;
    bool handshake = b[4] == '\x0a' && b[5] >= '0' && b[5] <= '9';
    bool err = b[4] == '\xff';
    if (len >= 3 && (handshake || err)) return "mysql";
  }
  // Redis says something unasked only to refuse: -DENIED (protected mode), -ERR max clients.
  if (b.size() >= 4 && b[0] == '-' && b[1] >= 'A' && b[1] <= 'Z' && b[2] >= 'A' && b[2] <= 'Z') return "redis";
  if (b.size() >= 4 && b.starts_with("220") && (b[3] == ' ' || b[3] == '-')) {
    auto line = b.substr(0, b.find('\n'));
    auto has = [line](std::string_view w) {
      return std::search(line.begin(), line.end(), w.begin(), w.end(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == y;
             }) != line.end();
    };
    if (has("ftp") && !has("smtp")) return "ftp";
    return "smtp";
  }
  return {};
}

void merge_follow_up(core::observation& main, core::observation follow_up) {
  if (!follow_up.identified) return;  // the first observation stands as it was
  main.verdict = follow_up.verdict;
  // The follow-up's line, then the first clause of the first one (what identified the service).
  auto first = std::string_view(main.evidence).substr(0, main.evidence.find(';'));
  main.evidence = first.empty() ? std::move(follow_up.evidence) : fmt::format("{}; {}", follow_up.evidence, first);
  auto& e = main.exposure;
  const auto& f = follow_up.exposure;
  for (auto field : {&core::exposure::databases, &core::exposure::indices, &core::exposure::collections,
                     &core::exposure::tables, &core::exposure::keys, &core::exposure::items, &core::exposure::rows,
                     &core::exposure::documents, &core::exposure::bytes})
    if (f.*field) e.*field = f.*field;
  for (const auto& name : f.names) e.add_name(name);
  main.end = follow_up.end;
}

std::vector<const probes::probe*> candidate_order(std::uint16_t port, const scan_options& o) {
  auto candidates = probes::candidates_for(port);
  // Claimants keep their place; the rest go cheapest first (stable: ties keep registry order).
  auto rest = std::find_if(candidates.begin(), candidates.end(),
                           [port](const probes::probe* p) { return !claims_port(*p, port); });
  std::stable_sort(rest, candidates.end(),
                   [](const probes::probe* a, const probes::probe* b) { return cheap_rank(a) < cheap_rank(b); });
  // Under --all, a web server nothing recognised is still worth a row: try that last.
  if (o.all) candidates.push_back(&probes::http_fallback_probe());
  return candidates;
}

namespace {

// The row for an open port nothing recognised (--all only).
core::observation_ptr unknown_service(const identify_result& r) {
  auto unknown = std::make_unique<core::observation>();
  unknown->service = "unknown";
  unknown->evidence = r.note.empty()
                          ? fmt::format("port accepts connections; no probe recognised the service ({})",
                                        core::to_string(r.last_end))
                          : fmt::format("port accepts connections; no probe recognised the service ({}); {}",
                                        core::to_string(r.last_end), r.note);
  unknown->end = r.last_end;
  return unknown;
}

bool listed(const core::observation& found, const scan_options& o) {
  bool quiet = std::find(only_under_all.begin(), only_under_all.end(), found.service) != only_under_all.end();
  return !quiet || o.all;
}

// A probe that needs a second connection after identifying (ZooKeeper's session step).
boost::asio::awaitable<void> follow_up(core::observation& found, const probes::probe& more, const context& c,
                                       clock::time_point deadline, endpoint_outcome& out) {
  auto session = co_await open_connection(c, deadline);
  if (!session) co_return;
  std::string first;
  auto obs = co_await run_on(more, std::move(session), c, deadline, out, first);
  merge_follow_up(found, std::move(*obs));
}

}  // namespace

boost::asio::awaitable<endpoint_outcome> scan_endpoint(core::endpoint ep, const scan_options& o,
                                                       net::token_bucket& bucket,
                                                       const std::vector<const probes::probe*>& candidates,
                                                       session_ptr first, clock::time_point deadline) {
  endpoint_outcome out;
  out.open = true;
  context c{ep, o, bucket, std::move(first)};
  auto r = co_await identify(c, deadline, candidates, out);
  if (r.found) {
    const auto* more = probes::follow_up_of(r.found->service);
    if (more != nullptr && clock::now() < deadline) co_await follow_up(*r.found, *more, c, deadline, out);
    if (listed(*r.found, o)) out.observation = std::move(r.found);
  } else if (out.open && o.all) {
    out.observation = unknown_service(r);
  }
  co_return out;
}

}  // namespace ajar::engine
