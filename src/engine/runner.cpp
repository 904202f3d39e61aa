#include "engine/runner.hpp"

#include <time.h>

#include <fmt/format.h>

#include "engine/endpoint.hpp"
#include "findings/indicators.hpp"
#include "findings/severity.hpp"

namespace ajar::engine {

namespace asio = boost::asio;

namespace {

// The window a slice starts with, and how its growth is judged (see runner.hpp): a thread that
// was busy less than busy_share of each of idle_periods_to_widen widen_periods in a row, with
// the window full, doubles the window. A waiting thread is far below the share (a round trip
// leaves it idle); a busy one stays near 1, and dips below 0.8 for a period when another
// process takes the core (measured: 0.76-0.80 now and then on a shared 2-core machine), which
// the share and the second period keep from counting as idleness.
constexpr std::size_t first_window = 32;
constexpr auto widen_period = std::chrono::milliseconds(5);
constexpr double busy_share = 0.5;
constexpr unsigned idle_periods_to_widen = 2;

std::int64_t thread_cpu_ns() noexcept {
  timespec ts{};
  if (::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0;
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

std::size_t ip_hash::operator()(const core::ip_address& a) const noexcept {
  std::size_t h = a.is_v4() ? 4 : 6;
  for (auto b : a.bytes()) h = h * 1099511628211ULL ^ b;  // FNV-style mix
  return h;
}

slice_runner::slice_runner(const core::target_space& space, const core::cyclic_permutation& perm,
                           const scan_plan& plan, const scan_options& options, std::uint32_t index,
                           shared_state& shared, const std::vector<core::endpoint>* list)
    : space_(space),
      options_(options),
      shared_(shared),
      index_(index),
      threads_(plan.threads),
      window_(std::max<std::size_t>(1, options.concurrency / plan.threads)),
      limit_(std::min(window_, first_window)),
      walker_(perm.slice(plan.shard, plan.shards,
                         plan.progress.empty() ? 0 : plan.progress[index].position)),
      list_(list),
      bucket_(options.rate / plan.threads) {
  if (list_ != nullptr && !plan.progress.empty()) list_pos_ = plan.progress[index].position;
  if (!plan.progress.empty())
    skip_.insert(plan.progress[index].done_ahead.begin(), plan.progress[index].done_ahead.end());
}

void slice_runner::run() {
  fill();
  watch_window();
  ctx_.run();
}

void slice_runner::watch_window() {
  if (limit_ >= window_ || done()) return;
  auto wall = net::clock::now();
  auto cpu = thread_cpu_ns();
  if (widen_wall_ != net::clock::time_point{}) {
    auto wall_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wall - widen_wall_).count();
    bool idle = static_cast<double>(cpu - widen_cpu_ns_) < busy_share * static_cast<double>(wall_ns);
    idle_periods_ = idle && active() >= limit_ ? idle_periods_ + 1 : 0;
    if (idle_periods_ >= idle_periods_to_widen) {
      idle_periods_ = 0;
      limit_ = std::min(window_, limit_ * 2);
      fill();
      if (limit_ >= window_ || done()) return;
    }
  }
  widen_wall_ = wall;
  widen_cpu_ns_ = cpu;
  widen_.expires_after(widen_period);
  widen_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) watch_window();
  });
}

void slice_runner::stop() noexcept { ctx_.stop(); }

std::optional<slice_runner::next_item> slice_runner::next() {
  if (list_ != nullptr) {
    while (list_pos_ < list_->size()) {
      std::uint64_t pos = list_pos_++;
      const auto& ep = (*list_)[pos];
      if (!skip_.empty() && skip_.count(pos) > 0) continue;
      if (ip_hash{}(ep.ip) % threads_ != index_) continue;  // another thread's address
      return next_item{pos, ep};
    }
    return std::nullopt;
  }
  const auto nports = space_.ports().size();
  while (auto v = walker_.next()) {
    std::uint64_t pos = walker_.position() - 1;
    if (!skip_.empty() && skip_.count(pos) > 0) continue;  // finished in an earlier run
    if ((*v / nports) % threads_ != index_) continue;  // another thread's address
    return next_item{pos, space_.at(*v)};
  }
  return std::nullopt;
}

void slice_runner::finished(std::uint64_t position) {
  in_flight_.erase(position);
  // Keep only what resume needs: positions done beyond the lowest one still in flight.
  if (!in_flight_.empty() && position > *in_flight_.begin()) done_ahead_.insert(position);
  while (!done_ahead_.empty() && (in_flight_.empty() || *done_ahead_.begin() < *in_flight_.begin()))
    done_ahead_.erase(done_ahead_.begin());
}

thread_progress slice_runner::progress() const {
  thread_progress p;
  std::uint64_t walked = list_ != nullptr ? list_pos_ : walker_.position();
  p.position = in_flight_.empty() ? walked : *in_flight_.begin();
  for (auto d : done_ahead_)
    if (d >= p.position) p.done_ahead.push_back(d);
  // Positions an earlier run finished that this one has not reached are still finished.
  for (auto d : skip_)
    if (d >= p.position) p.done_ahead.push_back(d);
  std::sort(p.done_ahead.begin(), p.done_ahead.end());
  return p;
}

bool slice_runner::acquire_host(const core::ip_address& ip, std::uint32_t j) {
  if (options_.per_host == 0) return true;
  auto& slot = hosts_[ip];
  if (slot.in_flight < options_.per_host) {
    ++slot.in_flight;
    return true;
  }
  slot.waiting.push_back(j);
  return false;
}

void slice_runner::release_host(const core::ip_address& ip) {
  if (options_.per_host == 0) return;
  auto it = hosts_.find(ip);
  if (it == hosts_.end()) return;
  auto& slot = it->second;
  if (!slot.waiting.empty()) {
    ready_.push_back(slot.waiting.front());  // the slot passes to it
    slot.waiting.pop_front();
  } else if (--slot.in_flight == 0) {
    hosts_.erase(it);
  }
}

void slice_runner::fill() {
  if (filling_) return;  // a job finished inside launch(): the loop below goes on
  filling_ = true;
  for (;;) {
    if (!ready_.empty()) {
      if (!token()) break;
      auto j = ready_.front();
      ready_.pop_front();
      launch(j);
      continue;
    }
    if (active() >= limit_ || exhausted_) break;
    auto item = next();
    if (!item) {
      exhausted_ = true;
      break;
    }
    std::uint32_t j;
    if (free_jobs_.empty()) {
      j = static_cast<std::uint32_t>(jobs_.size());
      jobs_.emplace_back();
    } else {
      j = free_jobs_.back();
      free_jobs_.pop_back();
    }
    jobs_[j] = job{*item, {}, 0, nullptr};
    in_flight_.insert(item->position);
    if (acquire_host(item->where.ip, j)) ready_.push_back(j);
  }
  filling_ = false;
  if (done()) {  // nothing left: let ctx_.run() return
    connector_.close();
    waiter_.close();
    widen_.cancel();
  }
}

bool slice_runner::token() {
  if (pacing_) return false;
  if (token_waited_) {
    token_waited_ = false;
    return true;
  }
  auto wait = bucket_.reserve(net::clock::now());
  if (wait <= net::clock::duration::zero()) return true;
  pacing_ = true;
  pace_.expires_after(wait);
  pace_.async_wait([this](const boost::system::error_code& ec) {
    pacing_ = false;
    if (ec) return;
    token_waited_ = true;
    fill();
  });
  return false;
}

void slice_runner::launch(std::uint32_t j) {
  auto& jb = jobs_[j];
  auto now = net::clock::now();
  if (jb.attempts++ == 0) jb.deadline = now + options_.timeout;
  auto at_once = connector_.start(jb.item.where, options_.source, std::min(now + options_.connect_timeout, jb.deadline), j);
  if (at_once) connected(j, at_once->status, at_once->fd);
}

void slice_runner::connected(std::uint32_t j, core::status st, int fd) {
  auto& jb = jobs_[j];
  if (jb.scan) return jb.scan->connected(st, fd);  // a further connection for its next step
  if (st == core::status::ok) {
    auto [slot, fresh] = candidates_.try_emplace(jb.item.where.port);
    if (fresh) slot->second = candidate_order(jb.item.where.port, options_);
    jb.scan = std::make_unique<endpoint_scan>(jb.item.where, options_, slot->second, jb.deadline, *this, j);
    return jb.scan->start(fd);
  }
  // A lost SYN is retried; a refusal is an answer.
  if (st == core::status::connect_timeout && jb.attempts <= options_.retries && net::clock::now() < jb.deadline) {
    ready_.push_front(j);
    fill();
    return;
  }
  endpoint_outcome out;
  out.connect_status = st;
  finish(j, out);
}

void slice_runner::reconnect(std::uint32_t j) {
  ready_.push_back(j);  // it holds its host slot already; it waits for a token like any connect
  fill();
}

void slice_runner::wait(std::uint32_t j, int fd, net::clock::time_point until) { waiter_.wait(fd, until, j); }

void slice_runner::ready(std::uint32_t j, bool timed_out) { jobs_[j].scan->ready(timed_out); }

void slice_runner::done(std::uint32_t j) {
  // The scan calls this last, and is destroyed at the end of it.
  auto scan = std::move(jobs_[j].scan);
  endpoint_outcome out;
  if (scan->failed()) {  // a probe bug must not lose the endpoint or stall the scan
    out.open = true;
    ++shared_.errors;
  } else {
    out = std::move(scan->outcome());
  }
  finish(j, out);
}

void slice_runner::finish(std::uint32_t j, endpoint_outcome& outcome) {
  auto item = jobs_[j].item;
  free_jobs_.push_back(j);
  release_host(item.where.ip);
  report(item, outcome);
  ++shared_.done;
  finished(item.position);
  fill();
}

void slice_runner::report(const next_item& item, endpoint_outcome& outcome) {
  if (outcome.open && !outcome.spoke && outcome.observation && !outcome.observation->identified) {
    // A middlebox or honeypot accepts everywhere: one flagged row, not a row per port.
    auto n = ++silent_[item.where.ip];
    if (n > silent_ports_flag) {
      outcome.observation.reset();
    } else if (n == silent_ports_flag) {
      outcome.observation->evidence = fmt::format(
          "accepts connections on at least {} ports without speaking any protocol: a middlebox, tarpit or "
          "honeypot; further silent ports of this address are not listed",
          silent_ports_flag);
      outcome.observation->exposure = {};
      accepts_any_ = true;
    }
  }
  if (outcome.spoke) ++shared_.open;
  if (!outcome.open && outcome.connect_status != core::status::connection_refused) ++shared_.errors;
  if (!outcome.observation) return;
  if (outcome.observation->identified) ++shared_.identified;
  core::finding f;
  f.where = item.where;
  auto found = findings::indicators_of(outcome.observation->exposure);
  f.severity = findings::rate(*outcome.observation, found.indicators);
  f.indicators = std::move(found.indicators);
  f.indicator_names = std::move(found.matches);
  if (accepts_any_) f.indicators.emplace_back("accepts-any-port");
  accepts_any_ = false;
  f.what = std::move(*outcome.observation);
  f.observed_at = std::chrono::system_clock::now();
  std::lock_guard lock(shared_.writer);
  (*shared_.out)(std::move(f));
}

}  // namespace ajar::engine
