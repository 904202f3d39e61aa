// postgresql: does the server let user "postgres" in with no password at all?
//
// The conversation (the client speaks first):
//  1. -> StartupMessage v3: user=postgres, database=postgres, application_name=ajar.
//  2. <- backend messages. A few NoticeResponses ('N') are skipped. The first other message
//     decides identification: a well-formed 'R' Authentication request or 'E' ErrorResponse with a
//     sane length proves PostgreSQL (this is where random bytes, HTTP and silent peers drop out).
//  3a. 'R' AuthenticationOk (code 0): verdict none. Read ParameterStatus messages until
//      ReadyForQuery (server_version gives the version), then
//      -> Query database_list_sql (below; pg_database catalog metadata only)
//      <- RowDescription, DataRow..., CommandComplete, ReadyForQuery:
//      exposure = database count, summed size and names. -> Terminate.
//      An ErrorResponse right after AuthenticationOk (3D000: no database "postgres") still proves
//      the password-less login: verdict none, no exposure.
//  3b. 'R' with any other request (cleartext, MD5, SASL/SCRAM, GSS, SSPI, ...): verdict required.
//      The probe sends nothing more and closes (a Terminate mid-authentication would make the
//      server log a protocol violation). No password is ever sent.
//  3c. 'E' before authentication: SQLSTATE 28000 with "no pg_hba.conf entry" / "pg_hba.conf
//      rejects" is verdict restricted (host not allowed); any other SQLSTATE (53300 too many
//      clients, 57P03 starting up, ...) is verdict unknown. The server closes after it.
// The version is only known after AuthenticationOk (PostgreSQL tells nothing before).
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>

#include "probes/registry.hpp"
#include "wire/pg.hpp"

namespace ajar::probes {

namespace {

namespace pg = wire::pg;

constexpr std::uint16_t ports[] = {5432};

// The first reply is an authentication request or a short FATAL error, well under this. A
// random-bytes peer whose second to fifth bytes make a larger length is not PostgreSQL, and we
// do not wait for megabytes to find out.
constexpr std::size_t max_first_message_bytes = std::size_t{8} * 1024;
// NoticeResponses tolerated before the first authentication message or error. Stops a peer
// that answers with notices forever.
constexpr int max_notices_before_auth = 4;
// Messages between AuthenticationOk and ReadyForQuery (PostgreSQL 15 sends 14 ParameterStatus
// and one BackendKeyData). Stops a peer that streams ParameterStatus forever.
constexpr int max_startup_messages = 256;
// DataRows processed from the database list (one per database). Stops a peer that streams rows
// forever; past it we stop reading and report what we counted.
constexpr std::int64_t max_rows = 10'000;
// Non-row messages tolerated in the query reply (notices, parameter changes). Same attack.
constexpr int max_other_result_messages = 64;
// Server text quoted in evidence: one short line.
constexpr std::size_t max_quoted_bytes = 160;
// Version token kept from server_version ("15.18"); a longer token is not a version.
constexpr std::size_t max_version_bytes = 32;
// A database name is at most NAMEDATALEN-1 = 63 bytes in PostgreSQL; longer ones are cut.
constexpr std::size_t max_name_bytes = 63;

constexpr std::string_view database_list_sql =
    "SELECT datname, pg_database_size(datname) FROM pg_database WHERE NOT datistemplate";

const std::string& startup_request() {
  static const std::string bytes = [] {
    const std::pair<std::string_view, std::string_view> params[] = {
        {"user", "postgres"}, {"database", "postgres"}, {"application_name", "ajar"}};
    return pg::startup_message(params);
  }();
  return bytes;
}

const std::string& database_list_request() {
  static const std::string bytes = pg::query_message(database_list_sql);
  return bytes;
}

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence.
std::string_view cut_utf8(std::string_view s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xc0) == 0x80) --n;
  return s.substr(0, n);
}

// Server text made fit for a one-line evidence string: control bytes become spaces, long text
// is cut and marked.
std::string quote_line(std::string_view s) {
  auto cut = cut_utf8(s, max_quoted_bytes);
  std::string out;
  out.reserve(cut.size() + 3);
  for (char ch : cut) out.push_back(static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f ? ' ' : ch);
  if (cut.size() < s.size()) out += "...";
  return out;
}

// "15.18" from "15.18 (Debian 15.18-0+deb12u1)"; empty if the token is not a plain version.
std::string version_token(std::string_view v) {
  auto token = v.substr(0, v.find(' '));
  if (token.empty() || token.size() > max_version_bytes) return {};
  for (char ch : token)
    if (static_cast<unsigned char>(ch) <= 0x20 || static_cast<unsigned char>(ch) >= 0x7f) return {};
  return std::string(token);
}

std::string describe_request(const pg::auth_request& a) {
  switch (a.code) {
    case pg::auth_code::sasl: {
      std::string mechs;
      for (const auto& m : a.mechanisms) {
        if (!mechs.empty()) mechs += ", ";
        mechs += quote_line(m);
      }
      return fmt::format("server asks for {} (AuthenticationSASL)", mechs);
    }
    case pg::auth_code::md5_password:
      return "server asks for an MD5 password (AuthenticationMD5Password)";
    case pg::auth_code::cleartext_password:
      return "server asks for a cleartext password (AuthenticationCleartextPassword)";
    case pg::auth_code::kerberos_v5:
      return "server asks for Kerberos V5 (AuthenticationKerberosV5)";
    case pg::auth_code::scm_credential:
      return "server asks for peer credentials (AuthenticationSCMCredential)";
    case pg::auth_code::gss:
      return "server asks for GSSAPI (AuthenticationGSS)";
    case pg::auth_code::sspi:
      return "server asks for SSPI (AuthenticationSSPI)";
    default:
      return fmt::format("server asks for {}", pg::auth_message_name(a.code));
  }
}

bool is_hba_refusal(const pg::error_fields& e) {
  // 28000 (invalid_authorization_specification) is shared with other refusals (no user name,
  // role does not exist), so only here the message text decides.
  if (e.code != "28000") return false;
  return e.message.find("no pg_hba.conf entry") != std::string::npos ||
         e.message.find("pg_hba.conf rejects") != std::string::npos;
}

std::string describe_error(const pg::error_fields& e) {
  return fmt::format("ErrorResponse {}: {}", e.code, quote_line(e.message));
}

asio::awaitable<net::read_outcome<pg::message>> read_message(
    net::session& s, std::size_t max_bytes = pg::max_message_bytes) {
  co_return co_await s.read<pg::message>(
      [max_bytes](std::string_view in) { return pg::parse_message(in, max_bytes); });
}

class postgresql_probe_impl final : public probe {
 public:
  [[nodiscard]] const probe_info& info() const noexcept override {
    static const probe_info i{"postgresql",
                              "PostgreSQL: password-less login as postgres, database sizes", ports};
    return i;
  }

  [[nodiscard]] std::optional<std::string> opening(std::string_view) const override { return startup_request(); }

  asio::awaitable<result> run(net::session& s) const override {
    core::observation obs;
    obs.end = co_await s.send(startup_request());
    if (obs.end != core::status::ok) co_return obs;

    // Step 2: the first message that is not a notice decides identification.
    pg::message first;
    for (int notices = 0;; ++notices) {
      auto r = co_await read_message(s, max_first_message_bytes);
      if (!r.ok()) {
        obs.end = r.status;
        co_return obs;
      }
      if (r.value.type == 'N' && notices < max_notices_before_auth &&
          pg::parse_error_response(r.value.body).ok())
        continue;
      first = std::move(r.value);
      break;
    }

    if (first.type == 'E') {
      auto e = pg::parse_error_response(first.body);
      if (!e.ok()) {
        obs.end = core::status::protocol_error;
        co_return obs;
      }
      mark_identified(obs);
      obs.verdict = is_hba_refusal(e.value) ? core::auth::restricted : core::auth::unknown;
      obs.evidence = describe_error(e.value);
      obs.end = core::status::ok;  // a FATAL error: the server closes, nothing more to say
      co_return obs;
    }

    if (first.type != 'R') {
      obs.end = core::status::protocol_error;
      co_return obs;
    }
    auto a = pg::parse_authentication(first.body);
    // Continuation messages cannot open a conversation: not a PostgreSQL server talking to us.
    if (!a.ok() || a.value.code == pg::auth_code::gss_continue ||
        a.value.code == pg::auth_code::sasl_continue || a.value.code == pg::auth_code::sasl_final) {
      obs.end = core::status::protocol_error;
      co_return obs;
    }
    mark_identified(obs);

    if (a.value.code != pg::auth_code::ok) {
      obs.verdict = core::auth::required;
      obs.evidence = describe_request(a.value);
      // Send nothing more: a Terminate here is a protocol violation in the middle of the
      // authentication exchange (the server logs "FATAL: expected password response"), while
      // simply closing is what psql does when it has no password.
      obs.end = core::status::ok;
      co_return obs;
    }

    obs.verdict = core::auth::none;
    obs.evidence = "AuthenticationOk for user postgres with no password";
    if (!co_await read_until_ready(s, obs)) co_return obs;
    if (!co_await list_databases(s, obs)) co_return obs;
    obs.end = co_await s.send(pg::terminate_message);
    co_return obs;
  }

 private:
  static void mark_identified(core::observation& obs) {
    obs.identified = true;
    obs.service = "postgresql";
    obs.product = "PostgreSQL";
  }

  // After AuthenticationOk: ParameterStatus, BackendKeyData, ... until ReadyForQuery. Returns
  // false when the conversation is over (an error, or a read failure recorded in obs.end).
  static asio::awaitable<bool> read_until_ready(net::session& s, core::observation& obs) {
    for (int n = 0; n < max_startup_messages; ++n) {
      auto r = co_await read_message(s);
      if (!r.ok()) {
        obs.end = r.status;
        co_return false;
      }
      const auto& m = r.value;
      if (m.type == 'Z') {
        if (!pg::parse_ready_for_query(m.body).ok()) {
          obs.end = core::status::protocol_error;
          co_return false;
        }
        co_return true;
      }
      if (m.type == 'S') {
        auto p = pg::parse_parameter_status(m.body);
        if (p.ok() && p.value.name == "server_version" && obs.version.empty())
          obs.version = version_token(p.value.value);
        continue;
      }
      if (m.type == 'E') {
        // e.g. 3D000 database "postgres" does not exist: authentication already succeeded.
        auto e = pg::parse_error_response(m.body);
        if (e.ok()) obs.evidence += fmt::format(", then {}", describe_error(e.value));
        obs.end = e.ok() ? core::status::ok : core::status::protocol_error;
        co_return false;
      }
      // 'K' BackendKeyData, 'N' notices, 'v' NegotiateProtocolVersion: nothing we need.
    }
    obs.end = core::status::protocol_error;
    co_return false;
  }

  // The database list: names, count and summed size. Exposure is recorded only from a complete,
  // well-shaped result (or the first max_rows rows of a longer one). Returns false when the
  // conversation is over.
  static asio::awaitable<bool> list_databases(net::session& s, core::observation& obs) {
    obs.end = co_await s.send(database_list_request());
    if (obs.end != core::status::ok) co_return false;

    core::exposure found;
    std::int64_t databases = 0;
    std::int64_t bytes = 0;
    bool well_shaped = true;
    bool complete = false;
    for (int others = 0; others < max_other_result_messages;) {
      auto r = co_await read_message(s);
      if (!r.ok()) {
        obs.end = r.status;
        co_return false;
      }
      const auto& m = r.value;
      if (m.type == 'D') {
        auto row = pg::parse_data_row(m.body);
        if (!row.ok() || row.value.size() != 2 || !row.value[0]) {
          well_shaped = false;
          continue;
        }
        ++databases;
        found.add_name(std::string(cut_utf8(*row.value[0], max_name_bytes)));
        if (const auto& size = row.value[1]) {  // NULL when the database vanished meanwhile
          std::int64_t v = 0;
          auto [end, ec] = std::from_chars(size->data(), size->data() + size->size(), v);
          if (ec == std::errc{} && end == size->data() + size->size() && v >= 0)
            bytes = v > std::numeric_limits<std::int64_t>::max() - bytes
                        ? std::numeric_limits<std::int64_t>::max()
                        : bytes + v;
        }
        if (databases >= max_rows) {
          complete = true;  // a lower bound; stop reading and say goodbye
          break;
        }
        continue;
      }
      ++others;
      if (m.type == 'T') {
        auto cols = pg::parse_row_description(m.body);
        if (!cols.ok() || cols.value.size() != 2) well_shaped = false;
      } else if (m.type == 'C') {
        complete = pg::parse_command_complete(m.body).ok();
      } else if (m.type == 'E') {
        // e.g. 42501 permission denied for pg_database_size: no exposure, the login still stands.
        well_shaped = false;
        auto e = pg::parse_error_response(m.body);
        if (e.ok()) obs.evidence += fmt::format("; database list refused ({})", e.value.code);
      } else if (m.type == 'Z') {
        break;
      }
    }
    if (complete && well_shaped) {
      found.databases = databases;
      found.bytes = bytes;
      obs.exposure = std::move(found);
    }
    co_return true;
  }
};

}  // namespace

const probe& postgresql_probe() {
  static const postgresql_probe_impl p;
  return p;
}

}  // namespace ajar::probes
