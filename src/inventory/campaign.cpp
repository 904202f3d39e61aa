// Campaigns read as one scan (a "run"): store::runs(), run(), campaign(). The rules -- which
// attempt of a shard counts, when a campaign is done, running or partial, its start and end --
// are in store.hpp (run_record) and docs/INVENTORY.md ("Campaigns"). Recording a campaign's
// shards (begin_scan, end_scan) stays in store.cpp with the rest of the writing.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "inventory/store.hpp"

namespace ajar::inventory {

namespace {

// Folds one campaign's scan rows (ascending id) into its run.
run_record fold_campaign(const std::vector<scan_record>& attempts, std::int64_t n) {
  run_record run;
  run.id = attempts.front().id;
  run.campaign = attempts.front().campaign;
  run.shards = n;
  run.shard = fmt::format("{} shards", n);
  run.targets = attempts.front().targets;
  run.ports = attempts.front().ports;
  run.seed = attempts.front().seed;
  run.origin = attempts.front().origin;
  run.started_ms = attempts.front().started_ms;
  // The counted attempt of each shard index: the last done one, else the last one.
  std::map<std::int64_t, const scan_record*> counted;
  bool running = false;
  for (const auto& a : attempts) {
    run.scan_ids.push_back(a.id);
    run.started_ms = std::min(run.started_ms, a.started_ms);
    running |= a.status == "running";
    auto index = parse_shard(a.shard).first;
    auto& slot = counted[index];
    if (slot == nullptr || slot->status != "done" || a.status == "done") slot = &a;
  }
  std::optional<std::int64_t> ended;
  for (const auto& [index, a] : counted) {
    if (index >= 1 && index <= n && a->status == "done") ++run.shards_done;
    run.endpoints += a->endpoints;
    run.open += a->open;
    run.identified += a->identified;
    run.findings += a->findings;
    if (a->ended_ms) ended = std::max(ended.value_or(*a->ended_ms), *a->ended_ms);
  }
  if (run.shards_done == n) {
    run.status = "done";
    run.ended_ms = ended;
  } else {
    run.status = running ? "running" : "partial";
  }
  return run;
}

run_record single_run(const scan_record& s) {
  run_record run;
  run.id = s.id;
  run.scan_ids = {s.id};
  run.shard = s.shard;
  run.shards_done = s.status == "done" ? 1 : 0;
  run.started_ms = s.started_ms;
  run.ended_ms = s.ended_ms;
  run.targets = s.targets;
  run.ports = s.ports;
  run.seed = s.seed;
  run.endpoints = s.endpoints;
  run.open = s.open;
  run.identified = s.identified;
  run.findings = s.findings;
  run.status = s.status;
  run.origin = s.origin;
  return run;
}

}  // namespace

std::vector<run_record> store::runs() {
  std::map<std::string, std::int64_t> shards_of;
  for (const auto& r : db_->query("SELECT name, shards FROM campaigns"))
    shards_of[r.text(std::size_t{0})] = r.int64(1);
  std::map<std::string, std::vector<scan_record>> by_campaign;
  std::vector<run_record> out;
  std::vector<std::string> order;  // campaigns by their first scan id
  std::map<std::int64_t, std::string> campaign_at;  // run id -> campaign
  auto all = scans();
  for (const auto& s : all) {
    if (!s.campaign) {
      out.push_back(single_run(s));
      continue;
    }
    auto& v = by_campaign[*s.campaign];
    if (v.empty()) campaign_at[s.id] = *s.campaign;
    v.push_back(s);
  }
  for (const auto& [id, name] : campaign_at)
    out.push_back(fold_campaign(by_campaign[name], shards_of[name]));
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

std::optional<run_record> store::run(std::int64_t id) {
  auto s = scan(id);
  if (!s) return std::nullopt;
  if (!s->campaign) return single_run(*s);
  return campaign(*s->campaign);
}

std::optional<run_record> store::campaign(std::string_view name) {
  auto c = db_->query("SELECT shards FROM campaigns WHERE name = $1", {std::string(name)});
  if (c.empty()) return std::nullopt;
  std::vector<scan_record> attempts;
  for (auto& s : scans())
    if (s.campaign == name) attempts.push_back(std::move(s));
  if (attempts.empty()) return std::nullopt;
  return fold_campaign(attempts, c[0].int64(std::size_t{0}));
}

}  // namespace ajar::inventory
