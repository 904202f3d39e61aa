// inventory::database on both backends: placeholders, types, RETURNING, transactions,
// migrations, errors. See inventory_backends.hpp for where PostgreSQL comes from.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "inventory/database.hpp"
#include "inventory_backends.hpp"

namespace ajar::inventory {
namespace {

class database_test : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = std::make_unique<test::fresh_backend>(GetParam());
    where_ = backend_->where();
    if (where_.empty() && HasFailure()) GTEST_FAIL() << "PostgreSQL was promised but does not work";
    if (where_.empty()) GTEST_SKIP() << "no PostgreSQL URL (lab/lab.sh start inventory-pg)";
    db_ = open_database(where_);
  }
  std::unique_ptr<test::fresh_backend> backend_;
  std::string where_;
  std::unique_ptr<database> db_;
};

constexpr migration test_steps[] = {
    {1, "CREATE TABLE t (id AUTO_ID, name TEXT NOT NULL UNIQUE, n BIGINT, x DOUBLE PRECISION)"},
    {2,
     "CREATE TABLE child (id AUTO_ID, t_id BIGINT NOT NULL REFERENCES t(id) ON DELETE CASCADE, "
     "note TEXT)"},
};

TEST_P(database_test, kind_matches_the_location) {
  EXPECT_EQ(db_->kind(), GetParam() == "sqlite" ? backend::sqlite : backend::postgresql);
  if (GetParam() == "postgresql")
    EXPECT_NE(db_->describe().find(":***@"), std::string::npos) << db_->describe();
  else
    EXPECT_EQ(db_->describe(), where_);
}

TEST_P(database_test, migrations_apply_once_in_order_per_component) {
  EXPECT_EQ(db_->schema_version("test"), 0);
  EXPECT_EQ(db_->migrate("test", std::span(test_steps).first(1)), 1);
  EXPECT_EQ(db_->schema_version("test"), 1);
  EXPECT_EQ(db_->migrate("test", test_steps), 1);  // only step 2 is new
  EXPECT_EQ(db_->migrate("test", test_steps), 0);
  EXPECT_EQ(db_->schema_version("test"), 2);
  EXPECT_EQ(db_->schema_version("other"), 0);
  auto r =
      db_->query("SELECT component, version, applied_at FROM schema_migrations ORDER BY version");
  ASSERT_EQ(r.size(), 2U);
  EXPECT_EQ(r[0].text("component"), "test");
  EXPECT_EQ(r[1].int64("version"), 2);
  EXPECT_GT(r[1].int64("applied_at"), 1'700'000'000'000);
  // A reopened database sees the same versions.
  db_ = open_database(where_);
  EXPECT_EQ(db_->migrate("test", test_steps), 0);
}

TEST_P(database_test, a_failing_migration_leaves_nothing_behind) {
  constexpr migration bad[] = {
      {1, "CREATE TABLE good (a BIGINT); CREATE TABLE broken (a NOSUCHTYPE"}};
  EXPECT_THROW(db_->migrate("bad", bad), db_error);
  EXPECT_FALSE(db_->in_transaction());
  EXPECT_EQ(db_->schema_version("bad"), 0);
  EXPECT_THROW(db_->query("SELECT a FROM good"), db_error);
}

TEST_P(database_test, placeholders_are_numbered_reusable_and_in_any_order) {
  db_->migrate("test", test_steps);
  db_->exec("INSERT INTO t (name, n, x) VALUES ($2, $1, $3)", {7, "seven", 0.5});
  auto r =
      db_->query("SELECT name, n FROM t WHERE n = $1 AND name = $2 AND n + $1 = 14", {7, "seven"});
  ASSERT_EQ(r.size(), 1U);
  EXPECT_EQ(r[0].text(0), "seven");
  EXPECT_EQ(r[0].int64(1), 7);
  EXPECT_THROW(db_->query("SELECT name FROM t WHERE n = $1 AND name = $2", {7}), db_error);
}

TEST_P(database_test, values_round_trip_with_their_types) {
  db_->migrate("test", test_steps);
  constexpr std::int64_t big = 9'007'199'254'740'993;  // not representable as a double
  const std::string text = "naïve \"quoted\" 'single' ; -- not a comment";
  db_->exec("INSERT INTO t (name, n, x) VALUES ($1, $2, $3)", {text, big, 0.1});
  db_->exec("INSERT INTO t (name, n, x) VALUES ($1, $2, $3)", {"neg", INT64_MIN, nullptr});
  db_->exec("INSERT INTO t (name) VALUES ($1)", {std::optional<std::string>("opt")});
  auto r = db_->query("SELECT name, n, x FROM t ORDER BY id");
  ASSERT_EQ(r.size(), 3U);
  EXPECT_EQ(r[0].text("name"), text);
  ASSERT_NE(r[0].at("n").if_int64(), nullptr);
  EXPECT_EQ(r[0].int64("n"), big);
  ASSERT_NE(r[0].at("x").if_double(), nullptr);
  EXPECT_DOUBLE_EQ(r[0].real("x"), 0.1);
  EXPECT_EQ(r[1].int64(1), INT64_MIN);
  EXPECT_TRUE(r[1].is_null(2));
  EXPECT_EQ(r[1].opt_real(2), std::nullopt);
  EXPECT_THROW((void)r[1].real(2), db_error);
  EXPECT_EQ(r[2].opt_int64("n"), std::nullopt);
  EXPECT_THROW((void)r[0].at("nosuch"), db_error);
  EXPECT_EQ(r[0].columns(), (std::vector<std::string>{"name", "n", "x"}));
  // COUNT(*) is an integer on both backends; a text "42" converts leniently.
  EXPECT_EQ(db_->query("SELECT COUNT(*) FROM t")[0].int64(0), 3);
  EXPECT_EQ(db_->query("SELECT CAST($1 AS TEXT)", {"42"})[0].int64(0), 42);
}

TEST_P(database_test, returning_gives_the_new_id_and_exec_counts_rows) {
  db_->migrate("test", test_steps);
  auto a = db_->query("INSERT INTO t (name) VALUES ($1) RETURNING id", {"a"})[0].int64(0);
  auto b = db_->query("INSERT INTO t (name) VALUES ($1) RETURNING id", {"b"})[0].int64(0);
  EXPECT_GT(b, a);
  EXPECT_EQ(db_->exec("UPDATE t SET n = $1", {5}), 2);
  EXPECT_EQ(db_->exec("UPDATE t SET n = $1 WHERE id = $2", {6, b}), 1);
  // Upsert, the portable way.
  db_->exec(
      "INSERT INTO t (name, n) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET n = excluded.n",
      {"a", 99});
  EXPECT_EQ(db_->query("SELECT n FROM t WHERE id = $1", {a})[0].int64(0), 99);
}

TEST_P(database_test, transactions_commit_or_roll_back) {
  db_->migrate("test", test_steps);
  {
    auto tx = db_->begin();
    EXPECT_TRUE(db_->in_transaction());
    EXPECT_THROW((void)db_->begin(), db_error);
    db_->exec("INSERT INTO t (name) VALUES ($1)", {"rolled back"});
  }
  EXPECT_FALSE(db_->in_transaction());
  {
    auto tx = db_->begin();
    db_->exec("INSERT INTO t (name) VALUES ($1)", {"kept"});
    tx.commit();
  }
  auto r = db_->query("SELECT name FROM t");
  ASSERT_EQ(r.size(), 1U);
  EXPECT_EQ(r[0].text(0), "kept");
}

TEST_P(database_test, constraints_and_foreign_keys_are_enforced) {
  db_->migrate("test", test_steps);
  auto id = db_->query("INSERT INTO t (name) VALUES ($1) RETURNING id", {"p"})[0].int64(0);
  EXPECT_THROW(db_->exec("INSERT INTO t (name) VALUES ($1)", {"p"}), db_error);            // UNIQUE
  EXPECT_THROW(db_->exec("INSERT INTO child (t_id) VALUES ($1)", {id + 1000}), db_error);  // FK
  db_->exec("INSERT INTO child (t_id, note) VALUES ($1, $2)", {id, "x"});
  db_->exec("DELETE FROM t WHERE id = $1", {id});
  EXPECT_EQ(db_->query("SELECT COUNT(*) FROM child")[0].int64(0), 0);  // ON DELETE CASCADE
}

TEST_P(database_test, errors_name_the_statement) {
  try {
    db_->exec("SELEKT 1");
    FAIL();
  } catch (const db_error& e) {
    EXPECT_NE(std::string(e.what()).find("SELEKT 1"), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(backends, database_test, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& p) { return p.param; });

TEST(sqlite_database, file_is_private_and_in_wal_mode_with_coalescing_checkpoints) {
  test::fresh_backend b("sqlite");
  auto where = b.where();
  auto db = open_database(where);
  struct stat st {};
  ASSERT_EQ(::stat(where.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  EXPECT_EQ(db->query("PRAGMA journal_mode")[0].text(0), "wal");
  EXPECT_EQ(db->query("PRAGMA foreign_keys")[0].int64(0), 1);
  EXPECT_EQ(db->query("PRAGMA synchronous")[0].int64(0), 1);  // NORMAL: WAL commits need no fsync
  // Checkpoints coalesce a scan's rewrites of the same pages (sqlite_database.cpp).
  EXPECT_EQ(db->query("PRAGMA wal_autocheckpoint")[0].int64(0), 8192);
}

TEST(sqlite_database, default_path_follows_xdg_data_home_with_a_private_directory) {
  test::fresh_backend b("sqlite");
  auto dir = std::filesystem::path(b.where()).parent_path();
  const char* old = std::getenv("XDG_DATA_HOME");
  std::string saved = old ? old : "";
  ::setenv("XDG_DATA_HOME", (dir / "xdg").c_str(), 1);
  auto p = default_database_path();
  if (old)
    ::setenv("XDG_DATA_HOME", saved.c_str(), 1);
  else
    ::unsetenv("XDG_DATA_HOME");
  EXPECT_EQ(p, (dir / "xdg" / "ajar" / "inventory.db").string());
  struct stat st {};
  ASSERT_EQ(::stat((dir / "xdg" / "ajar").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700U);
}

TEST(database_urls, passwords_never_printed) {
  EXPECT_TRUE(is_postgresql_url("postgresql://a@b/c"));
  EXPECT_TRUE(is_postgresql_url("postgres://a@b/c"));
  EXPECT_FALSE(is_postgresql_url("/tmp/postgresql://x"));
  EXPECT_EQ(redact("postgresql://ajar:s3cret@127.0.11.1:5432/db"),
            "postgresql://ajar:***@127.0.11.1:5432/db");
  EXPECT_EQ(redact("postgresql://h/db?user=a&password=s3cret&x=1"),
            "postgresql://h/db?user=a&password=***&x=1");
  EXPECT_EQ(redact("/var/lib/x:y@z.db"), "/var/lib/x:y@z.db");
  try {
    open_database("postgresql://ajar:s3cret@127.0.11.1:1/nodb?connect_timeout=2");
    FAIL();
  } catch (const db_error& e) {
    EXPECT_EQ(std::string(e.what()).find("s3cret"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ajar::inventory
