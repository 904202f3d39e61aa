// One endpoint, from its first connection to the end, all under one deadline: run the probes
// that claim the port; listen briefly for a server-first banner and route it to its probe on
// that same connection; then the client-first probes, cheapest first (docs/ARCHITECTURE.md,
// "Identification on any port").
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "core/finding.hpp"
#include "engine/scan.hpp"
#include "net/rate_limiter.hpp"
#include "net/tcp_session.hpp"
#include "probes/probe.hpp"

namespace ajar::engine {

struct endpoint_outcome {
  bool open = false;   // accepted a connection
  bool spoke = false;  // sent application bytes (a SYN-ACK alone is not a service)
  core::status connect_status = core::status::ok;  // of the first connect
  core::observation_ptr observation;  // identified, or `unknown` under --all
};

// The probes to try on a port, in order: the claimants, then the others cheapest request first
// (the http fallback last, under --all). Server-first probes are in the list but run only when
// a banner routes to them. The same for every address, so callers compute it once per port.
std::vector<const probes::probe*> candidate_order(std::uint16_t port, const scan_options& o);

// The probe a server-first banner belongs to ("mysql", "redis", "ssh", "ftp", "smtp"), or empty
// when the first bytes name none. A coarse router: the probe it names decides for itself.
std::string_view route_banner(std::string_view first_bytes) noexcept;

// Folds a follow-up conversation (probes::follow_up_of) into the observation that identified
// the service: its verdict, evidence, counts it set and names win; nothing changes when it did
// not identify the service itself.
void merge_follow_up(core::observation& main, core::observation follow_up);

// What an endpoint_scan needs from the thread that runs it (engine::slice_runner): its
// io_context, paced connections, and waits for a first byte that cost no coroutine.
class endpoint_host {
 public:
  [[nodiscard]] virtual boost::asio::io_context& context() noexcept = 0;
  [[nodiscard]] virtual net::token_bucket& bucket() noexcept = 0;
  // A new connection to the scan's endpoint, paced like every connect, not retried (a port
  // that accepted once answers a timeout by itself): answered by endpoint_scan::connected,
  // possibly from inside this call.
  virtual void reconnect(std::uint32_t tag) = 0;
  // Until `fd` has bytes, is closed, or `until`: answered by endpoint_scan::ready, never from
  // inside this call (net::waiter).
  virtual void wait(std::uint32_t tag, int fd, net::clock::time_point until) = 0;
  // The scan is over; outcome() is final. The host may destroy the scan from inside this call.
  virtual void done(std::uint32_t tag) = 0;

 protected:
  ~endpoint_host() = default;
};

// One endpoint, from its first connection to the end, all under one deadline (see the top of
// this file). A state machine rather than one coroutine: while a connection waits for its
// peer's first byte -- after a probe's opening request, or listening for a banner -- nothing
// of the scan exists but this object and the host's waiter slot; the probe's coroutine starts
// when bytes, a close or the probe's deadline arrive. A peer that accepts and never answers
// costs a few hundred bytes, not a chain of coroutine frames (docs/ARCHITECTURE.md, "Memory
// per connection in flight").
class endpoint_scan {
 public:
  endpoint_scan(const core::endpoint& ep, const scan_options& o, const std::vector<const probes::probe*>& candidates,
                net::clock::time_point deadline, endpoint_host& host, std::uint32_t tag);
  endpoint_scan(const endpoint_scan&) = delete;
  endpoint_scan& operator=(const endpoint_scan&) = delete;
  ~endpoint_scan();

  // Begins with `fd`, a connection the runner's connector made (a closed or filtered endpoint
  // never gets here).
  void start(int fd);
  // The answer to endpoint_host::reconnect: `fd` connected when st is ok.
  void connected(core::status st, int fd);
  // The answer to endpoint_host::wait.
  void ready(bool timed_out);

  [[nodiscard]] endpoint_outcome& outcome() noexcept { return out_; }
  // A probe threw (a bug): the outcome is only "open".
  [[nodiscard]] bool failed() const noexcept { return failed_; }

  // Where identification stands: the observation once a probe recognised the service, else how
  // the last conversation ended and what the peer said unasked.
  struct progress {
    core::observation_ptr found;
    core::status last_end = core::status::ok;
    std::string note;
  };

 private:
  enum class stage : std::uint8_t { claimants, listen, rest, late, follow_up };

  void next_claimant();
  void begin_listen();
  void begin_rest();
  void next_rest();
  void need_connection();
  void on_connection();
  void start_probe();
  void spawn_probe();
  void spawn_listen();
  void after_probe(core::observation_ptr obs);
  void after_listen(int heard);
  void finish_identify();
  void finish();
  void fail();
  [[nodiscard]] std::unique_ptr<net::tcp_session> take_session();

  const core::endpoint ep_;
  const scan_options& o_;
  const std::vector<const probes::probe*>& candidates_;
  const net::clock::time_point deadline_;
  endpoint_host& host_;
  const std::uint32_t tag_;

  stage stage_ = stage::claimants;
  bool failed_ = false;
  bool all_silent_ = false;
  std::size_t at_ = 0;      // index in candidates_ of the probe this step runs
  std::size_t k_ = 0;       // client-first probes run (the rest step), of rest_n_
  std::size_t rest_n_ = 0;
  int fd_ = -1;             // a connection not (yet) in a session: waiting, or kept silent
  const probes::probe* probe_ = nullptr;
  net::clock::time_point step_start_{}, until_{}, listening_{};
  std::string opening_;     // sent for probe_ before its coroutine started
  std::size_t opening_written_ = 0;
  core::status opening_status_ = core::status::ok;
  std::string first_;       // the first bytes of the last conversation
  progress r_;
  endpoint_outcome out_;
};

}  // namespace ajar::engine
