#include "engine/endpoint.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <fmt/format.h>

#include "net/tcp_session.hpp"
#include "probes/registry.hpp"

namespace ajar::engine {

namespace {

using net::clock;
using session_ptr = std::unique_ptr<net::tcp_session>;

// What a probe's coroutine needs of its endpoint beyond the session: a TLS retry connects again.
struct context {
  const core::endpoint& ep;
  const scan_options& o;
  net::token_bucket& bucket;
};

// One paced connect, for a probe's TLS retry. The others are the runner's (net::connector): the
// endpoint's first connect, with its retries, and one per further step (endpoint_host::reconnect).
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
// `c` by value: the frame holds it, so the caller's copy may go (the probe coroutines are spawned
// from endpoint_scan, which keeps no context of its own).
boost::asio::awaitable<core::observation_ptr> run_on(const probes::probe& p, session_ptr session, context c,
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


// The conversations that run once the peer has said something (or the time to wait for it is
// up): run_on above, and hear below. Each is a coroutine that lives only that long; the endpoint_scan that spawns it outlives
// it (the runner destroys a scan only when it is done, and drops the io_context's pending
// coroutines, unrun, only after every scan is gone).

// After the banner listen heard something: reads the banner and hands it to the probe it names,
// on the same connection.
boost::asio::awaitable<heard> hear(session_ptr s, clock::time_point until, clock::time_point deadline, context c,
                                   const std::vector<const probes::probe*>& candidates, endpoint_outcome& out,
                                   endpoint_scan::progress& r, std::string& first) {
  auto h = co_await listen(*s, until);
  out.spoke = out.spoke || s->bytes_received() > 0;
  if (h != heard::banner) co_return h;
  const auto* routed = by_name(candidates, route_banner(s->buffer()));
  r.note = fmt::format("it spoke first: \"{}\"", quote(s->buffer()));
  if (routed == nullptr || claims_port(*routed, c.ep.port)) {
    // A banner no probe (or only a claimant that already failed) owns: the client-first
    // probes would only be talking over it.
    s->abort();
    co_return h;
  }
  auto obs = co_await run_on(*routed, std::move(s), c, deadline, out, first);
  r.last_end = obs->end;
  if (obs->identified) r.found = std::move(obs);
  co_return h;
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
core::observation_ptr unknown_service(const endpoint_scan::progress& r) {
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

// Closes a connection no session took, with RST as tcp_session::abort does (no TIME_WAIT).
void drop(int fd) noexcept {
  if (fd < 0) return;
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

bool listed(const core::observation& found, const scan_options& o) {
  bool quiet = std::find(only_under_all.begin(), only_under_all.end(), found.service) != only_under_all.end();
  return !quiet || o.all;
}

}  // namespace

endpoint_scan::endpoint_scan(const core::endpoint& ep, const scan_options& o,
                             const std::vector<const probes::probe*>& candidates, clock::time_point deadline,
                             endpoint_host& host, std::uint32_t tag)
    : ep_(ep), o_(o), candidates_(candidates), deadline_(deadline), host_(host), tag_(tag) {
  out_.open = true;
}

endpoint_scan::~endpoint_scan() { drop(fd_); }

// The three steps of identification on any port (docs/ARCHITECTURE.md): the probes that claim
// the port, each on a fresh connection; then one connection that listens for a banner and
// hands it to the probe the banner names; then the client-first probes in `candidates` order
// (cheapest first), the first of them on the connection that stayed silent. Every step that
// needs a connection makes it (need_connection), runs (on_connection), and comes back to
// after_probe or after_listen. Each call ends in one hand-over to the host (reconnect, wait,
// done) or to a coroutine, and touches nothing after it: the host may answer, or destroy this
// scan, from inside.

void endpoint_scan::start(int fd) {
  fd_ = fd;
  next_claimant();
}

// 1. Claimants: half the time left each (all of it for the last candidate), so a peer that
//    never answers the expected protocol -- a Redis on 5432 ignores a PostgreSQL startup
//    message -- cannot eat the deadline before the others have their turn.
void endpoint_scan::next_claimant() {
  stage_ = stage::claimants;
  if (at_ == candidates_.size()) return finish_identify();
  if (!claims_port(*candidates_[at_], ep_.port)) return begin_listen();
  step_start_ = clock::now();
  if (step_start_ >= deadline_) return finish_identify();
  probe_ = candidates_[at_];
  need_connection();
}

// 2. Listen briefly; a banner routes to its probe, which reads it from the same connection.
void endpoint_scan::begin_listen() {
  stage_ = stage::listen;
  step_start_ = clock::now();
  if (step_start_ >= deadline_) return finish_identify();
  need_connection();
}

// 3. The client-first rest, sharing the time left fairly.
void endpoint_scan::begin_rest() {
  stage_ = stage::rest;
  rest_n_ = 0;
  for (auto k = at_; k < candidates_.size(); ++k)
    if (!candidates_[k]->info().server_speaks_first) ++rest_n_;
  k_ = 0;
  --at_;  // next_rest() looks from the one after (from 0, this wraps and the ++ unwraps it)
  next_rest();
}

void endpoint_scan::next_rest() {
  do ++at_;
  while (at_ < candidates_.size() && candidates_[at_]->info().server_speaks_first);
  if (k_ == rest_n_ || at_ >= candidates_.size()) return finish_identify();
  step_start_ = clock::now();
  if (step_start_ >= deadline_) return finish_identify();
  probe_ = candidates_[at_];
  need_connection();
}

void endpoint_scan::need_connection() {
  if (fd_ >= 0) return on_connection();  // the runner's first one, or the one that stayed silent
  host_.reconnect(tag_);
}

void endpoint_scan::connected(core::status st, int fd) {
  if (st != core::status::ok) {
    // Closed, filtered, or gone between probes.
    if (stage_ == stage::follow_up) return finish();
    return finish_identify();
  }
  fd_ = fd;
  on_connection();
}

void endpoint_scan::on_connection() {
  switch (stage_) {
    case stage::claimants:
      until_ = at_ + 1 == candidates_.size() ? deadline_ : step_start_ + (deadline_ - step_start_) / 2;
      return start_probe();
    case stage::listen:
      listening_ = clock::now();
      until_ = std::min(step_start_ + banner_window, step_start_ + (deadline_ - step_start_) / 4);
      return host_.wait(tag_, fd_, until_);
    case stage::rest: {
      auto left = static_cast<long>(rest_n_ - k_);
      until_ = left == 1 ? deadline_ : step_start_ + (deadline_ - step_start_) / left;
      return start_probe();
    }
    case stage::late:
    case stage::follow_up:
      until_ = deadline_;
      return start_probe();
  }
}

// Sends the probe's opening itself and waits for the answer without the probe's coroutine, when
// the probe declares one (probes::probe::opening); otherwise starts the probe now.
void endpoint_scan::start_probe() {
  opening_.clear();
  opening_written_ = 0;
  opening_status_ = core::status::ok;
  std::optional<std::string> opening;
  if (probe_->info().transport != probes::transport::tls) {
    opening = probe_->opening(net::peer_name(net::to_asio(ep_.ip), ep_.port));
  }
  if (!opening) return spawn_probe();
  if (!opening->empty()) {
    auto [written, err] = net::send_now(fd_, *opening);
    opening_ = std::move(*opening);
    if (err != 0) {
      // Refused already (a reset, a close): the probe's send sees it, and the probe may still
      // read what the peer said before it went (Redis' -DENIED).
      opening_status_ = net::status_from(boost::system::error_code(err, boost::system::system_category()));
      return spawn_probe();
    }
    opening_written_ = written;
    if (opening_written_ < opening_.size()) return spawn_probe();  // the probe sends the rest
  }
  host_.wait(tag_, fd_, until_);
}

void endpoint_scan::ready(bool timed_out) {
  if (stage_ != stage::listen) return spawn_probe();  // the probe finds its answer, or its time up
  if (!timed_out) return spawn_listen();
  // Silence: the connection is kept for the first client-first probe.
  all_silent_ = true;
  begin_rest();
}

std::unique_ptr<net::tcp_session> endpoint_scan::take_session() {
  int fd = std::exchange(fd_, -1);
  return net::tcp_session::adopt(host_.context(), fd, ep_, o_.source, deadline_);
}

void endpoint_scan::spawn_probe() {
  auto session = take_session();
  if (!session) return after_probe(ended(core::status::error));
  if (!opening_.empty()) session->already_sent(std::move(opening_), opening_written_, opening_status_);
  boost::asio::co_spawn(host_.context(),
                        run_on(*probe_, std::move(session), context{ep_, o_, host_.bucket()}, until_, out_, first_),
                        [this](std::exception_ptr e, core::observation_ptr obs) {
                          if (e) return fail();
                          after_probe(std::move(obs));
                        });
}

void endpoint_scan::spawn_listen() {
  auto session = take_session();
  if (!session) return after_listen(static_cast<int>(heard::closed));
  boost::asio::co_spawn(host_.context(),
                        hear(std::move(session), until_, deadline_, context{ep_, o_, host_.bucket()}, candidates_,
                             out_, r_, first_),
                        [this](std::exception_ptr e, heard h) {
                          if (e) return fail();
                          after_listen(static_cast<int>(h));
                        });
}

void endpoint_scan::after_listen(int h) {
  switch (static_cast<heard>(h)) {
    case heard::banner:
      return finish_identify();  // hear() ran the probe the banner named, if any
    case heard::closed:
      r_.last_end = core::status::connection_closed;
      // Closed at once, before we said anything (tcpwrappers, a connection limit): it will close
      // on every probe the same way. A close after a while may be an idle timeout: go on.
      if (clock::now() - listening_ < banner_window / 4) {
        r_.note = "it closed the connection at once, before any request";
        return finish_identify();
      }
      return begin_rest();
    case heard::silence:
      // Woken, then nothing came before the window closed: the session is gone with the
      // coroutine, so the first client-first probe connects again.
      all_silent_ = true;
      return begin_rest();
  }
}

void endpoint_scan::after_probe(core::observation_ptr obs) {
  if (stage_ == stage::follow_up) {
    merge_follow_up(*r_.found, std::move(*obs));
    return finish();
  }
  r_.last_end = obs->end;
  if (obs->identified) {
    r_.found = std::move(obs);
    return finish_identify();
  }
  switch (stage_) {
    case stage::claimants:
      ++at_;
      return next_claimant();
    case stage::rest: {
      ++k_;
      all_silent_ = all_silent_ && first_.empty() && obs->end == core::status::io_timeout;
      if (all_silent_ && k_ >= silent_give_up && k_ < rest_n_) {
        r_.note = fmt::format("silent: no banner and no answer to {} requests", k_);
        return finish_identify();
      }
      // A greeting that came after the window: give it to its probe on a fresh connection.
      const auto* late = by_name(candidates_, route_banner(first_));
      if (late != nullptr && late->info().server_speaks_first && !claims_port(*late, ep_.port)) {
        stage_ = stage::late;
        probe_ = late;
        return need_connection();
      }
      return next_rest();
    }
    default:
      return finish_identify();
  }
}

void endpoint_scan::finish_identify() {
  drop(std::exchange(fd_, -1));
  if (r_.found) {
    // A probe that needs a second connection after identifying (ZooKeeper's session step).
    const auto* more = probes::follow_up_of(r_.found->service);
    if (more != nullptr && clock::now() < deadline_) {
      stage_ = stage::follow_up;
      probe_ = more;
      first_.clear();
      return need_connection();
    }
  }
  finish();
}

void endpoint_scan::finish() {
  if (r_.found) {
    if (listed(*r_.found, o_)) out_.observation = std::move(r_.found);
  } else if (out_.open && o_.all) {
    out_.observation = unknown_service(r_);
  }
  host_.done(tag_);
}

void endpoint_scan::fail() {
  failed_ = true;
  host_.done(tag_);
}

}  // namespace ajar::engine
