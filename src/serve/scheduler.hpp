// The daemon's scans: one thread per configured scope, each scanning its scope every `interval`
// with the same engine and inventory as `ajar scan` (a scope never overlaps itself: its thread
// runs one scan at a time). After each complete scan the scope's previous complete scan is
// diffed against it and the changes become alerts.
//
// Stopping: stop() sets the flag that keeps new scans from starting, requests stop on the token
// every scan runs with (engine::scan_options::stop), and waits (bounded) for the threads, which
// record the interrupted scan and close their connections.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stop_token>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/scan.hpp"
#include "serve/alerts.hpp"
#include "serve/config.hpp"

namespace ajar::serve {

struct scope_status {
  std::string name;
  bool running = false;
  std::uint64_t runs = 0;  // finished since the daemon started
  std::optional<std::int64_t> last_started_ms, last_finished_ms;
  double last_duration_s = 0, total_duration_s = 0;
  std::optional<std::int64_t> next_ms;
  std::string last_state;
};

class scheduler {
 public:
  // Builds every scope's scan plan now: a bad target or port is a core::input_error naming the
  // scope key (exit 2 before anything runs).
  scheduler(const serve_config& config, std::string db_where, alert_dispatcher& alerts);
  ~scheduler();
  scheduler(const scheduler&) = delete;
  scheduler& operator=(const scheduler&) = delete;

  void start();
  // No new scans; waits up to `deadline` for running ones to record and end. True if all ended.
  bool stop(std::chrono::milliseconds deadline);

  enum class trigger_result { started, busy, unknown, stopping };
  trigger_result trigger(const std::string& scope);
  [[nodiscard]] std::vector<scope_status> status() const;
  [[nodiscard]] std::vector<std::string> scope_names() const;

 private:
  struct scope_state;
  void loop(scope_state& s);
  void run_once(scope_state& s);

  std::string db_where_;
  alert_dispatcher& alerts_;
  std::vector<std::unique_ptr<scope_state>> scopes_;
  mutable std::mutex m_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::stop_source stopping_;   // stops the scans running now (engine::scan_options::stop)
  std::atomic<int> active_{0};  // threads still running
};

}  // namespace ajar::serve
