// mysql: MySQL and MariaDB (and servers speaking their protocol), default port 3306.
//
// The conversation (PROTOCOLS.md section 7):
//  1. The server speaks first. Read one packet (sequence id 0).
//     - Initial Handshake v10 (0x0a, printable NUL-terminated version, sane layout)
//       -> IDENTIFIED. Product MariaDB when the version contains "MariaDB" (a leading "5.5.5-",
//       which MariaDB 10.x adds for old replicas, is stripped; version = the numeric part),
//       else MySQL with the version up to the first '-'.
//     - ERR (0xff + code + message, no SQLSTATE before the handshake) with a plausible server
//       error code and a printable message -> IDENTIFIED: 1130 host not allowed, 1129 host
//       blocked, 1040 too many connections -> restricted; other codes -> unknown. Product from
//       the message ("... this MariaDB server" / "... this MySQL server") when it says.
//     - Anything else (random bytes, a silent or closing peer) -> not identified.
//  2. Log in as root with an EMPTY password: HandshakeResponse41 (seq 1, no TLS, no database,
//     auth-response length 0) naming the auth plugin the server advertised. Replies:
//       OK -> none. AuthSwitchRequest -> answer with an empty auth response and read again
//       (bounded). 01 03 (caching_sha2 fast auth) -> read the OK that follows. 01 04 or other
//       requests for more auth data -> required. ERR 1045 or SQLSTATE 28000 -> required;
//       ERR 3159 (insecure transport) -> required, evidence says TLS is required; ERR 1040 /
//       1129 / 1130 (MariaDB 10.11 sends 1040 here, after the handshake) -> restricted.
//       A close, reset, silence or garbage instead -> still identified (the handshake proved
//       it), verdict unknown, the evidence names how the login ended.
//     A non-empty password is never sent.
//  3. Only when logged in: COM_QUERY with the per-schema summary from information_schema.tables
//     (schema, table count, SUM(table_rows), SUM(data_length+index_length)), skipping the system
//     schemas. Exposure: databases = schemas, tables, rows (an estimate for InnoDB), bytes,
//     names (at most 20). information_schema.tables has no row for a schema without tables, so
//     a second query counts information_schema.schemata and `databases` is that count (empty
//     schemas included; `names` lists only schemas that have tables). At most max_schema_rows
//     rows are processed; past that the sums are lower bounds and the second query is skipped.
//     Both queries read metadata only. Then COM_QUIT.
#include "wire/mysql.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "probes/registry.hpp"

namespace ajar::probes {

namespace {

namespace my = wire::mysql;

constexpr std::uint16_t default_ports[] = {3306};

// Most packets read while logging in: a switch, the 01 03 notice and the OK fit. Stops a server
// that answers every login packet with another auth switch.
constexpr int max_auth_packets = 4;
// Most rows of the schema summary processed (one per schema). Stops a server that streams rows
// forever; the session's byte budget stops it too, this bounds the work before that.
constexpr std::size_t max_schema_rows = 10000;
// Longest server text (version, error message) quoted in evidence.
constexpr std::size_t max_quoted = 160;
// Longest schema name kept (MySQL allows 64 characters, up to 4 bytes each).
constexpr std::size_t max_name_bytes = 256;
// Error codes a server sends for its own conditions (client library codes are 2000-2999 and
// never come over the wire; MySQL and MariaDB server codes are 1000-1999 and 3000-4999). A
// pre-handshake ERR outside this range is not taken as proof of the protocol.
constexpr std::uint16_t min_server_error = 1000;
constexpr std::uint16_t max_server_error = 4999;

constexpr std::uint16_t er_con_count = 1040;         // Too many connections
constexpr std::uint16_t er_access_denied = 1045;     // Access denied for user ...
constexpr std::uint16_t er_host_is_blocked = 1129;   // Host '...' is blocked ...
constexpr std::uint16_t er_host_not_allowed = 1130;  // Host '...' is not allowed to connect ...
constexpr std::uint16_t er_secure_transport = 3159;  // Connections using insecure transport ...
constexpr std::string_view sql_state_auth = "28000";

constexpr std::string_view login_user = "root";
constexpr std::string_view mariadb_prefix = "5.5.5-";

// Both queries skip the system schemas.
constexpr std::string_view summary_sql =
    "SELECT table_schema, COUNT(*), SUM(table_rows), SUM(data_length+index_length) "
    "FROM information_schema.tables WHERE table_schema NOT IN "
    "('mysql','information_schema','performance_schema','sys') GROUP BY table_schema";
constexpr std::string_view schemata_sql =
    "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name NOT IN "
    "('mysql','information_schema','performance_schema','sys')";

// Requests, built once.
const std::string& summary_query() {
  static const std::string q = my::command(my::com_query, summary_sql);
  return q;
}
const std::string& schemata_query() {
  static const std::string q = my::command(my::com_query, schemata_sql);
  return q;
}

// The login request naming `plugin`. Built once for each plugin a server advertises by
// default; any other name gets mysql_native_password (the server then switches, and the switch
// is answered empty too). An empty name (no CLIENT_PLUGIN_AUTH) omits the plugin.
const std::string& login_request(std::string_view plugin) {
  static constexpr std::array<std::string_view, 4> known = {
      "mysql_native_password", "caching_sha2_password", "sha256_password", "client_ed25519"};
  static const std::array<std::string, 4> built = [] {
    std::array<std::string, 4> out;
    for (std::size_t i = 0; i < known.size(); ++i)
      out[i] = my::handshake_response(login_user, known[i]);
    return out;
  }();
  static const std::string without_plugin = my::handshake_response(login_user, "");
  if (plugin.empty()) return without_plugin;
  for (std::size_t i = 0; i < known.size(); ++i)
    if (known[i] == plugin) return built[i];
  return built[0];
}

// Server text for evidence: printable ASCII only, cut at max_quoted.
std::string quoted(std::string_view s) {
  std::string out;
  for (char ch : s.substr(0, max_quoted)) {
    auto c = static_cast<unsigned char>(ch);
    out.push_back(c >= 0x20 && c < 0x7f ? ch : '?');
  }
  return out;
}

// Length of the valid UTF-8 sequence at the front of `s` (0 when invalid or a control char).
std::size_t utf8_char(std::string_view s) {
  auto c = static_cast<unsigned char>(s[0]);
  if (c < 0x80) return c >= 0x20 && c != 0x7f ? 1 : 0;
  std::size_t n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
  if (n == 0 || s.size() < n) return 0;
  for (std::size_t i = 1; i < n; ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xc0) != 0x80) return 0;
  return n;
}

// A schema name for the output: valid UTF-8 without control characters (others become '?'),
// at most max_name_bytes, cut on a character boundary.
std::string clean_name(std::string_view s) {
  std::string out;
  while (!s.empty()) {
    std::size_t n = utf8_char(s);
    std::string_view piece = n == 0 ? std::string_view("?") : s.substr(0, n);
    if (out.size() + piece.size() > max_name_bytes) break;
    out.append(piece);
    s.remove_prefix(n == 0 ? 1 : n);
  }
  return out;
}

// A COUNT()/SUM() value: decimal digits, maybe with a fractional part (ignored). NULL, negative
// or unparsable values count as 0; overflow saturates.
std::int64_t to_count(const std::optional<std::string>& v) {
  if (!v) return 0;
  std::int64_t n = 0;
  const char* end = v->data() + v->size();
  auto [ptr, ec] = std::from_chars(v->data(), end, n);
  if (ec == std::errc::result_out_of_range) return std::numeric_limits<std::int64_t>::max();
  if (ec != std::errc{} || n < 0 || (ptr != end && *ptr != '.')) return 0;
  return n;
}

std::int64_t sat_add(std::int64_t a, std::int64_t b) {
  return a > std::numeric_limits<std::int64_t>::max() - b ? std::numeric_limits<std::int64_t>::max()
                                                          : a + b;
}

struct product_version {
  std::string product;
  std::string version;
};

product_version from_server_version(std::string_view v) {
  if (v.find("MariaDB") != std::string_view::npos) {
    if (v.starts_with(mariadb_prefix)) v.remove_prefix(mariadb_prefix.size());
    auto end = v.find_first_not_of("0123456789.");
    return {"MariaDB", std::string(v.substr(0, end))};
  }
  return {"MySQL", std::string(v.substr(0, v.find('-')))};
}

std::string product_from_message(std::string_view msg) {
  if (msg.find("MariaDB server") != std::string_view::npos) return "MariaDB";
  if (msg.find("MySQL server") != std::string_view::npos) return "MySQL";
  return {};
}

// An ERR packet only a MySQL-family server would send before its handshake.
bool plausible_server_error(const my::err_packet& e) {
  if (e.code < min_server_error || e.code > max_server_error || e.message.empty()) return false;
  return std::all_of(e.message.begin(), e.message.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return c >= 0x20 && c != 0x7f;  // text; bytes >= 0x80 allowed for localized messages
  });
}

// The verdict an ERR carries, and the evidence line.
void apply_err(const my::err_packet& e, core::observation& o) {
  std::string line = fmt::format("ERR {} {}", e.code, quoted(e.message));
  switch (e.code) {
    case er_con_count:
    case er_host_is_blocked:
    case er_host_not_allowed:
      o.verdict = core::auth::restricted;
      break;
    case er_secure_transport:
      o.verdict = core::auth::required;
      line = "TLS required: " + line;
      break;
    default:
      o.verdict = e.code == er_access_denied || e.sql_state == sql_state_auth ? core::auth::required
                                                                              : core::auth::unknown;
  }
  o.evidence = std::move(line);
}

struct query_result {
  enum class outcome { complete, truncated, server_error, failed };
  outcome how = outcome::failed;
  std::vector<my::text_row> rows;
  core::status status = core::status::ok;  // what ended a failed read
};

// Sends a COM_QUERY and reads its text result set, keeping at most `max_rows` rows.
asio::awaitable<query_result> run_query(net::session& s, const std::string& request,
                                        std::size_t max_rows) {
  query_result out;
  if (auto st = co_await s.send(request); st != core::status::ok) {
    out.status = st;
    co_return out;
  }
  my::resultset_reader reader;
  // count + definitions + EOF + rows + terminator
  const std::size_t max_packets = 1 + my::max_columns + 1 + max_rows + 1;
  for (std::size_t n = 0; n < max_packets; ++n) {
    auto p = co_await s.read<my::packet>(my::parse_packet);
    if (!p.ok()) {
      out.status = p.status;
      co_return out;
    }
    switch (reader.feed(p.value)) {
      case my::resultset_reader::event::more:
        break;
      case my::resultset_reader::event::row:
        if (out.rows.size() >= max_rows) {
          out.how = query_result::outcome::truncated;
          co_return out;
        }
        out.rows.push_back(reader.row());
        break;
      case my::resultset_reader::event::done:
        // Both queries are SELECTs, which always answer with columns. An OK packet alone (a
        // honeypot that says yes to everything, a proxy that swallowed the query) is no result
        // set: reading "zero schemas" from it would invent an exposure.
        if (reader.columns() == 0) {
          out.status = core::status::protocol_error;
          co_return out;
        }
        out.how = query_result::outcome::complete;
        co_return out;
      case my::resultset_reader::event::err:
        out.how = query_result::outcome::server_error;
        co_return out;
      case my::resultset_reader::event::fail:
        out.status = core::status::protocol_error;
        co_return out;
    }
  }
  out.how = query_result::outcome::truncated;
  co_return out;
}

class mysql_probe_impl final : public probe {
 public:
  [[nodiscard]] const probe_info& info() const noexcept override {
    static const probe_info i{
        "mysql", "MySQL/MariaDB: handshake, login as root with an empty password, schema sizes",
        default_ports, transport::plain, /*server_speaks_first=*/true};
    return i;
  }

  [[nodiscard]] std::optional<std::string> opening(std::string_view) const override { return std::string(); }

  asio::awaitable<result> run(net::session& s) const override {
    core::observation o;
    auto first = co_await s.read<my::packet>(my::parse_packet);
    if (!first.ok()) {
      o.end = first.status;
      co_return o;
    }
    const std::string& payload = first.value.payload;
    if (first.value.seq != 0 || payload.empty()) {
      o.end = core::status::protocol_error;
      co_return o;
    }
    if (static_cast<std::uint8_t>(payload[0]) == 0xff) {
      auto e = my::parse_err(payload);
      if (!e.ok() || !plausible_server_error(e.value)) {
        o.end = core::status::protocol_error;
        co_return o;
      }
      o.identified = true;
      o.service = "mysql";
      o.product = product_from_message(e.value.message);
      apply_err(e.value, o);
      co_return o;
    }
    auto hs = my::parse_handshake(payload);
    if (!hs.ok()) {
      o.end = core::status::protocol_error;
      co_return o;
    }
    o.identified = true;
    o.service = "mysql";
    auto pv = from_server_version(hs.value.server_version);
    o.product = std::move(pv.product);
    o.version = std::move(pv.version);
    if ((hs.value.capabilities & my::client_protocol_41) == 0) {
      o.evidence = fmt::format("handshake without CLIENT_PROTOCOL_41 (server {}); no login tried",
                               quoted(hs.value.server_version));
      co_return o;
    }
    std::string_view plugin;  // none without CLIENT_PLUGIN_AUTH
    if ((hs.value.capabilities & my::client_plugin_auth) != 0) plugin = hs.value.auth_plugin;
    if (!co_await log_in(s, plugin, hs.value.server_version, o)) {
      // The handshake identified the server, but the login got no reply we could judge (a
      // close, a reset, silence, bytes that are no packet): say so, or the finding has no
      // evidence line at all.
      if (o.evidence.empty())
        o.evidence = fmt::format("handshake from server {}; the empty-password login as root got no verdict ({})",
                                 quoted(hs.value.server_version), o.end);
      co_return o;
    }
    co_await measure(s, o);
    (void)co_await s.send(my::quit_packet);
    co_return o;
  }

 private:
  // Step 2: true when logged in (verdict none); otherwise the verdict and end are set.
  static asio::awaitable<bool> log_in(net::session& s, std::string_view plugin,
                                      std::string_view server_version, core::observation& o) {
    if (auto st = co_await s.send(login_request(plugin)); st != core::status::ok) {
      o.end = st;
      co_return false;
    }
    std::string current(plugin);
    for (int i = 0; i < max_auth_packets; ++i) {
      auto p = co_await s.read<my::packet>(my::parse_packet);
      if (!p.ok()) {
        o.end = p.status;
        co_return false;
      }
      auto r = my::parse_auth_reply(p.value.payload);
      if (!r.ok()) {
        o.end = core::status::protocol_error;
        co_return false;
      }
      switch (r.value.kind) {
        case my::auth_reply_kind::ok:
          o.verdict = core::auth::none;
          o.evidence = fmt::format("login as root with an empty password accepted (server {})",
                                   quoted(server_version));
          co_return true;
        case my::auth_reply_kind::err:
          apply_err(r.value.err, o);
          co_return false;
        case my::auth_reply_kind::auth_switch: {
          current = r.value.plugin;
          auto seq = static_cast<std::uint8_t>(p.value.seq + 1);
          if (auto st = co_await s.send(my::empty_auth_answer(seq)); st != core::status::ok) {
            o.end = st;
            co_return false;
          }
          break;
        }
        case my::auth_reply_kind::fast_auth_ok:
          break;  // the OK follows
        case my::auth_reply_kind::full_auth_required:
        case my::auth_reply_kind::more_data:
          o.verdict = core::auth::required;
          o.evidence = fmt::format("auth plugin {} asked for more than an empty password",
                                   current.empty() ? std::string("(none)") : quoted(current));
          co_return false;
      }
    }
    o.end = core::status::protocol_error;  // still negotiating after max_auth_packets
    co_return false;
  }

  // Step 3: the schema summary, then the schemata count.
  static asio::awaitable<void> measure(net::session& s, core::observation& o) {
    auto summary = co_await run_query(s, summary_query(), max_schema_rows);
    if (summary.how == query_result::outcome::failed) o.end = summary.status;
    if (summary.how != query_result::outcome::complete &&
        summary.how != query_result::outcome::truncated)
      co_return;
    std::int64_t schemas = 0, tables = 0, rows = 0, bytes = 0;
    for (const auto& row : summary.rows) {
      if (row.size() != 4 || !row[0]) continue;
      ++schemas;
      tables = sat_add(tables, to_count(row[1]));
      rows = sat_add(rows, to_count(row[2]));
      bytes = sat_add(bytes, to_count(row[3]));
      o.exposure.add_name(clean_name(*row[0]));
    }
    o.exposure.databases = schemas;
    o.exposure.tables = tables;
    o.exposure.rows = rows;
    o.exposure.bytes = bytes;
    if (summary.how != query_result::outcome::complete) co_return;

    auto all = co_await run_query(s, schemata_query(), 1);
    if (all.how == query_result::outcome::failed) o.end = all.status;
    if (all.how == query_result::outcome::complete && all.rows.size() == 1 &&
        all.rows[0].size() == 1 && all.rows[0][0])
      o.exposure.databases = std::max(schemas, to_count(all.rows[0][0]));
  }
};

}  // namespace

const probe& mysql_probe() {
  static const mysql_probe_impl p;
  return p;
}

}  // namespace ajar::probes
