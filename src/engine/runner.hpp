// slice_runner: one thread's share of a scan. It walks the shard's permutation and takes the
// endpoints whose address index is (thread mod threads) -- or, after SYN discovery, the list of
// endpoints that answered, taking those whose address hashes to the thread; its workers share one io_context, one
// token bucket and one per-host table, so nothing on the hot path takes a lock.
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

class slice_runner {
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
    std::deque<boost::asio::steady_timer*> waiters;
  };
  struct next_item {
    std::uint64_t position;
    core::endpoint where;
  };

  std::optional<next_item> next();
  boost::asio::awaitable<void> worker();
  // Turns one endpoint's outcome into a finding for the sink. A plain function, so the
  // finding it builds is not a slot in every worker's coroutine frame.
  void report(const next_item& item, endpoint_outcome& outcome);
  boost::asio::awaitable<void> acquire_host(const core::ip_address& ip);
  void release_host(const core::ip_address& ip);
  void finished(std::uint64_t position);

  const core::target_space& space_;
  const scan_options& options_;
  shared_state& shared_;
  std::uint32_t index_, threads_;
  std::size_t workers_;
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
