#include "engine/scan.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <functional>
#include <memory>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/cyclic.hpp"
#include "core/target_space.hpp"
#include "engine/progress.hpp"
#include "engine/runner.hpp"
#include "net/syn.hpp"

namespace ajar::engine {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;

std::uint64_t planned_endpoints(const scan_plan& plan) {
  core::target_space space(plan.targets, plan.ports);
  std::uint64_t n = space.size();
  if (plan.shards <= 1 || n == 0) return n;
  core::cyclic_permutation perm(n, plan.seed);
  // The shard's share of the cycle, scaled from cycle positions to indices.
  long double share = static_cast<long double>(perm.slice_positions(plan.shard, plan.shards)) /
                      static_cast<long double>(perm.prime() - 1);
  return static_cast<std::uint64_t>(share * static_cast<long double>(n) + 0.5L);
}

namespace {

// The monitor: a timer on the calling thread that reads the shared counters.
class monitor {
 public:
  monitor(asio::io_context& ctx, shared_state& shared, std::uint64_t total, std::uint64_t already,
          const scan_options& o)
      : shared_(shared),
        total_(total),
        already_(already),
        live_(o.live_progress),
        every_(o.stats_every),
        live_timer_(ctx),
        stats_timer_(ctx),
        started_(clock::now()),
        last_(started_) {
    if (live_) arm(live_timer_, std::chrono::seconds(1), true);
    if (every_) arm(stats_timer_, *every_, false);
  }

  void stop() {
    // A tick that expired just before this is already queued and cancel() cannot reach it:
    // without the flag it would print and re-arm, and keep the control loop alive forever (a
    // scan ending on a multiple of --stats-every hung that way under load).
    stopped_ = true;
    live_timer_.cancel();
    stats_timer_.cancel();
    if (live_ && drawn_) std::fputs("\r\x1b[K", stderr);  // leave a clean line for the summary
    if (every_) std::fprintf(stderr, "%s\n", format_status_json(snapshot(false)).c_str());
  }

 private:
  progress_snapshot snapshot(bool update_rate) {
    progress_snapshot s;
    s.done = already_ + shared_.done.load();
    s.total = total_;
    s.open = shared_.open.load();
    s.identified = shared_.identified.load();
    s.errors = shared_.errors.load();
    auto now = clock::now();
    s.elapsed_s = std::chrono::duration<double>(now - started_).count();
    double dt = std::chrono::duration<double>(now - last_).count();
    if (update_rate && dt > 0) {
      rate_ = static_cast<double>(s.done - last_done_) / dt;
      last_ = now;
      last_done_ = s.done;
    }
    s.rate = rate_;
    return s;
  }

  void arm(asio::steady_timer& t, std::chrono::milliseconds every, bool live) {
    t.expires_after(every);
    t.async_wait([this, &t, every, live](boost::system::error_code ec) {
      if (ec || stopped_) return;
      if (live) {
        std::fprintf(stderr, "\r\x1b[K%s", format_status_line(snapshot(true)).c_str());
        drawn_ = true;
      } else {
        std::fprintf(stderr, "%s\n", format_status_json(snapshot(!live_)).c_str());
      }
      std::fflush(stderr);
      arm(t, every, live);
    });
  }

  shared_state& shared_;
  bool stopped_ = false;
  std::uint64_t total_, already_;
  bool live_;
  std::optional<std::chrono::milliseconds> every_;
  asio::steady_timer live_timer_, stats_timer_;
  clock::time_point started_, last_;
  std::uint64_t last_done_ = 0;
  double rate_ = 0;
  bool drawn_ = false;
};

}  // namespace

namespace {

// --syn phase one: SYN every endpoint of the shard in permuted order; keep those that answered
// SYN-ACK (and IPv6 ones, which the engine connects to directly). Runs on its own thread so the
// calling thread keeps serving signals.
std::vector<core::endpoint> discover(const scan_plan& plan, const core::target_space& space,
                                     const core::cyclic_permutation& perm, net::syn_scanner& syn) {
  std::vector<core::endpoint> open;
  auto walker = perm.slice(plan.shard, plan.shards);
  syn.run(
      [&]() -> std::optional<core::endpoint> {
        if (auto v = walker.next()) return space.at(*v);
        return std::nullopt;
      },
      [&](const core::endpoint& ep) { open.push_back(ep); },
      [&](const core::endpoint& ep) { open.push_back(ep); });
  return open;
}

}  // namespace

scan_result run_scan(const scan_plan& plan, const scan_options& options,
                     const finding_handler& on_finding) {
  scan_result result;
  auto started = clock::now();
  core::target_space space(plan.targets, plan.ports);
  if (space.size() == 0) return result;
  core::cyclic_permutation perm(space.size(), plan.seed);
  std::uint64_t total = planned_endpoints(plan);

  asio::io_context control(1);
  asio::signal_set signals(control, SIGINT, SIGTERM);
  std::function<void()> on_signal;  // what "stop" means in the current phase
  signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (ec) return;
    result.interrupted = true;
    result.signal = sig;
    if (on_signal) on_signal();
  });
  // A stop request is a SIGTERM delivered to this scan only; handled on the control thread,
  // like the signal, so `on_signal` is always read where it is written.
  std::stop_callback on_stop(options.stop, [&] {
    asio::post(control, [&] {
      if (result.interrupted) return;
      result.interrupted = true;
      result.signal = SIGTERM;
      if (on_signal) on_signal();
    });
  });

  const std::vector<core::endpoint>* list = nullptr;
  if (plan.syn) {
    if (plan.syn_open) {
      result.syn_open = plan.syn_open;
    } else {
      if (options.syn == nullptr) throw std::logic_error("--syn plan without an open syn_scanner");
      on_signal = [&] { options.syn->stop(); };
      std::vector<core::endpoint> open;
      std::thread phase1([&] {
        open = discover(plan, space, perm, *options.syn);
        asio::post(control, [&] { control.stop(); });
      });
      control.run();
      phase1.join();
      control.restart();
      // Interrupted mid-discovery: nothing was probed yet, so resuming redoes discovery.
      if (result.interrupted) return result;
      result.syn_open = std::move(open);
    }
    list = &*result.syn_open;
  }

  shared_state shared;
  shared.out = &on_finding;
  std::vector<std::unique_ptr<slice_runner>> runners;
  for (std::uint32_t t = 0; t < plan.threads; ++t)
    runners.push_back(std::make_unique<slice_runner>(space, perm, plan, options, t, shared, list));
  on_signal = [&] {
    for (auto& r : runners) r->stop();
  };

  // A resumed scan counts what earlier runs finished, so the percentage continues.
  std::uint64_t already = 0;
  if (list != nullptr) {
    // Endpoints that did not answer the SYN are finished already.
    already = total > list->size() ? total - list->size() : 0;
    for (const auto& p : plan.progress) already += p.position / std::max<std::uint32_t>(1, plan.threads);
  } else if (!plan.progress.empty()) {
    long double walked = 0;
    for (const auto& p : plan.progress) walked += static_cast<long double>(p.position);
    long double per_thread = static_cast<long double>(perm.slice_positions(plan.shard, plan.shards));
    if (per_thread > 0)
      already = static_cast<std::uint64_t>(walked / (per_thread * plan.threads) * static_cast<long double>(total));
  }
  monitor mon(control, shared, total, already, options);

  std::atomic<std::uint32_t> remaining{plan.threads};
  std::vector<std::thread> threads;
  for (auto& r : runners) {
    threads.emplace_back([&, runner = r.get()] {
      runner->run();
      asio::post(control, [&] {
        if (--remaining == 0) {
          signals.cancel();
          mon.stop();
        }
      });
    });
  }
  control.run();
  for (auto& t : threads) t.join();

  for (auto& r : runners) result.progress.push_back(r->progress());
  result.stats.endpoints = shared.done.load() + (list != nullptr ? total - std::min<std::uint64_t>(total, list->size()) : 0);
  result.stats.open = shared.open.load();
  result.stats.identified = shared.identified.load();
  result.stats.errors = shared.errors.load();
  result.stats.elapsed = clock::now() - started;
  return result;
}

}  // namespace ajar::engine
