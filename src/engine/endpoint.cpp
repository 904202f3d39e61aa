#include "engine/endpoint.hpp"

#include <algorithm>

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
};

// One paced connect, retried on connect timeout only (a lost SYN; a refusal is an answer).
boost::asio::awaitable<std::pair<core::status, session_ptr>> connect(const context& c, clock::time_point deadline,
                                                                     unsigned retries) {
  std::pair<core::status, session_ptr> r{core::status::connect_timeout, nullptr};
  for (unsigned attempt = 0; attempt <= retries; ++attempt) {
    co_await c.bucket.acquire();
    r = co_await net::tcp_session::connect(c.ep, clock::now() + c.o.connect_timeout, deadline, c.o.source);
    if (r.first != core::status::connect_timeout || clock::now() >= deadline) break;
  }
  co_return r;
}

boost::asio::awaitable<core::observation> run_over_tls(const probes::probe& p, net::session& s) {
  auto st = co_await s.start_tls();
  if (st != core::status::ok) {
    core::observation failed;
    failed.end = st;
    co_return failed;
  }
  auto obs = co_await p.run(s);
  obs.tls = true;
  obs.certificate = s.certificate();
  co_return obs;
}

// Runs `p` over `session` by its transport: TLS from the start, plain only, or plain first and
// TLS on a hint (the peer closed without a byte, reset, sent a TLS record first, or said it
// wanted TLS). On a retry `session` becomes the new TLS connection.
boost::asio::awaitable<core::observation> converse(const probes::probe& p, session_ptr& session,
                                                   const context& c, clock::time_point deadline) {
  auto transport = p.info().transport;
  if (transport == probes::transport::tls) co_return co_await run_over_tls(p, *session);
  auto obs = co_await p.run(*session);
  bool hint = obs.wants_tls || session->first_bytes_look_like_tls() ||
              (session->bytes_received() == 0 &&
               (obs.end == core::status::connection_closed || obs.end == core::status::connection_reset));
  if (transport != probes::transport::plain_then_tls || obs.identified || !hint || clock::now() >= deadline)
    co_return obs;
  session->abort();
  auto [st, tls_session] = co_await connect(c, deadline, 0);
  if (st != core::status::ok) co_return obs;
  session = std::move(tls_session);
  co_return co_await run_over_tls(p, *session);
}

}  // namespace

std::vector<const probes::probe*> candidate_order(std::uint16_t port, const scan_options& o) {
  auto candidates = probes::candidates_for(port);
  // Under --all, a web server nothing recognised is still worth a row: try that last.
  if (o.all) candidates.push_back(&probes::http_fallback_probe());
  return candidates;
}

boost::asio::awaitable<endpoint_outcome> scan_endpoint(core::endpoint ep, const scan_options& o,
                                                       net::token_bucket& bucket,
                                                       const std::vector<const probes::probe*>& candidates) {
  endpoint_outcome out;
  context c{ep, o, bucket};
  auto deadline = clock::now() + o.timeout;
  core::status last_end = core::status::ok;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const auto* p = candidates[i];
    auto now = clock::now();
    if (now >= deadline) break;
    auto [st, session] = co_await connect(c, deadline, out.open ? 0 : o.retries);
    if (i == 0) out.connect_status = st;
    if (st != core::status::ok) break;  // closed, filtered, or gone between probes
    out.open = true;
    // A probe that claims this port gets half the time left (the whole of it when it is the
    // last candidate); the others share the rest fairly. So a peer that never answers the
    // expected protocol -- a Redis on 5432 ignores a PostgreSQL startup message -- cannot eat
    // the deadline before the right probe has its turn.
    auto ports = p->info().default_ports;
    bool claims = std::find(ports.begin(), ports.end(), ep.port) != ports.end();
    auto left = candidates.size() - i;
    auto probe_deadline = left == 1 ? deadline
                          : claims  ? now + (deadline - now) / 2
                                    : now + (deadline - now) / static_cast<long>(left);
    session->set_deadline(probe_deadline);
    auto obs = co_await converse(*p, session, c, probe_deadline);
    out.spoke = out.spoke || session->bytes_received() > 0;
    session->abort();
    last_end = obs.end;
    if (obs.identified) {
      if (obs.service.empty()) obs.service = std::string(p->info().name);
      out.observation = std::move(obs);
      co_return out;
    }
  }
  if (out.open && o.all) {
    core::observation unknown;
    unknown.service = "unknown";
    unknown.evidence =
        fmt::format("port accepts connections; no probe recognised the service ({})", core::to_string(last_end));
    unknown.end = last_end;
    out.observation = std::move(unknown);
  }
  co_return out;
}

}  // namespace ajar::engine
