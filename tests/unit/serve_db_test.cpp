// The daemon's tables (src/serve/serve_db.cpp) on both inventory backends: users, sessions with
// expiry, tokens, alerts and deliveries, scope runs. PostgreSQL cases need AJAR_TEST_PG_URL (or
// the lab's inventory-pg) and skip otherwise, like the inventory's own tests.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "inventory_backends.hpp"
#include "serve/serve_db.hpp"

namespace ajar::serve {
namespace {

class serve_db_test : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = std::make_unique<test::fresh_backend>(GetParam());
    auto where = backend_->where();
    if (where.empty()) GTEST_SKIP() << "no PostgreSQL URL";
    db_ = std::make_unique<serve_db>(where);
    where_ = where;
  }
  void TearDown() override { db_.reset(); }
  std::unique_ptr<test::fresh_backend> backend_;
  std::unique_ptr<serve_db> db_;
  std::string where_;
};

TEST_P(serve_db_test, users_sessions_and_tokens) {
  EXPECT_EQ(db_->user_count(), 0);
  db_->add_user("alice", "$argon2id$fake");
  EXPECT_THROW(db_->add_user("alice", "x"), core::input_error);
  EXPECT_THROW(db_->add_user("bad name", "x"), core::input_error);
  EXPECT_EQ(db_->user_count(), 1);
  auto u = db_->user_hash("alice");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->second, "$argon2id$fake");
  EXPECT_FALSE(db_->user_hash("bob"));

  db_->create_session("d1", u->first, "csrf1", 2000);
  auto s = db_->session("d1", 1000);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->user, "alice");
  EXPECT_EQ(s->csrf, "csrf1");
  EXPECT_FALSE(db_->session("d1", 2000));  // expired
  EXPECT_FALSE(db_->session("d2", 1000));
  db_->create_session("d2", u->first, "csrf2", 5000);
  db_->delete_session("d2");
  EXPECT_FALSE(db_->session("d2", 1000));
  db_->create_session("d3", u->first, "csrf3", 5000);
  EXPECT_TRUE(db_->remove_user("alice"));  // ends the sessions too
  EXPECT_FALSE(db_->session("d3", 1000));
  EXPECT_FALSE(db_->remove_user("alice"));

  db_->add_token("ci", "digest-ci");
  EXPECT_THROW(db_->add_token("ci", "other"), core::input_error);
  EXPECT_EQ(db_->token_name("digest-ci", 42), "ci");
  EXPECT_FALSE(db_->token_name("nope", 42));
  ASSERT_EQ(db_->tokens().size(), 1U);
  EXPECT_EQ(db_->tokens()[0].last_used_ms, 42);
  EXPECT_TRUE(db_->remove_token("ci"));
  EXPECT_TRUE(db_->tokens().empty());
}

TEST_P(serve_db_test, alerts_deliveries_and_runs) {
  alert_row a;
  a.created_ms = 10;
  a.kind = "opened";
  a.service = "redis";
  a.address = "127.10.0.1";
  a.port = 6379;
  a.severity = "critical";
  a.text = "t";
  a.json = "{}";
  a.delivery = "pending";
  auto id = db_->add_alert(a);
  db_->add_delivery(id, "http://x", 1, false, "connect: refused");
  db_->set_alert_delivery(id, "failed", "http://x: connect: refused");
  auto all = db_->alerts(10);
  ASSERT_EQ(all.size(), 1U);
  EXPECT_EQ(all[0].delivery, "failed");
  EXPECT_EQ(all[0].last_error, "http://x: connect: refused");
  auto r = db_->start_run("lab", 100);
  db_->finish_run(r, 200, std::nullopt, "interrupted", "", 3);
  auto r2 = db_->start_run("lab", 300);
  db_->finish_run(r2, 400, 7, "done", "", 1);
  auto runs = db_->runs(10);
  ASSERT_EQ(runs.size(), 2U);
  EXPECT_EQ(runs[0].scan_id, 7);
  EXPECT_EQ(runs[1].scan_id, std::nullopt);
  EXPECT_EQ(runs[1].state, "interrupted");
  EXPECT_EQ(runs[1].found, 3);
  // Opening again applies no migration twice.
  serve_db again(where_);
  EXPECT_EQ(again.raw().schema_version("serve"), 1);
}

INSTANTIATE_TEST_SUITE_P(backends, serve_db_test, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace ajar::serve
