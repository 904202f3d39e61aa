// Each image's documented switches, with the page that documents them:
//   postgres  https://hub.docker.com/_/postgres  POSTGRES_HOST_AUTH_METHOD=trust: "allows anyone
//             to connect without a password, even if one is set".
//   mysql     https://hub.docker.com/_/mysql     MYSQL_ALLOW_EMPTY_PASSWORD (any non-empty value)
//             with no MYSQL_ROOT_PASSWORD / MYSQL_RANDOM_ROOT_PASSWORD: root@% has no password.
//   mariadb   https://hub.docker.com/_/mariadb   MARIADB_ALLOW_EMPTY_ROOT_PASSWORD (or the MYSQL_
//             alias), same reasoning.
//   redis     https://hub.docker.com/_/redis     "Protected mode is turned off by default ... if
//   you
//             expose the port outside of your host, it will be open without a password to anyone"
//             (the image builds redis with protected-mode off); --requirepass / --aclfile / a
//             config file change that. valkey/valkey builds the same way
//             (https://hub.docker.com/r/valkey/valkey).
//   mongo     https://hub.docker.com/_/mongo     mongod runs with --auth only when
//             MONGO_INITDB_ROOT_USERNAME/PASSWORD are set; it always binds all interfaces.
//   elasticsearch https://www.elastic.co/guide/en/elasticsearch/reference/current/docker.html
//             settings as variables (xpack.security.enabled=false); before 8.0 security is off
//             unless enabled (7.x basic license); the -oss images have no security at all.
//   opensearch https://opensearch.org/docs/latest/install-and-configure/install-opensearch/docker/
//             DISABLE_SECURITY_PLUGIN=true; dashboards: DISABLE_SECURITY_DASHBOARDS_PLUGIN=true.
//   kibana    https://www.elastic.co/guide/en/kibana/7.17/docker.html XPACK_SECURITY_ENABLED=false.
//   couchdb   https://hub.docker.com/_/couchdb   without COUCHDB_USER a 1.x/2.x image is in "admin
//             party" (everyone is admin); 3.x refuses to start without an admin.
//   memcached https://hub.docker.com/_/memcached  no authentication unless started with -S (SASL).
//   bitnami/* https://github.com/bitnami/containers  ALLOW_EMPTY_PASSWORD=yes with no password
//             variable starts the server without a password (redis, valkey, mongodb, postgresql,
//             mysql, mariadb).
#include "audit/yaml_images.hpp"

#include <array>
#include <cctype>

#include "audit/yaml_settings.hpp"

namespace ajar::audit::images {

namespace {

using yaml_util::is_false;
using yaml_util::is_true;
using yaml_util::lower;
using yaml_util::trim;

enum class family {
  redis,
  valkey,
  mongo,
  postgres,
  mysql,
  mariadb,
  elasticsearch,
  elasticsearch_oss,
  opensearch,
  kibana,
  opensearch_dashboards,
  couchdb,
  memcached
};

struct known_image {
  std::string_view path;  // repository path after the docker.io/ and library/ prefixes
  family fam;
  image_info info;
};

constexpr std::array official{
    known_image{"redis", family::redis, {"redis", 6379, false}},
    known_image{"valkey/valkey", family::valkey, {"valkey", 6379, false}},
    known_image{"mongo", family::mongo, {"mongodb", 27017, false}},
    known_image{"postgres", family::postgres, {"postgresql", 5432, false}},
    known_image{"mysql", family::mysql, {"mysql", 3306, false}},
    known_image{"mariadb", family::mariadb, {"mariadb", 3306, false}},
    known_image{"elasticsearch", family::elasticsearch, {"elasticsearch", 9200, false}},
    known_image{"docker.elastic.co/elasticsearch/elasticsearch",
                family::elasticsearch,
                {"elasticsearch", 9200, false}},
    known_image{"docker.elastic.co/elasticsearch/elasticsearch-oss",
                family::elasticsearch_oss,
                {"elasticsearch", 9200, false}},
    known_image{"opensearchproject/opensearch", family::opensearch, {"opensearch", 9200, false}},
    known_image{"public.ecr.aws/opensearchproject/opensearch",
                family::opensearch,
                {"opensearch", 9200, false}},
    known_image{"kibana", family::kibana, {"kibana", 5601, true}},
    known_image{"docker.elastic.co/kibana/kibana", family::kibana, {"kibana", 5601, true}},
    known_image{"opensearchproject/opensearch-dashboards",
                family::opensearch_dashboards,
                {"opensearch-dashboards", 5601, true}},
    known_image{"public.ecr.aws/opensearchproject/opensearch-dashboards",
                family::opensearch_dashboards,
                {"opensearch-dashboards", 5601, true}},
    known_image{"couchdb", family::couchdb, {"couchdb", 5984, false}},
    known_image{"memcached", family::memcached, {"memcached", 11211, false}},
};

// bitnami/<name>, from any registry: the variable that sets the password for each.
struct bitnami_image {
  std::string_view name;
  image_info info;
  std::array<std::string_view, 3> password_vars;
};

constexpr std::array bitnami{
    bitnami_image{"redis", {"redis", 6379, false}, {"REDIS_PASSWORD", "REDIS_PASSWORD_FILE", ""}},
    bitnami_image{
        "valkey", {"valkey", 6379, false}, {"VALKEY_PASSWORD", "VALKEY_PASSWORD_FILE", ""}},
    bitnami_image{"mongodb",
                  {"mongodb", 27017, false},
                  {"MONGODB_ROOT_PASSWORD", "MONGODB_ROOT_PASSWORD_FILE", "MONGODB_PASSWORD"}},
    bitnami_image{"postgresql",
                  {"postgresql", 5432, false},
                  {"POSTGRESQL_PASSWORD", "POSTGRES_PASSWORD", "POSTGRESQL_PASSWORD_FILE"}},
    bitnami_image{
        "mysql", {"mysql", 3306, false}, {"MYSQL_ROOT_PASSWORD", "MYSQL_ROOT_PASSWORD_FILE", ""}},
    bitnami_image{"mariadb",
                  {"mariadb", 3306, false},
                  {"MARIADB_ROOT_PASSWORD", "MARIADB_ROOT_PASSWORD_FILE", "MYSQL_ROOT_PASSWORD"}},
};

struct image_ref {
  std::string path;  // lower-case, without registry docker.io, library/, tag and digest
  std::string tag;
  int major = -1;  // leading number of the tag, -1 when there is none ("latest", no tag)
};

image_ref parse_ref(std::string_view image) {
  image = trim(image);
  image = image.substr(0, image.find('@'));  // digest
  image_ref r;
  const auto slash = image.rfind('/');
  const auto colon = image.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    r.tag = std::string(image.substr(colon + 1));
    image = image.substr(0, colon);
  }
  r.path = lower(image);
  for (const std::string_view prefix : {"docker.io/", "index.docker.io/", "registry-1.docker.io/"})
    if (r.path.starts_with(prefix)) r.path.erase(0, prefix.size());
  if (r.path.starts_with("library/")) r.path.erase(0, 8);
  std::string_view t = r.tag;
  if (t.starts_with('v')) t.remove_prefix(1);
  if (!t.empty() && std::isdigit(static_cast<unsigned char>(t.front()))) {
    r.major = 0;
    for (std::size_t i = 0; i < t.size() && i < 4 && std::isdigit(static_cast<unsigned char>(t[i]));
         ++i)
      r.major = r.major * 10 + (t[i] - '0');
  }
  return r;
}

const known_image* find_official(const image_ref& r) {
  for (const auto& k : official)
    if (r.path == k.path) return &k;
  return nullptr;
}

const bitnami_image* find_bitnami(const image_ref& r) {
  const auto slash = r.path.rfind('/');
  if (slash == std::string::npos) return nullptr;
  const std::string_view owner_path = std::string_view(r.path).substr(0, slash);
  if (!(owner_path == "bitnami" || owner_path.ends_with("/bitnami"))) return nullptr;
  const std::string_view name = std::string_view(r.path).substr(slash + 1);
  for (const auto& b : bitnami)
    if (b.name == name) return &b;
  return nullptr;
}

// The container's environment, read through a small interface.
class env_view {
 public:
  explicit env_view(const container& c) : c_(c) {}
  [[nodiscard]] const env_var* get(std::string_view name) const {
    const auto it = c_.env.find(name);
    return it == c_.env.end() ? nullptr : &it->second;
  }
  // Set to something (even a value this file cannot see) that is not empty.
  [[nodiscard]] bool present(std::string_view name) const {
    const auto* v = get(name);
    return v != nullptr && (!v->known || !trim(v->value).empty());
  }
  // Known, and satisfying `pred`.
  template <class Pred>
  [[nodiscard]] const env_var* known(std::string_view name, Pred pred) const {
    const auto* v = get(name);
    return v != nullptr && v->known && pred(trim(v->value)) ? v : nullptr;
  }

 private:
  const container& c_;
};

// Whether any word of the command is `flag` or `flag=...`.
bool has_flag(const container& c, std::string_view flag) {
  for (const auto& a : c.args)
    if (a == flag || (a.starts_with(flag) && a.size() > flag.size() && a[flag.size()] == '='))
      return true;
  return false;
}

// The word after `flag` (or after `flag=`), empty when absent.
std::string flag_value(const container& c, std::string_view flag) {
  for (std::size_t i = 0; i < c.args.size(); ++i) {
    const auto& a = c.args[i];
    if (a == flag && i + 1 < c.args.size()) return c.args[i + 1];
    if (a.starts_with(flag) && a.size() > flag.size() && a[flag.size()] == '=')
      return a.substr(flag.size() + 1);
  }
  return {};
}

bool names_config_file(const container& c) {
  for (const auto& a : c.args)
    if (a.ends_with(".conf") || a.ends_with(".cfg") || a == "--config" || a == "-f") return true;
  return false;
}

std::string quote(std::string_view name, const env_var& v) {
  return std::string(name) + "=" + v.value;
}

std::size_t command_or_image_line(const container& c) {
  return c.command_line != 0 ? c.command_line : c.image_line;
}

std::optional<open_reason> redis_like(const container& c, std::string_view server) {
  if (has_flag(c, "--requirepass") || has_flag(c, "--aclfile") || has_flag(c, "--user"))
    return std::nullopt;
  if (names_config_file(c)) return std::nullopt;  // the config file decides (audit it too)
  // With protected mode on and no password, redis refuses every client that is not loopback.
  if (is_true(flag_value(c, "--protected-mode"))) return std::nullopt;
  const auto bind = flag_value(c, "--bind");
  if (!bind.empty()) {
    bool network = false;
    for (const auto& h : yaml_util::split_list(bind, ' '))
      network = network || yaml_util::classify_host(h) == yaml_util::reach::network;
    if (!network) return std::nullopt;
  }
  const bool explicit_off = lower(flag_value(c, "--protected-mode")) == "no";
  return open_reason{
      command_or_image_line(c),
      "image " + c.image + " runs " + std::string(server) + " with no --requirepass" +
          (explicit_off ? " and --protected-mode no" : " (the image turns protected mode off)")};
}

std::optional<open_reason> official_image(const known_image& k, const image_ref& r,
                                          const container& c) {
  const env_view env(c);
  switch (k.fam) {
    case family::redis:
      return redis_like(c, "redis-server");
    case family::valkey:
      return redis_like(c, "valkey-server");
    case family::postgres:
      if (const auto* v = env.known("POSTGRES_HOST_AUTH_METHOD",
                                    [](std::string_view s) { return lower(s) == "trust"; }))
        return open_reason{v->line, quote("POSTGRES_HOST_AUTH_METHOD", *v) +
                                        ": every client is trusted, password or not"};
      return std::nullopt;
    case family::mysql:
    case family::mariadb: {
      const env_var* allow = nullptr;
      std::string_view allow_name;
      for (const std::string_view n :
           {"MARIADB_ALLOW_EMPTY_ROOT_PASSWORD", "MYSQL_ALLOW_EMPTY_PASSWORD"}) {
        if (n.starts_with("MARIADB") && k.fam != family::mariadb) continue;
        if (const auto* v = env.known(n, [](std::string_view s) { return !s.empty(); })) {
          allow = v;
          allow_name = n;
          break;
        }
      }
      if (allow == nullptr || c.env_elsewhere) return std::nullopt;
      for (const std::string_view n :
           {"MYSQL_ROOT_PASSWORD", "MYSQL_ROOT_PASSWORD_FILE", "MYSQL_RANDOM_ROOT_PASSWORD",
            "MARIADB_ROOT_PASSWORD", "MARIADB_ROOT_PASSWORD_FILE", "MARIADB_RANDOM_ROOT_PASSWORD"})
        if (env.present(n)) return std::nullopt;
      return open_reason{allow->line, quote(allow_name, *allow) +
                                          " with no root password: root@'%' logs in with none"};
    }
    case family::mongo:
      if (env.present("MONGO_INITDB_ROOT_USERNAME") ||
          env.present("MONGO_INITDB_ROOT_USERNAME_FILE") || has_flag(c, "--auth") ||
          has_flag(c, "--keyFile") || names_config_file(c) || c.env_elsewhere)
        return std::nullopt;
      return open_reason{c.image_line, "image " + c.image +
                                           " with no MONGO_INITDB_ROOT_USERNAME: mongod runs "
                                           "without --auth"};
    case family::elasticsearch_oss:
      return open_reason{c.image_line, "image " + c.image + " has no security features at all"};
    case family::elasticsearch: {
      const env_var* sec = nullptr;
      std::string_view sec_name;
      for (const std::string_view n :
           {"xpack.security.enabled", "ES_SETTING_XPACK_SECURITY_ENABLED"})
        if (const auto* v = env.get(n)) {
          sec = v;
          sec_name = n;
        }
      if (sec != nullptr && sec->known && is_false(sec->value))
        return open_reason{sec->line, quote(sec_name, *sec) + ": no authentication"};
      if (has_flag(c, "-Expack.security.enabled") &&
          is_false(flag_value(c, "-Expack.security.enabled")))
        return open_reason{command_or_image_line(c),
                           "-Expack.security.enabled=false: no authentication"};
      if (sec == nullptr && r.major >= 1 && r.major < 8 && !c.env_elsewhere &&
          !has_flag(c, "-Expack.security.enabled")) {
        std::string msg = "image " + c.image + " with no xpack.security.enabled=true";
        if (const auto* d =
                env.known("discovery.type", [](std::string_view s) { return s == "single-node"; }))
          msg += " (discovery.type=" + d->value + ")";
        return open_reason{c.image_line, msg + ": security is off by default before 8.0"};
      }
      return std::nullopt;
    }
    case family::opensearch:
      for (const std::string_view n : {"DISABLE_SECURITY_PLUGIN", "plugins.security.disabled"})
        if (const auto* v = env.known(n, [](std::string_view s) { return is_true(s); }))
          return open_reason{v->line, quote(n, *v) + ": the security plugin is off"};
      return std::nullopt;
    case family::kibana:
      for (const std::string_view n : {"XPACK_SECURITY_ENABLED", "xpack.security.enabled"})
        if (const auto* v = env.known(n, [](std::string_view s) { return is_false(s); }))
          return open_reason{v->line, quote(n, *v) + ": Kibana asks for no login"};
      return std::nullopt;
    case family::opensearch_dashboards:
      if (const auto* v = env.known("DISABLE_SECURITY_DASHBOARDS_PLUGIN",
                                    [](std::string_view s) { return is_true(s); }))
        return open_reason{v->line, quote("DISABLE_SECURITY_DASHBOARDS_PLUGIN", *v) +
                                        ": the dashboards ask for no login"};
      return std::nullopt;
    case family::couchdb:
      if (r.major >= 1 && r.major < 3 && !env.present("COUCHDB_USER") && !c.env_elsewhere)
        return open_reason{c.image_line, "image " + c.image +
                                             " with no COUCHDB_USER: CouchDB before 3.0 starts "
                                             "in admin party (everyone is admin)"};
      return std::nullopt;
    case family::memcached:
      if (has_flag(c, "-S") || has_flag(c, "--enable-sasl")) return std::nullopt;
      return open_reason{command_or_image_line(c),
                         "image " + c.image + " without -S: memcached has no authentication"};
  }
  return std::nullopt;
}

}  // namespace

env_var env_from_text(std::string_view value, std::size_t line) {
  const bool from_shell = value.find('$') != std::string_view::npos;
  return env_var{std::string(value), line, !from_shell};
}

std::optional<image_info> recognise(std::string_view image) {
  const auto r = parse_ref(image);
  if (const auto* k = find_official(r)) return k->info;
  if (const auto* b = find_bitnami(r)) return b->info;
  return std::nullopt;
}

std::optional<open_reason> auth_disabled(const container& c) {
  const auto r = parse_ref(c.image);
  if (const auto* k = find_official(r)) return official_image(*k, r, c);
  const auto* b = find_bitnami(r);
  if (b == nullptr) return std::nullopt;
  const env_view env(c);
  const auto* allow =
      env.known("ALLOW_EMPTY_PASSWORD", [](std::string_view s) { return is_true(s); });
  if (allow == nullptr || c.env_elsewhere) return std::nullopt;
  for (const auto n : b->password_vars)
    if (!n.empty() && env.present(n)) return std::nullopt;
  return open_reason{allow->line, quote("ALLOW_EMPTY_PASSWORD", *allow) +
                                      " with no password variable: the server takes any client"};
}

}  // namespace ajar::audit::images
