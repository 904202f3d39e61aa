// slice_runner: one thread's share of a scan. It walks the shard's permutation and takes the
// endpoints whose address index is (thread mod threads) -- or, after SYN discovery, the list of
// endpoints that answered, taking those whose address hashes to the thread. Its jobs share one
// io_context, one token bucket and one per-host table, so nothing on the hot path takes a lock.
//
// A job is one endpoint. It waits for its address's per-host slot, then for a token, then
// connects through the connector -- no coroutine yet: most endpoints of a scan end right there,
// refused or silent, and cost only the system calls. A connection that opens gets an
// endpoint_scan, which identifies the service: its further connections come back through the
// same queue, token bucket and connector (reconnect), its waits for a first byte go to the
// waiter, and only the conversations themselves are coroutines.
//
// At most `concurrency / threads` jobs are under way at once; fewer while fewer keep the thread
// busy. The window starts small and doubles whenever the thread spent half of the last
// milliseconds idle with the window full: answers are slower than the thread can launch
// connects (a network round trip, filtered addresses, servers thinking), so more in flight
// means more done. Where answers come back at once (refusals on a near network) a large window
// only costs the kernel more per connect: 512 connects in flight cost ~20 % more system time
// each than 16 (bench/connect_storm at both, docs/PERFORMANCE.md).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/cyclic.hpp"
#include "core/target_space.hpp"
#include "engine/endpoint.hpp"
#include "engine/scan.hpp"
#include "net/connector.hpp"
#include "net/waiter.hpp"
#include "net/rate_limiter.hpp"
#include "probes/probe.hpp"

namespace ajar::engine {

// What every runner shares: counters the monitor reads, and the one writer.
struct shared_state {
  std::atomic<std::uint64_t> done{0}, open{0}, identified{0}, errors{0};
  std::mutex writer;
  const finding_handler* out = nullptr;
};

struct ip_hash {
  std::size_t operator()(const core::ip_address& a) const noexcept;
};

class slice_runner final : net::connector::listener, net::waiter::listener, public endpoint_host {
 public:
  slice_runner(const core::target_space& space, const core::cyclic_permutation& perm,
               const scan_plan& plan, const scan_options& options, std::uint32_t index,
               shared_state& shared, const std::vector<core::endpoint>* list = nullptr);
  void run();                 // blocks until the slice is done or stop() is called
  void stop() noexcept;       // any thread
  [[nodiscard]] thread_progress progress() const;  // after run() returned

 private:
  struct host_slot {
    std::size_t in_flight = 0;
    std::deque<std::uint32_t> waiting;  // jobs queued behind the per-host cap
  };
  struct next_item {
    std::uint64_t position;
    core::endpoint where;
  };
  struct job {
    next_item item;
    net::clock::time_point deadline{};  // the endpoint's, from its first connect
    unsigned attempts = 0;              // connects made (retries follow a connect timeout)
    std::unique_ptr<endpoint_scan> scan;  // once the first connection opened
  };

  std::optional<next_item> next();
  // Starts jobs until the concurrency window is full, the rate says wait, or the slice is done.
  void fill();
  bool token();  // a token for the next connect now, or false with a timer set to fill() again
  void launch(std::uint32_t j);
  void connected(std::uint32_t j, core::status st, int fd) override;
  void ready(std::uint32_t j, bool timed_out) override;  // the waiter's answer
  // endpoint_host: what a job's endpoint_scan asks of this thread.
  [[nodiscard]] boost::asio::io_context& context() noexcept override { return ctx_; }
  [[nodiscard]] net::token_bucket& bucket() noexcept override { return bucket_; }
  void reconnect(std::uint32_t j) override;
  void wait(std::uint32_t j, int fd, net::clock::time_point until) override;
  void done(std::uint32_t j) override;
  void finish(std::uint32_t j, endpoint_outcome& outcome);
  // Turns one endpoint's outcome into a finding for the sink. A plain function, so the
  // finding it builds is not a slot in a coroutine frame.
  void report(const next_item& item, endpoint_outcome& outcome);
  bool acquire_host(const core::ip_address& ip, std::uint32_t j);  // false: queued
  void release_host(const core::ip_address& ip);
  void finished(std::uint64_t position);
  void watch_window();  // the periodic idle check that widens the window
  // Jobs taken and not finished.
  [[nodiscard]] std::size_t active() const noexcept { return jobs_.size() - free_jobs_.size(); }
  [[nodiscard]] bool done() const noexcept { return exhausted_ && active() == 0; }

  const core::target_space& space_;
  const scan_options& options_;
  shared_state& shared_;
  std::uint32_t index_, threads_;
  std::size_t window_;  // jobs under way at most (--concurrency's share)
  std::size_t limit_;   // jobs under way at most for now: <= window_, see above
  // One thread runs this context and every socket and timer on it is created and used on that
  // thread (stop() only touches the scheduler, which stays locked): the reactor's
  // per-descriptor mutex is pure cost (3.7 % of instructions per connect, docs/PERFORMANCE.md).
  boost::asio::io_context ctx_{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  core::cyclic_permutation::walker walker_;
  // List mode (--syn, after discovery): walk these endpoints instead of the permutation;
  // positions are list indices.
  const std::vector<core::endpoint>* list_;
  std::uint64_t list_pos_ = 0;
  std::unordered_set<std::uint64_t> skip_;   // done in an earlier run (resume)
  std::set<std::uint64_t> in_flight_;        // cycle positions being scanned
  std::set<std::uint64_t> done_ahead_;       // finished while an earlier one is in flight
  net::token_bucket bucket_;
  boost::asio::steady_timer pace_{ctx_};
  bool pacing_ = false;       // pace_ runs until the next token
  bool token_waited_ = false;  // ... and has run: the token is taken
  net::connector connector_{ctx_, *this};
  net::waiter waiter_{ctx_, *this};
  std::vector<job> jobs_;
  std::vector<std::uint32_t> free_jobs_;
  std::deque<std::uint32_t> ready_;     // jobs holding their host slot, waiting for a token
  bool filling_ = false, exhausted_ = false;
  boost::asio::steady_timer widen_{ctx_};
  net::clock::time_point widen_wall_{};
  std::int64_t widen_cpu_ns_ = 0;
  unsigned idle_periods_ = 0;
  std::unordered_map<core::ip_address, host_slot, ip_hash> hosts_;
  // Ports per address that accepted but never spoke. Past silent_ports_flag of them the address
  // is flagged once (accepts-any-port) and its further silent ports are not listed.
  static constexpr std::size_t silent_ports_flag = 8;
  std::unordered_map<core::ip_address, std::size_t, ip_hash> silent_;
  bool accepts_any_ = false;  // the finding being written is the flag
  // Probe order per port, computed once per port instead of once per endpoint (hot path).
  std::unordered_map<std::uint16_t, std::vector<const probes::probe*>> candidates_;
};

}  // namespace ajar::engine
