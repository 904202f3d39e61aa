#include "inventory/recorder.hpp"

namespace ajar::inventory {

recorder::recorder(store& s, const scan_meta& meta) : store_(s), scan_id_(s.begin_scan(meta)) {
  store_.mark_dead_scans();
  flusher_ = std::thread([this] { loop(); });
}

recorder::~recorder() {
  {
    std::lock_guard lock(m_);
    stop_ = true;
  }
  cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  std::lock_guard lock(m_);
  flush_locked();  // end() was not reached (an exception): keep what was found
}

void recorder::loop() {
  std::unique_lock lock(m_);
  while (!stop_) {
    if (pending_.empty()) {
      cv_.wait(lock);
      continue;
    }
    auto due = first_pending_ + flush_every;
    if (std::chrono::steady_clock::now() >= due) {
      flush_locked();
    } else {
      cv_.wait_until(lock, due);
    }
  }
}

void recorder::write_(const core::finding& f) {
  std::lock_guard lock(m_);
  if (!error_.empty()) return;
  if (pending_.empty()) {
    first_pending_ = std::chrono::steady_clock::now();
    cv_.notify_all();
  }
  auto ts = std::chrono::duration_cast<std::chrono::milliseconds>(f.observed_at.time_since_epoch())
                .count();
  pending_.push_back({sinks::to_json(f), static_cast<std::int64_t>(ts)});
  if (pending_.size() >= max_batch) flush_locked();
}

void recorder::flush_locked() {
  if (pending_.empty()) return;
  try {
    store_.record(scan_id_, pending_);
  } catch (const std::exception& e) {
    if (error_.empty()) error_ = e.what();
  }
  pending_.clear();
}

void recorder::finish_() {
  std::lock_guard lock(m_);
  flush_locked();
}

void recorder::end(const scan_end& e) {
  finish();
  std::lock_guard lock(m_);
  try {
    store_.end_scan(scan_id_, e);
  } catch (const std::exception& ex) {
    if (error_.empty()) error_ = ex.what();
  }
}

std::string recorder::error() const {
  std::lock_guard lock(m_);
  return error_;
}

}  // namespace ajar::inventory
