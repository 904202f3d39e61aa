// The daemon's own tables, kept in the inventory database as component "serve" migrations:
// users (Argon2id hashes), sessions (stored as a hash of the cookie value, with their CSRF token),
// API tokens (hash only), alerts and their delivery attempts. One serve_db per thread (it wraps
// one inventory::database connection).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "inventory/database.hpp"

namespace ajar::serve {

struct user_row {
  std::int64_t id = 0;
  std::string name;
  std::int64_t created_ms = 0;
};

struct session_row {
  std::int64_t user_id = 0;
  std::string user;
  std::string csrf;
  std::int64_t expires_ms = 0;
};

struct token_row {
  std::int64_t id = 0;
  std::string name;
  std::int64_t created_ms = 0;
  std::optional<std::int64_t> last_used_ms;
};

struct alert_row {
  std::int64_t id = 0;
  std::int64_t created_ms = 0;
  std::string kind;  // opened, reopened, closed, severity
  std::string service, address;
  std::int64_t port = 0;
  std::string severity;
  std::string text;
  std::string json;
  std::string delivery;  // "delivered", "failed", "pending", "none" (no hook configured)
  std::string last_error;
};

struct scope_run_row {
  std::int64_t id = 0;
  std::string scope;
  std::int64_t started_ms = 0;
  std::optional<std::int64_t> finished_ms;
  std::optional<std::int64_t> scan_id;  // the inventory's scan, when recorded
  std::string state;                    // running, done, interrupted, failed
  std::string detail;
  std::int64_t found = 0;
};

class serve_db {
 public:
  // Opens the connection and applies the "serve" migrations.
  explicit serve_db(const std::string& where);
  explicit serve_db(std::unique_ptr<inventory::database> db);

  inventory::database& raw() { return *db_; }

  // Users. add_user throws core::input_error if the name is taken or malformed.
  void add_user(const std::string& name, const std::string& password_hash);
  bool remove_user(const std::string& name);  // also ends the user's sessions
  std::vector<user_row> users();
  std::int64_t user_count();
  // (id, hash) of a user, if it exists.
  std::optional<std::pair<std::int64_t, std::string>> user_hash(const std::string& name);

  // Sessions: the cookie value never touches the disk, only its digest.
  void create_session(const std::string& token_digest, std::int64_t user_id, const std::string& csrf,
                      std::int64_t expires_ms);
  std::optional<session_row> session(const std::string& token_digest, std::int64_t now_ms);
  void delete_session(const std::string& token_digest);
  void purge_sessions(std::int64_t now_ms);

  // API tokens.
  void add_token(const std::string& name, const std::string& token_digest);
  std::optional<std::string> token_name(const std::string& token_digest, std::int64_t now_ms);
  std::vector<token_row> tokens();
  bool remove_token(const std::string& name);

  // Alerts and deliveries.
  std::int64_t add_alert(const alert_row& a);
  void add_delivery(std::int64_t alert_id, const std::string& target, int attempt, bool ok,
                    const std::string& detail);
  void set_alert_delivery(std::int64_t alert_id, const std::string& state, const std::string& error);
  std::vector<alert_row> alerts(std::int64_t limit);

  // Scheduled scans, per scope.
  std::int64_t start_run(const std::string& scope, std::int64_t started_ms);
  void finish_run(std::int64_t id, std::int64_t finished_ms, std::optional<std::int64_t> scan_id,
                  const std::string& state, const std::string& detail, std::int64_t found);
  std::vector<scope_run_row> runs(std::int64_t limit);

 private:
  std::unique_ptr<inventory::database> db_;
};

// Where `ajar user` / `ajar token` find the database: --db, else the config's db, else the
// inventory's default. Opens it (applying migrations); a failure is a core::input_error.
struct db_args {
  std::string config;
  std::string db;
};
std::unique_ptr<serve_db> open_serve_db(const std::string& config_path, const std::string& db);

// A user name: 1-64 of [A-Za-z0-9._@-]. Throws core::input_error naming it otherwise.
void check_user_name(const std::string& name);

}  // namespace ajar::serve
