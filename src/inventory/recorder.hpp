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
  // Findings not yet committed, at most: what a crash can lose. A scan thread that would
  // exceed it waits for the flusher (backpressure), so memory is bounded too.
  static constexpr std::size_t max_batch = 256;
  // The flusher commits as soon as half of that is waiting, so a scan thread rarely waits.
  static constexpr std::size_t flush_at = max_batch / 2;
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
  void loop();

  store& store_;
  std::int64_t scan_id_;
  mutable std::mutex m_;
  std::condition_variable wake_flusher_;  // work, a deadline, or stop
  std::condition_variable room_;          // the flusher committed a batch
  // Findings as the scan produced them: the JSON and the SQL happen on the flusher thread,
  // never on a scan thread (which holds the engine's writer lock while it calls write_).
  std::vector<core::finding> pending_;
  std::size_t committing_ = 0;            // size of the batch the flusher is writing
  std::chrono::steady_clock::time_point first_pending_{};
  bool flush_now_ = false;                // finish(): commit whatever is waiting
  bool stop_ = false;
  std::string error_;
  std::mutex db_;                         // store_ is used by the flusher and by end()
  std::thread flusher_;
};

}  // namespace ajar::inventory
