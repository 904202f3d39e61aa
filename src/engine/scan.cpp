#include "engine/scan.hpp"

#include <algorithm>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "findings/severity.hpp"
#include "net/rate_limiter.hpp"
#include "net/tcp_session.hpp"
#include "probes/registry.hpp"

namespace ajar::engine {

namespace {

namespace asio = boost::asio;
using net::clock;

// Walks addresses (outer) x ports (inner) without materialising the product. IPv4 intervals
// are walked lazily, so a /8 costs nothing up front; IPv6 lists are small by construction.
class target_cursor {
 public:
  target_cursor(const core::target_set& t, const std::vector<std::uint16_t>& ports)
      : intervals_(t.v4().intervals()), v6_(t.v6_addresses()), ports_(ports) {}

  std::optional<core::endpoint> next() {
    if (ports_.empty()) return std::nullopt;
    for (;;) {
      if (!current_) {
        current_ = next_address();
        if (!current_) return std::nullopt;
        port_index_ = 0;
      }
      if (port_index_ < ports_.size()) return core::endpoint{*current_, ports_[port_index_++]};
      current_.reset();
    }
  }

 private:
  std::optional<core::ip_address> next_address() {
    while (interval_index_ < intervals_.size()) {
      const auto& iv = intervals_[interval_index_];
      std::uint64_t v = std::uint64_t{iv.first} + offset_;
      if (v <= iv.last) {
        ++offset_;
        return core::ip_address::v4(static_cast<std::uint32_t>(v));
      }
      ++interval_index_;
      offset_ = 0;
    }
    if (v6_index_ < v6_.size()) return v6_[v6_index_++];
    return std::nullopt;
  }

  const std::vector<core::v4_interval>& intervals_;
  std::vector<core::ip_address> v6_;
  const std::vector<std::uint16_t>& ports_;
  std::size_t interval_index_ = 0;
  std::uint64_t offset_ = 0;
  std::size_t v6_index_ = 0;
  std::optional<core::ip_address> current_;
  std::size_t port_index_ = 0;
};

class scanner {
 public:
  scanner(const core::target_set& targets, const scan_options& o, const finding_handler& out)
      : options_(o), out_(out), cursor_(targets, o.ports), bucket_(o.rate) {}

  scan_stats run() {
    auto started = clock::now();
    asio::io_context ctx(1);
    std::size_t workers = std::max<std::size_t>(1, options_.concurrency);
    for (std::size_t i = 0; i < workers; ++i) asio::co_spawn(ctx, worker(), asio::detached);
    ctx.run();
    stats_.elapsed = clock::now() - started;
    return stats_;
  }

 private:
  asio::awaitable<void> worker() {
    while (auto ep = cursor_.next()) {
      ++stats_.endpoints;
      co_await scan_endpoint(*ep);
    }
  }

  void emit(const core::endpoint& ep, core::observation obs) {
    core::finding f;
    f.where = ep;
    f.severity = findings::rate(obs);
    f.what = std::move(obs);
    f.observed_at = std::chrono::system_clock::now();
    out_(std::move(f));
  }

  asio::awaitable<void> scan_endpoint(core::endpoint ep) {
    auto deadline = clock::now() + options_.timeout;
    auto candidates = probes::candidates_for(ep.port);
    bool open = false;
    core::status last_end = core::status::ok;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      const auto* p = candidates[i];
      auto now = clock::now();
      if (now >= deadline) break;
      co_await bucket_.acquire();
      auto [st, session] =
          co_await net::tcp_session::connect(ep, clock::now() + options_.connect_timeout, deadline);
      if (st != core::status::ok) break;  // closed, filtered, or it went away between probes
      if (!open) {
        open = true;
        ++stats_.open;
      }
      // Probes that claim this port get all the time left; fallbacks share it fairly, so a
      // silent peer cannot eat the whole deadline on the first guess.
      auto ports = p->info().default_ports;
      bool claims = std::find(ports.begin(), ports.end(), ep.port) != ports.end();
      if (!claims) session->set_deadline(now + (deadline - now) / static_cast<long>(candidates.size() - i));
      auto obs = co_await p->run(*session);
      session->abort();
      last_end = obs.end;
      if (obs.identified) {
        ++stats_.identified;
        if (obs.service.empty()) obs.service = std::string(p->info().name);
        emit(ep, std::move(obs));
        co_return;
      }
    }
    if (open && options_.all) {
      core::observation unknown;
      unknown.service = "unknown";
      unknown.evidence = fmt::format("port accepts connections; no probe recognised the service ({})",
                                     core::to_string(last_end));
      unknown.end = last_end;
      emit(ep, std::move(unknown));
    }
  }

  const scan_options& options_;
  const finding_handler& out_;
  target_cursor cursor_;
  net::token_bucket bucket_;
  scan_stats stats_;
};

}  // namespace

scan_stats run_scan(const core::target_set& targets, const scan_options& options,
                    const finding_handler& on_finding) {
  scanner s(targets, options, on_finding);
  return s.run();
}

}  // namespace ajar::engine
