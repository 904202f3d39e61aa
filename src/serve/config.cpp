#include "serve/config.hpp"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <boost/url/parse.hpp>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/error.hpp"
#include "core/ip.hpp"
#include "core/ports.hpp"
#include "inventory/database.hpp"

namespace ajar::serve {

namespace {

using core::input_error;

// Scopes at most: stops a config from spawning an unbounded number of schedules.
constexpr std::size_t max_scopes = 256;
// Shortest schedule: a scope scanned more often than this is a self-inflicted flood.
constexpr std::chrono::seconds min_interval{5};

[[noreturn]] void bad(const std::string& key, const std::string& why) {
  throw input_error(fmt::format("invalid config key '{}': {}", key, why));
}

std::string scalar(const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) bad(key, "expected a single value");
  return n.as<std::string>();
}

std::vector<std::string> list(const YAML::Node& n, const std::string& key) {
  std::vector<std::string> out;
  if (n.IsScalar()) {
    out.push_back(n.as<std::string>());
  } else if (n.IsSequence()) {
    for (std::size_t i = 0; i < n.size(); ++i) out.push_back(scalar(n[i], fmt::format("{}[{}]", key, i)));
  } else {
    bad(key, "expected a value or a list");
  }
  return out;
}

std::chrono::milliseconds duration(const YAML::Node& n, const std::string& key) {
  std::string v = scalar(n, key);
  try {
    return core::parse_duration(v);
  } catch (const std::exception&) {
    bad(key, fmt::format("'{}' is not a duration (e.g. 10s, 5m, 1h)", v));
  }
}

void only_keys(const YAML::Node& map, const std::string& where, std::initializer_list<const char*> allowed) {
  std::set<std::string> ok(allowed.begin(), allowed.end());
  for (const auto& kv : map) {
    auto k = kv.first.as<std::string>();
    if (ok.count(k) == 0) bad(where.empty() ? k : where + "." + k, "unknown key");
  }
}

std::string resolve(const std::string& base, const std::string& p) {
  if (p.empty() || std::filesystem::path(p).is_absolute()) return p;
  return (std::filesystem::path(base) / p).lexically_normal().string();
}

void check_url(const std::string& u, const std::string& key) {
  auto r = boost::urls::parse_absolute_uri(u);
  if (!r || (r->scheme() != "http" && r->scheme() != "https") || r->host().empty())
    bad(key, fmt::format("'{}' is not an http:// or https:// URL", u));
}

}  // namespace

std::string database_of(const serve_config& c) {
  return c.db.empty() ? inventory::default_database_path() : c.db;
}

bool is_loopback(const std::string& host) {
  if (host == "localhost" || host == "::1") return true;
  auto a = core::ip_address::parse(host);
  return a && host.rfind("127.", 0) == 0;
}

serve_config parse_config(const std::string& yaml_text, const std::string& base_dir) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw input_error(fmt::format("config is not valid YAML: line {}: {}", e.mark.line + 1, e.msg));
  }
  serve_config c;
  if (root.IsNull()) return c;
  if (!root.IsMap()) throw input_error("config must be a YAML mapping (listen:, scopes:, alerts: ...)");
  only_keys(root, "", {"listen", "tls", "db", "scopes", "alerts", "session_hours"});

  if (auto n = root["listen"]) {
    std::string v = scalar(n, "listen");
    auto colon = v.rfind(':');
    if (colon == std::string::npos || colon == 0) bad("listen", fmt::format("'{}' is not HOST:PORT", v));
    std::string host = v.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    unsigned port = 0;
    auto ps = std::string_view(v).substr(colon + 1);
    auto [p, ec] = std::from_chars(ps.data(), ps.data() + ps.size(), port);
    if (ec != std::errc{} || p != ps.data() + ps.size() || port == 0 || port > 65535)
      bad("listen", fmt::format("'{}' has no valid port", v));
    if (host != "localhost" && !core::ip_address::parse(host))
      bad("listen", fmt::format("'{}' is not an IP address", host));
    c.listen_host = host;
    c.listen_port = static_cast<std::uint16_t>(port);
  }
  if (auto n = root["tls"]) {
    if (n.IsScalar()) {
      auto v = n.as<std::string>();
      if (v == "off" || v == "false") c.tls = tls_mode::off;
      else if (v == "self-signed") c.tls = tls_mode::self_signed;
      else bad("tls", fmt::format("'{}': use self-signed, off, or {{cert: FILE, key: FILE}}", v));
    } else if (n.IsMap()) {
      only_keys(n, "tls", {"cert", "key"});
      if (!n["cert"] || !n["key"]) bad("tls", "needs both cert and key");
      c.tls = tls_mode::files;
      c.tls_cert = resolve(base_dir, scalar(n["cert"], "tls.cert"));
      c.tls_key = resolve(base_dir, scalar(n["key"], "tls.key"));
      for (const auto* f : {&c.tls_cert, &c.tls_key})
        if (!std::filesystem::exists(*f))
          bad(f == &c.tls_cert ? "tls.cert" : "tls.key", fmt::format("file '{}' does not exist", *f));
    } else {
      bad("tls", "use self-signed, off, or {cert: FILE, key: FILE}");
    }
  }
  if (auto n = root["db"]) {
    c.db = scalar(n, "db");
    if (c.db.rfind("postgres", 0) != 0) c.db = resolve(base_dir, c.db);
  }
  if (auto n = root["session_hours"]) {
    std::string v = scalar(n, "session_hours");
    unsigned h = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), h);
    if (ec != std::errc{} || p != v.data() + v.size() || h < 1 || h > 24 * 30)
      bad("session_hours", fmt::format("'{}' must be a whole number from 1 to 720", v));
    c.session_lifetime = std::chrono::hours(h);
  }
  if (auto n = root["scopes"]) {
    if (!n.IsSequence()) bad("scopes", "expected a list of scopes");
    if (n.size() > max_scopes) bad("scopes", fmt::format("more than {} scopes", max_scopes));
    std::set<std::string> names;
    for (std::size_t i = 0; i < n.size(); ++i) {
      const auto& s = n[i];
      std::string where = fmt::format("scopes[{}]", i);
      if (!s.IsMap()) bad(where, "expected a mapping with name, targets, interval");
      only_keys(s, where, {"name", "targets", "ports", "exclude", "rate", "interval", "timeout"});
      scope_config sc;
      if (!s["name"]) bad(where + ".name", "missing");
      sc.name = scalar(s["name"], where + ".name");
      if (sc.name.empty() || sc.name.size() > 64 ||
          sc.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") !=
              std::string::npos)
        bad(where + ".name", fmt::format("'{}': use 1-64 letters, digits, - _ .", sc.name));
      if (!names.insert(sc.name).second) bad(where + ".name", fmt::format("'{}' is used twice", sc.name));
      if (!s["targets"]) bad(where + ".targets", "missing (ajar scans only what it is told to)");
      sc.targets = list(s["targets"], where + ".targets");
      if (sc.targets.empty()) bad(where + ".targets", "empty (ajar scans only what it is told to)");
      if (auto p = s["ports"]) {
        auto ports = list(p, where + ".ports");
        for (const auto& x : ports) sc.ports += (sc.ports.empty() ? "" : ",") + x;
      }
      if (auto e = s["exclude"]) sc.exclude = list(e, where + ".exclude");
      if (auto r = s["rate"]) {
        std::string v = scalar(r, where + ".rate");
        double d = 0;
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
        if (ec != std::errc{} || p != v.data() + v.size() || d < 0 || d > 1e7)
          bad(where + ".rate", fmt::format("'{}' must be a number of connections per second", v));
        sc.rate = d;
      }
      if (!s["interval"]) bad(where + ".interval", "missing (e.g. 1h)");
      sc.interval = duration(s["interval"], where + ".interval");
      if (sc.interval < min_interval) bad(where + ".interval", "must be at least 5s");
      if (auto t = s["timeout"]) sc.timeout = duration(t, where + ".timeout");
      c.scopes.push_back(std::move(sc));
    }
  }
  if (auto a = root["alerts"]) {
    if (!a.IsMap()) bad("alerts", "expected a mapping with webhooks and/or command");
    only_keys(a, "alerts", {"webhook", "webhooks", "command"});
    for (const char* k : {"webhook", "webhooks"})
      if (auto w = a[k]) {
        auto urls = list(w, std::string("alerts.") + k);
        for (std::size_t i = 0; i < urls.size(); ++i) check_url(urls[i], fmt::format("alerts.{}[{}]", k, i));
        c.webhooks.insert(c.webhooks.end(), urls.begin(), urls.end());
      }
    if (auto cmd = a["command"]) {
      if (cmd.IsScalar()) {
        // A plain string is split on spaces; no shell ever sees it.
        std::istringstream in(cmd.as<std::string>());
        for (std::string w; in >> w;) c.command.push_back(w);
      } else {
        c.command = list(cmd, "alerts.command");
      }
      if (c.command.empty()) bad("alerts.command", "empty");
    }
  }
  return c;
}

serve_config load_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw input_error(fmt::format("cannot read config file '{}'", path));
  std::stringstream ss;
  ss << in.rdbuf();
  auto base = std::filesystem::path(path).parent_path().string();
  return parse_config(ss.str(), base.empty() ? "." : base);
}

}  // namespace ajar::serve
