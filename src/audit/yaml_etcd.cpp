// etcd: the YAML configuration file (etcd --config-file, shaped like etcd.conf.yml.sample) and
// the environment file the distribution packages read (Debian /etc/default/etcd, Fedora/RHEL
// /etc/etcd/etcd.conf): ETCD_<FLAG>=value lines, plus DAEMON_ARGS/ETCD_OPTS holding flags.
//
// Documented behaviour (https://etcd.io/docs/v3.5/op-guide/configuration/): listen-client-urls
// defaults to http://localhost:2379; client-cert-auth defaults to false and applies to HTTPS
// listeners only (an http:// URL takes any client); a configuration file makes etcd ignore the
// environment and other flags. etcd's own user authentication is switched on at runtime with
// `etcdctl auth enable` (https://etcd.io/docs/v3.5/op-guide/authentication/rbac/) and is stored
// in the data directory, so no configuration file can show it: the rule says so.
#include <array>
#include <map>
#include <string>
#include <vector>

#include "audit/kinds.hpp"
#include "audit/yaml_settings.hpp"

namespace ajar::audit {

namespace {

using yaml_util::reach;

constexpr std::array etcd_rules{
    rule{"AJAR-ETCD-001", "etcd", core::severity::critical,
         "etcd serves clients on the network without client-certificate authentication",
         "Serve https:// client URLs with client-cert-auth: true and trusted-ca-file, or listen "
         "on localhost; if `etcdctl auth enable` is on, the file cannot show it",
         "https://etcd.io/docs/v3.5/op-guide/security/"},
};

// The effective client settings, wherever they came from.
struct client_config {
  std::string urls = "http://localhost:2379";
  std::string urls_shown;  // "listen-client-urls: ..." as written, empty when defaulted
  std::size_t urls_line = 0;
  bool cert_auth = false;
  bool uses_config_file = false;  // the environment names a config file: it wins over all else
};

void evaluate(const client_config& c, const source_file& file, std::vector<issue>& out) {
  if (c.uses_config_file) return;
  for (const auto& url : yaml_util::split_list(c.urls, ',')) {
    if (yaml_util::classify_host(yaml_util::url_host(url)) != reach::network) continue;
    const bool https = yaml_util::lower(url).starts_with("https://");
    if (https && c.cert_auth) continue;
    std::string why = https ? " over HTTPS with client-cert-auth off"
                            : " over plain HTTP, where client-cert-auth does not apply";
    out.push_back(issue{&etcd_rules[0], file.path, c.urls_line, 0,
                        c.urls_shown + " accepts any client on " + url + why +
                            " (etcd's own auth, `etcdctl auth enable`, is runtime state this "
                            "file cannot show)"});
    return;  // one issue per file: the fix is one setting
  }
}

// --- etcd.conf.yml -------------------------------------------------------------------------
void check_yaml(const source_file& file, std::vector<issue>& out) {
  auto docs = yaml_util::load_all(file, out);
  if (!docs || docs->empty()) return;
  const yaml_util::flat_settings s((*docs)[0]);
  if (!s.root_is_map()) {
    if ((*docs)[0].IsDefined() && !(*docs)[0].IsNull())
      out.push_back(unparseable(file, yaml_util::line_of((*docs)[0]),
                                "expected a map of settings at the top of the file"));
    return;
  }
  client_config c;
  if (const auto* urls = s.find("listen-client-urls")) {
    if (const auto v = yaml_util::scalar(urls->value)) {
      c.urls = *v;
      c.urls_shown = "listen-client-urls: " + *v;
      c.urls_line = urls->line;
    }
  }
  if (const auto* auth = s.find("client-transport-security.client-cert-auth"))
    if (const auto v = yaml_util::scalar(auth->value)) c.cert_auth = yaml_util::is_true(*v);
  evaluate(c, file, out);
}

// --- the environment file ------------------------------------------------------------------
struct env_value {
  std::string value;
  std::size_t line = 0;
};

// systemd EnvironmentFile / shell syntax: `[export ]NAME=value`, value optionally quoted.
std::map<std::string, env_value, std::less<>> read_env(std::string_view text) {
  std::map<std::string, env_value, std::less<>> env;
  std::size_t line = 0;
  while (!text.empty()) {
    ++line;
    const auto nl = text.find('\n');
    auto raw = yaml_util::trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (raw.empty() || raw.front() == '#' || raw.front() == ';') continue;
    if (raw.starts_with("export ")) raw = yaml_util::trim(raw.substr(7));
    const auto eq = raw.find('=');
    if (eq == std::string_view::npos) continue;
    auto value = yaml_util::trim(raw.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front())
      value = value.substr(1, value.size() - 2);
    env.insert_or_assign(std::string(yaml_util::trim(raw.substr(0, eq))),
                         env_value{std::string(value), line});
  }
  return env;
}

// Flags inside DAEMON_ARGS (Debian's unit runs `etcd $DAEMON_ARGS`) or ETCD_OPTS. Flags beat
// environment variables.
void apply_flags(const env_value& args, const std::string& var, client_config& c) {
  const auto tokens = yaml_util::split_list(args.value, ' ');
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    std::string_view t = tokens[i];
    if (!t.starts_with('-')) continue;
    t.remove_prefix(t.starts_with("--") ? 2 : 1);
    const auto eq = t.find('=');
    const auto name = t.substr(0, eq);
    std::string value =
        eq == std::string_view::npos ? std::string{} : std::string(t.substr(eq + 1));
    if (name == "listen-client-urls") {
      if (eq == std::string_view::npos && i + 1 < tokens.size()) value = tokens[++i];
      c.urls = value;
      c.urls_shown = var + "=\"... --listen-client-urls " + value + " ...\"";
      c.urls_line = args.line;
    } else if (name == "client-cert-auth") {
      c.cert_auth = eq == std::string_view::npos || yaml_util::is_true(value);
    } else if (name == "config-file") {
      c.uses_config_file = true;
    }
  }
}

void check_env(const source_file& file, std::vector<issue>& out) {
  const auto env = read_env(file.text);
  client_config c;
  if (env.contains("ETCD_CONFIG_FILE")) c.uses_config_file = true;
  if (const auto it = env.find("ETCD_LISTEN_CLIENT_URLS"); it != env.end()) {
    c.urls = it->second.value;
    c.urls_shown = "ETCD_LISTEN_CLIENT_URLS=" + it->second.value;
    c.urls_line = it->second.line;
  }
  if (const auto it = env.find("ETCD_CLIENT_CERT_AUTH"); it != env.end())
    c.cert_auth = yaml_util::is_true(it->second.value);
  for (const auto* var : {"DAEMON_ARGS", "ETCD_OPTS"})
    if (const auto it = env.find(var); it != env.end()) apply_flags(it->second, var, c);
  evaluate(c, file, out);
}

bool env_file_name(std::string_view name) {
  return name == "etcd" || name == "etcd.conf" || name == "etcd.env";
}

bool yaml_file_name(std::string_view name) {
  return name == "etcd.conf.yml" || name == "etcd.conf.yaml" || name == "etcd.yml" ||
         name == "etcd.yaml";
}

// An environment file has ETCD_* or DAEMON_ARGS assignments; a binary or a YAML file does not.
bool looks_like_env(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) return false;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto nl = text.find('\n', pos);
    auto raw = yaml_util::trim(text.substr(pos, nl == std::string_view::npos ? nl : nl - pos));
    if (raw.starts_with("#")) {
      const auto text_at = raw.find_first_not_of('#');
      raw = text_at == std::string_view::npos ? std::string_view{}
                                              : yaml_util::trim(raw.substr(text_at));
    }
    if (raw.starts_with("export ")) raw = yaml_util::trim(raw.substr(7));
    if ((raw.starts_with("ETCD_") || raw.starts_with("DAEMON_ARGS")) &&
        raw.find('=') != std::string_view::npos)
      return true;
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return false;
}

bool recognise_etcd(std::string_view name, std::string_view head) {
  return yaml_file_name(name) || (env_file_name(name) && looks_like_env(head));
}

void check_etcd_body(const source_file& file, std::vector<issue>& out) {
  const auto slash = file.path.find_last_of('/');
  const std::string_view name = slash == std::string::npos
                                    ? std::string_view(file.path)
                                    : std::string_view(file.path).substr(slash + 1);
  if (yaml_file_name(name) || !looks_like_env(file.text)) return check_yaml(file, out);
  check_env(file, out);
}

void check_etcd(const source_file& file, std::vector<issue>& out) {
  yaml_util::guarded(file, out, [&] { check_etcd_body(file, out); });
}

}  // namespace

const file_kind& etcd_conf_kind() {
  static const file_kind k{"etcd_conf", recognise_etcd, check_etcd, etcd_rules};
  return k;
}

}  // namespace ajar::audit
