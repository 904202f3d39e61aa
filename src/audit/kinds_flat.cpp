// Line-, INI-, TOML- and XML-shaped configuration files.
// STUB: replaced by the real kinds.
#include "audit/kinds.hpp"

namespace ajar::audit {

namespace {
bool never(std::string_view, std::string_view) { return false; }
void nothing(const source_file&, std::vector<issue>&) {}
}  // namespace

const file_kind& redis_conf_kind() {
  static const file_kind k{"redis_conf", never, nothing, {}};
  return k;
}

const file_kind& pg_hba_kind() {
  static const file_kind k{"pg_hba", never, nothing, {}};
  return k;
}

const file_kind& postgresql_conf_kind() {
  static const file_kind k{"postgresql_conf", never, nothing, {}};
  return k;
}

const file_kind& mysql_cnf_kind() {
  static const file_kind k{"mysql_cnf", never, nothing, {}};
  return k;
}

const file_kind& clickhouse_users_kind() {
  static const file_kind k{"clickhouse_users", never, nothing, {}};
  return k;
}

const file_kind& influxdb_conf_kind() {
  static const file_kind k{"influxdb_conf", never, nothing, {}};
  return k;
}

const file_kind& couchdb_ini_kind() {
  static const file_kind k{"couchdb_ini", never, nothing, {}};
  return k;
}

const file_kind& zoo_cfg_kind() {
  static const file_kind k{"zoo_cfg", never, nothing, {}};
  return k;
}

}  // namespace ajar::audit
