// Every file kind `ajar audit` knows; audit.cpp lists them in `kinds()`.
#pragma once

#include "audit/audit.hpp"

namespace ajar::audit {

// kinds_flat.cpp: line-, INI-, TOML- and XML-shaped files.
const file_kind& redis_conf_kind();       // redis.conf, valkey.conf
const file_kind& pg_hba_kind();           // pg_hba.conf
const file_kind& postgresql_conf_kind();  // postgresql.conf
const file_kind& mysql_cnf_kind();        // my.cnf, mariadb.cnf, conf.d/*.cnf
const file_kind& clickhouse_users_kind(); // users.xml, users.d/*.xml
const file_kind& influxdb_conf_kind();    // influxdb.conf (1.x TOML)
const file_kind& couchdb_ini_kind();      // local.ini, default.ini, local.d/*.ini
const file_kind& zoo_cfg_kind();          // zoo.cfg

// kinds_yaml.cpp: YAML-shaped files (parsed with yaml-cpp) and etcd's environment file.
const file_kind& mongod_conf_kind();         // mongod.conf
const file_kind& elasticsearch_yml_kind();   // elasticsearch.yml
const file_kind& opensearch_yml_kind();      // opensearch.yml
const file_kind& kibana_yml_kind();          // kibana.yml, opensearch_dashboards.yml
const file_kind& etcd_conf_kind();           // etcd.conf.yml, /etc/default/etcd (ETCD_* variables)
const file_kind& docker_compose_kind();      // docker-compose.yml, compose.yaml
const file_kind& kubernetes_kind();          // Kubernetes manifests (Deployment, StatefulSet, Pod, ...)

}  // namespace ajar::audit
