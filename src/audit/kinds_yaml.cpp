// YAML-shaped settings files: mongod.conf, elasticsearch.yml, opensearch.yml, kibana.yml /
// opensearch_dashboards.yml.
// etcd lives in yaml_etcd.cpp; docker-compose and Kubernetes manifests in yaml_containers.cpp.
//
// Every rule fires on a combination: an address that reaches the network AND the setting that
// leaves it without authentication (explicitly, or by the product's documented default). A file
// that listens on loopback only, or that turns authentication on, is silent.
#include <array>
#include <map>
#include <string>
#include <vector>

#include "audit/kinds.hpp"
#include "audit/yaml_settings.hpp"

namespace ajar::audit {

namespace {

using yaml_util::classify_host;
using yaml_util::flat_settings;
using yaml_util::reach;
using yaml_util::scalar;
using yaml_util::setting;

std::string_view base_name(std::string_view path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// The values of a setting that holds one host, a comma-separated list, or a YAML sequence.
std::vector<std::string> host_values(const setting& s) {
  std::vector<std::string> out;
  if (const auto v = scalar(s.value)) return yaml_util::split_list(*v, ',');
  if (s.value.IsSequence())
    for (std::size_t i = 0; i < s.value.size() && i < 256; ++i)
      if (const auto v = scalar(s.value[i])) out.push_back(*v);
  return out;
}

// The first value of `s` that reaches the network (empty when none does, or s is null).
std::string network_value(const setting* s) {
  if (s == nullptr) return {};
  for (const auto& h : host_values(*s))
    if (classify_host(h) == reach::network) return h;
  return {};
}

std::string shown(const setting& s) {
  if (const auto v = scalar(s.value)) return s.key + ": " + *v;
  std::string out = s.key + ": [";
  const auto values = host_values(s);
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + values[i];
  return out + "]";
}

bool setting_true(const setting* s) {
  if (s == nullptr) return false;
  const auto v = scalar(s->value);
  return v && yaml_util::is_true(*v);
}

bool setting_false(const setting* s) {
  if (s == nullptr) return false;
  const auto v = scalar(s->value);
  return v && yaml_util::is_false(*v);
}

// Loads the first document of a settings file and flattens it; nullopt when it does not parse.
std::optional<flat_settings> load_settings(const source_file& file, std::vector<issue>& out) {
  auto docs = yaml_util::load_all(file, out);
  if (!docs) return std::nullopt;
  if (docs->empty()) return flat_settings(YAML::Node());
  flat_settings s((*docs)[0]);
  if (!s.root_is_map() && (*docs)[0].IsDefined() && !(*docs)[0].IsNull()) {
    out.push_back(unparseable(file, yaml_util::line_of((*docs)[0]),
                              "expected a map of settings at the top of the file"));
    return std::nullopt;
  }
  return s;
}

void add(std::vector<issue>& out, const rule& r, const source_file& f, std::size_t line,
         std::string message) {
  out.push_back(issue{&r, f.path, line, 0, std::move(message)});
}

// ---------------------------------------------------------------------------------------------
// mongod.conf. Documented defaults
// (https://www.mongodb.com/docs/manual/reference/configuration-options/): net.bindIp defaults to
// localhost since MongoDB 3.6 (net.bindIpAll: false); security.authorization defaults to
// "disabled"; security.keyFile implies security.authorization; security.transitionToAuth true makes
// mongod accept unauthenticated connections even with authorization enabled.
constexpr std::array mongod_rules{
    rule{"AJAR-MONGOD-001", "mongodb", core::severity::critical,
         "mongod listens on a network interface with access control off",
         "Set security.authorization: enabled (after creating a user administrator), or bind "
         "net.bindIp to 127.0.0.1",
         "https://www.mongodb.com/docs/manual/reference/configuration-options/"
         "#mongodb-setting-security.authorization"},
};

// The legacy "key = value" format (MongoDB before 2.6 and the old distribution packages):
// bind_ip, bind_ip_all, auth, noauth, keyFile.
bool looks_like_legacy_mongod(std::string_view text) {
  bool any_equals = false;
  for (const auto& raw : yaml_util::split_list(text, '\n')) {
    if (raw.empty() || raw.front() == '#') continue;
    const auto eq = raw.find('=');
    const auto colon = raw.find(':');
    if (eq == std::string::npos || (colon != std::string::npos && colon < eq)) return false;
    any_equals = true;
  }
  return any_equals;
}

void check_legacy_mongod(const source_file& file, std::vector<issue>& out) {
  struct entry {
    std::string value;
    std::size_t line = 0;
  };
  std::map<std::string, entry, std::less<>> kv;
  std::size_t line = 0;
  std::string_view rest = file.text;
  while (!rest.empty()) {
    ++line;
    const auto nl = rest.find('\n');
    const auto raw = yaml_util::trim(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    if (raw.empty() || raw.front() == '#') continue;
    const auto eq = raw.find('=');
    if (eq == std::string_view::npos) continue;
    kv.insert_or_assign(std::string(yaml_util::trim(raw.substr(0, eq))),
                        entry{std::string(yaml_util::trim(raw.substr(eq + 1))), line});
  }
  const entry* bind = nullptr;
  std::string shown_bind;
  if (auto it = kv.find("bind_ip_all"); it != kv.end() && yaml_util::is_true(it->second.value)) {
    bind = &it->second;
    shown_bind = "bind_ip_all = " + it->second.value;
  } else if (auto ip = kv.find("bind_ip"); ip != kv.end()) {
    for (const auto& h : yaml_util::split_list(ip->second.value, ','))
      if (classify_host(h) == reach::network) {
        bind = &ip->second;
        shown_bind = "bind_ip = " + ip->second.value;
        break;
      }
  }
  if (bind == nullptr) return;
  const auto auth = kv.find("auth");
  const auto key_file = kv.find("keyFile");
  const bool secured = (auth != kv.end() && yaml_util::is_true(auth->second.value)) ||
                       (key_file != kv.end() && !key_file->second.value.empty());
  if (secured) return;
  if (auto noauth = kv.find("noauth");
      noauth != kv.end() && yaml_util::is_true(noauth->second.value)) {
    add(out, mongod_rules[0], file, noauth->second.line,
        "noauth = " + noauth->second.value + " while " + shown_bind + " (line " +
            std::to_string(bind->line) + ") listens on the network");
    return;
  }
  add(out, mongod_rules[0], file, bind->line,
      shown_bind + " with no auth = true (access control is off by default)");
}

void check_mongod_body(const source_file& file, std::vector<issue>& out) {
  if (looks_like_legacy_mongod(file.text)) return check_legacy_mongod(file, out);
  const auto s = load_settings(file, out);
  if (!s) return;
  const setting* bind = nullptr;
  if (const auto* all = s->find("net.bindIpAll"); setting_true(all)) {
    bind = all;
  } else if (const auto* ip = s->find("net.bindIp"); !network_value(ip).empty()) {
    bind = ip;
  }
  if (bind == nullptr) return;  // localhost only (the default since 3.6)
  const auto* authz = s->find("security.authorization");
  const auto* key_file = s->find("security.keyFile");
  const auto* transition = s->find("security.transitionToAuth");
  const auto authz_value = authz ? scalar(authz->value) : std::nullopt;
  const bool enabled = (authz_value && yaml_util::lower(*authz_value) == "enabled") ||
                       (key_file && scalar(key_file->value) && !scalar(key_file->value)->empty());
  const auto where = shown(*bind) + " (line " + std::to_string(bind->line) + ")";
  if (enabled && setting_true(transition)) {
    add(out, mongod_rules[0], file, transition->line,
        shown(*transition) + " accepts unauthenticated connections while " + where +
            " listens on the network");
  } else if (!enabled && authz_value) {
    add(out, mongod_rules[0], file, authz->line,
        shown(*authz) + " while " + where + " listens on the network");
  } else if (!enabled) {
    add(out, mongod_rules[0], file, bind->line,
        shown(*bind) + " with no security.authorization (access control is off by default)");
  }
}

bool recognise_mongod(std::string_view name, std::string_view) {
  return name == "mongod.conf" || name == "mongod.cfg";  // mongod.cfg: the Windows MSI's name
}

// ---------------------------------------------------------------------------------------------
// elasticsearch.yml / opensearch.yml: the address the HTTP API binds. http.bind_host defaults to
// http.host, which defaults to network.bind_host, which defaults to network.host, whose default
// is _local_
// (https://www.elastic.co/guide/en/elasticsearch/reference/current/modules-network.html).
const setting* http_bind(const flat_settings& s) {
  return s.first_of({"http.bind_host", "http.host", "network.bind_host", "network.host"});
}

// http.cors.enabled defaults to false; allow-origin "*" (or the regex /.*/) then lets any web page
// a user opens read the cluster through their browser.
// https://www.elastic.co/guide/en/elasticsearch/reference/current/modules-network.html#http-settings
void check_cors(const flat_settings& s, const rule& r, const source_file& file,
                std::vector<issue>& out) {
  const auto* enabled = s.find("http.cors.enabled");
  const auto* origin = s.find("http.cors.allow-origin");
  if (!setting_true(enabled) || origin == nullptr) return;
  const auto v = scalar(origin->value);
  if (!v) return;
  const auto o = yaml_util::trim(*v);
  if (o == "*" || o == "/.*/" || o == "/.+/")
    add(out, r, file, origin->line,
        shown(*origin) +
            " with http.cors.enabled: true lets any web site read the API from a "
            "visitor's browser");
}

constexpr std::array es_rules{
    rule{"AJAR-ES-001", "elasticsearch", core::severity::critical,
         "Elasticsearch listens on the network with security explicitly disabled",
         "Set xpack.security.enabled: true (users, passwords and TLS), or bind network.host to "
         "127.0.0.1",
         "https://www.elastic.co/guide/en/elasticsearch/reference/current/security-settings.html"},
    rule{
        "AJAR-ES-002", "elasticsearch", core::severity::medium,
        "Elasticsearch listens on the network and does not set xpack.security.enabled",
        "Set xpack.security.enabled: true explicitly: Elasticsearch 7.x and earlier leave "
        "security off unless it is set (8.x turns it on by default)",
        "https://www.elastic.co/guide/en/elasticsearch/reference/7.17/security-minimal-setup.html"},
    rule{"AJAR-ES-003", "elasticsearch", core::severity::medium,
         "Elasticsearch allows cross-origin requests from every origin",
         "Set http.cors.allow-origin to the one origin that needs it, or http.cors.enabled: false",
         "https://www.elastic.co/guide/en/elasticsearch/reference/current/"
         "modules-network.html#http-settings"},
};

void check_elasticsearch_body(const source_file& file, std::vector<issue>& out) {
  const auto s = load_settings(file, out);
  if (!s) return;
  check_cors(*s, es_rules[2], file, out);
  const auto* bind = http_bind(*s);
  const auto host = network_value(bind);
  if (host.empty()) return;
  const auto* security = s->find("xpack.security.enabled");
  const auto where = shown(*bind) + " (line " + std::to_string(bind->line) + ")";
  if (setting_false(security)) {
    add(out, es_rules[0], file, security->line,
        shown(*security) + " while " + where + " listens on the network");
  } else if (security == nullptr) {
    add(out, es_rules[1], file, bind->line,
        shown(*bind) + " with no xpack.security.enabled (off by default before 8.0)");
  }
}

bool recognise_elasticsearch(std::string_view name, std::string_view) {
  return name == "elasticsearch.yml";
}

// OpenSearch: the security plugin ships in the default distribution and is on unless
// plugins.security.disabled: true (opendistro_security.disabled before OpenSearch 1.0 renamed it).
// https://opensearch.org/docs/latest/security/configuration/disable-enable-security/
// The demo configuration (install_demo_configuration.sh) writes
// plugins.security.allow_unsafe_democertificates: true; its certificates and private keys are
// published with OpenSearch, so anyone can present the demo admin certificate.
// https://opensearch.org/docs/latest/security/configuration/demo-configuration/
constexpr std::array opensearch_rules{
    rule{"AJAR-OPENSEARCH-001", "opensearch", core::severity::critical,
         "OpenSearch listens on the network with the security plugin disabled",
         "Remove plugins.security.disabled: true and configure the security plugin, or bind "
         "network.host to 127.0.0.1",
         "https://opensearch.org/docs/latest/security/configuration/disable-enable-security/"},
    rule{"AJAR-OPENSEARCH-002", "opensearch", core::severity::medium,
         "OpenSearch allows cross-origin requests from every origin",
         "Set http.cors.allow-origin to the one origin that needs it, or http.cors.enabled: false",
         "https://opensearch.org/docs/latest/install-and-configure/configuring-opensearch/"
         "network-settings/"},
    rule{"AJAR-OPENSEARCH-003", "opensearch", core::severity::high,
         "OpenSearch listens on the network with the public demo certificates",
         "Replace the demo certificates with your own and remove "
         "plugins.security.allow_unsafe_democertificates",
         "https://opensearch.org/docs/latest/security/configuration/demo-configuration/"},
};

void check_opensearch_body(const source_file& file, std::vector<issue>& out) {
  const auto s = load_settings(file, out);
  if (!s) return;
  check_cors(*s, opensearch_rules[1], file, out);
  const auto* bind = http_bind(*s);
  const auto host = network_value(bind);
  if (host.empty()) return;
  const auto where = shown(*bind) + " (line " + std::to_string(bind->line) + ")";
  const auto* disabled = s->first_of({"plugins.security.disabled", "opendistro_security.disabled"});
  if (setting_true(disabled)) {
    add(out, opensearch_rules[0], file, disabled->line,
        shown(*disabled) + " while " + where + " listens on the network");
    return;
  }
  const auto* demo = s->first_of({"plugins.security.allow_unsafe_democertificates",
                                  "opendistro_security.allow_unsafe_democertificates"});
  if (setting_true(demo))
    add(out, opensearch_rules[2], file, demo->line,
        shown(*demo) + " while " + where + " listens on the network");
}

bool recognise_opensearch(std::string_view name, std::string_view) {
  return name == "opensearch.yml";
}

// ---------------------------------------------------------------------------------------------
// kibana.yml / opensearch_dashboards.yml: server.host defaults to "localhost".
// Kibana: https://www.elastic.co/guide/en/kibana/current/settings.html (server.host,
// elasticsearch.username, elasticsearch.serviceAccountToken); xpack.security.enabled existed up
// to 7.x (https://www.elastic.co/guide/en/kibana/7.17/security-settings-kb.html). Kibana asks for
// a login only when the Elasticsearch behind it has security on; a kibana.yml with no credentials
// for Elasticsearch points at a cluster without security (or keeps them in kibana-keystore).
// OpenSearch Dashboards:
// https://opensearch.org/docs/latest/install-and-configure/install-dashboards/
constexpr std::array kibana_rules{
    rule{"AJAR-KIBANA-001", "kibana", core::severity::high,
         "Kibana listens on the network with security explicitly disabled",
         "Remove xpack.security.enabled: false and enable Elasticsearch security, or set "
         "server.host: localhost",
         "https://www.elastic.co/guide/en/kibana/7.17/security-settings-kb.html"},
    rule{"AJAR-KIBANA-002", "kibana", core::severity::medium,
         "Kibana listens on the network and has no Elasticsearch credentials",
         "Enable Elasticsearch security and give Kibana elasticsearch.serviceAccountToken (or "
         "elasticsearch.username in kibana-keystore), or set server.host: localhost",
         "https://www.elastic.co/guide/en/kibana/current/settings.html"},
    rule{"AJAR-OSD-001", "opensearch_dashboards", core::severity::medium,
         "OpenSearch Dashboards listens on the network and has no OpenSearch credentials",
         "Install the security plugin and set opensearch.username/opensearch.password, or set "
         "server.host: localhost",
         "https://opensearch.org/docs/latest/install-and-configure/install-dashboards/tls/"},
};

void check_kibana_body(const source_file& file, std::vector<issue>& out) {
  const auto s = load_settings(file, out);
  if (!s) return;
  const auto* host = s->find("server.host");
  if (network_value(host).empty()) return;
  const bool dashboards = base_name(file.path) == "opensearch_dashboards.yml";
  const auto where = shown(*host) + " (line " + std::to_string(host->line) + ")";
  if (dashboards) {
    if (s->first_of({"opensearch.username", "opensearch_security.auth.type"}) == nullptr)
      add(out, kibana_rules[2], file, host->line,
          shown(*host) + " with no opensearch.username: the cluster behind it has no security");
    return;
  }
  if (const auto* sec = s->find("xpack.security.enabled"); setting_false(sec)) {
    add(out, kibana_rules[0], file, sec->line,
        shown(*sec) + " while " + where + " listens on the network");
    return;
  }
  if (s->first_of({"elasticsearch.username", "elasticsearch.serviceAccountToken"}) == nullptr)
    add(out, kibana_rules[1], file, host->line,
        shown(*host) +
            " with no elasticsearch.username or elasticsearch.serviceAccountToken: "
            "the cluster behind it has no security (unless kibana-keystore holds them)");
}

bool recognise_kibana(std::string_view name, std::string_view) {
  return name == "kibana.yml" || name == "opensearch_dashboards.yml";
}

void check_mongod(const source_file& file, std::vector<issue>& out) {
  yaml_util::guarded(file, out, [&] { check_mongod_body(file, out); });
}

void check_elasticsearch(const source_file& file, std::vector<issue>& out) {
  yaml_util::guarded(file, out, [&] { check_elasticsearch_body(file, out); });
}

void check_opensearch(const source_file& file, std::vector<issue>& out) {
  yaml_util::guarded(file, out, [&] { check_opensearch_body(file, out); });
}

void check_kibana(const source_file& file, std::vector<issue>& out) {
  yaml_util::guarded(file, out, [&] { check_kibana_body(file, out); });
}

}  // namespace

const file_kind& mongod_conf_kind() {
  static const file_kind k{"mongod_conf", recognise_mongod, check_mongod, mongod_rules};
  return k;
}

const file_kind& elasticsearch_yml_kind() {
  static const file_kind k{"elasticsearch_yml", recognise_elasticsearch, check_elasticsearch,
                           es_rules};
  return k;
}

const file_kind& opensearch_yml_kind() {
  static const file_kind k{"opensearch_yml", recognise_opensearch, check_opensearch,
                           opensearch_rules};
  return k;
}

const file_kind& kibana_yml_kind() {
  static const file_kind k{"kibana_yml", recognise_kibana, check_kibana, kibana_rules};
  return k;
}

}  // namespace ajar::audit
