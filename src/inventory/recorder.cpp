#include "inventory/recorder.hpp"

#include <exception>
#include <utility>

namespace ajar::inventory {

recorder::recorder(store& s, const scan_meta& meta) : store_(s), scan_id_(s.begin_scan(meta)) {
  store_.mark_dead_scans();
  flusher_ = std::thread([this] { loop(); });
}

recorder::~recorder() {
  {
    std::lock_guard lock(m_);
    stop_ = true;  // the flusher commits what is still waiting, then returns
  }
  wake_flusher_.notify_all();
  if (flusher_.joinable()) flusher_.join();
}

// The flusher: commits a batch when flush_at findings wait, when the oldest has waited
// flush_every, on finish(), and on stop -- with m_ released while it writes, so scan threads
// keep appending.
void recorder::loop() {
  std::unique_lock lock(m_);
  for (;;) {
    if (pending_.empty()) {
      if (stop_) return;
      flush_now_ = false;
      room_.notify_all();  // finish() waits for an empty backlog
      wake_flusher_.wait(lock);
      continue;
    }
    auto due = first_pending_ + flush_every;
    if (!stop_ && !flush_now_ && pending_.size() < flush_at && std::chrono::steady_clock::now() < due) {
      wake_flusher_.wait_until(lock, due);
      continue;
    }
    std::vector<core::finding> batch;
    batch.swap(pending_);
    committing_ = batch.size();
    bool failed = !error_.empty();
    lock.unlock();
    std::string error;
    if (!failed) {
      std::vector<store::sighting> sightings;
      sightings.reserve(batch.size());
      for (const auto& f : batch) {
        auto ts = std::chrono::duration_cast<std::chrono::milliseconds>(f.observed_at.time_since_epoch()).count();
        sightings.push_back({sinks::to_json(f), static_cast<std::int64_t>(ts)});
      }
      try {
        std::lock_guard db(db_);
        store_.record(scan_id_, sightings);
      } catch (const std::exception& e) {
        error = e.what();
      }
    }
    lock.lock();
    if (!error.empty() && error_.empty()) error_ = std::move(error);
    committing_ = 0;
    room_.notify_all();
  }
}

void recorder::write_(const core::finding& f) {
  std::unique_lock lock(m_);
  if (!error_.empty()) return;
  // Backpressure keeps the uncommitted findings (waiting + being written) within max_batch.
  room_.wait(lock, [&] { return pending_.size() + committing_ < max_batch || !error_.empty(); });
  if (!error_.empty()) return;
  if (pending_.empty()) {
    first_pending_ = std::chrono::steady_clock::now();
    wake_flusher_.notify_all();  // arms the flush_every deadline
  }
  pending_.push_back(f);
  if (pending_.size() == flush_at) wake_flusher_.notify_all();
}

void recorder::finish_() {
  std::unique_lock lock(m_);
  flush_now_ = true;
  wake_flusher_.notify_all();
  room_.wait(lock, [&] { return (pending_.empty() && committing_ == 0); });
}

void recorder::end(const scan_end& e) {
  finish();
  std::lock_guard db(db_);
  try {
    store_.end_scan(scan_id_, e);
  } catch (const std::exception& ex) {
    std::lock_guard lock(m_);
    if (error_.empty()) error_ = ex.what();
  }
}

std::string recorder::error() const {
  std::lock_guard lock(m_);
  return error_;
}

}  // namespace ajar::inventory
