#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "probes/probe.hpp"

namespace ajar::probes {

// Each probe file defines one of these; registry.cpp lists them. No self-registering statics.
const probe& amqp_probe();
const probe& cassandra_probe();
const probe& clickhouse_probe();
const probe& clickhouse_native_probe();
const probe& consul_probe();
const probe& couchdb_probe();
const probe& docker_probe();
const probe& elasticsearch_probe();
const probe& elasticsearch_transport_probe();
const probe& etcd_probe();
const probe& ftp_probe();
const probe& influxdb_probe();
const probe& kibana_probe();
const probe& memcached_probe();
const probe& mongodb_probe();
const probe& mssql_probe();
const probe& mysql_probe();
const probe& neo4j_probe();
const probe& oracle_tns_probe();
const probe& postgresql_probe();
const probe& rabbitmq_probe();
const probe& redis_probe();
const probe& smtp_probe();
const probe& solr_probe();
const probe& ssh_probe();
const probe& zookeeper_probe();

// The last resort under --all: a web server nothing else recognised (service "http"). Not in
// all(): it never claims a port and is never a candidate of its own.
const probe& http_fallback_probe();

// A conversation some probes need after identifying, on a connection of their own (the engine
// runs it and merges its verdict, evidence and names into the first observation): ZooKeeper
// closes a connection after a four-letter word, so its anonymous-session check comes second.
// Not in all(). nullptr when the probe named has none.
const probe& zookeeper_session_probe();
const probe* follow_up_of(std::string_view name);

// Every probe, alphabetical by name: the builtins below plus any added with add_dynamic().
std::span<const probe* const> all();
// Probes defined at start-up instead of compiled in (declarative HTTP signatures, src/sigs/).
// Call before any scan starts, from one thread: spans returned by all() earlier are invalidated.
// A name equal to a builtin's or to another added probe's throws std::invalid_argument.
void add_dynamic(std::vector<std::unique_ptr<probe>> extra);
const probe* find(std::string_view name);
// Default ports of a probe by name (for `-p redis`), nullopt for an unknown name.
std::optional<std::vector<std::uint16_t>> default_ports_of(std::string_view name);
// The union of every probe's default ports, sorted.
std::vector<std::uint16_t> all_default_ports();
// The order to try probes on a port: those that claim the port, then server-speaks-first
// probes, then the rest.
std::vector<const probe*> candidates_for(std::uint16_t port);

}  // namespace ajar::probes
