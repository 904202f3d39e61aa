// ajar.yaml, the daemon's configuration. Everything is validated when it is loaded: a bad key or
// value is a core::input_error whose one-line message names it (the CLI exits 2).
//
//   listen: 127.0.0.1:8443          # default; a non-loopback address is allowed with a warning
//   tls: {cert: c.pem, key: k.pem}  # or `tls: self-signed` (default: generated next to the db)
//                                   # or `tls: off` (plain HTTP; loopback testing only)
//   db: /var/lib/ajar/inventory.db  # default: the inventory's default
//   session_hours: 12
//   scopes:
//     - name: lab
//       targets: [127.0.1.1-127.0.1.13]
//       ports: "6379,5432"           # or a list; default: every probe's default ports
//       exclude: [127.0.1.7]
//       rate: 100                    # connections per second (0 = no limit)
//       interval: 1h                 # how often the scope is scanned
//       timeout: 10s                 # per address:port (optional)
//   alerts:
//     webhooks: [http://127.0.0.1:9000/hook]   # or `webhook: URL`
//     command: [/usr/local/bin/page-me, --quiet]  # argv, run without a shell; JSON on stdin
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ajar::serve {

enum class tls_mode { self_signed, files, off };

struct scope_config {
  std::string name;
  std::vector<std::string> targets;
  std::string ports;  // as `ajar scan -p` takes it; empty = every probe's default ports
  std::vector<std::string> exclude;
  double rate = 0;
  std::chrono::milliseconds interval{std::chrono::hours(1)};
  std::chrono::milliseconds timeout{10000};
};

struct serve_config {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8443;
  tls_mode tls = tls_mode::self_signed;
  std::string tls_cert, tls_key;
  std::string db;  // empty: the inventory's default path
  std::chrono::hours session_lifetime{12};
  std::vector<scope_config> scopes;
  std::vector<std::string> webhooks;
  std::vector<std::string> command;  // argv; empty = no command hook
};

// Reads and validates; relative paths are resolved against the config file's directory.
serve_config load_config(const std::string& path);
serve_config parse_config(const std::string& yaml_text, const std::string& base_dir = ".");

// Where the inventory (and the daemon's tables) live: `db` from the config, else the inventory's
// default path.
std::string database_of(const serve_config& c);

// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback(const std::string& host);

}  // namespace ajar::serve
