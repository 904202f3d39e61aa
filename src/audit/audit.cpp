#include "audit/audit.hpp"

#include <algorithm>
#include <array>

#include "audit/kinds.hpp"

namespace ajar::audit {

std::size_t source_file::line_of(std::size_t pos) const {
  pos = std::min(pos, text.size());
  return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(pos), '\n'));
}

namespace {
constexpr rule unparseable_rule{"AJAR-AUDIT-001", "audit", core::severity::info,
                                "The file could not be parsed, so no rule was checked",
                                "Fix the syntax error the message names", ""};
}  // namespace

std::span<const file_kind* const> kinds() {
  static const std::array<const file_kind*, 15> all{
      &redis_conf_kind(),   &pg_hba_kind(),          &postgresql_conf_kind(), &mysql_cnf_kind(),
      &clickhouse_users_kind(), &influxdb_conf_kind(), &couchdb_ini_kind(),   &zoo_cfg_kind(),
      &mongod_conf_kind(),  &elasticsearch_yml_kind(), &opensearch_yml_kind(), &kibana_yml_kind(),
      &etcd_conf_kind(),    &docker_compose_kind(),  &kubernetes_kind()};
  return all;
}

std::vector<const rule*> all_rules() {
  std::vector<const rule*> out{&unparseable_rule};
  for (const auto* k : kinds())
    for (const auto& r : k->rules) out.push_back(&r);
  std::sort(out.begin(), out.end(), [](const rule* a, const rule* b) { return a->id < b->id; });
  return out;
}

issue unparseable(const source_file& file, std::size_t line, std::string message) {
  return issue{&unparseable_rule, file.path, line, 0, std::move(message)};
}

}  // namespace ajar::audit
