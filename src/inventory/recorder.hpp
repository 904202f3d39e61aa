// The recorder: a sink that writes a scan's findings into the inventory as they come.
//
// Findings are buffered and committed in one transaction per batch: when max_batch findings are
// waiting, or flush_every has passed since the first of them (a background thread checks), and
// at finish(). Crash bound: a SIGKILL or power loss loses at most the findings of the batch not
// yet committed (< max_batch findings, < flush_every + one commit of time); what was committed
// stays, and SQLite's WAL keeps the file consistent (PRAGMA integrity_check stays "ok"). The
// scan's row then stays 'running' and is shown as 'killed' once its process is gone.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "inventory/store.hpp"
#include "sinks/sink.hpp"

namespace ajar::inventory {

class recorder final : public sinks::sink {
 public:
  // Findings per transaction at most: bounds what a crash loses and how long the write lock
  // is held (other processes reading the inventory wait at most one batch).
  static constexpr std::size_t max_batch = 256;
  // A finding waits at most this long before it is committed.
  static constexpr std::chrono::milliseconds flush_every{1000};

  // Inserts the scan's row (status 'running') at once.
  recorder(store& s, const scan_meta& meta);
  ~recorder() override;

  [[nodiscard]] std::int64_t scan_id() const noexcept { return scan_id_; }
  // Flushes, then records the end (status, counts, closing of unseen services).
  void end(const scan_end& e);
  // The first storage error, if any (recording stops after it; the scan itself goes on).
  [[nodiscard]] std::string error() const;

 protected:
  void write_(const core::finding& f) override;
  void finish_() override;

 private:
  void flush_locked();
  void loop();

  store& store_;
  std::int64_t scan_id_;
  mutable std::mutex m_;
  std::condition_variable cv_;
  std::vector<store::sighting> pending_;
  std::chrono::steady_clock::time_point first_pending_{};
  bool stop_ = false;
  std::string error_;
  std::thread flusher_;
};

}  // namespace ajar::inventory
