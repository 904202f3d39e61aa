#include "probes/registry.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

#include <fmt/format.h>

namespace ajar::probes {

namespace {

std::span<const probe* const> builtins() {
  // The explicit list, alphabetical. Adding a protocol adds one line here.
  static const std::array<const probe*, 26> list = {
      &amqp_probe(),
      &cassandra_probe(),
      &clickhouse_probe(),
      &clickhouse_native_probe(),
      &consul_probe(),
      &couchdb_probe(),
      &docker_probe(),
      &elasticsearch_probe(),
      &elasticsearch_transport_probe(),
      &etcd_probe(),
      &ftp_probe(),
      &influxdb_probe(),
      &kibana_probe(),
      &memcached_probe(),
      &mongodb_probe(),
      &mssql_probe(),
      &mysql_probe(),
      &neo4j_probe(),
      &oracle_tns_probe(),
      &postgresql_probe(),
      &rabbitmq_probe(),
      &redis_probe(),
      &smtp_probe(),
      &solr_probe(),
      &ssh_probe(),
      &zookeeper_probe(),
  };
  return list;
}

// Probes added at start-up (add_dynamic): owned here, merged with the builtins once.
struct dynamic_probes {
  std::vector<std::unique_ptr<probe>> owned;
  std::vector<const probe*> merged;  // builtins + owned, alphabetical; empty until one is added
};

dynamic_probes& dynamic() {
  static dynamic_probes d;
  return d;
}

}  // namespace

std::span<const probe* const> all() {
  const auto& d = dynamic();
  if (d.merged.empty()) return builtins();
  return d.merged;
}

void add_dynamic(std::vector<std::unique_ptr<probe>> extra) {
  auto& d = dynamic();
  // Every name is checked before anything is added: a refusal leaves the registry as it was.
  std::vector<std::string_view> names;
  for (const auto* p : all()) names.push_back(p->info().name);
  for (const auto& p : extra) {
    auto name = p->info().name;
    if (std::find(names.begin(), names.end(), name) != names.end())
      throw std::invalid_argument(fmt::format("probe name '{}' is already taken", name));
    names.push_back(name);
  }
  for (auto& p : extra) d.owned.push_back(std::move(p));
  d.merged.assign(builtins().begin(), builtins().end());
  for (const auto& p : d.owned) d.merged.push_back(p.get());
  std::sort(d.merged.begin(), d.merged.end(),
            [](const probe* a, const probe* b) { return a->info().name < b->info().name; });
}

const probe* follow_up_of(std::string_view name) {
  // The explicit list of follow-ups.
  if (name == "zookeeper") return &zookeeper_session_probe();
  return nullptr;
}

const probe* find(std::string_view name) {
  for (const auto* p : all())
    if (p->info().name == name) return p;
  return nullptr;
}

std::optional<std::vector<std::uint16_t>> default_ports_of(std::string_view name) {
  const auto* p = find(name);
  if (p == nullptr) return std::nullopt;
  auto ports = p->info().default_ports;
  return std::vector<std::uint16_t>(ports.begin(), ports.end());
}

std::vector<std::uint16_t> all_default_ports() {
  std::vector<std::uint16_t> out;
  for (const auto* p : all()) out.insert(out.end(), p->info().default_ports.begin(), p->info().default_ports.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<const probe*> candidates_for(std::uint16_t port) {
  auto claims = [port](const probe* p) {
    auto ports = p->info().default_ports;
    return std::find(ports.begin(), ports.end(), port) != ports.end();
  };
  std::vector<const probe*> out;
  for (const auto* p : all())
    if (claims(p)) out.push_back(p);
  for (const auto* p : all())
    if (!claims(p) && p->info().server_speaks_first) out.push_back(p);
  for (const auto* p : all())
    if (!claims(p) && !p->info().server_speaks_first) out.push_back(p);
  return out;
}

}  // namespace ajar::probes
