// inventory::store and recorder on both backends: open spans, closing unseen services, diffs,
// findings order, dead scans, batching. Times are given explicitly (sightings carry their own).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "inventory/recorder.hpp"
#include "inventory/store.hpp"
#include "inventory_backends.hpp"

namespace ajar::inventory {
namespace {

constexpr std::int64_t day = 86'400'000;
constexpr std::int64_t t0 = 1'700'000'000'000;

store::sighting seen(std::string ip, int port, std::string service, std::string auth,
                     std::string severity, std::int64_t ts) {
  boost::json::object f{{"ip", ip},
                        {"port", port},
                        {"transport", "tcp"},
                        {"tls", false},
                        {"service", service},
                        {"product", nullptr},
                        {"version", nullptr},
                        {"auth", auth},
                        {"severity", severity},
                        {"evidence", "test"},
                        {"exposure", boost::json::object{}},
                        {"indicators", boost::json::array{}},
                        {"observed_at", "2023-11-14T22:13:20Z"}};
  return {f, ts};
}

class store_test : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = std::make_unique<test::fresh_backend>(GetParam());
    where_ = backend_->where();
    if (where_.empty() && HasFailure()) GTEST_FAIL() << "PostgreSQL was promised but does not work";
    if (where_.empty()) GTEST_SKIP() << "no PostgreSQL URL (lab/lab.sh start inventory-pg)";
    st_ = store::open(where_);
  }
  // One complete scan of `space` at time ts with these sightings.
  std::int64_t scan(std::int64_t ts, std::vector<store::sighting> s,
                    std::vector<std::pair<std::string, int>> space = {{"127.10.0.1", 6379},
                                                                      {"127.10.0.2", 5432}}) {
    scan_meta m;
    m.targets = {"127.10.0.1", "127.10.0.2"};
    m.ports = "5432,6379";
    m.started_ms = ts;
    auto id = st_->begin_scan(m);
    st_->record(id, s);
    scan_end e;
    e.ended_ms = ts + 1000;
    e.covered = [space](std::string_view a, std::uint16_t p) {
      for (const auto& [sa, sp] : space)
        if (sa == a && sp == p) return true;
      return false;
    };
    st_->end_scan(id, e);
    return id;
  }
  // A scan of one Redis address begun at `started`, left running.
  std::int64_t begin_one(std::int64_t started) {
    scan_meta m;
    m.targets = {"127.10.0.1"};
    m.ports = "6379";
    m.started_ms = started;
    return st_->begin_scan(m);
  }
  std::unique_ptr<test::fresh_backend> backend_;
  std::string where_;
  std::unique_ptr<store> st_;
};

TEST_P(store_test, open_spans_first_and_last_open_and_the_longest_span) {
  auto s1 = scan(t0, {seen("127.10.0.1", 6379, "redis", "required", "low", t0 + 10)});
  auto s2 = scan(t0 + day, {seen("127.10.0.1", 6379, "redis", "none", "critical", t0 + day + 10)});
  auto s3 =
      scan(t0 + 5 * day, {seen("127.10.0.1", 6379, "redis", "none", "critical", t0 + 5 * day + 10)});
  auto s4 =
      scan(t0 + 6 * day, {seen("127.10.0.1", 6379, "redis", "required", "low", t0 + 6 * day + 10)});
  auto s5 =
      scan(t0 + 7 * day, {seen("127.10.0.1", 6379, "redis", "unclaimed", "high", t0 + 7 * day + 10)});
  auto all = st_->findings({});
  ASSERT_EQ(all.size(), 1U);
  const auto& r = all[0];
  EXPECT_EQ(r.first_seen_ms, t0 + 10);
  EXPECT_EQ(r.last_seen_ms, t0 + 7 * day + 10);
  EXPECT_EQ(r.first_seen_open_ms, t0 + day + 10);
  EXPECT_EQ(r.last_seen_open_ms, t0 + 7 * day + 10);
  EXPECT_EQ(r.open_since_ms, t0 + 7 * day + 10);
  EXPECT_EQ(r.longest_open_ms, 4 * day);
  EXPECT_EQ(r.verdict, "unclaimed");
  EXPECT_EQ(r.state, "present");
  EXPECT_EQ(r.last_scan_id, s5);

  auto kinds = [&](std::int64_t a, std::int64_t b) {
    std::vector<std::string> out;
    for (const auto& c : st_->diff(a, b))
      out.push_back(std::string(to_string(c.kind)) + ":" + c.verdict_before + ">" +
                    c.verdict_after);
    return out;
  };
  EXPECT_EQ(kinds(s1, s2), std::vector<std::string>{"newly-open:required>none"});
  EXPECT_EQ(kinds(s2, s3), std::vector<std::string>{});
  EXPECT_EQ(kinds(s3, s4), std::vector<std::string>{"newly-closed:none>required"});
  EXPECT_EQ(st_->diff(s3, s4)[0].open_for_ms, 4 * day);
  EXPECT_EQ(kinds(s4, s5), std::vector<std::string>{"reopened:required>unclaimed"});
  EXPECT_EQ(kinds(s5, s4), kinds(s4, s5));  // older first, whatever the order given
  auto last = st_->last_two_scans();
  ASSERT_TRUE(last);
  EXPECT_EQ(*last, std::make_pair(s4, s5));
}

TEST_P(store_test, a_complete_scan_closes_what_it_did_not_see_in_its_space_only) {
  auto s1 = scan(t0, {seen("127.10.0.1", 6379, "redis", "none", "critical", t0),
                      seen("127.10.0.2", 5432, "postgresql", "none", "critical", t0),
                      seen("127.10.0.3", 80, "http", "none", "medium", t0)});
  auto s2 = scan(t0 + day, {seen("127.10.0.2", 5432, "postgresql", "none", "critical", t0 + day)});
  auto open = st_->findings({.open_only = true});
  ASSERT_EQ(open.size(), 2U);  // postgresql (open for a day, first) and http (outside the space)
  EXPECT_EQ(open[0].service, "postgresql");
  EXPECT_EQ(open[0].open_for_ms(), day);
  EXPECT_EQ(open[1].service, "http");
  auto c = st_->diff(s1, s2);
  ASSERT_EQ(c.size(), 1U);
  EXPECT_EQ(c[0].kind, change_kind::newly_closed);
  EXPECT_EQ(c[0].address, "127.10.0.1");
  EXPECT_EQ(c[0].verdict_after, "absent");
  auto h = st_->history("127.10.0.1", std::uint16_t{6379});
  ASSERT_EQ(h.size(), 2U);
  EXPECT_EQ(h[1].verdict, "absent");
  EXPECT_EQ(h[1].ts_ms, t0 + day + 1000);  // the scan's end
  findings_filter f;
  f.include_absent = true;
  EXPECT_EQ(st_->findings(f).size(), 3U);
  // A second scan that again does not see it records no second "absent".
  auto s3 =
      scan(t0 + 2 * day, {seen("127.10.0.2", 5432, "postgresql", "none", "critical", t0 + 2 * day)});
  EXPECT_EQ(st_->history("127.10.0.1", std::nullopt).size(), 2U);
  EXPECT_TRUE(st_->diff(s2, s3).empty());
  auto pts = st_->open_over_time();
  ASSERT_EQ(pts.size(), 3U);
  EXPECT_EQ(pts[0].open, 3);
  EXPECT_EQ(pts[1].open, 2);
  EXPECT_EQ(pts[2].open, 2);
}

TEST_P(store_test, findings_sort_by_severity_then_open_duration_and_filter) {
  scan(t0, {seen("127.10.0.1", 6379, "redis", "none", "high", t0)});
  scan(t0 + 3 * day,
       {seen("127.10.0.1", 6379, "redis", "none", "high", t0 + 3 * day),
        seen("127.10.0.2", 5432, "postgresql", "none", "high", t0 + 3 * day),
        seen("127.10.0.2", 3306, "mysql", "none", "critical", t0 + 3 * day),
        seen("127.10.0.2", 11211, "memcached", "required", "low", t0 + 3 * day)},
       {});
  auto all = st_->findings({});
  std::vector<std::string> order;
  for (const auto& r : all) order.push_back(r.service);
  EXPECT_EQ(order, (std::vector<std::string>{"mysql", "redis", "postgresql", "memcached"}));
  EXPECT_EQ(all[1].open_for_ms(), 3 * day);
  EXPECT_EQ(st_->findings({.open_only = true}).size(), 3U);
  EXPECT_EQ(st_->findings({.service = "redis"}).size(), 1U);
  EXPECT_EQ(st_->findings({.min_severity = "critical"}).size(), 1U);
  EXPECT_EQ(st_->findings({.seen_since_ms = t0 + 3 * day}).size(), 4U);
  EXPECT_EQ(st_->findings({.seen_since_ms = t0 + 3 * day + 1}).size(), 0U);
}

TEST_P(store_test, verdict_severity_and_appearance_changes) {
  auto s1 = scan(t0, {seen("127.10.0.1", 6379, "redis", "required", "low", t0)});
  auto s2 = scan(t0 + day, {seen("127.10.0.1", 6379, "redis", "restricted", "low", t0 + day),
                            seen("127.10.0.2", 5432, "postgresql", "required", "low", t0 + day)});
  auto c = st_->diff(s1, s2);
  ASSERT_EQ(c.size(), 2U);
  EXPECT_EQ(c[0].kind, change_kind::verdict_changed);
  EXPECT_EQ(c[1].kind, change_kind::appeared);
  auto s3 =
      scan(t0 + 2 * day, {seen("127.10.0.1", 6379, "redis", "restricted", "medium", t0 + 2 * day)});
  c = st_->diff(s2, s3);
  ASSERT_EQ(c.size(), 2U);
  EXPECT_EQ(c[0].kind, change_kind::severity_changed);
  EXPECT_EQ(c[1].kind, change_kind::disappeared);
}

TEST_P(store_test, scans_of_dead_processes_are_marked_killed) {
  scan_meta m;
  m.targets = {"127.10.0.1"};
  m.ports = "6379";
  auto id = st_->begin_scan(m);
  auto mine = st_->begin_scan(m);
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  ::waitpid(child, nullptr, 0);
  st_->db().exec("UPDATE scans SET pid = $1 WHERE id = $2", {child, id});
  EXPECT_EQ(st_->mark_dead_scans(), 1);
  EXPECT_EQ(st_->scan(id)->status, "killed");
  EXPECT_EQ(st_->scan(mine)->status, "running");  // this process is alive
  EXPECT_EQ(st_->mark_dead_scans(), 0);
}

TEST_P(store_test, recorder_commits_in_batches_and_after_a_second) {
  scan_meta m;
  m.targets = {"127.10.0.0/24"};
  m.ports = "6379";
  auto rec = std::make_unique<recorder>(*st_, m);
  auto reader = store::open(where_);  // another connection, as another process would see it
  auto committed = [&] {
    return reader->db().query("SELECT COUNT(*) FROM observations")[0].int64(0);
  };
  auto finding = [](int i) {
    core::finding f;
    f.where.ip = core::ip_address::v4(0x0a000000U + static_cast<std::uint32_t>(i));
    f.where.port = 6379;
    f.what.identified = true;
    f.what.service = "redis";
    f.what.verdict = core::auth::none;
    f.what.evidence = "x";
    f.severity = core::severity::critical;
    f.observed_at = std::chrono::system_clock::now();
    return f;
  };
  static_assert(recorder::max_batch == 256 && recorder::flush_at == 128);
  auto wait_for = [&](std::int64_t n, std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (committed() < n && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return committed();
  };
  // Under flush_at and under a second nothing is committed.
  for (int i = 1; i < 128; ++i) rec->write(finding(i));
  EXPECT_EQ(committed(), 0);
  // flush_at waiting: the flusher commits them without waiting for the second to pass.
  rec->write(finding(128));
  EXPECT_GE(wait_for(128, std::chrono::milliseconds(900)), 128);
  // What a crash can lose stays within max_batch, however fast the scan writes.
  for (int i = 129; i <= 256; ++i) {
    rec->write(finding(i));
    EXPECT_LE(i - committed(), static_cast<std::int64_t>(recorder::max_batch));
  }
  EXPECT_EQ(wait_for(256, 3 * recorder::flush_every), 256);
  rec->write(finding(257));
  EXPECT_EQ(wait_for(257, 3 * recorder::flush_every), 257);  // a straggler within flush_every
  rec->write(finding(258));
  scan_end e;
  e.endpoints = 258;
  rec->end(e);
  EXPECT_EQ(committed(), 258);
  EXPECT_EQ(rec->error(), "");
  auto s = reader->scan(rec->scan_id());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->status, "done");
  EXPECT_EQ(s->findings, 258);
  EXPECT_EQ(s->endpoints, 258);
  EXPECT_TRUE(s->ended_ms);
}

TEST_P(store_test, overlapping_scans_do_not_close_what_the_other_one_saw) {
  auto a = begin_one(t0);
  auto b = begin_one(t0 + 10);
  st_->record(b, std::vector{seen("127.10.0.1", 6379, "redis", "none", "critical", t0 + 20)});
  st_->record(a, std::vector{seen("127.10.0.1", 6379, "redis", "required", "low", t0 + 5)});
  scan_end e;
  e.ended_ms = t0 + 30;
  e.covered = [](std::string_view, std::uint16_t) { return true; };
  st_->end_scan(b, e);
  st_->end_scan(a, e);
  auto all = st_->findings({});
  ASSERT_EQ(all.size(), 1U);
  EXPECT_EQ(all[0].state, "present");
  EXPECT_EQ(all[0].verdict, "none");  // the newer sighting wins, whatever the arrival order
  EXPECT_EQ(all[0].first_seen_ms, t0 + 5);
  EXPECT_EQ(all[0].last_seen_ms, t0 + 20);
  EXPECT_EQ(all[0].first_seen_open_ms, t0 + 20);
  EXPECT_EQ(all[0].open_since_ms, t0 + 20);
  EXPECT_EQ(all[0].longest_open_ms, 0);
  EXPECT_EQ(st_->history("127.10.0.1", std::uint16_t{6379}).size(), 2U);
}

TEST_P(store_test, a_late_older_open_sighting_joins_the_history_but_opens_nothing) {
  auto a = begin_one(t0);
  auto b = begin_one(t0);
  st_->record(b, std::vector{seen("127.10.0.1", 6379, "redis", "none", "critical", t0 + day)});
  st_->record(b, std::vector{seen("127.10.0.1", 6379, "redis", "required", "low", t0 + 2 * day)});
  // Older than both, and open: the current state stays the newest sighting's (closed).
  st_->record(a, std::vector{seen("127.10.0.1", 6379, "redis", "none", "critical", t0 + 10)});
  auto all = st_->findings({});
  ASSERT_EQ(all.size(), 1U);
  EXPECT_EQ(all[0].verdict, "required");
  EXPECT_EQ(all[0].severity, "low");
  EXPECT_EQ(all[0].last_scan_id, b);
  EXPECT_EQ(all[0].first_seen_ms, t0 + 10);
  EXPECT_EQ(all[0].last_seen_ms, t0 + 2 * day);
  EXPECT_EQ(all[0].first_seen_open_ms, t0 + day);
  EXPECT_EQ(all[0].last_seen_open_ms, t0 + day);
  EXPECT_FALSE(all[0].open_since_ms);
  EXPECT_EQ(all[0].longest_open_ms, 0);
  EXPECT_EQ(st_->history("127.10.0.1", std::uint16_t{6379}).size(), 3U);
  // A sighting at the same time as the last one is not older: it becomes the current state.
  st_->record(b, std::vector{seen("127.10.0.1", 6379, "redis", "none", "critical", t0 + 2 * day)});
  all = st_->findings({});
  ASSERT_EQ(all.size(), 1U);
  EXPECT_EQ(all[0].verdict, "none");
  EXPECT_EQ(all[0].open_since_ms, t0 + 2 * day);
  EXPECT_EQ(all[0].last_seen_open_ms, t0 + 2 * day);
  EXPECT_EQ(all[0].first_seen_open_ms, t0 + day);
}

INSTANTIATE_TEST_SUITE_P(backends, store_test, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& p) { return p.param; });

TEST(format_span, picks_the_largest_unit) {
  EXPECT_EQ(format_span(397 * day + 5), "397 days");
  EXPECT_EQ(format_span(day), "1 day");
  EXPECT_EQ(format_span(5 * 3'600'000), "5 h");
  EXPECT_EQ(format_span(12 * 60'000), "12 min");
  EXPECT_EQ(format_span(40'999), "40 s");
}

}  // namespace
}  // namespace ajar::inventory
