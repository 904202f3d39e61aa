// Alerts: what changed between two scans of a scope (the inventory's diff), told to people.
//
//   make_alerts(changes, services)  -> one alert per newly open, re-opened, closed service or
//                                      severity change, naming the service, what it exposes and
//                                      how long it has been open
//   alert_dispatcher                -> a background thread: stores each alert, POSTs it to every
//                                      webhook (Slack-compatible `text` + structured fields),
//                                      retrying with backoff (bounded attempts and time), runs the
//                                      command hook with the JSON on stdin (argv, no shell), and
//                                      records every attempt (visible on the alerts page).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "inventory/store.hpp"

namespace ajar::serve {

struct alert {
  std::string kind;  // opened, reopened, closed, severity
  std::string scope;
  std::string service, address;
  std::int64_t port = 0;
  std::string verdict, severity, severity_before;
  std::string product, version, evidence;
  std::string exposure;       // "3 databases, 7 keys" (may be empty)
  std::string exposure_json;  // the contract's exposure object, "{}" if none
  std::int64_t open_for_ms = 0;
  std::int64_t at_ms = 0;
  std::int64_t scan_id = 0;

  [[nodiscard]] std::string text() const;  // one line for people (Slack's `text`)
  [[nodiscard]] std::string json() const;  // the webhook body / command stdin
};

// Alerts for the changes that matter to an owner. `services` is the inventory's current state
// (for exposure, product and open time).
std::vector<alert> make_alerts(const std::vector<inventory::change>& changes,
                               const std::vector<inventory::service_record>& services, const std::string& scope,
                               std::int64_t scan_id, std::int64_t at_ms);

struct delivery_policy {
  // Attempts per webhook at most (1 + retries): a dead receiver costs a bounded amount of work.
  int attempts = 4;
  // First retry after this, doubling each time (1 s, 2 s, 4 s).
  std::chrono::milliseconds backoff{1000};
  // Per attempt: connect + send + read the status line.
  std::chrono::milliseconds timeout{5000};
  // The command hook is killed after this.
  std::chrono::milliseconds command_timeout{10000};
};

// One POST; returns "" on a 2xx answer, else what went wrong (one line).
// `cancel` (optional) ends the attempt early when it turns true (daemon shutdown).
std::string post_webhook(const std::string& url, const std::string& body, std::chrono::milliseconds timeout,
                         const std::atomic<bool>* cancel = nullptr);
// Runs argv with `input` on stdin; "" if it exited 0 in time, else what went wrong.
std::string run_command(const std::vector<std::string>& argv, const std::string& input,
                        std::chrono::milliseconds timeout, const std::atomic<bool>* cancel = nullptr);

class alert_dispatcher {
 public:
  alert_dispatcher(std::string db_where, std::vector<std::string> webhooks, std::vector<std::string> command,
                   delivery_policy policy = {});
  ~alert_dispatcher();
  alert_dispatcher(const alert_dispatcher&) = delete;
  alert_dispatcher& operator=(const alert_dispatcher&) = delete;

  // Stores the alerts now (on the caller's connection is not needed: the dispatcher owns one)
  // and queues their delivery.
  void submit(std::vector<alert> alerts);
  // Stops waiting between retries; undelivered alerts stay 'pending'. Joins the thread.
  void stop();

  [[nodiscard]] std::uint64_t sent() const noexcept { return sent_.load(); }
  [[nodiscard]] std::uint64_t failed() const noexcept { return failed_.load(); }

 private:
  void loop();
  void deliver(std::int64_t id, const alert& a);
  bool wait_for(std::chrono::milliseconds d);  // false when stopping

  std::string db_where_;
  std::vector<std::string> webhooks_, command_;
  delivery_policy policy_;
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<alert> queue_;
  bool stop_ = false;
  std::atomic<bool> cancel_{false};
  std::atomic<std::uint64_t> sent_{0}, failed_{0};
  std::thread thread_;
};

}  // namespace ajar::serve
