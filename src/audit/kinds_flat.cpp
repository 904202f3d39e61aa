// Line- and INI-shaped configuration files: redis.conf / valkey.conf, zoo.cfg (Java
// properties), CouchDB's local.ini, InfluxDB 1.x's influxdb.conf (TOML). PostgreSQL, MySQL and
// ClickHouse files are in kinds_sql.cpp.
//
// Every rule fires on the combination that opens the database (reachable from the network AND
// no password), with the product's documented default standing in for a setting the file leaves
// out. Each rule cites the product documentation that says what the default is.
#include <algorithm>
#include <array>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "audit/flat.hpp"
#include "audit/kinds.hpp"
#include "audit/text.hpp"

namespace ajar::audit {

namespace {

using text::reach;

// ---------------------------------------------------------------------------------------------
// redis.conf, valkey.conf
//
// Format (redis.conf's own header, and config.c loadServerConfigFromString): one directive per
// line, arguments split like a shell (sdssplitargs: "double quotes" with \n \xHH escapes,
// 'single quotes'); '#' starts a comment line; a directive given twice: the last one wins.
// `include` pulls another file in at that point; ajar does not follow includes (the path is on
// the audited host, not here): audit the included file too.
//
// Defaults (Redis 7.0 redis.conf and config.c; Valkey 7.2/8 identical): with no `bind` Redis
// listens on every interface ("* -::*"); protected-mode is yes; the default user has no password
// ("nopass") unless requirepass or a `user default` line gives it one. With protected mode on and
// no password, only loopback clients are served; others get "-DENIED".
// https://redis.io/docs/latest/operate/oss_and_stack/management/security/
// ---------------------------------------------------------------------------------------------

constexpr std::string_view redis_security_uri = "https://redis.io/docs/latest/operate/oss_and_stack/management/security/";
constexpr std::string_view redis_acl_uri = "https://redis.io/docs/latest/operate/oss_and_stack/management/security/acl/";

constexpr std::array redis_rules{
    rule{"AJAR-REDIS-001", "redis", core::severity::critical,
         "Redis/Valkey listens on the network with protected mode off and no password",
         "Set requirepass (or an ACL user with a password for `user default`), or bind 127.0.0.1 -::1",
         redis_security_uri},
    rule{"AJAR-REDIS-002", "redis", core::severity::medium,
         "Redis/Valkey listens on the network with no password; only protected mode refuses remote clients",
         "Set requirepass (or `user default on >password ...`); protected mode is a safety net, not access control",
         redis_security_uri},
    rule{"AJAR-REDIS-003", "redis", core::severity::low,
         "Redis/Valkey protected mode is off (a password is set)",
         "Set protected-mode yes, so that losing the password line does not open the server", redis_security_uri},
    rule{"AJAR-REDIS-004", "redis", core::severity::info,
         "Redis/Valkey on the network gives CONFIG and other dangerous commands to anyone with the shared password",
         "Give the default user `-@dangerous` with an ACL (or rename-command CONFIG \"\" before Redis 6)",
         redis_acl_uri},
};

struct redis_user {
  bool on = false;
  bool nopass = false;
  bool password = false;
  bool restricted = false;  // takes commands away (-@dangerous, -config, ...)
};

// The default user after a `user default <rules...>` line (the line resets the user first, as
// ACLLoadConfiguredUsers does: "reset" = resetpass resetkeys resetchannels off -@all).
redis_user apply_user_rules(const std::vector<std::string>& args) {
  redis_user u;
  for (std::size_t i = 2; i < args.size(); ++i) {
    std::string r = text::lower(args[i]);
    if (r == "on") u.on = true;
    else if (r == "off") u.on = false;
    else if (r == "nopass") { u.nopass = true; u.password = false; }
    else if (r == "resetpass") { u.nopass = false; u.password = false; }
    else if (r == "reset") u = redis_user{};
    else if (!r.empty() && (r[0] == '>' || r[0] == '#')) { u.password = true; u.nopass = false; }
    else if (!r.empty() && r[0] == '-' && r != "-@all") u.restricted = true;
    else if (r == "-@all") u.restricted = true;
  }
  return u;
}

bool redis_recognise(std::string_view name, std::string_view) { return name == "redis.conf" || name == "valkey.conf"; }

void redis_check(const source_file& file, std::vector<issue>& out) {
  struct setting {
    std::size_t line = 0;
    std::vector<std::string> args;
  };
  std::optional<setting> bind, protected_mode, requirepass, user_default, aclfile;
  bool config_renamed = false;
  for (const auto& l : text::lines(file.text)) {
    auto t = text::trim(l.text);
    if (t.empty() || t.front() == '#') continue;
    auto args = flat::split_args(t);
    if (!args) {
      out.push_back(unparseable(file, l.number, fmt::format("unbalanced quotes in '{}'", t)));
      return;
    }
    if (args->empty()) continue;
    std::string directive = text::lower((*args)[0]);
    setting s{l.number, std::move(*args)};
    if (directive == "bind") bind = std::move(s);
    else if (directive == "protected-mode") protected_mode = std::move(s);
    else if (directive == "requirepass") requirepass = std::move(s);
    else if (directive == "aclfile") aclfile = std::move(s);
    else if (directive == "user" && s.args.size() >= 2 && s.args[1] == "default") user_default = std::move(s);
    else if (directive == "rename-command" && s.args.size() >= 2 && text::iequals(s.args[1], "config"))
      config_renamed = true;
  }
  // Directives Redis would refuse to start with are reported as such, not guessed at.
  std::optional<bool> pm_value;
  if (protected_mode) {
    pm_value = protected_mode->args.size() == 2 ? text::parse_bool(protected_mode->args[1]) : std::nullopt;
    if (!pm_value) {
      out.push_back(unparseable(file, protected_mode->line, "protected-mode takes yes or no"));
      return;
    }
  }
  const bool protected_on = pm_value.value_or(true);

  // Where it listens: no bind = every interface. A leading '-' only makes an address optional.
  std::string reach_text;
  if (!bind) {
    reach_text = "no bind (Redis then listens on every interface)";
  } else {
    for (std::size_t i = 1; i < bind->args.size(); ++i) {
      std::string_view a = bind->args[i];
      if (!a.empty() && a.front() == '-') a.remove_prefix(1);
      if (text::classify_host(a) != reach::loopback) {
        reach_text = fmt::format("bind {}", fmt::join(bind->args.begin() + 1, bind->args.end(), " "));
        break;
      }
    }
  }
  const bool reachable = !reach_text.empty();

  // Who gets in as the default user (the one a client is before AUTH).
  redis_user def{true, true, false, false};
  std::string who = "no requirepass and no `user default` line";
  if (aclfile) return;  // users come from the ACL file (requirepass is then ignored): not visible here
  if (user_default) {
    def = apply_user_rules(user_default->args);
    who = fmt::format("`user default` (line {}) has nopass", user_default->line);
  } else if (requirepass) {
    bool empty = requirepass->args.size() < 2 || requirepass->args[1].empty();
    def.nopass = empty;
    def.password = !empty;
    who = fmt::format("requirepass is empty (line {})", requirepass->line);
  }
  const bool open_default = def.on && def.nopass;
  const std::size_t where = bind ? bind->line : (protected_mode ? protected_mode->line : 0);

  if (reachable && open_default && !protected_on) {
    out.push_back({&redis_rules[0], file.path, where, 0,
                   fmt::format("{} with protected-mode no (line {}) and {}: every client on the network is "
                               "served without a password",
                               reach_text, protected_mode->line, who)});
  } else if (reachable && open_default) {
    out.push_back({&redis_rules[1], file.path, where, 0,
                   fmt::format("{} and {}: protected mode ({}) is all that refuses remote clients", reach_text, who,
                               protected_mode ? fmt::format("line {}", protected_mode->line) : "the default")});
  }
  if (!protected_on && def.password) {
    out.push_back({&redis_rules[2], file.path, protected_mode->line, 0,
                   "protected-mode no: harmless while the password is set, open the day it is removed"});
  }
  if (reachable && !open_default && def.on && def.password && !def.restricted && !config_renamed) {
    out.push_back({&redis_rules[3], file.path, where, 0,
                   fmt::format("{}: CONFIG, DEBUG, MODULE, FLUSHALL are open to every client holding the one "
                               "shared password (no `-@dangerous` ACL, no rename-command CONFIG)",
                               reach_text)});
  }
}

}  // namespace

const file_kind& redis_conf_kind() {
  static const file_kind k{"redis.conf", redis_recognise, redis_check, redis_rules};
  return k;
}

namespace {

// ---------------------------------------------------------------------------------------------
// zoo.cfg  https://zookeeper.apache.org/doc/r3.8.4/zookeeperAdmin.html
//
// Java properties (key=value, '#' comments). Keys zoo.cfg does not know become system properties
// "zookeeper.<key>", which is how skipACL and 4lw.commands.whitelist are set there. Defaults:
// clientPortAddress unset = every interface; 4lw.commands.whitelist = srvr (3.5.3+);
// skipACL = no.
// ---------------------------------------------------------------------------------------------

constexpr std::string_view zk_admin_uri = "https://zookeeper.apache.org/doc/r3.8.4/zookeeperAdmin.html";

constexpr std::array zk_rules{
    rule{"AJAR-ZK-001", "zookeeper", core::severity::medium,
         "ZooKeeper answers every four-letter-word command (4lw.commands.whitelist=*)",
         "List only the commands monitoring needs, e.g. 4lw.commands.whitelist=srvr, ruok, mntr", zk_admin_uri},
    rule{"AJAR-ZK-002", "zookeeper", core::severity::high,
         "ZooKeeper skips ACL checks on a port reachable from the network: any client reads and writes every znode",
         "Remove skipACL=yes (it is listed under \"unsafe options\")", zk_admin_uri},
};

bool zoo_cfg_recognise(std::string_view name, std::string_view) { return name == "zoo.cfg"; }

void zoo_cfg_check(const source_file& file, std::vector<issue>& out) {
  auto p = flat::parse_properties(file.text);
  const flat::entry *whitelist = nullptr, *skip_acl = nullptr, *port_address = nullptr;
  for (const auto& e : p.entries) {
    if (e.key == "4lw.commands.whitelist" || e.key == "zookeeper.4lw.commands.whitelist") whitelist = &e;
    if (e.key == "skipACL" || e.key == "zookeeper.skipACL") skip_acl = &e;
    if (e.key == "clientPortAddress") port_address = &e;
  }
  if (whitelist != nullptr) {
    std::stringstream list(whitelist->value);
    for (std::string item; std::getline(list, item, ',');)
      if (text::trim(item) == "*") {
        out.push_back({&zk_rules[0], file.path, whitelist->line, 0,
                       fmt::format("{}={}: envi, cons, dump, wchc and the rest answer anyone who connects",
                                   whitelist->key, whitelist->value)});
        break;
      }
  }
  // ZooKeeper reads skipACL as "yes" (anything else is no).
  if (skip_acl != nullptr && text::iequals(text::trim(skip_acl->value), "yes")) {
    reach r = port_address ? text::classify_host(text::host_of(port_address->value)) : reach::all;
    if (r != reach::loopback)
      out.push_back({&zk_rules[1], file.path, skip_acl->line, 0,
                     fmt::format("{}={} with {}", skip_acl->key, skip_acl->value,
                                 port_address ? fmt::format("clientPortAddress={}", port_address->value)
                                              : std::string("no clientPortAddress (every interface)"))});
  }
}

// ---------------------------------------------------------------------------------------------
// CouchDB local.ini (and default.ini, docker.ini, local.d/*.ini)
// https://docs.couchdb.org/en/stable/config/intro.html : INI, ';' comments, later files and later
// lines win. [chttpd] bind_address defaults to 127.0.0.1 (default.ini; the official Docker image
// sets 0.0.0.0). [admins] empty = "admin party" (CouchDB 1.x/2.x: every request is an admin;
// 3.x refuses to serve until an admin exists). [couchdb] default_security = everyone (2.x
// default; 3.x: admin_only) makes every new database readable and writable without a login.
// https://docs.couchdb.org/en/stable/intro/security.html
// ---------------------------------------------------------------------------------------------

constexpr std::array couch_rules{
    rule{"AJAR-COUCHDB-001", "couchdb", core::severity::critical,
         "CouchDB listens on the network with no admin defined (admin party)",
         "Add an admin under [admins] (CouchDB hashes it on start), or bind_address = 127.0.0.1",
         "https://docs.couchdb.org/en/stable/intro/security.html"},
    rule{"AJAR-COUCHDB-002", "couchdb", core::severity::high,
         "CouchDB listens on the network and gives every new database to anonymous users",
         "Set [couchdb] default_security = admin_only (the CouchDB 3 default)",
         "https://docs.couchdb.org/en/stable/config/couchdb.html#couchdb/default_security"},
};

bool couch_section(std::string_view s) {
  return s == "chttpd" || s == "httpd" || s == "couchdb" || s == "admins" || s == "couch_httpd_auth" ||
         s == "chttpd_auth" || s == "cluster";
}

bool couchdb_recognise(std::string_view name, std::string_view head) {
  if (name.size() < 4 || name.substr(name.size() - 4) != ".ini") return false;
  auto p = flat::parse_ini(head, flat::ini_dialect::couchdb);
  // local.ini is also PHP's, Mercurial's, ...: a CouchDB section decides.
  return std::any_of(p.sections.begin(), p.sections.end(), [](const auto& s) { return couch_section(s.first); });
}

void couchdb_check(const source_file& file, std::vector<issue>& out) {
  auto p = flat::parse_ini(file.text, flat::ini_dialect::couchdb);
  if (!p.ok()) {
    out.push_back(unparseable(file, p.error_line, p.error));
    return;
  }
  const flat::entry *bind = nullptr, *httpd_bind = nullptr, *security = nullptr;
  bool admins = false;
  for (const auto& e : p.entries) {
    if (e.section == "chttpd" && e.key == "bind_address") bind = &e;
    if (e.section == "httpd" && e.key == "bind_address") httpd_bind = &e;
    if (e.section == "couchdb" && e.key == "default_security") security = &e;
    if (e.section == "admins") admins = true;
  }
  // CouchDB 1.x served on [httpd] (2.x+: the node-local port); [chttpd] is the 2.x+ front door.
  if (bind == nullptr) bind = httpd_bind;
  if (bind == nullptr) return;  // default 127.0.0.1, or set by another file (audited on its own)
  reach r = text::classify_host(bind->value);
  if (r == reach::loopback) return;
  bool admins_section = std::any_of(p.sections.begin(), p.sections.end(), [](const auto& s) { return s.first == "admins"; });
  if (!admins && admins_section) {
    out.push_back({&couch_rules[0], file.path, bind->line, 0,
                   fmt::format("[{}] bind_address = {} and [admins] is empty: every request is an admin "
                               "(CouchDB 1.x/2.x; 3.x will not serve at all)",
                               bind->section, bind->value)});
  }
  if (security != nullptr && text::iequals(security->value, "everyone")) {
    out.push_back({&couch_rules[1], file.path, security->line, 0,
                   fmt::format("default_security = everyone with bind_address = {} (line {}): new databases "
                               "are readable and writable without a login",
                               bind->value, bind->line)});
  }
}

// ---------------------------------------------------------------------------------------------
// influxdb.conf (InfluxDB 1.x, TOML)  https://docs.influxdata.com/influxdb/v1/administration/config/
//
// [http] enabled = true, bind-address = ":8086" (every interface) and auth-enabled = false are
// the defaults: an InfluxDB 1.x left as shipped answers every query from the network.
// https://docs.influxdata.com/influxdb/v1/administration/authentication_and_authorization/
// ---------------------------------------------------------------------------------------------

constexpr std::array influx_rules{
    rule{"AJAR-INFLUXDB-001", "influxdb", core::severity::critical,
         "InfluxDB 1.x serves HTTP on the network with authentication off",
         "Set [http] auth-enabled = true (after creating an admin user), or bind-address = \"127.0.0.1:8086\"",
         "https://docs.influxdata.com/influxdb/v1/administration/authentication_and_authorization/"},
};

bool influxdb_recognise(std::string_view name, std::string_view) { return name == "influxdb.conf"; }

void influxdb_check(const source_file& file, std::vector<issue>& out) {
  auto p = flat::parse_toml(file.text);
  if (!p.ok()) {
    out.push_back(unparseable(file, p.error_line, p.error));
    return;
  }
  const flat::entry *enabled = nullptr, *bind = nullptr, *auth = nullptr;
  for (const auto& e : p.entries) {
    if (e.section != "http") continue;
    if (e.key == "enabled") enabled = &e;
    if (e.key == "bind-address") bind = &e;
    if (e.key == "auth-enabled") auth = &e;
  }
  if (enabled != nullptr && !text::parse_bool(enabled->value).value_or(true)) return;
  if (auth != nullptr && text::parse_bool(auth->value).value_or(false)) return;
  std::string bind_value = bind ? bind->value : ":8086";
  reach r = text::classify_host(text::host_of(bind_value));
  if (r == reach::loopback) return;
  out.push_back({&influx_rules[0], file.path, auth ? auth->line : 0, 0,
                 fmt::format("{} with bind-address = \"{}\"{}: every query and write from the network is served",
                             auth ? "auth-enabled = " + auth->value : std::string("no auth-enabled (default false)"),
                             bind_value, bind ? fmt::format(" (line {})", bind->line) : std::string(" (default)"))});
}

}  // namespace

const file_kind& influxdb_conf_kind() {
  static const file_kind k{"influxdb.conf", influxdb_recognise, influxdb_check, influx_rules};
  return k;
}

const file_kind& couchdb_ini_kind() {
  static const file_kind k{"couchdb ini", couchdb_recognise, couchdb_check, couch_rules};
  return k;
}

const file_kind& zoo_cfg_kind() {
  static const file_kind k{"zoo.cfg", zoo_cfg_recognise, zoo_cfg_check, zk_rules};
  return k;
}

}  // namespace ajar::audit
