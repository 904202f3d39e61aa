#include "serve/serve_db.hpp"

#include <array>

#include <fmt/format.h>

#include "core/error.hpp"
#include "serve/config.hpp"

namespace ajar::serve {

namespace {

// Never edit a shipped migration; add one.
constexpr std::array<inventory::migration, 1> migrations{{
    {1,
     "CREATE TABLE IF NOT EXISTS serve_users ("
     "  id AUTO_ID, name TEXT NOT NULL UNIQUE, hash TEXT NOT NULL, created_ms BIGINT NOT NULL);"
     "CREATE TABLE IF NOT EXISTS serve_sessions ("
     "  digest TEXT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES serve_users(id) ON DELETE CASCADE,"
     "  csrf TEXT NOT NULL, created_ms BIGINT NOT NULL, expires_ms BIGINT NOT NULL);"
     "CREATE TABLE IF NOT EXISTS serve_api_tokens ("
     "  id AUTO_ID, name TEXT NOT NULL UNIQUE, digest TEXT NOT NULL UNIQUE, created_ms BIGINT NOT NULL,"
     "  last_used_ms BIGINT);"
     "CREATE TABLE IF NOT EXISTS serve_alerts ("
     "  id AUTO_ID, created_ms BIGINT NOT NULL, kind TEXT NOT NULL, service TEXT NOT NULL,"
     "  address TEXT NOT NULL, port BIGINT NOT NULL, severity TEXT NOT NULL, text TEXT NOT NULL,"
     "  json TEXT NOT NULL, delivery TEXT NOT NULL, last_error TEXT NOT NULL);"
     "CREATE TABLE IF NOT EXISTS serve_alert_deliveries ("
     "  id AUTO_ID, alert_id BIGINT NOT NULL REFERENCES serve_alerts(id) ON DELETE CASCADE,"
     "  target TEXT NOT NULL, attempt BIGINT NOT NULL, at_ms BIGINT NOT NULL, ok BIGINT NOT NULL,"
     "  detail TEXT NOT NULL);"
     "CREATE TABLE IF NOT EXISTS serve_scope_runs ("
     "  id AUTO_ID, scope TEXT NOT NULL, started_ms BIGINT NOT NULL, finished_ms BIGINT, scan_id BIGINT,"
     "  state TEXT NOT NULL, detail TEXT NOT NULL, found BIGINT NOT NULL);"
     "CREATE INDEX IF NOT EXISTS serve_alerts_created ON serve_alerts(created_ms);"
     "CREATE INDEX IF NOT EXISTS serve_scope_runs_started ON serve_scope_runs(started_ms)"},
}};

}  // namespace

void check_user_name(const std::string& name) {
  if (name.empty() || name.size() > 64 ||
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-") !=
          std::string::npos)
    throw core::input_error(fmt::format("invalid user name '{}': use 1-64 letters, digits, . _ @ -", name));
}

std::unique_ptr<serve_db> open_serve_db(const std::string& config_path, const std::string& db) {
  std::string where = db;
  if (where.empty() && !config_path.empty()) where = load_config(config_path).db;
  if (where.empty()) {
    try {
      where = inventory::default_database_path();
    } catch (const inventory::db_error& e) {
      throw core::input_error(fmt::format("no inventory given: use --config FILE or --db PATH ({})", e.what()));
    }
  }
  try {
    return std::make_unique<serve_db>(where);
  } catch (const inventory::db_error& e) {
    throw core::input_error(fmt::format("cannot open the inventory '{}': {}", where, e.what()));
  }
}

serve_db::serve_db(const std::string& where) : serve_db(inventory::open_database(where)) {}

serve_db::serve_db(std::unique_ptr<inventory::database> db) : db_(std::move(db)) {
  db_->migrate("serve", migrations);
}

void serve_db::add_user(const std::string& name, const std::string& password_hash) {
  check_user_name(name);
  auto tx = db_->begin();
  if (!db_->query("SELECT id FROM serve_users WHERE name = $1", {name}).empty())
    throw core::input_error(fmt::format("user '{}' exists already (ajar user remove {} first)", name, name));
  db_->exec("INSERT INTO serve_users(name, hash, created_ms) VALUES ($1, $2, $3)",
            {name, password_hash, inventory::now_ms()});
  tx.commit();
}

bool serve_db::remove_user(const std::string& name) {
  auto tx = db_->begin();
  auto r = db_->query("SELECT id FROM serve_users WHERE name = $1", {name});
  if (r.empty()) return false;
  db_->exec("DELETE FROM serve_sessions WHERE user_id = $1", {r[0].int64(0)});
  db_->exec("DELETE FROM serve_users WHERE id = $1", {r[0].int64(0)});
  tx.commit();
  return true;
}

std::vector<user_row> serve_db::users() {
  std::vector<user_row> out;
  for (const auto& r : db_->query("SELECT id, name, created_ms FROM serve_users ORDER BY name"))
    out.push_back({r.int64(0), r.text(1), r.int64(2)});
  return out;
}

std::int64_t serve_db::user_count() { return db_->query("SELECT COUNT(*) FROM serve_users")[0].int64(0); }

std::optional<std::pair<std::int64_t, std::string>> serve_db::user_hash(const std::string& name) {
  auto r = db_->query("SELECT id, hash FROM serve_users WHERE name = $1", {name});
  if (r.empty()) return std::nullopt;
  return std::pair{r[0].int64(0), r[0].text(1)};
}

void serve_db::create_session(const std::string& token_digest, std::int64_t user_id, const std::string& csrf,
                              std::int64_t expires_ms) {
  db_->exec("INSERT INTO serve_sessions(digest, user_id, csrf, created_ms, expires_ms) VALUES ($1, $2, $3, $4, $5)",
            {token_digest, user_id, csrf, inventory::now_ms(), expires_ms});
}

std::optional<session_row> serve_db::session(const std::string& token_digest, std::int64_t now_ms) {
  auto r = db_->query(
      "SELECT s.user_id, u.name, s.csrf, s.expires_ms FROM serve_sessions s JOIN serve_users u ON u.id = s.user_id "
      "WHERE s.digest = $1 AND s.expires_ms > $2",
      {token_digest, now_ms});
  if (r.empty()) return std::nullopt;
  return session_row{r[0].int64(0), r[0].text(1), r[0].text(2), r[0].int64(3)};
}

void serve_db::delete_session(const std::string& token_digest) {
  db_->exec("DELETE FROM serve_sessions WHERE digest = $1", {token_digest});
}

void serve_db::purge_sessions(std::int64_t now_ms) {
  db_->exec("DELETE FROM serve_sessions WHERE expires_ms <= $1", {now_ms});
}

void serve_db::add_token(const std::string& name, const std::string& token_digest) {
  check_user_name(name);
  if (!db_->query("SELECT id FROM serve_api_tokens WHERE name = $1", {name}).empty())
    throw core::input_error(fmt::format("token '{}' exists already (ajar token remove {} first)", name, name));
  db_->exec("INSERT INTO serve_api_tokens(name, digest, created_ms) VALUES ($1, $2, $3)",
            {name, token_digest, inventory::now_ms()});
}

std::optional<std::string> serve_db::token_name(const std::string& token_digest, std::int64_t now_ms) {
  auto r = db_->query("SELECT id, name FROM serve_api_tokens WHERE digest = $1", {token_digest});
  if (r.empty()) return std::nullopt;
  db_->exec("UPDATE serve_api_tokens SET last_used_ms = $1 WHERE id = $2", {now_ms, r[0].int64(0)});
  return r[0].text(1);
}

std::vector<token_row> serve_db::tokens() {
  std::vector<token_row> out;
  for (const auto& r : db_->query("SELECT id, name, created_ms, last_used_ms FROM serve_api_tokens ORDER BY name"))
    out.push_back({r.int64(0), r.text(1), r.int64(2), r.opt_int64(3)});
  return out;
}

bool serve_db::remove_token(const std::string& name) {
  return db_->exec("DELETE FROM serve_api_tokens WHERE name = $1", {name}) > 0;
}

std::int64_t serve_db::add_alert(const alert_row& a) {
  return db_
      ->query(
          "INSERT INTO serve_alerts(created_ms, kind, service, address, port, severity, text, json, delivery, "
          "last_error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
          {a.created_ms, a.kind, a.service, a.address, a.port, a.severity, a.text, a.json, a.delivery,
           a.last_error})[0]
      .int64(0);
}

void serve_db::add_delivery(std::int64_t alert_id, const std::string& target, int attempt, bool ok,
                            const std::string& detail) {
  db_->exec(
      "INSERT INTO serve_alert_deliveries(alert_id, target, attempt, at_ms, ok, detail) VALUES ($1, $2, $3, $4, $5, $6)",
      {alert_id, target, attempt, inventory::now_ms(), ok ? 1 : 0, detail});
}

void serve_db::set_alert_delivery(std::int64_t alert_id, const std::string& state, const std::string& error) {
  db_->exec("UPDATE serve_alerts SET delivery = $1, last_error = $2 WHERE id = $3", {state, error, alert_id});
}

std::vector<alert_row> serve_db::alerts(std::int64_t limit) {
  std::vector<alert_row> out;
  for (const auto& r : db_->query(
           "SELECT id, created_ms, kind, service, address, port, severity, text, json, delivery, last_error "
           "FROM serve_alerts ORDER BY id DESC LIMIT $1",
           {limit})) {
    alert_row a;
    a.id = r.int64(0);
    a.created_ms = r.int64(1);
    a.kind = r.text(2);
    a.service = r.text(3);
    a.address = r.text(4);
    a.port = r.int64(5);
    a.severity = r.text(6);
    a.text = r.text(7);
    a.json = r.text(8);
    a.delivery = r.text(9);
    a.last_error = r.text(10);
    out.push_back(std::move(a));
  }
  return out;
}

std::int64_t serve_db::start_run(const std::string& scope, std::int64_t started_ms) {
  return db_
      ->query(
          "INSERT INTO serve_scope_runs(scope, started_ms, state, detail, found) VALUES ($1, $2, 'running', '', 0) "
          "RETURNING id",
          {scope, started_ms})[0]
      .int64(0);
}

void serve_db::finish_run(std::int64_t id, std::int64_t finished_ms, std::optional<std::int64_t> scan_id,
                          const std::string& state, const std::string& detail, std::int64_t found) {
  db_->exec(
      "UPDATE serve_scope_runs SET finished_ms = $1, scan_id = $2, state = $3, detail = $4, found = $5 WHERE id = $6",
      {finished_ms, scan_id, state, detail, found, id});
}

std::vector<scope_run_row> serve_db::runs(std::int64_t limit) {
  std::vector<scope_run_row> out;
  for (const auto& r : db_->query(
           "SELECT id, scope, started_ms, finished_ms, scan_id, state, detail, found FROM serve_scope_runs "
           "ORDER BY id DESC LIMIT $1",
           {limit}))
    out.push_back({r.int64(0), r.text(1), r.int64(2), r.opt_int64(3), r.opt_int64(4), r.text(5), r.text(6),
                   r.int64(7)});
  return out;
}

}  // namespace ajar::serve
