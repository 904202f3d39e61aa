// Campaigns on both backends: N shard scans read as one run (start, end, counts, status),
// retries of a shard, partial campaigns, a worker that disagrees with its campaign, closing of
// unseen services exactly once when the last shard completes, diff/history/findings by
// campaign, and N workers (one connection each, one thread each) creating and finishing one
// campaign at the same moment.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "inventory/store.hpp"
#include "inventory_backends.hpp"

namespace ajar::inventory {
namespace {

constexpr std::int64_t day = 86'400'000;
constexpr std::int64_t t0 = 1'700'000'000'000;

store::sighting seen(std::string ip, int port, std::string service, std::string auth,
                     std::string severity, std::int64_t ts) {
  boost::json::object f{{"ip", ip},           {"port", port},
                        {"transport", "tcp"}, {"tls", false},
                        {"service", service}, {"product", nullptr},
                        {"version", nullptr}, {"auth", auth},
                        {"severity", severity}, {"evidence", "test"},
                        {"exposure", boost::json::object{}},
                        {"indicators", boost::json::array{}},
                        {"observed_at", "2023-11-14T22:13:20Z"}};
  return {f, ts};
}

// The campaign's space: 127.10.0.1-4 x 6379 (each shard scans one address here).
scan_meta shard_meta(const std::string& campaign, int i, int n, std::int64_t started) {
  scan_meta m;
  m.targets = {"127.10.0.1-127.10.0.4"};
  m.ports = "6379";
  m.seed = 42;
  m.shard = std::to_string(i) + "/" + std::to_string(n);
  m.campaign = campaign;
  m.started_ms = started;
  return m;
}

scan_end done_at(std::int64_t ended, std::int64_t endpoints = 1) {
  scan_end e;
  e.ended_ms = ended;
  e.endpoints = endpoints;
  e.open = 1;
  e.identified = 1;
  e.covered = [](std::string_view a, std::uint16_t p) {
    return p == 6379 && a.starts_with("127.10.0.");
  };
  return e;
}

class campaign_test : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = std::make_unique<test::fresh_backend>(GetParam());
    where_ = backend_->where();
    if (where_.empty() && HasFailure()) GTEST_FAIL() << "PostgreSQL was promised but does not work";
    if (where_.empty()) GTEST_SKIP() << "no PostgreSQL URL (lab/lab.sh start inventory-pg)";
    st_ = store::open(where_);
  }
  // A whole campaign: shard i sees redis on 127.10.0.i when `open[i-1]`, at t + i.
  std::int64_t campaign(const std::string& name, std::int64_t t, std::vector<bool> open) {
    int n = static_cast<int>(open.size());
    std::vector<std::int64_t> ids;
    for (int i = 1; i <= n; ++i) ids.push_back(st_->begin_scan(shard_meta(name, i, n, t + i)));
    for (int i = 1; i <= n; ++i) {
      if (open[static_cast<std::size_t>(i - 1)])
        st_->record(ids[static_cast<std::size_t>(i - 1)],
                    std::vector{seen("127.10.0." + std::to_string(i), 6379, "redis", "none",
                                     "critical", t + 100 + i)});
      st_->end_scan(ids[static_cast<std::size_t>(i - 1)], done_at(t + 1000 - i));
    }
    return ids.front();
  }
  std::unique_ptr<test::fresh_backend> backend_;
  std::string where_;
  std::unique_ptr<store> st_;
};

TEST_P(campaign_test, shards_read_as_one_scan) {
  auto id = campaign("daily-1", t0, {true, false, true, true});
  EXPECT_EQ(st_->scans().size(), 4U);  // the rows stay per shard
  auto runs = st_->runs();
  ASSERT_EQ(runs.size(), 1U);
  const auto& r = runs[0];
  EXPECT_EQ(r.id, id);
  EXPECT_EQ(r.campaign, "daily-1");
  EXPECT_EQ(r.status, "done");
  EXPECT_TRUE(r.finished());
  EXPECT_EQ(r.shards, 4);
  EXPECT_EQ(r.shards_done, 4);
  EXPECT_EQ(r.scan_ids.size(), 4U);
  EXPECT_EQ(r.started_ms, t0 + 1);         // earliest shard start
  EXPECT_EQ(r.ended_ms, t0 + 1000 - 1);    // latest shard end
  EXPECT_EQ(r.endpoints, 4);
  EXPECT_EQ(r.findings, 3);
  EXPECT_EQ(r.seed, "42");
  // Every shard's scan id names the same run.
  for (auto sid : r.scan_ids) EXPECT_EQ(st_->run(sid)->id, id);
  EXPECT_EQ(st_->campaign("daily-1")->id, id);
  EXPECT_FALSE(st_->campaign("nope"));
  EXPECT_EQ(st_->findings({.campaign = "daily-1"}).size(), 3U);
  EXPECT_EQ(st_->findings({.campaign = "nope"}).size(), 0U);
  auto h = st_->history("127.10.0.3", std::uint16_t{6379});
  ASSERT_EQ(h.size(), 1U);
  EXPECT_EQ(h[0].scan_id, id);  // the run's id, not the shard's
  EXPECT_EQ(h[0].campaign, "daily-1");
}

TEST_P(campaign_test, missing_interrupted_and_running_shards) {
  std::vector<std::int64_t> ids;
  for (int i = 1; i <= 3; ++i) ids.push_back(st_->begin_scan(shard_meta("c", i, 3, t0 + i)));
  st_->end_scan(ids[0], done_at(t0 + 10));
  auto r = st_->campaign("c");
  EXPECT_EQ(r->status, "running");
  EXPECT_FALSE(r->ended_ms);
  scan_end interrupted = done_at(t0 + 11);
  interrupted.status = "interrupted";
  st_->end_scan(ids[1], interrupted);
  st_->end_scan(ids[2], done_at(t0 + 12));
  r = st_->campaign("c");
  EXPECT_EQ(r->status, "partial");
  EXPECT_EQ(r->shards_done, 2);
  EXPECT_FALSE(r->finished());
  EXPECT_FALSE(r->ended_ms);
  // The shard's retry (the Job replaces the pod, same index) completes the campaign; the
  // retry's counts replace the interrupted attempt's.
  auto retry = st_->begin_scan(shard_meta("c", 2, 3, t0 + 20));
  st_->end_scan(retry, done_at(t0 + 30, 7));
  r = st_->campaign("c");
  EXPECT_EQ(r->status, "done");
  EXPECT_EQ(r->shards_done, 3);
  EXPECT_EQ(r->scan_ids.size(), 4U);
  EXPECT_EQ(r->started_ms, t0 + 1);
  EXPECT_EQ(r->ended_ms, t0 + 30);
  EXPECT_EQ(r->endpoints, 1 + 7 + 1);
}

TEST_P(campaign_test, a_shard_that_disagrees_is_refused) {
  st_->begin_scan(shard_meta("c", 1, 4, t0));
  EXPECT_THROW(st_->begin_scan(shard_meta("c", 2, 8, t0)), campaign_mismatch);
  auto m = shard_meta("c", 2, 4, t0);
  m.ports = "6379,5432";
  EXPECT_THROW(st_->begin_scan(m), campaign_mismatch);
  m = shard_meta("c", 2, 4, t0);
  m.seed = 43;
  EXPECT_THROW(st_->begin_scan(m), campaign_mismatch);
  m = shard_meta("c", 2, 4, t0);
  m.targets = {"127.10.0.0/24"};
  EXPECT_THROW(st_->begin_scan(m), campaign_mismatch);
  EXPECT_NO_THROW(st_->begin_scan(shard_meta("c", 2, 4, t0)));
  EXPECT_EQ(st_->scans().size(), 2U);  // nothing recorded for the refused ones
}

TEST_P(campaign_test, the_last_shard_closes_what_the_campaign_did_not_see) {
  auto a = campaign("day-1", t0, {true, true, true, true});
  // Day 2: 127.10.0.2 is gone. After 3 of 4 shards nothing is closed yet.
  std::vector<std::int64_t> ids;
  for (int i = 1; i <= 4; ++i) ids.push_back(st_->begin_scan(shard_meta("day-2", i, 4, t0 + day + i)));
  for (int i : {1, 3, 4})
    st_->record(ids[static_cast<std::size_t>(i - 1)],
                std::vector{seen("127.10.0." + std::to_string(i), 6379, "redis", "none",
                                 "critical", t0 + day + 100)});
  for (int i : {1, 2, 3}) st_->end_scan(ids[static_cast<std::size_t>(i - 1)], done_at(t0 + day + 500));
  EXPECT_EQ(st_->findings({.open_only = true}).size(), 4U);
  st_->end_scan(ids[3], done_at(t0 + day + 600));
  auto open = st_->findings({.open_only = true});
  ASSERT_EQ(open.size(), 3U);
  for (const auto& s : open) EXPECT_NE(s.address, "127.10.0.2");
  auto h = st_->history("127.10.0.2", std::uint16_t{6379});
  ASSERT_EQ(h.size(), 2U);
  EXPECT_EQ(h[1].verdict, "absent");
  EXPECT_EQ(h[1].scan_id, ids[0]);  // the run id of day-2
  EXPECT_EQ(h[1].campaign, "day-2");
  // Diff by run: exactly one change, and the default pair is the two campaigns.
  auto b = ids[0];
  auto c = st_->diff(a, b);
  ASSERT_EQ(c.size(), 1U);
  EXPECT_EQ(c[0].kind, change_kind::newly_closed);
  EXPECT_EQ(c[0].address, "127.10.0.2");
  EXPECT_EQ(st_->last_two_scans(), std::make_pair(a, b));
  // A late duplicate of a shard (retry finishing after completion) closes nothing twice.
  auto dup = st_->begin_scan(shard_meta("day-2", 2, 4, t0 + day + 700));
  st_->end_scan(dup, done_at(t0 + day + 800));
  EXPECT_EQ(st_->history("127.10.0.2", std::uint16_t{6379}).size(), 2U);
  auto pts = st_->open_over_time();
  ASSERT_EQ(pts.size(), 2U);
  EXPECT_EQ(pts[0].open, 4);
  EXPECT_EQ(pts[1].open, 3);
}

TEST_P(campaign_test, partial_campaigns_are_not_the_default_diff) {
  auto a = campaign("day-1", t0, {true, true});
  auto b = campaign("day-2", t0 + day, {true, true});
  auto x = st_->begin_scan(shard_meta("day-3", 1, 2, t0 + 2 * day));
  st_->end_scan(x, done_at(t0 + 2 * day + 10));
  // Shard 2 never began and nothing runs: partial (a shard not yet started is missing).
  EXPECT_EQ(st_->campaign("day-3")->status, "partial");
  EXPECT_EQ(st_->last_two_scans(), std::make_pair(a, b));
  // A plain scan after it is finished and becomes the newest.
  scan_meta m;
  m.targets = {"127.10.0.1"};
  m.ports = "6379";
  m.started_ms = t0 + 3 * day;
  auto s = st_->begin_scan(m);
  st_->end_scan(s, done_at(t0 + 3 * day + 5));
  EXPECT_EQ(st_->last_two_scans(), std::make_pair(b, s));
}

TEST_P(campaign_test, workers_create_and_finish_one_campaign_at_once) {
  constexpr int n = 6;
  std::vector<std::unique_ptr<store>> conns;
  for (int i = 0; i < n; ++i) conns.push_back(store::open(where_));  // one per worker
  // Day 1 (sequential) sees 127.10.0.9:6379 open; day 2's workers do not see it.
  auto first = st_->begin_scan(shard_meta("day-1", 1, 1, t0));
  st_->record(first, std::vector{seen("127.10.0.9", 6379, "redis", "none", "critical", t0 + 1)});
  st_->end_scan(first, done_at(t0 + 2));
  std::atomic<int> ready = 0, errors = 0;
  std::vector<std::thread> workers;
  for (int i = 1; i <= n; ++i)
    workers.emplace_back([&, i] {
      try {
        auto& st = *conns[static_cast<std::size_t>(i - 1)];
        ++ready;
        while (ready.load() < n) std::this_thread::yield();  // all begin together
        auto id = st.begin_scan(shard_meta("day-2", i, n, t0 + day + i));
        st.record(id, std::vector{seen("127.10.1." + std::to_string(i), 6379, "redis", "none",
                                       "critical", t0 + day + 10 + i)});
        st.end_scan(id, done_at(t0 + day + 100 + i));
      } catch (const std::exception& e) {
        ++errors;
        ADD_FAILURE() << e.what();
      }
    });
  for (auto& w : workers) w.join();
  ASSERT_EQ(errors.load(), 0);
  auto r = st_->campaign("day-2");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, "done");
  EXPECT_EQ(r->shards_done, n);
  EXPECT_EQ(st_->runs().size(), 2U);  // day-1 and day-2: one campaign row each
  EXPECT_EQ(st_->findings({.campaign = "day-2"}).size(), static_cast<std::size_t>(n));
  // Closed exactly once (by whichever shard ended last), not once per shard.
  auto h = st_->history("127.10.0.9", std::uint16_t{6379});
  ASSERT_EQ(h.size(), 2U);
  EXPECT_EQ(h[1].verdict, "absent");
}

TEST_P(campaign_test, an_inventory_from_before_campaigns_is_upgraded_in_place) {
  // A fresh location holding only schema version 1 and one scan recorded under it.
  st_.reset();
  backend_ = std::make_unique<test::fresh_backend>(GetParam());
  where_ = backend_->where();
  ASSERT_FALSE(where_.empty());
  {
    auto db = open_database(where_);
    ASSERT_EQ(db->migrate("inventory", inventory_migrations().subspan(0, 1)), 1);
    db->exec(
        "INSERT INTO scans (started_ms, targets, ports, status, origin) VALUES ($1, '[]', '6379', "
        "'done', 'scan')",
        {t0});
  }
  st_ = store::open(where_);
  // Upgraded through every later step, campaigns (2) included.
  EXPECT_EQ(st_->db().schema_version("inventory"), inventory_migrations().back().version);
  auto runs = st_->runs();
  ASSERT_EQ(runs.size(), 1U);
  EXPECT_FALSE(runs[0].campaign);
  EXPECT_EQ(runs[0].status, "done");
  auto id = campaign("after-upgrade", t0 + day, {true});
  EXPECT_EQ(st_->last_two_scans(), std::make_pair(runs[0].id, id));
}

INSTANTIATE_TEST_SUITE_P(backends, campaign_test, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace ajar::inventory
