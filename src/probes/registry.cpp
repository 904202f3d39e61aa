#include "probes/registry.hpp"

#include <algorithm>
#include <array>

namespace ajar::probes {

std::span<const probe* const> all() {
  // The explicit list, alphabetical. Adding a protocol adds one line here.
  static const std::array<const probe*, 14> list = {
      &clickhouse_probe(),
      &consul_probe(),
      &couchdb_probe(),
      &docker_probe(),
      &elasticsearch_probe(),
      &etcd_probe(),
      &influxdb_probe(),
      &kibana_probe(),
      &memcached_probe(),
      &mysql_probe(),
      &postgresql_probe(),
      &rabbitmq_probe(),
      &redis_probe(),
      &solr_probe(),
  };
  return list;
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
