// SQLite backend: one sqlite3 connection; WAL, foreign_keys, busy_timeout. $n placeholders are
// SQLite named parameters ("$1"), bound by their number, so they may repeat or come in any order.
#include <fcntl.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "inventory/database.hpp"

namespace ajar::inventory {

namespace {

// How long a writer waits for another process's write lock before failing: long enough for the
// recorder's bounded batches, short enough that a wedged peer is reported.
constexpr int busy_timeout_ms = 10000;

std::string first_words(std::string_view sql) {
  auto s = sql.substr(0, 60);
  std::string out(s);
  for (auto& c : out)
    if (c == '\n') c = ' ';
  return out;
}

class sqlite_database final : public database {
 public:
  explicit sqlite_database(std::string path) : path_(std::move(path)) {
    // Create the file private (0600) before SQLite opens it; SQLite gives -wal/-shm the same mode.
    int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
      throw db_error(fmt::format("cannot open inventory '{}': {}", path_, std::strerror(errno)));
    ::close(fd);
    // SQLite counts every allocation under one global mutex unless told not to; nothing here
    // reads those counts. sqlite3_config must precede the library's initialisation, so this is
    // tried once, before the first open (it fails harmlessly if SQLite is already initialised).
    static std::once_flag no_memstatus;
    std::call_once(no_memstatus, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
    sqlite3* db = nullptr;
    // NOMUTEX: a database object is used by one thread at a time (database.hpp), and the
    // statement cache below is not shareable anyway; SQLite's per-call mutex was pure cost.
    int rc =
        sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    db_.reset(db);
    if (rc != SQLITE_OK)
      throw db_error(fmt::format("cannot open inventory '{}': {}", path_,
                                 db ? sqlite3_errmsg(db) : "out of memory"));
    sqlite3_busy_timeout(db_.get(), busy_timeout_ms);
    sqlite3_extended_result_codes(db_.get(), 1);
    // wal_autocheckpoint 8192 pages (32 MiB) instead of SQLite's 1000: a scan rewrites the same
    // pages of `services` and its indexes batch after batch (its order is a permutation, so the
    // rows are scattered), and a checkpoint writes each page once however often it changed since
    // the last one, and fsyncs. bench/store_record, 16,384 known services: 116 -> 20 fdatasync
    // for its two passes, CPU 0.32 -> 0.27 s, wall 0.45 -> 0.33 s. The WAL may grow to ~32 MiB
    // between checkpoints; it is removed when the last connection closes.
    exec_script(
        "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; "
        "PRAGMA wal_autocheckpoint=8192");
    auto mode = query("PRAGMA journal_mode");
    if (mode.empty() || mode[0].text(0) != "wal")
      throw db_error(fmt::format("inventory '{}': cannot switch to WAL", path_));
  }

  backend kind() const noexcept override { return backend::sqlite; }
  std::string describe() const override { return path_; }

  std::int64_t exec_(std::string_view sql, const params& p) override {
    run(sql, p, nullptr);
    return sqlite3_changes64(db_.get());
  }

  rows query_(std::string_view sql, const params& p) override {
    rows out;
    run(sql, p, &out);
    return out;
  }

  void exec_script_(std::string_view sql) override {
    std::string s(sql);
    char* err = nullptr;
    if (sqlite3_exec(db_.get(), s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errmsg(db_.get());
      sqlite3_free(err);
      throw db_error(fmt::format("sqlite: {} (in: {})", msg, first_words(sql)));
    }
  }

 protected:
  void begin_() override { exec_script("BEGIN IMMEDIATE"); }
  void commit_() override { exec_script("COMMIT"); }
  void rollback_() noexcept override {
    sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
  std::string dialect_(std::string_view sql) const override {
    std::string s(sql);
    for (auto pos = s.find("AUTO_ID"); pos != std::string::npos; pos = s.find("AUTO_ID", pos))
      s.replace(pos, 7, "INTEGER PRIMARY KEY");
    return s;
  }

 private:
  struct closer {
    void operator()(sqlite3* d) const noexcept { sqlite3_close_v2(d); }
  };
  struct finalizer {
    void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
  };

  [[noreturn]] void fail(std::string_view sql) const {
    throw db_error(fmt::format("sqlite: {} (in: {})", sqlite3_errmsg(db_.get()), first_words(sql)));
  }

  // Statements are prepared once per SQL text and reused (reset after each run): the recorder
  // runs the same three or four statements per finding, and preparing them was most of its
  // cost. The application's SQL is a fixed set of string literals, so the cache stays small;
  // the bound only guards against a caller building SQL text dynamically.
  static constexpr std::size_t max_cached_statements = 128;

  struct resetter {
    void operator()(sqlite3_stmt* s) const noexcept {
      sqlite3_reset(s);
      sqlite3_clear_bindings(s);
    }
  };

  sqlite3_stmt* prepared(std::string_view sql) {
    auto key = std::string(sql);
    if (auto it = statements_.find(key); it != statements_.end()) return it->second.get();
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr) !=
        SQLITE_OK)
      fail(sql);
    std::unique_ptr<sqlite3_stmt, finalizer> st(raw);
    if (!st) return nullptr;  // empty statement
    if (statements_.size() >= max_cached_statements) statements_.clear();
    return statements_.emplace(std::move(key), std::move(st)).first->second.get();
  }

  void run(std::string_view sql, const params& p, rows* out) {
    auto* stmt = prepared(sql);
    if (stmt == nullptr) return;
    std::unique_ptr<sqlite3_stmt, resetter> st(stmt);  // reset for the next use, also on throw
    int n = sqlite3_bind_parameter_count(st.get());
    for (int i = 1; i <= n; ++i) {
      const char* name = sqlite3_bind_parameter_name(st.get(), i);
      std::size_t k = 0;
      if (name == nullptr || name[0] != '$' ||
          std::from_chars(name + 1, name + std::strlen(name), k).ec != std::errc{} || k == 0 ||
          k > p.size())
        throw db_error(fmt::format("sqlite: parameter {} has no value ({} given) (in: {})",
                                   name ? name : "?", p.size(), first_words(sql)));
      const value& v = p[k - 1];
      int rc = SQLITE_OK;
      if (v.is_null())
        rc = sqlite3_bind_null(st.get(), i);
      else if (const auto* x = v.if_int64())
        rc = sqlite3_bind_int64(st.get(), i, *x);
      else if (const auto* d = v.if_double())
        rc = sqlite3_bind_double(st.get(), i, *d);
      else if (const auto* t = v.if_text())
        // SQLITE_STATIC: SQLite reads the caller's bytes in place instead of copying each one;
        // `p` outlives the statement's use, which `st` resets (and unbinds) before returning.
        rc = sqlite3_bind_text64(st.get(), i, t->data(), t->size(), SQLITE_STATIC, SQLITE_UTF8);
      if (rc != SQLITE_OK) fail(sql);
    }
    std::shared_ptr<std::vector<std::string>> cols;
    for (;;) {
      int rc = sqlite3_step(st.get());
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) fail(sql);
      if (out == nullptr) continue;
      int nc = sqlite3_column_count(st.get());
      if (!cols) {
        cols = std::make_shared<std::vector<std::string>>();
        for (int c = 0; c < nc; ++c) cols->emplace_back(sqlite3_column_name(st.get(), c));
      }
      std::vector<value> vals;
      vals.reserve(static_cast<std::size_t>(nc));
      for (int c = 0; c < nc; ++c) {
        switch (sqlite3_column_type(st.get(), c)) {
          case SQLITE_NULL:
            vals.emplace_back();
            break;
          case SQLITE_INTEGER:
            vals.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(st.get(), c)));
            break;
          case SQLITE_FLOAT:
            vals.emplace_back(sqlite3_column_double(st.get(), c));
            break;
          default: {
            const auto* txt = reinterpret_cast<const char*>(sqlite3_column_text(st.get(), c));
            auto len = static_cast<std::size_t>(sqlite3_column_bytes(st.get(), c));
            vals.emplace_back(std::string(txt ? txt : "", txt ? len : 0));
          }
        }
      }
      out->emplace_back(cols, std::move(vals));
    }
  }

  std::string path_;
  std::unique_ptr<sqlite3, closer> db_;
  // Declared after db_: destroyed (finalized) before the connection is closed.
  std::unordered_map<std::string, std::unique_ptr<sqlite3_stmt, finalizer>> statements_;
};

}  // namespace

std::unique_ptr<database> open_sqlite(std::string_view path) {
  if (path.empty()) throw db_error("empty inventory path");
  return std::make_unique<sqlite_database>(std::string(path));
}

}  // namespace ajar::inventory
