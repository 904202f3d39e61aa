// PostgreSQL (pg_hba.conf, postgresql.conf) and MySQL/MariaDB (my.cnf and its conf.d files).
// ClickHouse's users.xml is in kinds_clickhouse.cpp; kinds_flat.cpp has the rest.
#include <algorithm>
#include <array>
#include <bit>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "audit/flat.hpp"
#include "audit/kinds.hpp"
#include "audit/text.hpp"
#include "core/ip.hpp"

namespace ajar::audit {

namespace {

using text::reach;

std::string_view reach_word(reach r) { return r == reach::all ? "every address" : "the network"; }

// ---------------------------------------------------------------------------------------------
// pg_hba.conf  https://www.postgresql.org/docs/current/auth-pg-hba-conf.html
//
// One record per line ('\' at the end continues it), fields separated by blanks, "double quotes"
// keep blanks and commas; '#' starts a comment. host/hostssl/hostnossl/hostgssenc/hostnogssenc
// records name a client address: all, samehost, samenet, a host name, a CIDR, or an address
// followed by a netmask field. The first matching record decides, so a `trust` line for a
// remote range lets anyone in as any user it names, whatever the lines below it say.
// ---------------------------------------------------------------------------------------------

constexpr std::string_view pg_hba_uri = "https://www.postgresql.org/docs/current/auth-pg-hba-conf.html";

constexpr std::array pg_hba_rules{
    rule{"AJAR-PGHBA-001", "postgresql", core::severity::critical,
         "pg_hba.conf trusts clients from the network: no password asked",
         "Use scram-sha-256 for host records, and keep trust for local (Unix socket) records only", pg_hba_uri},
    rule{"AJAR-PGHBA-002", "postgresql", core::severity::medium,
         "pg_hba.conf accepts cleartext passwords from the network without SSL",
         "Use scram-sha-256 (or hostssl records, so the password travels encrypted)", pg_hba_uri},
    rule{"AJAR-PGHBA-003", "postgresql", core::severity::low,
         "pg_hba.conf lets every address on the Internet try to log in (0.0.0.0/0, ::/0 or all)",
         "Name the client networks that need the database instead of 0.0.0.0/0, ::/0 or all", pg_hba_uri},
};

// pg_hba tokens: blanks separate, "..." quotes (a quoted "all" is a name, not the keyword).
std::optional<std::vector<std::string>> hba_tokens(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (i >= s.size() || s[i] == '#') break;
    std::string tok;
    bool quoted = false;
    while (i < s.size() && (quoted || (s[i] != ' ' && s[i] != '\t' && s[i] != '#'))) {
      if (s[i] == '"') quoted = !quoted;
      tok += s[i++];
    }
    if (quoted) return std::nullopt;
    out.push_back(std::move(tok));
  }
  return out;
}

// A netmask field ("255.255.255.0") as a prefix length; nullopt when it is not a mask.
std::optional<unsigned> mask_bits(std::string_view mask) {
  auto ip = core::ip_address::parse(mask);
  if (!ip) return std::nullopt;
  unsigned bits = 0;
  bool zero_seen = false;
  std::size_t n = ip->is_v4() ? 4 : 16;
  for (std::size_t i = 0; i < n; ++i)
    for (int b = 7; b >= 0; --b) {
      bool one = ((static_cast<unsigned>(ip->bytes()[i]) >> static_cast<unsigned>(b)) & 1U) != 0;
      if (one && zero_seen) return std::nullopt;
      if (one) ++bits;
      else zero_seen = true;
    }
  return bits;
}

reach hba_address_reach(std::string_view a) {
  if (a == "all") return reach::all;
  if (a == "samehost") return reach::loopback;  // the server's own addresses: clients on this host
  if (a == "samenet") return reach::other;
  if (a.find('/') != std::string_view::npos) return text::classify_cidr(a);
  return text::classify_host(text::unquote(a));
}

bool pg_hba_recognise(std::string_view name, std::string_view) { return name == "pg_hba.conf"; }

void pg_hba_check(const source_file& file, std::vector<issue>& out) {
  static constexpr std::array methods{"trust", "reject", "scram-sha-256", "md5", "password", "gss", "sspi",
                                      "ident", "peer", "pam", "ldap", "radius", "cert", "bsd"};
  auto ls = text::lines(file.text);
  for (std::size_t i = 0; i < ls.size(); ++i) {
    std::size_t number = ls[i].number;
    std::string record(ls[i].text);
    while (!record.empty() && record.back() == '\\' && i + 1 < ls.size()) {
      record.pop_back();
      record += ' ';
      record += ls[++i].text;
    }
    auto tokens = hba_tokens(record);
    if (!tokens) {
      out.push_back(unparseable(file, number, "unterminated quote"));
      return;
    }
    auto& f = *tokens;
    if (f.empty()) continue;
    const std::string& type = f[0];
    if (type == "include" || type == "include_if_exists" || type == "include_dir" || type == "local") continue;
    if (type != "host" && type != "hostssl" && type != "hostnossl" && type != "hostgssenc" && type != "hostnogssenc") {
      out.push_back(unparseable(file, number, fmt::format("unknown connection type '{}'", type)));
      return;
    }
    if (f.size() < 5) {
      out.push_back(unparseable(file, number, fmt::format("'{}' record with too few fields", type)));
      return;
    }
    reach r = hba_address_reach(f[3]);
    std::size_t method_at = 4;
    std::string address = f[3];
    // "address netmask" form: the next field is a mask, not the method.
    if (f[3].find('/') == std::string::npos && core::ip_address::parse(f[3]) && f.size() >= 6) {
      auto bits = mask_bits(f[4]);
      if (!bits) {
        out.push_back(unparseable(file, number, fmt::format("'{}' is neither a netmask nor a method after an address", f[4])));
        return;
      }
      address = fmt::format("{}/{}", f[3], *bits);
      r = text::classify_cidr(address);
      method_at = 5;
    }
    const std::string& method = f[method_at];
    if (std::find(methods.begin(), methods.end(), method) == methods.end()) {
      out.push_back(unparseable(file, number, fmt::format("unknown authentication method '{}'", method)));
      return;
    }
    if (r == reach::loopback) continue;
    std::string shown = fmt::format("{}", fmt::join(f.begin(), f.begin() + static_cast<std::ptrdiff_t>(method_at) + 1, " "));
    if (method == "trust") {
      out.push_back({&pg_hba_rules[0], file.path, number, 0,
                     fmt::format("'{}': database {} as user {} from {} with no password", shown, f[1], f[2],
                                 reach_word(r))});
    } else if (method == "password" && type != "hostssl") {
      out.push_back({&pg_hba_rules[1], file.path, number, 0,
                     fmt::format("'{}': the password crosses the network in cleartext", shown)});
    } else if (r == reach::all && method != "reject") {
      out.push_back({&pg_hba_rules[2], file.path, number, 0,
                     fmt::format("'{}': every address may try passwords ({})", shown, method)});
    }
  }
}

// ---------------------------------------------------------------------------------------------
// postgresql.conf / postgresql.auto.conf
// https://www.postgresql.org/docs/current/config-setting.html : "name = value" (the '=' is
// optional), names case-insensitive, values 'single-quoted' ('' or \' for a quote), '#' comment;
// the last setting of a name wins. listen_addresses defaults to 'localhost'
// (https://www.postgresql.org/docs/current/runtime-config-connection.html).
// ---------------------------------------------------------------------------------------------

constexpr std::array pgconf_rules{
    rule{"AJAR-PGCONF-001", "postgresql", core::severity::low,
         "PostgreSQL listens on every interface: pg_hba.conf alone decides who may log in",
         "List only the addresses clients use in listen_addresses, and check pg_hba.conf has no trust host records",
         "https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-LISTEN-ADDRESSES"},
};

bool postgresql_conf_recognise(std::string_view name, std::string_view) {
  return name == "postgresql.conf" || name == "postgresql.auto.conf";
}

void postgresql_conf_check(const source_file& file, std::vector<issue>& out) {
  std::optional<std::pair<std::size_t, std::string>> listen;
  for (const auto& l : text::lines(file.text)) {
    std::string_view t = text::trim(l.text);
    if (t.empty() || t.front() == '#') continue;
    std::size_t k = 0;
    while (k < t.size() && (std::isalnum(static_cast<unsigned char>(t[k])) != 0 || t[k] == '_' || t[k] == '.' || t[k] == '-'))
      ++k;
    if (k == 0) {
      out.push_back(unparseable(file, l.number, fmt::format("syntax error near '{}'", t.substr(0, 20))));
      return;
    }
    std::string name = text::lower(t.substr(0, k));
    std::string_view rest = text::trim(t.substr(k));
    if (!rest.empty() && rest.front() == '=') rest = text::trim(rest.substr(1));
    std::string value;
    if (!rest.empty() && rest.front() == '\'') {
      std::size_t i = 1;
      bool closed = false;
      while (i < rest.size()) {
        if (rest[i] == '\'' && i + 1 < rest.size() && rest[i + 1] == '\'') { value += '\''; i += 2; }
        else if (rest[i] == '\\' && i + 1 < rest.size()) { value += rest[i + 1]; i += 2; }
        else if (rest[i] == '\'') { closed = true; break; }
        else value += rest[i++];
      }
      if (!closed) {
        out.push_back(unparseable(file, l.number, fmt::format("unterminated quoted string in {}", name)));
        return;
      }
    } else {
      auto end = rest.find_first_of(" \t#");
      value = std::string(rest.substr(0, end));
    }
    if (name == "listen_addresses") listen = std::make_pair(l.number, value);
  }
  if (!listen) return;
  std::stringstream list(listen->second);
  for (std::string item; std::getline(list, item, ',');) {
    auto a = text::trim(item);
    if (a == "*" || text::classify_host(a) == reach::all) {
      out.push_back({&pgconf_rules[0], file.path, listen->first, 0,
                     fmt::format("listen_addresses = '{}': every interface", listen->second)});
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// my.cnf, mariadb.cnf, conf.d/*.cnf  https://mariadb.com/kb/en/configuring-mariadb-with-option-files/
// https://dev.mysql.com/doc/refman/8.0/en/option-files.html
//
// INI: [group] headers; "option", "option = value"; '#' and ';' comments; '-' and '_' are the same
// in names; "loose-" only silences unknown options; "skip-X"/"disable-X" = X off, "enable-X" = on.
// The server reads [mysqld], [server], [mariadb], [mariadbd], [galera] and the versioned
// [mysqld-8.0] / [mariadb-10.11] groups. Defaults: bind-address is every interface (MariaDB and
// MySQL; Debian's 50-server.cnf sets 127.0.0.1), networking is on.
// skip-grant-tables (https://mariadb.com/kb/en/mariadbd-options/#-skip-grant-tables): every
// client is root with no password. MySQL 8.0.3+ turns skip-networking on with it; MariaDB and
// MySQL 5.7 do not, so the rule names the network when the file leaves it on.
// ---------------------------------------------------------------------------------------------

constexpr std::string_view mysql_uri = "https://mariadb.com/kb/en/mariadbd-options/#-skip-grant-tables";

constexpr std::array mysql_rules{
    rule{"AJAR-MYSQL-001", "mysql", core::severity::critical,
         "MySQL/MariaDB skips the grant tables and listens on the network: anyone is root, no password",
         "Remove skip-grant-tables (use it only with skip-networking, for a password reset)", mysql_uri},
    rule{"AJAR-MYSQL-002", "mysql", core::severity::medium,
         "MySQL/MariaDB skips the grant tables: every local user is root, no password",
         "Remove skip-grant-tables once the password reset is done", mysql_uri},
};

bool mysql_server_group(std::string_view g) {
  return g == "mysqld" || g == "server" || g == "mariadb" || g == "mariadbd" || g == "galera" ||
         text::istarts_with(g, "mysqld-") || text::istarts_with(g, "mariadb-") || text::istarts_with(g, "mariadbd-");
}

bool mysql_recognise(std::string_view name, std::string_view head) {
  if (name == "my.cnf" || name == "mariadb.cnf" || name == "mysqld.cnf" || name == "my.ini") return true;
  if (name.size() < 5 || name.substr(name.size() - 4) != ".cnf") return false;
  // Other *.cnf files (openssl.cnf, ...) share the extension: a MySQL group header decides.
  auto p = flat::parse_ini(head, flat::ini_dialect::mysql);
  return std::any_of(p.sections.begin(), p.sections.end(), [](const auto& s) {
    return mysql_server_group(s.first) || s.first == "client" || s.first == "client-server" || s.first == "mysql" ||
           s.first == "mysqld_safe" || s.first == "mysqldump" || s.first == "embedded" || s.first == "client-mariadb";
  });
}

// Normalises "loose-skip_grant_tables" to ("skip-grant-tables", true); "disable-X"/"skip-X" with
// a boolean option X to (X, false) where the caller asks for X.
std::string mysql_option_name(std::string_view key) {
  std::string n = text::lower(key);
  std::replace(n.begin(), n.end(), '_', '-');
  if (n.rfind("loose-", 0) == 0) n.erase(0, 6);
  return n;
}

// The boolean value of option `name` in this entry, if the entry sets it.
std::optional<bool> mysql_bool(const flat::entry& e, std::string_view name) {
  std::string n = mysql_option_name(e.key);
  auto value = [&]() -> bool {
    if (!e.has_value) return true;
    return text::parse_bool(e.value).value_or(true);
  };
  if (n == name) return value();
  if (n == fmt::format("disable-{}", name)) return false;
  if (n == fmt::format("enable-{}", name)) return value();
  if (n == fmt::format("skip-{}", name)) return false;
  return std::nullopt;
}

void mysql_check(const source_file& file, std::vector<issue>& out) {
  auto p = flat::parse_ini(file.text, flat::ini_dialect::mysql);
  if (!p.ok()) {
    out.push_back(unparseable(file, p.error_line, p.error));
    return;
  }
  const flat::entry *grant = nullptr, *bind = nullptr, *networking = nullptr;
  bool grant_on = false, skip_net = false;
  for (const auto& e : p.entries) {
    if (!mysql_server_group(e.section)) continue;
    if (auto v = mysql_bool(e, "skip-grant-tables")) { grant = &e; grant_on = *v; }
    if (auto v = mysql_bool(e, "skip-networking")) { networking = &e; skip_net = *v; }
    if (mysql_option_name(e.key) == "bind-address") bind = &e;
  }
  if (grant == nullptr || !grant_on) return;
  reach r = reach::all;
  if (bind != nullptr) {
    r = reach::loopback;
    std::stringstream list(bind->value);
    for (std::string item; std::getline(list, item, ',');) {
      auto c = text::classify_host(text::trim(item));
      if (c == reach::all) r = reach::all;
      else if (c == reach::other && r != reach::all) r = reach::other;
    }
  }
  std::string where = bind ? fmt::format("bind-address = {} (line {})", bind->value, bind->line)
                           : std::string("no bind-address (every interface)");
  if (!skip_net && r != reach::loopback) {
    std::string net = networking ? fmt::format(", {} (line {})", networking->key + (networking->has_value ? "=" + networking->value : ""),
                                               networking->line)
                                 : std::string();
    out.push_back({&mysql_rules[0], file.path, grant->line, 0,
                   fmt::format("[{}] {} with {}{}: any client on the network logs in as root", grant->section,
                               grant->key, where, net)});
  } else {
    out.push_back({&mysql_rules[1], file.path, grant->line, 0,
                   fmt::format("[{}] {} ({}): any local user or process is root", grant->section, grant->key,
                               skip_net ? "skip-networking is on" : where)});
  }
}

}  // namespace

const file_kind& pg_hba_kind() {
  static const file_kind k{"pg_hba.conf", pg_hba_recognise, pg_hba_check, pg_hba_rules};
  return k;
}

const file_kind& postgresql_conf_kind() {
  static const file_kind k{"postgresql.conf", postgresql_conf_recognise, postgresql_conf_check, pgconf_rules};
  return k;
}

const file_kind& mysql_cnf_kind() {
  static const file_kind k{"my.cnf", mysql_recognise, mysql_check, mysql_rules};
  return k;
}

}  // namespace ajar::audit
