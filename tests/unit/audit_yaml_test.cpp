// The YAML-shaped audit kinds (src/audit/kinds_yaml.cpp, yaml_etcd.cpp, yaml_containers.cpp,
// yaml_images.cpp): every rule fires on its failing fixture (tests/fixtures/audit/<product>/,
// each shaped from the product's shipped default, see the comment at the top of each file) and
// is silent on the passing one; then format edge cases on inline text.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "audit/audit.hpp"
#include "audit/kinds.hpp"

namespace ajar::audit {
namespace {

namespace fs = std::filesystem;

const fs::path fixtures = fs::path(__FILE__).parent_path().parent_path() / "fixtures" / "audit";

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// What `ajar audit` does with one file: recognise() (the first kind that claims it by name,
// then by its first head_bytes) and check_file(). `claimed` gets the kind's name, empty if none.
std::vector<issue> audit_file(const std::string& rel, std::string* claimed = nullptr) {
  source_file f{rel, read(fixtures / rel)};
  const auto name = fs::path(rel).filename().string();
  std::vector<issue> out;
  const auto* kind = recognise(name, std::string_view(f.text).substr(0, head_bytes));
  if (claimed) *claimed = kind ? std::string(kind->name) : std::string();
  if (kind) check_file(*kind, f, out);
  return out;
}

std::vector<issue> check(const file_kind& k, const std::string& path, const std::string& text) {
  std::vector<issue> out;
  k.check(source_file{path, text}, out);
  return out;
}

std::string ids(const std::vector<issue>& v) {
  std::string s;
  for (const auto& i : v) s += std::string(i.what->id) + ":" + std::to_string(i.line) + " ";
  return s;
}

void expect_one(const std::vector<issue>& v, std::string_view id, std::size_t line,
                std::string_view fragment) {
  ASSERT_EQ(v.size(), 1U) << ids(v);
  EXPECT_EQ(v[0].what->id, id);
  EXPECT_EQ(v[0].line, line);
  EXPECT_NE(v[0].message.find(fragment), std::string::npos) << v[0].message;
}

// --- every rule on its fixtures ---------------------------------------------------------------

struct fixture_case {
  const char* file;
  const char* id;  // nullptr: the file must be silent
  std::size_t line;
  const char* fragment;
};

class rule_fixtures : public testing::TestWithParam<fixture_case> {};

TEST_P(rule_fixtures, fires_exactly_where_expected) {
  const auto& c = GetParam();
  std::string claimed;
  const auto v = audit_file(c.file, &claimed);
  EXPECT_FALSE(claimed.empty()) << c.file << " was not recognised";
  if (c.id == nullptr) {
    EXPECT_TRUE(v.empty()) << ids(v);
  } else {
    expect_one(v, c.id, c.line, c.fragment);
  }
}

INSTANTIATE_TEST_SUITE_P(
    yaml_kinds, rule_fixtures,
    testing::Values(
        fixture_case{"mongod/open/mongod.conf", "AJAR-MONGOD-001", 24,
                     "net.bindIp: 127.0.0.1,0.0.0.0"},
        fixture_case{"mongod/authorization_disabled/mongod.conf", "AJAR-MONGOD-001", 32,
                     "security.authorization: disabled while net.bindIpAll: true (line 24)"},
        fixture_case{"mongod/legacy/mongod.conf", "AJAR-MONGOD-001", 16, "bind_ip = 0.0.0.0"},
        fixture_case{"mongod/secured/mongod.conf", nullptr, 0, ""},
        fixture_case{"mongod/default/mongod.conf", nullptr, 0, ""},
        fixture_case{"elasticsearch/open/elasticsearch.yml", "AJAR-ES-001", 36,
                     "xpack.security.enabled: false while network.host: 10.0.0.5 (line 21)"},
        fixture_case{"elasticsearch/es7_network/elasticsearch.yml", "AJAR-ES-002", 22,
                     "network.host: 0.0.0.0 with no xpack.security.enabled"},
        fixture_case{"elasticsearch/cors/elasticsearch.yml", "AJAR-ES-003", 13,
                     "http.cors.allow-origin: *"},
        fixture_case{"elasticsearch/secured/elasticsearch.yml", nullptr, 0, ""},
        fixture_case{"opensearch/open/opensearch.yml", "AJAR-OPENSEARCH-001", 22,
                     "plugins.security.disabled: true while network.host: ::"},
        fixture_case{"opensearch/cors/opensearch.yml", "AJAR-OPENSEARCH-002", 7, "/.*/"},
        fixture_case{"opensearch/demo/opensearch.yml", "AJAR-OPENSEARCH-003", 30,
                     "plugins.security.allow_unsafe_democertificates: true"},
        fixture_case{"opensearch/secured/opensearch.yml", nullptr, 0, ""},
        fixture_case{"kibana/open/kibana.yml", "AJAR-KIBANA-001", 21,
                     "xpack.security.enabled: false while server.host: 0.0.0.0 (line 9)"},
        fixture_case{"kibana/no_credentials/kibana.yml", "AJAR-KIBANA-002", 10,
                     "server.host: 192.168.10.4 with no elasticsearch.username"},
        fixture_case{"kibana/secured/kibana.yml", nullptr, 0, ""},
        fixture_case{"opensearch_dashboards/open/opensearch_dashboards.yml", "AJAR-OSD-001", 10,
                     "server.host: 0.0.0.0 with no opensearch.username"},
        fixture_case{"opensearch_dashboards/secured/opensearch_dashboards.yml", nullptr, 0, ""},
        fixture_case{"etcd/open/etcd.conf.yml", "AJAR-ETCD-001", 19,
                     "accepts any client on http://0.0.0.0:2379 over plain HTTP"},
        fixture_case{"etcd/debian_open/etcd", "AJAR-ETCD-001", 11,
                     "ETCD_LISTEN_CLIENT_URLS=http://[::]:2379"},
        fixture_case{"etcd/secured/etcd.conf.yml", nullptr, 0, ""},
        fixture_case{"etcd/default/etcd.conf.yml", nullptr, 0, ""},
        fixture_case{"etcd/debian_default/etcd", nullptr, 0, ""},
        fixture_case{"etcd/rhel_secured/etcd.conf", nullptr, 0, ""},
        fixture_case{
            "compose/content/stack.yml", "AJAR-COMPOSE-001", 5,
            "service valkey: image valkey/valkey:8 runs valkey-server with no --requirepass"},
        fixture_case{"compose/secured/docker-compose.yml", nullptr, 0, ""},
        fixture_case{"kubernetes/open/redis-leader.yaml", "AJAR-K8S-001", 26,
                     "Service redis-leader (type LoadBalancer) (line 43) exposes redis port 6379"},
        fixture_case{"kubernetes/open/mysql.yaml", "AJAR-K8S-001", 36,
                     "MYSQL_ALLOW_EMPTY_PASSWORD=yes with no root password"},
        fixture_case{"kubernetes/open/dashboards.yaml", "AJAR-K8S-002", 27,
                     "hostPort 5601 (line 30)"},
        fixture_case{"kubernetes/secured/redis-leader.yaml", nullptr, 0, ""},
        fixture_case{"kubernetes/secured/mysql.yaml", nullptr, 0, ""}));

TEST(audit_yaml, compose_fixture_flags_each_open_service) {
  const auto v = audit_file("compose/open/docker-compose.yml");
  EXPECT_EQ(ids(v),
            "AJAR-COMPOSE-001:7 AJAR-COMPOSE-001:18 AJAR-COMPOSE-001:32 AJAR-COMPOSE-001:38 "
            "AJAR-COMPOSE-001:45 AJAR-COMPOSE-001:52 AJAR-COMPOSE-001:64 AJAR-COMPOSE-002:74 ");
  ASSERT_EQ(v.size(), 8U);
  // mariadb's ALLOW_EMPTY_PASSWORD comes through a merge key from the anchor on line 7.
  EXPECT_NE(v[0].message.find("service mariadb: ALLOW_EMPTY_PASSWORD=yes"), std::string::npos);
  EXPECT_NE(v[1].message.find("service db: POSTGRES_HOST_AUTH_METHOD=trust"), std::string::npos);
  EXPECT_NE(v[1].message.find("ports: \"5432:5432\" (line 20)"), std::string::npos);
  EXPECT_NE(v[4].message.find("--protected-mode no"), std::string::npos);
  EXPECT_NE(v[5].message.find("(discovery.type=single-node)"), std::string::npos);
  EXPECT_NE(v[7].message.find("DISABLE_SECURITY_DASHBOARDS_PLUGIN=true"), std::string::npos);
}

// The union of the EXPECTED.audit files of these product dirs is exactly what the kinds print.
TEST(audit_yaml, expected_files_match_every_fixture) {
  std::set<std::string> want, got;
  for (const auto* dir : {"mongod", "elasticsearch", "opensearch", "kibana",
                          "opensearch_dashboards", "etcd", "compose", "kubernetes"}) {
    std::istringstream lines(read(fixtures / dir / "EXPECTED.audit"));
    for (std::string l; std::getline(lines, l);)
      if (!l.empty()) want.insert(l);
    for (const auto& e : fs::recursive_directory_iterator(fixtures / dir)) {
      if (!e.is_regular_file()) continue;
      const auto rel = fs::relative(e.path(), fixtures).generic_string();
      for (const auto& i : audit_file(rel))
        got.insert(std::string(i.what->id) + " " + rel + ":" + std::to_string(i.line));
    }
  }
  EXPECT_EQ(want, got);
}

TEST(audit_yaml, recognition_by_name_and_content) {
  std::string claimed;
  audit_file("compose/content/ci.yml", &claimed);
  EXPECT_EQ(claimed, "") << "a GitLab CI file with a `services:` list is not compose";
  audit_file("compose/content/stack.yml", &claimed);
  EXPECT_EQ(claimed, "docker_compose");
  audit_file("etcd/rhel_secured/etcd.conf", &claimed);
  EXPECT_EQ(claimed, "etcd_conf");
  audit_file("kubernetes/open/mysql.yaml", &claimed);
  EXPECT_EQ(claimed, "kubernetes");
  audit_file("opensearch_dashboards/open/opensearch_dashboards.yml", &claimed);
  EXPECT_EQ(claimed, "kibana_yml");
  for (const auto* k : kinds())
    EXPECT_FALSE(k->recognise("EXPECTED.audit", "services:\n  a: {}\n"));

  const auto& compose = docker_compose_kind();
  EXPECT_TRUE(compose.recognise("docker-compose.yml", ""));
  EXPECT_TRUE(compose.recognise("compose.yaml", ""));
  EXPECT_TRUE(compose.recognise("docker-compose.override.yml", ""));
  EXPECT_TRUE(compose.recognise("app.yaml", "# x\nservices: {db: {image: redis}}\n"));
  EXPECT_FALSE(compose.recognise("app.yaml", "apiVersion: v1\nkind: Service\nservices:\n  a: 1\n"));
  EXPECT_FALSE(compose.recognise("app.yaml", "services:\nvolumes: {}\n"));
  EXPECT_FALSE(compose.recognise("docker-compose.yml.bak", ""));
  const auto& k8s = kubernetes_kind();
  EXPECT_TRUE(k8s.recognise("deploy.yaml", "---\napiVersion: v1\nkind: Pod\n"));
  EXPECT_FALSE(k8s.recognise("deploy.yaml",
                             "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n"))
      << "a Helm template is not YAML until rendered";
  EXPECT_FALSE(k8s.recognise("deploy.json", "apiVersion: v1\nkind: Pod\n"));
  const auto& etcd = etcd_conf_kind();
  EXPECT_TRUE(etcd.recognise("etcd.conf.yml", ""));
  EXPECT_TRUE(etcd.recognise("etcd", "export ETCD_NAME=a\n"));
  EXPECT_FALSE(etcd.recognise("etcd", std::string_view("\x7f"
                                                       "ELF\0\0ETCD_NAME=",
                                                       14)))
      << "a binary";
  EXPECT_FALSE(etcd.recognise("etcd", "## only comments\n"));
  EXPECT_FALSE(mongod_conf_kind().recognise("mongodb.conf.dpkg-old", ""));
  EXPECT_TRUE(mongod_conf_kind().recognise("mongod.cfg", ""));
}

TEST(audit_yaml, every_rule_is_listed_with_documentation) {
  std::set<std::string_view> listed;
  for (const auto* r : all_rules()) listed.insert(r->id);
  for (const auto* k :
       {&mongod_conf_kind(), &elasticsearch_yml_kind(), &opensearch_yml_kind(), &kibana_yml_kind(),
        &etcd_conf_kind(), &docker_compose_kind(), &kubernetes_kind()}) {
    EXPECT_FALSE(k->rules.empty()) << k->name;
    for (const auto& r : k->rules) {
      EXPECT_TRUE(listed.contains(r.id)) << r.id;
      EXPECT_TRUE(r.help_uri.starts_with("https://")) << r.id;
      EXPECT_FALSE(r.title.empty());
      EXPECT_FALSE(r.fix.empty());
    }
  }
}

// --- settings files: format edge cases ---------------------------------------------------------

TEST(audit_yaml, elasticsearch_flat_and_nested_keys_mean_the_same) {
  const auto& es = elasticsearch_yml_kind();
  expect_one(
      check(es, "elasticsearch.yml", "network.host: 0.0.0.0\nxpack.security.enabled: false\n"),
      "AJAR-ES-001", 2, "xpack.security.enabled: false while network.host: 0.0.0.0 (line 1)");
  expect_one(check(es, "elasticsearch.yml",
                   "network:\n  host: 0.0.0.0\nxpack:\n  security:\n    enabled: false\n"),
             "AJAR-ES-001", 5, "xpack.security.enabled: false");
  expect_one(
      check(es, "elasticsearch.yml", "xpack.security:\n  enabled: false\nnetwork.host: _site_\n"),
      "AJAR-ES-001", 2, "network.host: _site_ (line 3)");
  // A list of hosts: one that reaches the network is enough.
  expect_one(check(es, "elasticsearch.yml", "network.host: [_local_, \"10.1.2.3\"]\n"),
             "AJAR-ES-002", 1, "network.host: [_local_, 10.1.2.3]");
}

TEST(audit_yaml, elasticsearch_loopback_and_precedence) {
  const auto& es = elasticsearch_yml_kind();
  for (const auto* text : {
           "xpack.security.enabled: false\n",  // default _local_
           "network.host: _local_\nxpack.security.enabled: false\n",
           "network.host: \"[::1]\"\nxpack.security.enabled: false\n",
           "network.host: _lo0:ipv4_\nxpack.security.enabled: false\n",
           "network.host: ${HOST}\nxpack.security.enabled: false\n",  // unknown: silent
           "network.host: 0.0.0.0\nhttp.host: 127.0.0.1\nxpack.security.enabled: false\n",
           "network.host: 0.0.0.0\nxpack.security.enabled: true\n",
           "http.cors.allow-origin: \"*\"\n",  // CORS off by default
           "",                                 // empty file
           "# only comments\n",
       })
    EXPECT_TRUE(check(es, "elasticsearch.yml", text).empty()) << text;
  // http.host beats network.host, in both directions.
  expect_one(check(es, "elasticsearch.yml",
                   "network.host: 127.0.0.1\nhttp.host: 0.0.0.0\nxpack.security.enabled: false\n"),
             "AJAR-ES-001", 3, "http.host: 0.0.0.0 (line 2)");
  // The last of a duplicated key wins.
  expect_one(check(es, "elasticsearch.yml",
                   "network.host: 0.0.0.0\nxpack.security.enabled: true\nxpack:\n  security:\n    "
                   "enabled: false\n"),
             "AJAR-ES-001", 5, "");
}

TEST(audit_yaml, unparseable_yaml_is_an_issue_not_an_exception) {
  const auto v = check(elasticsearch_yml_kind(), "elasticsearch.yml",
                       "network.host: 0.0.0.0\nxpack: [unclosed\n  security: {\n");
  ASSERT_EQ(v.size(), 1U);
  EXPECT_EQ(v[0].what->id, "AJAR-AUDIT-001");
  EXPECT_GT(v[0].line, 0U);
  EXPECT_NE(v[0].message.find("YAML syntax error"), std::string::npos);
  const auto list = check(mongod_conf_kind(), "mongod.conf", "- net\n- security\n");
  ASSERT_EQ(list.size(), 1U);
  EXPECT_EQ(list[0].what->id, "AJAR-AUDIT-001");
  EXPECT_EQ(list[0].line, 1U);
}

TEST(audit_yaml, hostile_yaml_is_bounded) {
  // Anchors referencing anchors: cheap to load, exponential to walk without a bound.
  std::string laughs = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 12; ++i)
    laughs += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " {k1: *a" +
              std::to_string(i - 1) + ", k2: *a" + std::to_string(i - 1) + ", k3: *a" +
              std::to_string(i - 1) + "}\n";
  laughs += "network.host: 0.0.0.0\n";
  EXPECT_LE(check(elasticsearch_yml_kind(), "elasticsearch.yml", laughs).size(), 1U);
  std::string compose = "x: &e {A: b}\nservices:\n";
  for (int i = 0; i < 2000; ++i)
    compose += "  s" + std::to_string(i) + ": {image: redis, environment: *e}\n";
  EXPECT_EQ(check(docker_compose_kind(), "docker-compose.yml", compose).size(), 0U);
  // Nesting deeper than yaml-cpp accepts: an issue, not a stack overflow.
  const auto deep =
      check(kubernetes_kind(), "x.yaml", std::string(5000, '[') + std::string(5000, ']'));
  ASSERT_EQ(deep.size(), 1U);
  EXPECT_EQ(deep[0].what->id, "AJAR-AUDIT-001");
  // Too large to be a configuration file.
  const auto big = check(mongod_conf_kind(), "mongod.conf", std::string(5U * 1024U * 1024U, '#'));
  ASSERT_EQ(big.size(), 1U);
  EXPECT_EQ(big[0].what->id, "AJAR-AUDIT-001");
}

TEST(audit_yaml, a_comma_where_a_document_starts_is_a_syntax_error_not_a_hang) {
  // yaml-cpp 0.7's LoadAll never returns on these (core/yaml_guard.hpp, found by fuzz_audit);
  // the audit must report a syntax error on the right line instead.
  for (const char* text : {",\n", " !,", "&a ,", "{a},b", "\"a\",b", "- a\n,", "# c\n  ,", "---\n,"}) {
    const auto v = check(elasticsearch_yml_kind(), "elasticsearch.yml", text);
    ASSERT_EQ(v.size(), 1U) << text;
    EXPECT_EQ(v[0].what->id, "AJAR-AUDIT-001") << text;
    EXPECT_NE(v[0].message.find("YAML syntax error"), std::string::npos) << v[0].message;
  }
  EXPECT_EQ(check(elasticsearch_yml_kind(), "elasticsearch.yml", "- a\n,\n")[0].line, 2U);
  // A comma that does not start a line is ordinary YAML.
  EXPECT_EQ(check(elasticsearch_yml_kind(), "elasticsearch.yml", "a: [x, y]\nb: 'p, q'\n").size(), 0U);
}

TEST(audit_yaml, mongod_auth_sources) {
  const auto& m = mongod_conf_kind();
  for (const auto* text : {
           "net:\n  bindIp: 0.0.0.0\nsecurity:\n  authorization: enabled\n",
           "net:\n  bindIp: 0.0.0.0\nsecurity:\n  keyFile: /etc/mongo/key\n",  // implies auth
           "net:\n  bindIp: localhost,/tmp/mongod-27017.sock\n",
           "net:\n  bindIp: ::1,127.0.0.1\n  ipv6: true\n",
           "net:\n  port: 27017\n",  // bindIp defaults to localhost since 3.6
           "net:\n  bindIpAll: false\n  bindIp: 127.0.0.1\n",
       })
    EXPECT_TRUE(check(m, "mongod.conf", text).empty()) << text;
  expect_one(check(m, "mongod.conf", "net:\n  bindIp: \"::,127.0.0.1\"\n  ipv6: true\n"),
             "AJAR-MONGOD-001", 2, "net.bindIp: ::,127.0.0.1 with no security.authorization");
  expect_one(check(m, "mongod.conf",
                   "net:\n  bindIpAll: true\nsecurity:\n  authorization: enabled\n  "
                   "transitionToAuth: true\n"),
             "AJAR-MONGOD-001", 5,
             "security.transitionToAuth: true accepts unauthenticated connections");
  expect_one(check(m, "mongod.conf", "net.bindIp: 10.0.0.1\n"), "AJAR-MONGOD-001", 1, "10.0.0.1");
  // Legacy format: auth = true secures it, noauth = true is the offending line.
  EXPECT_TRUE(check(m, "mongod.conf", "bind_ip = 0.0.0.0\nauth = true\n").empty());
  expect_one(check(m, "mongod.conf", "bind_ip = 0.0.0.0\nnoauth = true\n"), "AJAR-MONGOD-001", 2,
             "noauth = true while bind_ip = 0.0.0.0 (line 1)");
}

TEST(audit_yaml, kibana_and_dashboards) {
  const auto& k = kibana_yml_kind();
  EXPECT_TRUE(
      check(k, "kibana.yml", "server.host: \"::1\"\nxpack.security.enabled: false\n").empty());
  EXPECT_TRUE(
      check(k, "kibana.yml", "server.host: 0.0.0.0\nelasticsearch.username: kibana_system\n")
          .empty());
  EXPECT_TRUE(check(k, "kibana.yml", "elasticsearch.hosts: [\"http://es:9200\"]\n").empty());
  expect_one(check(k, "/etc/kibana/kibana.yml", "server:\n  host: \"::\"\n"), "AJAR-KIBANA-002", 2,
             "server.host: ::");
  expect_one(
      check(k, "/etc/opensearch-dashboards/opensearch_dashboards.yml", "server.host: 0.0.0.0\n"),
      "AJAR-OSD-001", 1, "server.host: 0.0.0.0");
  EXPECT_TRUE(check(k, "/x/opensearch_dashboards.yml",
                    "server.host: 0.0.0.0\nopensearch.username: kibanaserver\n")
                  .empty());
}

TEST(audit_yaml, opensearch_legacy_names) {
  expect_one(check(opensearch_yml_kind(), "opensearch.yml",
                   "network.host: 0.0.0.0\nopendistro_security.disabled: true\n"),
             "AJAR-OPENSEARCH-001", 2, "opendistro_security.disabled: true");
  EXPECT_TRUE(check(opensearch_yml_kind(), "opensearch.yml",
                    "network.host: 127.0.0.1\nplugins.security.disabled: true\n"
                    "plugins.security.allow_unsafe_democertificates: true\n")
                  .empty());
}

TEST(audit_yaml, etcd_urls_tls_and_flags) {
  const auto& e = etcd_conf_kind();
  expect_one(check(e, "etcd.conf.yml",
                   "listen-client-urls: https://10.0.0.1:2379\nclient-transport-security:\n  "
                   "client-cert-auth: false\n"),
             "AJAR-ETCD-001", 1, "over HTTPS with client-cert-auth off");
  expect_one(check(e, "etcd.conf.yml", "listen-client-urls: http://:2379\n"), "AJAR-ETCD-001", 1,
             "http://:2379");
  EXPECT_TRUE(
      check(e, "etcd.conf.yml", "listen-client-urls: unix://etcd.sock,http://127.0.0.2:2379\n")
          .empty());
  EXPECT_TRUE(check(e, "etcd.conf.yml", "name: default\n").empty());  // default localhost
  EXPECT_NE(check(e, "etcd.conf.yml", "listen-client-urls: http://0.0.0.0:2379\n")[0].message.find(
                "etcdctl auth enable"),
            std::string::npos);
  // Debian's unit runs `etcd $DAEMON_ARGS`: flags there beat ETCD_* variables.
  expect_one(check(e, "/etc/default/etcd",
                   "ETCD_LISTEN_CLIENT_URLS=\"http://localhost:2379\"\n"
                   "DAEMON_ARGS=\"--name n1 --listen-client-urls http://0.0.0.0:2379\"\n"),
             "AJAR-ETCD-001", 2,
             "DAEMON_ARGS=\"... --listen-client-urls http://0.0.0.0:2379 ...\"");
  EXPECT_TRUE(
      check(e, "/etc/default/etcd",
            "ETCD_LISTEN_CLIENT_URLS=https://0.0.0.0:2379\nDAEMON_ARGS=\"--client-cert-auth\"\n")
          .empty());
  EXPECT_TRUE(
      check(
          e, "/etc/default/etcd",
          "ETCD_LISTEN_CLIENT_URLS=http://0.0.0.0:2379\nETCD_CONFIG_FILE=/etc/etcd/etcd.conf.yml\n")
          .empty())
      << "with a config file etcd ignores the environment; that file is audited on its own";
  expect_one(
      check(e, "/etc/etcd/etcd.conf", "export ETCD_LISTEN_CLIENT_URLS='http://10.0.0.1:2379'\n"),
      "AJAR-ETCD-001", 1, "http://10.0.0.1:2379");
}

// --- compose ------------------------------------------------------------------------------

std::vector<issue> compose(const std::string& service_body) {
  return check(docker_compose_kind(), "docker-compose.yml", "services:\n  s:\n" + service_body);
}

TEST(audit_yaml, compose_port_syntaxes) {
  const std::string redis = "    image: redis\n    ports:\n";
  for (const auto* open :
       {"      - \"6379\"\n", "      - 6379:6379\n", "      - \"[::]:6379:6379\"\n",
        "      - \"6000-7000:6000-7000/tcp\"\n", "      - \"0.0.0.0:16379:6379\"\n",
        "      - \"${PORT:-6379}:6379\"\n", "      - {target: 6379, host_ip: \"::\"}\n"}) {
    const auto v = compose(redis + open);
    EXPECT_EQ(ids(v), "AJAR-COMPOSE-001:3 ") << open;
  }
  for (const auto* closed :
       {"      - \"127.0.0.1:6379:6379\"\n", "      - \"[::1]:6379:6379\"\n",
        "      - \"8080:80\"\n", "      - {target: 6379, host_ip: 127.0.0.1}\n",
        "      - {target: 80, published: 6379}\n", "      - \"6379:6379/udp\"\n",
        "      - {target: 6379, protocol: udp}\n"})
    EXPECT_TRUE(compose(redis + closed).empty()) << closed;
  EXPECT_EQ(ids(compose("    image: redis:7\n    network_mode: host\n")), "AJAR-COMPOSE-001:3 ");
  EXPECT_TRUE(compose("    image: redis:7\n    expose: [\"6379\"]\n").empty());
}

TEST(audit_yaml, compose_images_and_their_switches) {
  const std::string pg = "    ports: [\"5432:5432\"]\n    image: postgres:16\n";
  EXPECT_EQ(ids(compose(pg + "    environment:\n      - POSTGRES_HOST_AUTH_METHOD=trust\n")),
            "AJAR-COMPOSE-001:6 ");
  EXPECT_TRUE(compose(pg + "    environment:\n      - POSTGRES_HOST_AUTH_METHOD\n").empty())
      << "a bare name takes its value from the shell: unknown";
  EXPECT_TRUE(compose(pg + "    environment:\n      POSTGRES_HOST_AUTH_METHOD: ${AUTH}\n").empty());
  EXPECT_TRUE(
      compose(pg + "    environment:\n      POSTGRES_HOST_AUTH_METHOD: scram-sha-256\n").empty());

  const std::string mongo = "    image: mongo:7\n    ports: [\"27017:27017\"]\n";
  EXPECT_EQ(ids(compose(mongo)), "AJAR-COMPOSE-001:3 ");
  EXPECT_TRUE(compose(mongo + "    env_file: .env\n").empty()) << "the user may be in .env";
  EXPECT_TRUE(compose(mongo + "    command: [\"mongod\", \"--auth\"]\n").empty());
  EXPECT_TRUE(
      compose(mongo + "    environment:\n      MONGO_INITDB_ROOT_USERNAME_FILE: /run/secrets/u\n")
          .empty());

  const std::string redis = "    image: redis:7\n    ports: [\"6379:6379\"]\n";
  EXPECT_TRUE(
      compose(redis + "    command: redis-server /usr/local/etc/redis/redis.conf\n").empty());
  EXPECT_TRUE(
      compose(redis + "    command: [\"redis-server\", \"--protected-mode\", \"yes\"]\n").empty());
  EXPECT_TRUE(compose(redis + "    command: redis-server --bind 127.0.0.1\n").empty());
  EXPECT_TRUE(compose("    image: myorg/redis:7\n    ports: [\"6379:6379\"]\n").empty())
      << "an image we do not know the defaults of";
  EXPECT_EQ(ids(compose("    image: bitnami/redis:7.2\n    ports: [\"6379:6379\"]\n"
                        "    environment:\n      - ALLOW_EMPTY_PASSWORD=yes\n")),
            "AJAR-COMPOSE-001:6 ");
  EXPECT_TRUE(compose("    image: bitnami/redis:7.2\n    ports: [\"6379:6379\"]\n"
                      "    environment:\n      - ALLOW_EMPTY_PASSWORD=no\n")
                  .empty());

  const std::string es = "    ports: [\"9200:9200\"]\n    image: ";
  EXPECT_TRUE(compose(es + "docker.elastic.co/elasticsearch/elasticsearch:8.11.1\n").empty());
  EXPECT_EQ(
      ids(compose(
          es +
          "elasticsearch:8.11.1\n    environment:\n      xpack.security.enabled: \"false\"\n")),
      "AJAR-COMPOSE-001:6 ");
  EXPECT_TRUE(
      compose(es + "elasticsearch:7.17.10\n    environment:\n      - xpack.security.enabled=true\n")
          .empty());
  EXPECT_EQ(ids(compose(es + "docker.elastic.co/elasticsearch/elasticsearch-oss:7.10.2\n")),
            "AJAR-COMPOSE-001:4 ");

  EXPECT_EQ(ids(compose("    image: mariadb:11\n    ports: [\"3306:3306\"]\n"
                        "    environment:\n      MARIADB_ALLOW_EMPTY_ROOT_PASSWORD: 1\n")),
            "AJAR-COMPOSE-001:6 ");
  EXPECT_TRUE(
      compose("    image: mariadb:11\n    ports: [\"3306:3306\"]\n    environment:\n"
              "      MARIADB_ALLOW_EMPTY_ROOT_PASSWORD: 1\n      MARIADB_ROOT_PASSWORD: x\n")
          .empty());
  EXPECT_EQ(ids(compose("    image: couchdb:2.3.1\n    ports: [\"5984:5984\"]\n")),
            "AJAR-COMPOSE-001:3 ");
  EXPECT_TRUE(compose("    image: couchdb:3.3\n    ports: [\"5984:5984\"]\n").empty());
  EXPECT_EQ(ids(compose("    image: memcached:1.6\n    ports: [\"11211:11211\"]\n")),
            "AJAR-COMPOSE-001:3 ");
  EXPECT_EQ(ids(compose("    image: kibana:7.17.10\n    ports: [\"5601:5601\"]\n"
                        "    environment:\n      XPACK_SECURITY_ENABLED: \"false\"\n")),
            "AJAR-COMPOSE-002:6 ");
}

TEST(audit_yaml, compose_merge_keys_and_odd_shapes) {
  const std::string text =
      "x-db: &db\n  image: postgres:16\n  ports: [\"5432:5432\"]\n"
      "x-env: &env\n  POSTGRES_HOST_AUTH_METHOD: trust\n"
      "services:\n  a:\n    <<: *db\n    environment:\n      <<: *env\n"
      "  b:\n    <<: *db\n    environment:\n      <<: *env\n      POSTGRES_HOST_AUTH_METHOD: md5\n";
  EXPECT_EQ(ids(check(docker_compose_kind(), "compose.yaml", text)), "AJAR-COMPOSE-001:5 ")
      << "an explicit key beats the merged one";
  for (const auto* odd :
       {"services: []\n", "services:\n  s: 1\n", "services:\n  s:\n    image: [1]\n",
        "version: '3'\n", "services:\n  s:\n    image: redis\n    ports: 6379\n"})
    EXPECT_TRUE(check(docker_compose_kind(), "docker-compose.yml", odd).empty()) << odd;
  EXPECT_EQ(check(docker_compose_kind(), "docker-compose.yml", "- a\n- b\n")[0].what->id,
            "AJAR-AUDIT-001");
}

// --- Kubernetes ---------------------------------------------------------------------------

std::string k8s_pod(const std::string& extra_spec, const std::string& env) {
  return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: db\n  labels: {app: db}\nspec:\n" +
         extra_spec + "  containers:\n  - name: pg\n    image: postgres:16\n    env:\n" + env;
}
const std::string trust = "    - name: POSTGRES_HOST_AUTH_METHOD\n      value: trust\n";
std::string k8s_service(const std::string& type, const std::string& selector,
                        const std::string& ns = "") {
  return "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: db\n" + ns +
         "spec:\n  type: " + type + "\n  selector: " + selector + "\n  ports:\n  - port: 5432\n";
}

TEST(audit_yaml, kubernetes_exposure) {
  const auto& k = kubernetes_kind();
  const auto pod = k8s_pod("", trust);
  EXPECT_EQ(ids(check(k, "db.yaml", pod + k8s_service("NodePort", "{app: db}"))),
            "AJAR-K8S-001:11 ");
  EXPECT_TRUE(check(k, "db.yaml", pod).empty()) << "no Service: cluster-internal only";
  EXPECT_TRUE(check(k, "db.yaml", pod + k8s_service("ClusterIP", "{app: db}")).empty());
  EXPECT_TRUE(check(k, "db.yaml", pod + k8s_service("LoadBalancer", "{app: web}")).empty());
  EXPECT_TRUE(
      check(k, "db.yaml", pod + k8s_service("LoadBalancer", "{app: db}", "  namespace: other\n"))
          .empty());
  EXPECT_EQ(ids(check(k, "db.yaml", k8s_pod("  hostNetwork: true\n", trust))), "AJAR-K8S-001:12 ");
  EXPECT_TRUE(check(k, "db.yaml",
                    k8s_pod("",
                            "    - name: POSTGRES_HOST_AUTH_METHOD\n      valueFrom:\n"
                            "        configMapKeyRef: {name: pg, key: auth}\n") +
                        k8s_service("NodePort", "{app: db}"))
                  .empty())
      << "a value from a ConfigMap is not known";
  const std::string cron =
      "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n"
      "      template:\n        spec:\n          containers:\n          - name: m\n"
      "            image: memcached:1.6\n            ports:\n            - containerPort: 11211\n"
      "              hostPort: 11211\n";
  EXPECT_EQ(ids(check(k, "c.yaml", cron)), "AJAR-K8S-001:11 ");
}

}  // namespace
}  // namespace ajar::audit
