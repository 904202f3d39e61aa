#include "serve/scheduler.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <random>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/ports.hpp"
#include "inventory/recorder.hpp"
#include "inventory/store.hpp"
#include "probes/registry.hpp"
#include "serve/serve_db.hpp"

namespace ajar::serve {

namespace {

using clock = std::chrono::steady_clock;

// Connections in flight per scope when no rate is given: a daemon shares the host with others.
constexpr std::size_t default_concurrency = 256;

std::vector<core::ip_address> resolve_host(const std::string& name) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::vector<core::ip_address> out;
  if (getaddrinfo(name.c_str(), nullptr, &hints, &res) != 0) return out;
  for (auto* ai = res; ai != nullptr; ai = ai->ai_next) {
    char buf[64] = {};
    if (getnameinfo(ai->ai_addr, ai->ai_addrlen, buf, sizeof buf, nullptr, 0, NI_NUMERICHOST) != 0) continue;
    if (auto a = core::ip_address::parse(buf)) out.push_back(*a);
  }
  freeaddrinfo(res);
  return out;
}

std::string compact_ports(std::vector<std::uint16_t> ports) {
  std::sort(ports.begin(), ports.end());
  std::string out;
  for (std::size_t i = 0; i < ports.size();) {
    std::size_t j = i;
    while (j + 1 < ports.size() && ports[j + 1] <= ports[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += ports[i] == ports[j] ? fmt::format("{}", ports[i]) : fmt::format("{}-{}", ports[i], ports[j]);
    i = j + 1;
  }
  return out;
}

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

struct scheduler::scope_state {
  scope_config config;
  engine::scan_plan plan;
  engine::scan_options options;
  bool triggered = false;
  scope_status status;
  std::thread thread;
};

scheduler::scheduler(const serve_config& config, std::string db_where, alert_dispatcher& alerts)
    : db_where_(std::move(db_where)), alerts_(alerts) {
  for (std::size_t i = 0; i < config.scopes.size(); ++i) {
    const auto& sc = config.scopes[i];
    auto st = std::make_unique<scope_state>();
    st->config = sc;
    st->status.name = sc.name;
    auto where = fmt::format("scopes[{}]", i);
    try {
      for (const auto& t : sc.targets) core::parse_target(t, st->plan.targets, resolve_host);
      core::target_set excluded;
      for (const auto& t : sc.exclude) core::parse_target(t, excluded, resolve_host);
      st->plan.targets.exclude(excluded);
    } catch (const core::input_error& e) {
      throw core::input_error(fmt::format("invalid config key '{}.targets': {}", where, e.what()));
    }
    try {
      st->plan.ports = sc.ports.empty() ? probes::all_default_ports()
                                        : core::parse_ports(sc.ports, probes::default_ports_of);
    } catch (const core::input_error& e) {
      throw core::input_error(fmt::format("invalid config key '{}.ports': {}", where, e.what()));
    }
    st->plan.target_tokens = sc.targets;
    st->plan.exclude_tokens = sc.exclude;
    st->plan.threads = 1;
    st->options.rate = sc.rate;
    st->options.timeout = sc.timeout;
    st->options.connect_timeout = std::min<std::chrono::milliseconds>(sc.timeout, std::chrono::seconds(3));
    st->options.concurrency = default_concurrency;
    scopes_.push_back(std::move(st));
  }
}

scheduler::~scheduler() { stop(std::chrono::seconds(5)); }

void scheduler::start() {
  for (auto& s : scopes_) {
    ++active_;
    s->thread = std::thread([this, st = s.get()] {
      loop(*st);
      --active_;
      cv_.notify_all();
    });
  }
}

bool scheduler::stop(std::chrono::milliseconds deadline) {
  {
    std::lock_guard lock(m_);
    stop_ = true;
  }
  stopping_.request_stop();  // every scan running now, and any that starts after (its token is stopped)
  cv_.notify_all();
  auto until = clock::now() + deadline;
  {
    std::unique_lock lock(m_);
    while (active_.load() > 0 && clock::now() < until) cv_.wait_for(lock, std::chrono::milliseconds(100));
  }
  bool all = active_.load() == 0;
  for (auto& s : scopes_) {
    if (!s->thread.joinable()) continue;
    if (all) s->thread.join();
    else s->thread.detach();  // the process is about to exit; SQLite's WAL keeps the file sound
  }
  return all;
}

scheduler::trigger_result scheduler::trigger(const std::string& scope) {
  std::lock_guard lock(m_);
  if (stop_) return trigger_result::stopping;
  for (auto& s : scopes_) {
    if (s->config.name != scope) continue;
    if (s->status.running || s->triggered) return trigger_result::busy;
    s->triggered = true;
    cv_.notify_all();
    return trigger_result::started;
  }
  return trigger_result::unknown;
}

std::vector<scope_status> scheduler::status() const {
  std::lock_guard lock(m_);
  std::vector<scope_status> out;
  for (const auto& s : scopes_) out.push_back(s->status);
  return out;
}

std::vector<std::string> scheduler::scope_names() const {
  std::vector<std::string> out;
  for (const auto& s : scopes_) out.push_back(s->config.name);
  return out;
}

void scheduler::loop(scope_state& s) {
  auto next = clock::now();  // the first scan runs at start
  for (;;) {
    {
      std::unique_lock lock(m_);
      s.status.next_ms = wall_ms() + std::chrono::duration_cast<std::chrono::milliseconds>(next - clock::now()).count();
      cv_.wait_until(lock, next, [&] { return stop_ || s.triggered; });
      if (stop_) return;
      s.triggered = false;
      s.status.running = true;
      s.status.next_ms.reset();
    }
    auto started = clock::now();
    try {
      run_once(s);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "ajar serve: scope %s: scan failed: %s\n", s.config.name.c_str(), e.what());
      std::lock_guard lock(m_);
      s.status.last_state = "failed";
    }
    {
      std::lock_guard lock(m_);
      s.status.running = false;
    }
    next = std::max(clock::now(), started + s.config.interval);
  }
}

void scheduler::run_once(scope_state& s) {
  auto started_ms = wall_ms();
  {
    std::lock_guard lock(m_);
    s.status.last_started_ms = started_ms;
  }
  serve_db sdb(db_where_);
  auto store = inventory::store::open(db_where_);
  auto run_id = sdb.start_run(s.config.name, started_ms);
  auto plan = s.plan;
  plan.seed = (std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
  inventory::scan_meta meta;
  meta.targets = plan.target_tokens;
  meta.excludes = plan.exclude_tokens;
  meta.ports = compact_ports(plan.ports);
  meta.seed = plan.seed;
  meta.origin = "scan";
  // Whether (address, port) is in this scope: closes unseen services after a complete scan, and
  // keeps other scopes' changes (their scans may run in between) out of this scope's alerts.
  std::vector<core::ip_address> v6 = plan.targets.v6_addresses();
  std::sort(v6.begin(), v6.end());
  std::vector<std::uint16_t> ports = plan.ports;
  std::sort(ports.begin(), ports.end());
  auto covered = [&plan, v6 = std::move(v6), ports = std::move(ports)](std::string_view address, std::uint16_t port) {
    if (!std::binary_search(ports.begin(), ports.end(), port)) return false;
    auto ip = core::ip_address::parse(address);
    if (!ip) return false;
    if (ip->is_v4()) return plan.targets.v4().contains(ip->v4_value());
    return std::binary_search(v6.begin(), v6.end(), *ip);
  };
  std::int64_t found = 0;
  engine::scan_result result;
  std::int64_t scan_id = 0;
  {
    inventory::recorder rec(*store, meta);
    scan_id = rec.scan_id();
    bool stopping = false;
    {
      std::lock_guard lock(m_);
      stopping = stop_;
    }
    if (stopping) {
      result.interrupted = true;
    } else {
      auto options = s.options;
      options.stop = stopping_.get_token();
      result = engine::run_scan(plan, options, [&](core::finding f) {
        ++found;
        rec.write(f);
      });
    }
    rec.finish();
    inventory::scan_end e;
    e.status = result.interrupted ? "interrupted" : "done";
    e.endpoints = static_cast<std::int64_t>(result.stats.endpoints);
    e.open = static_cast<std::int64_t>(result.stats.open);
    e.identified = static_cast<std::int64_t>(result.stats.identified);
    if (!result.interrupted) e.covered = covered;
    rec.end(e);
    if (auto err = rec.error(); !err.empty())
      std::fprintf(stderr, "ajar serve: scope %s: the inventory missed some of this scan: %s\n",
                   s.config.name.c_str(), err.c_str());
  }
  auto finished_ms = wall_ms();
  std::string state = result.interrupted ? "interrupted" : "done";
  // The baseline: this scope's previous complete scan.
  std::optional<std::int64_t> previous;
  for (const auto& r : sdb.raw().query(
           "SELECT scan_id FROM serve_scope_runs WHERE scope = $1 AND state = 'done' AND scan_id IS NOT NULL "
           "AND id <> $2 ORDER BY id DESC LIMIT 1",
           {s.config.name, run_id}))
    previous = r.int64(0);
  sdb.finish_run(run_id, finished_ms, scan_id, state, "", found);
  if (!result.interrupted && previous) {
    auto changes = store->diff(*previous, scan_id);
    std::erase_if(changes, [&](const inventory::change& c) {
      return c.port < 0 || c.port > 65535 || !covered(c.address, static_cast<std::uint16_t>(c.port));
    });
    if (!changes.empty()) {
      inventory::findings_filter all;
      all.include_absent = true;
      auto alerts = make_alerts(changes, store->findings(all), s.config.name, scan_id, finished_ms);
      if (!alerts.empty()) alerts_.submit(std::move(alerts));
    }
  }
  std::fprintf(stderr, "ajar serve: scope %s: scan %lld %s in %.1f s, %lld findings\n", s.config.name.c_str(),
               static_cast<long long>(scan_id), state.c_str(),
               static_cast<double>(finished_ms - started_ms) / 1000.0, static_cast<long long>(found));
  std::lock_guard lock(m_);
  s.status.last_finished_ms = finished_ms;
  s.status.last_state = state;
  s.status.last_duration_s = static_cast<double>(finished_ms - started_ms) / 1000.0;
  s.status.total_duration_s += s.status.last_duration_s;
  ++s.status.runs;
}

}  // namespace ajar::serve
