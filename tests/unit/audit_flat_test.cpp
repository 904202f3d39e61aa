// The flat-format kinds (src/audit/kinds_flat.cpp, kinds_sql.cpp): every rule fires on its
// failing fixture (tests/fixtures/audit/<product>/, shaped from the product's shipped default
// config) with the exact rule id, line and a message fragment, and is silent on the passing
// ones; then each format's edge cases (quoting, comments, duplicates, IPv6, continuation lines).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "audit/audit.hpp"
#include "audit/flat.hpp"
#include "audit/kinds.hpp"
#include "audit/text.hpp"

namespace {

using namespace ajar::audit;
namespace fs = std::filesystem;

const fs::path fixtures = fs::path(__FILE__).parent_path().parent_path() / "fixtures" / "audit";

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Recognises the fixture by its name and content, as `ajar audit` does, and checks it.
std::vector<issue> check_fixture(const std::string& rel) {
  std::string body = read(fixtures / rel);
  EXPECT_FALSE(body.empty()) << rel;
  const file_kind* k = recognise(fs::path(rel).filename().string(), body);
  EXPECT_NE(k, nullptr) << rel << " not recognised";
  std::vector<issue> out;
  if (k != nullptr) check_file(*k, source_file{rel, body}, out);
  return out;
}

std::vector<issue> check_text(const file_kind& k, const std::string& body, const std::string& path = "x") {
  std::vector<issue> out;
  check_file(k, source_file{path, body}, out);
  return out;
}

std::string ids(const std::vector<issue>& v) {
  std::string s;
  for (const auto& i : v) s += std::string(i.what->id) + ":" + std::to_string(i.line) + " ";
  return s;
}

struct fixture_case {
  std::string file;
  std::string rule;  // empty: no issue at all
  std::size_t line = 0;
  std::string fragment;
};

std::ostream& operator<<(std::ostream& o, const fixture_case& c) { return o << c.file; }

class flat_fixtures : public testing::TestWithParam<fixture_case> {};

TEST_P(flat_fixtures, fires_exactly_as_expected) {
  const auto& c = GetParam();
  auto got = check_fixture(c.file);
  if (c.rule.empty()) {
    EXPECT_TRUE(got.empty()) << ids(got);
    return;
  }
  ASSERT_EQ(got.size(), 1U) << ids(got);
  EXPECT_EQ(got[0].what->id, c.rule);
  EXPECT_EQ(got[0].line, c.line);
  EXPECT_EQ(got[0].file, c.file);
  EXPECT_NE(got[0].message.find(c.fragment), std::string::npos) << got[0].message;
}

INSTANTIATE_TEST_SUITE_P(
    audit, flat_fixtures,
    testing::Values(
        fixture_case{"redis/default/redis.conf", "", 0, ""},
        fixture_case{"redis/open/redis.conf", "AJAR-REDIS-001", 10, "bind 0.0.0.0 with protected-mode no (line 15)"},
        fixture_case{"redis/protected/redis.conf", "AJAR-REDIS-002", 9, "requirepass is empty (line 20)"},
        fixture_case{"redis/secured/redis.conf", "AJAR-REDIS-003", 9, "protected-mode no"},
        fixture_case{"redis/acl/redis.conf", "", 0, ""},
        fixture_case{"redis/password-only/redis.conf", "AJAR-REDIS-004", 7, "bind 10.0.0.5 127.0.0.1"},
        fixture_case{"redis/broken/redis.conf", "AJAR-AUDIT-001", 6, "unbalanced quotes"},
        fixture_case{"valkey/open/valkey.conf", "AJAR-REDIS-001", 16, "no bind (Redis then listens on every interface)"},
        fixture_case{"valkey/secured/valkey.conf", "", 0, ""},
        fixture_case{"pg_hba/default/pg_hba.conf", "", 0, ""},
        fixture_case{"pg_hba/cleartext/pg_hba.conf", "AJAR-PGHBA-002", 28, "cleartext"},
        fixture_case{"pg_hba/secured/pg_hba.conf", "", 0, ""},
        fixture_case{"postgresql/default/postgresql.conf", "", 0, ""},
        fixture_case{"postgresql/listen-all/postgresql.conf", "AJAR-PGCONF-001", 15, "listen_addresses = '*'"},
        fixture_case{"postgresql/listen-some/postgresql.conf", "", 0, ""},
        fixture_case{"postgresql/auto/postgresql.auto.conf", "AJAR-PGCONF-001", 5, "'0.0.0.0'"},
        fixture_case{"mysql/default/mariadb.conf.d/50-server.cnf", "", 0, ""},
        fixture_case{"mysql/recovery-open/my.cnf", "AJAR-MYSQL-001", 32, "bind-address = 0.0.0.0 (line 30)"},
        fixture_case{"mysql/recovery-local/mariadb.cnf", "AJAR-MYSQL-002", 30, "loose-skip-grant-tables"},
        fixture_case{"mysql/secured/my.cnf", "", 0, ""},
        fixture_case{"clickhouse/default/users.xml", "AJAR-CLICKHOUSE-001", 25, "user 'default' has an empty <password> and <ip>::/0</ip>"},
        fixture_case{"clickhouse/secured/users.xml", "", 0, ""},
        fixture_case{"clickhouse/local/users.xml", "", 0, ""},
        fixture_case{"clickhouse/modern/users.d/analytics.xml", "AJAR-CLICKHOUSE-001", 7, "<no_password/> and <ip>10.0.0.0/8</ip>"},
        fixture_case{"influxdb/default/influxdb.conf", "AJAR-INFLUXDB-001", 0, "no auth-enabled (default false)"},
        fixture_case{"influxdb/explicit/influxdb.conf", "AJAR-INFLUXDB-001", 22, "bind-address = \"0.0.0.0:8086\" (line 21)"},
        fixture_case{"influxdb/secured/influxdb.conf", "", 0, ""},
        fixture_case{"influxdb/local/influxdb.conf", "", 0, ""},
        fixture_case{"couchdb/default/local.ini", "", 0, ""},
        fixture_case{"couchdb/admin-party/local.ini", "AJAR-COUCHDB-001", 10, "bind_address = 0.0.0.0 and [admins] is empty"},
        fixture_case{"couchdb/everyone/local.ini", "AJAR-COUCHDB-002", 7, "default_security = everyone"},
        fixture_case{"couchdb/secured/local.ini", "", 0, ""},
        fixture_case{"couchdb/docker/local.d/docker.ini", "", 0, ""},
        fixture_case{"zookeeper/default/zoo.cfg", "", 0, ""},
        fixture_case{"zookeeper/4lw/zoo.cfg", "AJAR-ZK-001", 9, "4lw.commands.whitelist=*"},
        fixture_case{"zookeeper/skipacl/zoo.cfg", "AJAR-ZK-002", 7, "no clientPortAddress (every interface)"},
        fixture_case{"zookeeper/secured/zoo.cfg", "", 0, ""}));

TEST(audit_flat, two_issue_fixtures) {
  auto hba = check_fixture("pg_hba/open/pg_hba.conf");
  ASSERT_EQ(hba.size(), 2U) << ids(hba);
  EXPECT_EQ(hba[0].what->id, "AJAR-PGHBA-001");
  EXPECT_EQ(hba[0].line, 29U);
  EXPECT_NE(hba[0].message.find("from every address with no password"), std::string::npos) << hba[0].message;
  EXPECT_EQ(hba[1].line, 30U);  // address + netmask form
  EXPECT_NE(hba[1].message.find("\"sales\""), std::string::npos) << hba[1].message;
  auto world = check_fixture("pg_hba/world/pg_hba.conf");
  ASSERT_EQ(world.size(), 2U) << ids(world);
  EXPECT_EQ(world[0].what->id, "AJAR-PGHBA-003");
  EXPECT_EQ(world[1].what->id, "AJAR-PGHBA-003");
  EXPECT_EQ(world[1].line, 28U);
}

TEST(audit_flat, not_mysql_cnf_is_not_claimed) {
  EXPECT_EQ(recognise("openssl.cnf", read(fixtures / "mysql/not-mysql/openssl.cnf")), nullptr);
  EXPECT_EQ(recognise("local.ini", "[PHP]\nengine = On\n"), nullptr);
  EXPECT_EQ(recognise("users.xml", "<tomcat-users><user name=\"a\"/></tomcat-users>"), nullptr);
  EXPECT_EQ(recognise("redis.conf.bak", "bind 0.0.0.0\n"), nullptr);
  EXPECT_EQ(recognise("EXPECTED.audit", "bind 0.0.0.0\n"), nullptr);
  EXPECT_EQ(recognise("my.cnf", ""), &mysql_cnf_kind());
  EXPECT_EQ(recognise("users.xml", "<clickhouse><users/></clickhouse>"), &clickhouse_users_kind());
}

// ---- redis.conf ------------------------------------------------------------------------------

TEST(audit_flat, redis_defaults_and_last_wins) {
  const auto& k = redis_conf_kind();
  // No bind, no protected-mode line: every interface, protected mode on by default.
  auto v = check_text(k, "port 6379\n");
  ASSERT_EQ(v.size(), 1U);
  EXPECT_EQ(v[0].what->id, "AJAR-REDIS-002");
  EXPECT_EQ(v[0].line, 0U);
  // The last bind wins.
  EXPECT_TRUE(check_text(k, "bind 0.0.0.0\nbind 127.0.0.1 -::1\nprotected-mode no\n").empty());
  v = check_text(k, "bind 127.0.0.1\nbind 0.0.0.0\nprotected-mode no\n");
  ASSERT_EQ(v.size(), 1U);
  EXPECT_EQ(v[0].what->id, "AJAR-REDIS-001");
  EXPECT_EQ(v[0].line, 2U);
  // Directives are case-insensitive; values are quoted like a shell.
  v = check_text(k, "BIND \"::\"\nProtected-Mode \"no\"\n");
  ASSERT_EQ(v.size(), 1U) << ids(v);
  EXPECT_EQ(v[0].what->id, "AJAR-REDIS-001");
  // IPv6 loopback, with the optional-address dash, is local.
  EXPECT_TRUE(check_text(k, "bind -::1 127.0.0.1\nprotected-mode no\n").empty());
  // ::ffff:127.0.0.1 is loopback too; ::ffff:10.0.0.1 is not.
  EXPECT_TRUE(check_text(k, "bind ::ffff:127.0.0.1\nprotected-mode no\n").empty());
  EXPECT_EQ(check_text(k, "bind ::ffff:10.0.0.1\nprotected-mode no\n").size(), 1U);
}

TEST(audit_flat, redis_users_and_passwords) {
  const auto& k = redis_conf_kind();
  // A `user default` line overrides requirepass (ACLLoadConfiguredUsers resets the user).
  auto v = check_text(k, "bind 0.0.0.0\nprotected-mode no\nrequirepass secret\nuser default on nopass ~* +@all\n");
  ASSERT_EQ(v.size(), 1U) << ids(v);
  EXPECT_EQ(v[0].what->id, "AJAR-REDIS-001");
  EXPECT_NE(v[0].message.find("`user default` (line 4) has nopass"), std::string::npos) << v[0].message;
  // Default user switched off: nobody is served without AUTH as another user.
  EXPECT_TRUE(check_text(k, "bind 0.0.0.0\nprotected-mode yes\nuser default off\n").empty());
  // An aclfile holds the users: nothing here to judge.
  EXPECT_TRUE(check_text(k, "bind 0.0.0.0\nprotected-mode no\naclfile /etc/redis/users.acl\n").empty());
  // A comment line and an include line do not confuse the parser.
  EXPECT_TRUE(check_text(k, "# bind 0.0.0.0\ninclude /etc/redis/local.conf\nbind 127.0.0.1\n").empty());
  // rename-command CONFIG "" silences the hint.
  EXPECT_TRUE(check_text(k, "bind 0.0.0.0\nrequirepass x\nrename-command CONFIG \"\"\n").empty());
  // protected-mode needs yes/no.
  v = check_text(k, "protected-mode maybe\n");
  ASSERT_EQ(v.size(), 1U);
  EXPECT_EQ(v[0].what->id, "AJAR-AUDIT-001");
}

TEST(audit_flat, split_args_like_redis) {
  auto a = flat::split_args(R"(set "a b" 'c\'d' "\x41\n" plain)");
  ASSERT_TRUE(a);
  ASSERT_EQ(a->size(), 5U);
  EXPECT_EQ((*a)[1], "a b");
  EXPECT_EQ((*a)[2], "c'd");
  EXPECT_EQ((*a)[3], "A\n");
  EXPECT_FALSE(flat::split_args("a \"b"));
  EXPECT_FALSE(flat::split_args("a \"b\"c"));  // closing quote must be followed by a blank
}

// ---- pg_hba.conf / postgresql.conf -----------------------------------------------------------

TEST(audit_flat, pg_hba_edge_cases) {
  const auto& k = pg_hba_kind();
  // Continuation lines; the record's first line is reported.
  auto v = check_text(k, "host all all \\\n  ::/0 trust\n");
  ASSERT_EQ(v.size(), 1U) << ids(v);
  EXPECT_EQ(v[0].what->id, "AJAR-PGHBA-001");
  EXPECT_EQ(v[0].line, 1U);
  // Host names: localhost is local, anything else is the network.
  EXPECT_TRUE(check_text(k, "host all all localhost trust\n").empty());
  EXPECT_EQ(check_text(k, "host all all .example.com trust\n").size(), 1U);
  EXPECT_EQ(check_text(k, "host all all samenet trust\n").size(), 1U);
  // 127.0.0.1 with a /32 netmask field is loopback; 127.0.0.0 with 0.0.0.0 is everyone.
  EXPECT_TRUE(check_text(k, "host all all 127.0.0.1 255.255.255.255 trust\n").empty());
  v = check_text(k, "host all all 127.0.0.0 0.0.0.0 trust # everyone!\n");
  ASSERT_EQ(v.size(), 1U);
  EXPECT_NE(v[0].message.find("every address"), std::string::npos);
  // Comments, local records, reject and cert: silent.
  EXPECT_TRUE(check_text(k, "# host all all 0.0.0.0/0 trust\nlocal all all trust\nhostssl all all 10.0.0.0/8 cert\n").empty());
  // Unknown types and methods: the server would refuse the file.
  EXPECT_EQ(check_text(k, "hots all all 0.0.0.0/0 trust\n")[0].what->id, "AJAR-AUDIT-001");
  EXPECT_EQ(check_text(k, "host all all 0.0.0.0/0 trsut\n")[0].what->id, "AJAR-AUDIT-001");
  EXPECT_EQ(check_text(k, "host \"all all 0.0.0.0/0 trust\n")[0].what->id, "AJAR-AUDIT-001");
}

TEST(audit_flat, postgresql_conf_edge_cases) {
  const auto& k = postgresql_conf_kind();
  EXPECT_EQ(check_text(k, "LISTEN_ADDRESSES '*'\n").size(), 1U);               // '=' optional, any case
  EXPECT_EQ(check_text(k, "listen_addresses = 'localhost,::'\n").size(), 1U);  // '::' is every IPv6 interface
  EXPECT_TRUE(check_text(k, "listen_addresses = '10.0.0.5' # one service address\n").empty());
  EXPECT_TRUE(check_text(k, "listen_addresses = '*'\nlisten_addresses = 'localhost'\n").empty());
  EXPECT_EQ(check_text(k, "listen_addresses = '*\n")[0].what->id, "AJAR-AUDIT-001");
}

// ---- my.cnf ----------------------------------------------------------------------------------

TEST(audit_flat, mysql_edge_cases) {
  const auto& k = mysql_cnf_kind();
  // Only server groups count: skip-grant-tables under [client] does nothing.
  EXPECT_TRUE(check_text(k, "[client]\nskip-grant-tables\n").empty());
  // No bind-address: every interface (MariaDB and MySQL default).
  auto v = check_text(k, "[mysqld]\nskip-grant-tables\n");
  ASSERT_EQ(v.size(), 1U);
  EXPECT_EQ(v[0].what->id, "AJAR-MYSQL-001");
  EXPECT_NE(v[0].message.find("no bind-address (every interface)"), std::string::npos);
  // skip-networking makes it local; bare, =1 or ON.
  v = check_text(k, "[mysqld]\nskip-grant-tables\nskip-networking\n");
  ASSERT_EQ(v.size(), 1U);
  EXPECT_EQ(v[0].what->id, "AJAR-MYSQL-002");
  // The last value wins; comments after values; versioned groups; IPv6 any.
  EXPECT_TRUE(check_text(k, "[mariadb-10.11]\nskip-grant-tables = ON\nskip-grant-tables = OFF # done\n").empty());
  v = check_text(k, "[mysqld-8.0]\nbind-address = \"::\"\nskip_grant_tables = true\n");
  ASSERT_EQ(v.size(), 1U);
  EXPECT_EQ(v[0].what->id, "AJAR-MYSQL-001");
  // A comma list (MySQL 8.0.13+): one non-loopback address is enough.
  EXPECT_EQ(check_text(k, "[mysqld]\nbind-address=127.0.0.1,10.0.0.2\nskip-grant-tables\n")[0].what->id, "AJAR-MYSQL-001");
  // !include lines are kept, not parsed as options.
  EXPECT_TRUE(check_text(k, "!includedir /etc/mysql/conf.d/\n[mysqld]\nbind-address=127.0.0.1\n").empty());
  EXPECT_EQ(check_text(k, "[mysqld\nskip-grant-tables\n")[0].what->id, "AJAR-AUDIT-001");
}

// ---- ClickHouse users.xml --------------------------------------------------------------------

TEST(audit_flat, clickhouse_edge_cases) {
  const auto& k = clickhouse_users_kind();
  // No <networks>: any host.
  auto v = check_text(k, "<clickhouse>\n<users>\n<bob>\n<password/>\n</bob>\n</users>\n</clickhouse>\n");
  ASSERT_EQ(v.size(), 1U);
  EXPECT_EQ(v[0].line, 4U);
  EXPECT_NE(v[0].message.find("no <networks> (any host)"), std::string::npos);
  // A <host> entry other than localhost is the network; localhost is not.
  EXPECT_EQ(check_text(k, "<clickhouse><users><a><password></password><networks><host>bi.example</host></networks></a></users></clickhouse>").size(), 1U);
  EXPECT_TRUE(check_text(k, "<clickhouse><users><a><password></password><networks><host>localhost</host></networks></a></users></clickhouse>").empty());
  // Whitespace-only password is empty; ldap users have no password element by design.
  EXPECT_EQ(check_text(k, "<clickhouse><users><a><password>  </password><networks><ip>::/0</ip></networks></a></users></clickhouse>").size(), 1U);
  EXPECT_TRUE(check_text(k, "<clickhouse><users><a><password></password><ldap><server>corp</server></ldap></a></users></clickhouse>").empty());
  // Broken XML: unparseable, with the parser's line.
  v = check_text(k, "<clickhouse>\n<users>\n<a>\n</users>\n");
  ASSERT_EQ(v.size(), 1U);
  EXPECT_EQ(v[0].what->id, "AJAR-AUDIT-001");
}

// ---- influxdb.conf (TOML) --------------------------------------------------------------------

TEST(audit_flat, influxdb_edge_cases) {
  const auto& k = influxdb_conf_kind();
  // HTTP disabled: nothing served.
  EXPECT_TRUE(check_text(k, "[http]\nenabled = false\n").empty());
  // IPv6 every-interface and loopback forms.
  EXPECT_EQ(check_text(k, "[http]\nbind-address = \"[::]:8086\"\n").size(), 1U);
  EXPECT_TRUE(check_text(k, "[http]\nbind-address = \"[::1]:8086\"\n").empty());
  EXPECT_TRUE(check_text(k, "[http]\nbind-address = 'localhost:8086'\n").empty());
  // Keys in another table do not count.
  EXPECT_EQ(check_text(k, "[meta]\nauth-enabled = true\n[http]\n").size(), 1U);
  // Multi-line arrays and inline tables parse; a broken value is unparseable with its line.
  EXPECT_TRUE(check_text(k, "[[graphite]]\ntemplates = [\n  \"a.b\", # c\n  \"d\",\n]\nx = {a = 1, b = [1, 2]}\n"
                            "[http]\nauth-enabled = true\n").empty());
  auto v = check_text(k, "[http]\nauth-enabled = true\nrealm = \"unterminated\n");
  ASSERT_EQ(v.size(), 1U);
  EXPECT_EQ(v[0].what->id, "AJAR-AUDIT-001");
  EXPECT_EQ(v[0].line, 3U);
  // Deep nesting is refused, not recursed into.
  std::string deep = "x = " + std::string(100, '[') + std::string(100, ']') + "\n";
  EXPECT_EQ(check_text(k, deep)[0].what->id, "AJAR-AUDIT-001");
}

// ---- CouchDB ini, zoo.cfg --------------------------------------------------------------------

TEST(audit_flat, couchdb_and_zookeeper_edge_cases) {
  const auto& couch = couchdb_ini_kind();
  // An admin defined: no admin party.
  EXPECT_TRUE(check_text(couch, "[chttpd]\nbind_address = 0.0.0.0\n[admins]\nadmin = -pbkdf2-x,y,10\n").empty());
  // Loopback bind (IPv6): nothing.
  EXPECT_TRUE(check_text(couch, "[chttpd]\nbind_address = ::1\n[admins]\n").empty());
  EXPECT_EQ(check_text(couch, "[chttpd]\nbind_address = 0.0.0.0\n[admins]\n;admin = x\n").size(), 1U);
  // CouchDB 1.x: [httpd] is the front door.
  auto v = check_text(couch, "[httpd]\nbind_address = 0.0.0.0\n[admins]\n");
  ASSERT_EQ(v.size(), 1U);
  EXPECT_NE(v[0].message.find("[httpd] bind_address = 0.0.0.0"), std::string::npos) << v[0].message;

  const auto& zk = zoo_cfg_kind();
  EXPECT_EQ(check_text(zk, "4lw.commands.whitelist = srvr, *\n").size(), 1U);  // '*' anywhere in the list
  EXPECT_TRUE(check_text(zk, "4lw.commands.whitelist=srvr\n#4lw.commands.whitelist=*\n").empty());
  EXPECT_EQ(check_text(zk, "skipACL=yes\nclientPortAddress=0.0.0.0\n").size(), 1U);
  EXPECT_TRUE(check_text(zk, "skipACL=no\n").empty());
}

// Every flat kind over truncated and byte-flipped copies of every fixture: under ASan/UBSan this
// is a small deterministic fuzz run; each result must be issues or unparseable, never a crash.
TEST(audit_flat, mangled_fixtures_never_crash) {
  const std::vector<const file_kind*> flat_kinds{&redis_conf_kind(), &pg_hba_kind(), &postgresql_conf_kind(),
                                                 &mysql_cnf_kind(), &clickhouse_users_kind(), &influxdb_conf_kind(),
                                                 &couchdb_ini_kind(), &zoo_cfg_kind()};
  std::mt19937 rng(20261126);
  std::size_t runs = 0;
  for (const auto& e : fs::recursive_directory_iterator(fixtures)) {
    if (!e.is_regular_file() || e.path().filename() == "EXPECTED.audit") continue;
    std::string body = read(e.path());
    for (const auto* k : flat_kinds) {
      for (std::size_t cut = 0; cut < body.size(); cut += 1 + body.size() / 16) {
        check_text(*k, body.substr(0, cut));
        ++runs;
      }
      std::string m = body;
      for (int i = 0; i < 8 && !m.empty(); ++i) {
        m[rng() % m.size()] = static_cast<char>("\"'[]<>=#;\n\\\0 "[rng() % 12]);
        check_text(*k, m);
        ++runs;
      }
    }
  }
  EXPECT_GT(runs, 1000U);
}

TEST(audit_flat, text_classification) {
  using text::classify_cidr;
  using text::classify_host;
  using text::reach;
  EXPECT_EQ(classify_host(""), reach::all);
  EXPECT_EQ(classify_host("[::]"), reach::all);
  EXPECT_EQ(classify_host("127.0.0.2"), reach::loopback);
  EXPECT_EQ(classify_host("[::1]"), reach::loopback);
  EXPECT_EQ(classify_host("10.1.2.3"), reach::other);
  EXPECT_EQ(classify_cidr("127.0.0.0/8"), reach::loopback);
  EXPECT_EQ(classify_cidr("127.0.0.0/7"), reach::other);
  EXPECT_EQ(classify_cidr("::/0"), reach::all);
  EXPECT_EQ(classify_cidr("::1/128"), reach::loopback);
  EXPECT_EQ(text::host_of(":8086"), "");
  EXPECT_EQ(text::host_of("[::1]:8086"), "[::1]");
  EXPECT_EQ(text::host_of("::1"), "::1");
}

}  // namespace
