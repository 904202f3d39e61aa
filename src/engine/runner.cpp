#include "engine/runner.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

#include "engine/endpoint.hpp"
#include "findings/indicators.hpp"
#include "findings/severity.hpp"

namespace ajar::engine {

namespace asio = boost::asio;

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
      workers_(std::max<std::size_t>(1, options.concurrency / plan.threads)),
      walker_(perm.slice(plan.shard, plan.shards,
                         plan.progress.empty() ? 0 : plan.progress[index].position)),
      list_(list),
      bucket_(options.rate / plan.threads) {
  if (list_ != nullptr && !plan.progress.empty()) list_pos_ = plan.progress[index].position;
  if (!plan.progress.empty())
    skip_.insert(plan.progress[index].done_ahead.begin(), plan.progress[index].done_ahead.end());
}

void slice_runner::run() {
  for (std::size_t i = 0; i < workers_; ++i) asio::co_spawn(ctx_, worker(), asio::detached);
  ctx_.run();
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

asio::awaitable<void> slice_runner::acquire_host(const core::ip_address& ip) {
  if (options_.per_host == 0) co_return;
  for (;;) {
    auto& slot = hosts_[ip];
    if (slot.in_flight < options_.per_host) {
      ++slot.in_flight;
      co_return;
    }
    asio::steady_timer wake(ctx_, asio::steady_timer::time_point::max());
    slot.waiters.push_back(&wake);
    co_await wake.async_wait(asio::as_tuple(asio::use_awaitable));  // cancelled by release_host
  }
}

void slice_runner::release_host(const core::ip_address& ip) {
  if (options_.per_host == 0) return;
  auto it = hosts_.find(ip);
  if (it == hosts_.end()) return;
  auto& slot = it->second;
  --slot.in_flight;
  if (!slot.waiters.empty()) {
    slot.waiters.front()->cancel();
    slot.waiters.pop_front();
  } else if (slot.in_flight == 0) {
    hosts_.erase(it);
  }
}

asio::awaitable<void> slice_runner::worker() {
  while (auto item = next()) {
    in_flight_.insert(item->position);
    co_await acquire_host(item->where.ip);
    auto [slot, fresh] = candidates_.try_emplace(item->where.port);
    if (fresh) slot->second = candidate_order(item->where.port, options_);
    auto outcome = co_await scan_endpoint(item->where, options_, bucket_, slot->second);
    release_host(item->where.ip);
    report(*item, outcome);
    ++shared_.done;
    finished(item->position);
  }
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
