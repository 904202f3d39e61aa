#include "engine/endpoint.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "net/tcp_session.hpp"
#include "probes/registry.hpp"

namespace ajar::engine {

namespace {

using net::clock;

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

}  // namespace

boost::asio::awaitable<endpoint_outcome> scan_endpoint(core::endpoint ep, const scan_options& o,
                                                       net::token_bucket& bucket) {
  endpoint_outcome out;
  auto deadline = clock::now() + o.timeout;
  auto candidates = probes::candidates_for(ep.port);
  core::status last_end = core::status::ok;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const auto* p = candidates[i];
    auto now = clock::now();
    if (now >= deadline) break;
    std::unique_ptr<net::tcp_session> session;
    core::status st = core::status::ok;
    // Only a connect timeout is worth another try (a lost SYN); a refusal is an answer.
    for (unsigned attempt = 0; attempt <= (out.open ? 0 : o.retries); ++attempt) {
      co_await bucket.acquire();
      auto [s, sess] = co_await net::tcp_session::connect(ep, clock::now() + o.connect_timeout,
                                                          deadline, o.source);
      st = s;
      session = std::move(sess);
      if (st != core::status::connect_timeout || clock::now() >= deadline) break;
    }
    if (i == 0) out.connect_status = st;
    if (st != core::status::ok) break;  // closed, filtered, or gone between probes
    out.open = true;
    // Probes that claim this port get all the time left; fallbacks share it fairly, so a
    // silent peer cannot eat the whole deadline on the first guess.
    auto ports = p->info().default_ports;
    bool claims = std::find(ports.begin(), ports.end(), ep.port) != ports.end();
    auto probe_deadline = claims ? deadline : now + (deadline - now) / static_cast<long>(candidates.size() - i);
    session->set_deadline(probe_deadline);
    auto transport = p->info().transport;
    core::observation obs;
    if (transport == probes::transport::tls) {
      obs = co_await run_over_tls(*p, *session);
    } else {
      obs = co_await p->run(*session);
      // Plain first; TLS where the peer closed silently, reset, answered with a TLS record, or
      // said in its own words that it wanted TLS.
      bool tls_hint = obs.wants_tls || session->first_bytes_look_like_tls() ||
                      (session->bytes_received() == 0 && (obs.end == core::status::connection_closed ||
                                                          obs.end == core::status::connection_reset));
      if (transport == probes::transport::plain_then_tls && !obs.identified && tls_hint &&
          clock::now() < probe_deadline) {
        session->abort();
        co_await bucket.acquire();
        auto [s2, tls_session] = co_await net::tcp_session::connect(ep, clock::now() + o.connect_timeout,
                                                                    probe_deadline, o.source);
        if (s2 == core::status::ok) {
          session = std::move(tls_session);
          obs = co_await run_over_tls(*p, *session);
        }
      }
    }
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
