// YAML-shaped configuration files.
// STUB: replaced by the real kinds.
#include "audit/kinds.hpp"

namespace ajar::audit {

namespace {
bool never(std::string_view, std::string_view) { return false; }
void nothing(const source_file&, std::vector<issue>&) {}
}  // namespace

const file_kind& mongod_conf_kind() {
  static const file_kind k{"mongod_conf", never, nothing, {}};
  return k;
}

const file_kind& elasticsearch_yml_kind() {
  static const file_kind k{"elasticsearch_yml", never, nothing, {}};
  return k;
}

const file_kind& opensearch_yml_kind() {
  static const file_kind k{"opensearch_yml", never, nothing, {}};
  return k;
}

const file_kind& kibana_yml_kind() {
  static const file_kind k{"kibana_yml", never, nothing, {}};
  return k;
}

const file_kind& etcd_conf_kind() {
  static const file_kind k{"etcd_conf", never, nothing, {}};
  return k;
}

const file_kind& docker_compose_kind() {
  static const file_kind k{"docker_compose", never, nothing, {}};
  return k;
}

const file_kind& kubernetes_kind() {
  static const file_kind k{"kubernetes", never, nothing, {}};
  return k;
}

}  // namespace ajar::audit
