#include "inventory/database.hpp"

#include <fmt/format.h>
#include <malloc.h>
#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>

namespace ajar::inventory {

std::unique_ptr<database> open_sqlite(std::string_view path);
std::unique_ptr<database> open_postgresql(std::string_view url);

std::int64_t value::as_int64() const {
  if (const auto* i = if_int64()) return *i;
  if (const auto* d = if_double()) return static_cast<std::int64_t>(*d);
  if (const auto* s = if_text()) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
    if (ec == std::errc{} && p == s->data() + s->size()) return v;
    throw db_error(fmt::format("database: expected an integer, got '{}'", s->substr(0, 40)));
  }
  throw db_error("database: expected an integer, got NULL");
}

double value::as_double() const {
  if (const auto* d = if_double()) return *d;
  if (const auto* i = if_int64()) return static_cast<double>(*i);
  if (const auto* s = if_text()) {
    char* end = nullptr;
    double v = std::strtod(s->c_str(), &end);
    if (!s->empty() && end == s->c_str() + s->size()) return v;
    throw db_error(fmt::format("database: expected a number, got '{}'", s->substr(0, 40)));
  }
  throw db_error("database: expected a number, got NULL");
}

std::string value::as_text() const {
  if (const auto* s = if_text()) return *s;
  if (const auto* i = if_int64()) return std::to_string(*i);
  if (const auto* d = if_double()) return fmt::format("{}", *d);
  throw db_error("database: expected text, got NULL");
}

const value& row::at(std::size_t i) const {
  if (i >= values_.size())
    throw db_error(fmt::format("database: column {} out of range ({} columns)", i, values_.size()));
  return values_[i];
}

const value& row::at(std::string_view column) const {
  for (std::size_t i = 0; i < columns_->size(); ++i)
    if ((*columns_)[i] == column) return values_[i];
  throw db_error(fmt::format("database: no column '{}' in the result", column));
}

transaction::transaction(database& db) : db_(&db) {
  if (db.in_tx_) throw db_error("database: transactions do not nest");
  db.begin_();
  db.in_tx_ = true;
}

transaction::~transaction() {
  if (db_ != nullptr && db_->in_tx_) {
    db_->rollback_();
    db_->in_tx_ = false;
  }
}

void transaction::commit() {
  if (db_ == nullptr || !db_->in_tx_) throw db_error("database: commit without a transaction");
  db_->in_tx_ = false;  // a failed COMMIT leaves nothing to roll back on our side
  db_->commit_();
  db_ = nullptr;
}

std::int64_t database::schema_version(std::string_view component) {
  exec_script(
      "CREATE TABLE IF NOT EXISTS schema_migrations (component TEXT NOT NULL, version BIGINT NOT "
      "NULL, applied_at BIGINT NOT NULL, PRIMARY KEY (component, version))");
  auto r = query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = $1",
                 {std::string(component)});
  return r.empty() ? 0 : r[0].int64(0);
}

int database::migrate(std::string_view component, std::span<const migration> steps) {
  int applied = 0;
  auto tx = begin();
  lock_migrations_();
  std::int64_t current = schema_version(component);
  for (const auto& m : steps) {
    if (m.version <= current) continue;
    exec_script(dialect_(m.sql));
    exec("INSERT INTO schema_migrations (component, version, applied_at) VALUES ($1, $2, $3)",
         {std::string(component), m.version, now_ms()});
    current = m.version;
    ++applied;
  }
  tx.commit();
  return applied;
}

bool is_postgresql_url(std::string_view where) noexcept {
  return where.starts_with("postgresql://") || where.starts_with("postgres://");
}

// postgresql://user:secret@host/db -> postgresql://user:***@host/db; also ?password=...
std::string redact(std::string_view url) {
  if (!is_postgresql_url(url)) return std::string(url);
  std::string out(url);
  auto scheme = out.find("://");
  auto at = out.find('@', scheme + 3);
  auto colon = out.find(':', scheme + 3);
  if (at != std::string::npos && colon != std::string::npos && colon < at)
    out = out.substr(0, colon + 1) + "***" + out.substr(at);
  if (auto pw = out.find("password="); pw != std::string::npos) {
    auto end = out.find('&', pw);
    out = out.substr(0, pw + 9) + "***" + (end == std::string::npos ? "" : out.substr(end));
  }
  return out;
}

std::unique_ptr<database> open_database(std::string_view where) {
  if (is_postgresql_url(where)) return open_postgresql(where);
  return open_sqlite(where);
}

std::string default_database_path() {
  std::string dir;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x != nullptr && *x == '/') {
    dir = x;
  } else if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0') {
    dir = std::string(h) + "/.local/share";
  } else {
    throw db_error("no inventory location: set XDG_DATA_HOME or HOME, or give --db PATH");
  }
  // Parents as usual (0755 under umask); ajar's own directory private.
  std::string path;
  for (std::size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos == dir.size() || dir[pos] == '/') {
      path = dir.substr(0, pos);
      if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
        throw db_error(fmt::format("cannot create '{}': {}", path, std::strerror(errno)));
    }
  }
  dir += "/ajar";
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    throw db_error(fmt::format("cannot create '{}': {}", dir, std::strerror(errno)));
  return dir + "/inventory.db";
}

void hold_freed_heap() noexcept { ::mallopt(M_TRIM_THRESHOLD, 8 << 20); }

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace ajar::inventory
