#!/usr/bin/env bash
# lab/verify.sh - check a running ajar loopback lab with the real clients
# (redis-cli, psql, mariadb, etcdctl, influx, clickhouse-client, zkCli.sh, curl) and raw
# TCP, and print PASS/FAIL per check.
# Exit status: 0 if every check passed, 1 otherwise.
#
#   lab/lab.sh start && lab/verify.sh          # everything
#   lab/verify.sh http                         # only some groups/families
#                                              # (db, http, redis, etcd, ...)
#   lab/verify.sh crossed                      # the opt-in group (not in the default)
#
# Only 127.x addresses are contacted (the ones printed by `lab.sh env`).
# Client config files are ignored (psql -X, PGPASSFILE=/dev/null,
# mariadb --no-defaults) so the results depend on the servers only.
set -euo pipefail
export LC_ALL=C

LAB_HOME=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
LAB_LIB=$LAB_HOME/lib
# shellcheck source=lib/common.sh
source "$LAB_LIB/common.sh"

eval "$("$LAB_HOME/lab.sh" env)"
unset PGPASSWORD MYSQL_PWD REDISCLI_AUTH ETCDCTL_USER ETCDCTL_PASSWORD INFLUX_USERNAME INFLUX_PASSWORD

# Which families to check (default: all). Groups as in lab.sh.
declare -A groups=([db]="redis postgresql mariadb memcached zookeeper"
                   [http]="etcd influxdb clickhouse jupyter prometheus rabbitmq phpmyadmin adminer")
want=" "
(( $# )) || set -- db http
for a in "$@"; do want+="${groups[$a]:-$a} "; done
wants() { [[ $want == *" $1 "* ]]; }
export PGPASSFILE=/dev/null PGCONNECT_TIMEOUT=5

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
PSQL=$PGBIN/psql

pass=0 fail=0
check() { # DESCRIPTION EXPECTED-SUBSTRING ACTUAL
  if [[ $3 == *"$2"* ]]; then
    printf 'PASS  %s\n' "$1"; pass=$(( pass + 1 ))
  else
    printf 'FAIL  %s\n      expected to contain: %s\n      got: %s\n' "$1" "$2" "${3//$'\n'/ | }"
    fail=$(( fail + 1 ))
  fi
}
run() { timeout 10 "$@" 2>&1 </dev/null || true; }
host() { local a=${1%:*}; lab_assert_loopback "$a"; printf '%s' "$a"; }
port() { printf '%s' "${1##*:}"; }

# --- redis --------------------------------------------------------------------
if wants redis; then
h=$(host "$AJAR_LAB_REDIS_OPEN"); p=$(port "$AJAR_LAB_REDIS_OPEN")
out=$(run redis-cli -h "$h" -p "$p" INFO keyspace)
check "redis-open: INFO keyspace without password shows db0 (5 keys)" "db0:keys=5," "$out"
check "redis-open: ... and db1 (2 keys)" "db1:keys=2," "$out"

h=$(host "$AJAR_LAB_REDIS_SECURED"); p=$(port "$AJAR_LAB_REDIS_SECURED")
out=$(run redis-cli -h "$h" -p "$p" INFO keyspace)
check "redis-secured: INFO keyspace without password is refused" "NOAUTH Authentication required" "$out"
out=$(REDISCLI_AUTH=$AJAR_LAB_REDIS_SECURED_PASSWORD run redis-cli -h "$h" -p "$p" INFO keyspace)
check "redis-secured: with the password db0 has 5 keys" "db0:keys=5," "$out"
fi

# --- postgresql -----------------------------------------------------------------
if wants postgresql; then
h=$(host "$AJAR_LAB_POSTGRESQL_OPEN"); p=$(port "$AJAR_LAB_POSTGRESQL_OPEN")
out=$(run "$PSQL" -X -w -At -h "$h" -p "$p" -U postgres -c 'select 1')
check "postgresql-open: psql -U postgres 'select 1' without password" "1" "$out"
out=$(run "$PSQL" -X -w -At -h "$h" -p "$p" -U postgres -d lab_shop -c 'select count(*) from customers')
check "postgresql-open: lab_shop.customers has 5 rows" "5" "$out"

h=$(host "$AJAR_LAB_POSTGRESQL_SECURED"); p=$(port "$AJAR_LAB_POSTGRESQL_SECURED")
out=$(run "$PSQL" -X -w -At -h "$h" -p "$p" -U postgres -c 'select 1')
check "postgresql-secured: psql -w without password fails" "fe_sendauth: no password supplied" "$out"
out=$(PGPASSWORD=$AJAR_LAB_POSTGRESQL_SECURED_PASSWORD run "$PSQL" -X -w -At -h "$h" -p "$p" -U postgres -d lab_shop -c 'select count(*) from customers')
check "postgresql-secured: with the password lab_shop.customers has 5 rows" "5" "$out"

h=$(host "$AJAR_LAB_POSTGRESQL_RESTRICTED"); p=$(port "$AJAR_LAB_POSTGRESQL_RESTRICTED")
out=$(run "$PSQL" -X -w -At -h "$h" -p "$p" -U postgres -c 'select 1')
check "postgresql-restricted: rejected by pg_hba" 'no pg_hba.conf entry for host "127.0.0.1"' "$out"
fi

# --- mariadb --------------------------------------------------------------------
if wants mariadb; then
my() { run mariadb --no-defaults --protocol=TCP --connect-timeout=5 --batch --skip-column-names "$@"; }
h=$(host "$AJAR_LAB_MARIADB_OPEN"); p=$(port "$AJAR_LAB_MARIADB_OPEN")
out=$(my -h "$h" -P "$p" -u root -e 'show databases')
check "mariadb-open: root without password can 'show databases'" "lab_crm" "$out"
out=$(my -h "$h" -P "$p" -u root -e "select concat((select count(*) from lab_crm.contacts),'/',(select count(*) from lab_crm.deals))")
check "mariadb-open: lab_crm has 5 contacts / 3 deals" "5/3" "$out"

h=$(host "$AJAR_LAB_MARIADB_SECURED"); p=$(port "$AJAR_LAB_MARIADB_SECURED")
out=$(my -h "$h" -P "$p" -u root -e 'select 1')
check "mariadb-secured: root without password gets ERROR 1045" "ERROR 1045 (28000)" "$out"
out=$(MYSQL_PWD=$AJAR_LAB_MARIADB_SECURED_PASSWORD my -h "$h" -P "$p" -u root -e 'select count(*) from lab_crm.contacts')
check "mariadb-secured: with the password lab_crm.contacts has 5 rows" "5" "$out"

h=$(host "$AJAR_LAB_MARIADB_RESTRICTED"); p=$(port "$AJAR_LAB_MARIADB_RESTRICTED")
out=$(lab_tcp "$h" "$p" hex 7 </dev/null || true)
check "mariadb-restricted: first packet is ERR 1130 (ff 6a 04) before any handshake" "00 ff 6a 04" "$out"
out=$(my -h "$h" -P "$p" -u root -e 'select 1')
check "mariadb-restricted: client reports 1130 Host ... not allowed" "1130" "$out"
fi

# --- memcached ------------------------------------------------------------------
if wants memcached; then
h=$(host "$AJAR_LAB_MEMCACHED_OPEN"); p=$(port "$AJAR_LAB_MEMCACHED_OPEN")
out=$(printf 'stats\r\n' | lab_tcp "$h" "$p" lines 3 || true)
check "memcached-open: text 'stats' answers STAT lines" "STAT pid " "$out"
out=$(printf 'get lab:customer:1\r\n' | lab_tcp "$h" "$p" lines 2 || true)
check "memcached-open: seeded item lab:customer:1" "Ada Example" "$out"

h=$(host "$AJAR_LAB_MEMCACHED_SECURED"); p=$(port "$AJAR_LAB_MEMCACHED_SECURED")
out=$(printf 'stats\r\n' | lab_tcp "$h" "$p" lines 1 || true)
check "memcached-secured: unauthenticated 'stats' is refused" "CLIENT_ERROR unauthenticated" "$out"
cred="$AJAR_LAB_MEMCACHED_SECURED_USER $AJAR_LAB_MEMCACHED_SECURED_PASSWORD"
out=$(printf 'set auth 0 0 %d\r\n%s\r\nget lab:customer:2\r\n' "${#cred}" "$cred" | lab_tcp "$h" "$p" lines 3 || true)
check "memcached-secured: after ASCII auth the seeded item is readable" "Bruno Sample" "$out"
fi

# --- HTTP-family helpers ----------------------------------------------------------
# http URL [curl args...]: status line, headers and body (curl -i), loopback only.
http() {
  local url=$1; shift
  local h=${url#http://}; h=${h%%[:/]*}; lab_assert_loopback "$h"
  run curl -sS -i --noproxy '*' --max-time 10 "$@" "$url"
}
# basic USER PASS: curl config on a pipe (keeps the password off the command line).
basic() { printf 'user = "%s:%s"\n' "$1" "$2"; }

# --- etcd -------------------------------------------------------------------------
if wants etcd; then
ectl() { ETCDCTL_API=3 run etcdctl --dial-timeout=3s --command-timeout=5s "$@"; }
h=$(host "$AJAR_LAB_ETCD_OPEN"); p=$(port "$AJAR_LAB_ETCD_OPEN")
out=$(http "http://$h:$p/version")
check "etcd-open: GET /version is 200 with etcdserver 3.4" '"etcdserver":"3.4.' "$out"
out=$(ectl --endpoints="http://$h:$p" get /lab/ --prefix --keys-only)
check "etcd-open: etcdctl get /lab/ without credentials lists the seeded keys" "/lab/customers/2" "$out"
out=$(http "http://$h:$p/v3/kv/range" -X POST -d '{"key":"L2xhYi8=","range_end":"L2xhYjA=","count_only":true}')
check "etcd-open: anonymous POST /v3/kv/range counts 5 keys" '"count":"5"' "$out"

h=$(host "$AJAR_LAB_ETCD_SECURED"); p=$(port "$AJAR_LAB_ETCD_SECURED")
out=$(ectl --endpoints="http://$h:$p" get /lab/ --prefix --keys-only)
check "etcd-secured: etcdctl get without credentials is refused" "user name is empty" "$out"
out=$(http "http://$h:$p/v3/kv/range" -X POST -d '{"key":"L2xhYi8=","range_end":"L2xhYjA=","count_only":true}')
check "etcd-secured: anonymous POST /v3/kv/range is 400 'user name is empty'" 'HTTP/1.1 400' "$out"
check "etcd-secured: ... with gRPC code 3" '"message":"etcdserver: user name is empty","code":3' "$out"
out=$(http "http://$h:$p/v3/auth/authenticate" -X POST -d '{"name":"root","password":"wrong"}')
check "etcd-secured: a wrong password is 'authentication failed'" 'authentication failed, invalid user ID or password' "$out"
out=$(ETCDCTL_USER="$AJAR_LAB_ETCD_SECURED_USER:$AJAR_LAB_ETCD_SECURED_PASSWORD" ectl --endpoints="http://$h:$p" get /lab/config/currency --print-value-only)
check "etcd-secured: as root /lab/config/currency is EUR" "EUR" "$out"
fi

# --- influxdb -----------------------------------------------------------------------
if wants influxdb; then
h=$(host "$AJAR_LAB_INFLUXDB_OPEN"); p=$(port "$AJAR_LAB_INFLUXDB_OPEN")
out=$(http "http://$h:$p/ping")
check "influxdb-open: /ping is 204" "HTTP/1.1 204 No Content" "$out"
check "influxdb-open: /ping has X-Influxdb-Version 1.6" "X-Influxdb-Version: 1.6." "$out"
out=$(run influx -host "$h" -port "$p" -execute 'SHOW DATABASES')
check "influxdb-open: influx SHOW DATABASES without credentials lists lab_metrics" "lab_metrics" "$out"
out=$(run influx -host "$h" -port "$p" -database lab_metrics -format csv -execute 'SELECT count(value) FROM cpu_load')
check "influxdb-open: lab_metrics.cpu_load has 3 points" "cpu_load,0,3" "$out"

h=$(host "$AJAR_LAB_INFLUXDB_SECURED"); p=$(port "$AJAR_LAB_INFLUXDB_SECURED")
out=$(http "http://$h:$p/query" -G --data-urlencode 'q=SHOW DATABASES')
check "influxdb-secured: anonymous /query is 401" "HTTP/1.1 401 Unauthorized" "$out"
check "influxdb-secured: ... with Www-Authenticate: Basic realm=\"InfluxDB\"" 'Www-Authenticate: Basic realm="InfluxDB"' "$out"
check "influxdb-secured: ... 'unable to parse authentication credentials'" '{"error":"unable to parse authentication credentials"}' "$out"
out=$(INFLUX_USERNAME=$AJAR_LAB_INFLUXDB_SECURED_USER INFLUX_PASSWORD=$AJAR_LAB_INFLUXDB_SECURED_PASSWORD \
      run influx -host "$h" -port "$p" -database lab_metrics -format csv -execute 'SELECT count(value) FROM cpu_load')
check "influxdb-secured: with the admin password cpu_load has 3 points" "cpu_load,0,3" "$out"

h=$(host "$AJAR_LAB_INFLUXDB_UNCLAIMED"); p=$(port "$AJAR_LAB_INFLUXDB_UNCLAIMED")
out=$(http "http://$h:$p/query" -G --data-urlencode 'q=SHOW DATABASES')
check "influxdb-unclaimed: anonymous /query is 403" "HTTP/1.1 403 Forbidden" "$out"
check "influxdb-unclaimed: ... 'create admin user first'" 'X-Influxdb-Error: error authorizing query: create admin user first or disable authentication' "$out"
fi

# --- clickhouse ---------------------------------------------------------------------
if wants clickhouse; then
chc() { run clickhouse-client "$@"; }
h=$(host "$AJAR_LAB_CLICKHOUSE_OPEN"); p=$(port "$AJAR_LAB_CLICKHOUSE_OPEN")
out=$(http "http://$h:$p/?query=SELECT%20version()")
check "clickhouse-open: anonymous HTTP SELECT version() is 200 18.16" $'\r\n\r\n18.16.' "$out"
out=$(chc -h "$h" --port "$(port "$AJAR_LAB_CLICKHOUSE_OPEN_NATIVE")" -q 'SELECT count() FROM lab_analytics.page_views')
check "clickhouse-open: native client without password: 5 rows in lab_analytics.page_views" "5" "$out"

h=$(host "$AJAR_LAB_CLICKHOUSE_SECURED"); p=$(port "$AJAR_LAB_CLICKHOUSE_SECURED")
out=$(http "http://$h:$p/?query=SELECT%201")
check "clickhouse-secured: anonymous HTTP query is 401" "HTTP/1.1 401 Unauthorized" "$out"
check "clickhouse-secured: ... Code: 194 Password required" "Code: 194, e.displayText() = DB::Exception: Password required for user default" "$out"
out=$(http "http://$h:$p/?query=SELECT%201" -u default:wrong-password)
check "clickhouse-secured: wrong password is Code: 193" "Code: 193, e.displayText() = DB::Exception: Wrong password for user default" "$out"
out=$(chc -h "$h" --port "$(port "$AJAR_LAB_CLICKHOUSE_SECURED_NATIVE")" -q 'SELECT 1')
check "clickhouse-secured: native client without password: Code: 194" "Code: 194" "$out"
cfg=$(mktemp); chmod 0600 "$cfg"
printf '<config><user>default</user><password>%s</password></config>\n' "$AJAR_LAB_CLICKHOUSE_SECURED_PASSWORD" >"$cfg"
out=$(chc --config-file="$cfg" -h "$h" --port "$(port "$AJAR_LAB_CLICKHOUSE_SECURED_NATIVE")" -q 'SELECT count() FROM lab_analytics.page_views')
rm -f "$cfg"
check "clickhouse-secured: with the password 5 rows in lab_analytics.page_views" "5" "$out"
fi

# --- jupyter --------------------------------------------------------------------------
if wants jupyter; then
h=$(host "$AJAR_LAB_JUPYTER_OPEN"); p=$(port "$AJAR_LAB_JUPYTER_OPEN")
out=$(http "http://$h:$p/api/status")
check "jupyter-open: anonymous /api/status is 200" "HTTP/1.1 200 OK" "$out"
check "jupyter-open: ... JSON with kernels/started" '"kernels": 0' "$out"
out=$(http "http://$h:$p/api/contents")
check "jupyter-open: anonymous /api/contents lists lab-notes.ipynb" '"name": "lab-notes.ipynb"' "$out"

h=$(host "$AJAR_LAB_JUPYTER_SECURED"); p=$(port "$AJAR_LAB_JUPYTER_SECURED")
out=$(http "http://$h:$p/api")
check "jupyter-secured: /api (version) stays public" '{"version": "6.4.' "$out"
out=$(http "http://$h:$p/api/status")
check "jupyter-secured: anonymous /api/status is 403" "HTTP/1.1 403 Forbidden" "$out"
out=$(http "http://$h:$p/api/kernels")
check "jupyter-secured: anonymous /api/kernels is 403" '{"message": "Forbidden", "reason": null}' "$out"
out=$(http "http://$h:$p/tree")
check "jupyter-secured: /tree redirects to the login page" "Location: /login?next=%2Ftree" "$out"
out=$(http "http://$h:$p/api/contents" -K <(printf 'header = "Authorization: token %s"\n' "$AJAR_LAB_JUPYTER_SECURED_TOKEN"))
check "jupyter-secured: with the token /api/contents lists lab-notes.ipynb" '"name": "lab-notes.ipynb"' "$out"
fi

# --- prometheus -------------------------------------------------------------------------
if wants prometheus; then
h=$(host "$AJAR_LAB_PROMETHEUS_OPEN"); p=$(port "$AJAR_LAB_PROMETHEUS_OPEN")
out=$(http "http://$h:$p/api/v1/status/buildinfo")
check "prometheus-open: anonymous buildinfo is 200 with version 2.42" '"status":"success","data":{"version":"2.42.' "$out"
out=$(http "http://$h:$p/api/v1/query?query=up")
check "prometheus-open: it scrapes itself (up = 1)" "\"instance\":\"$h:$p\"" "$out"

h=$(host "$AJAR_LAB_PROMETHEUS_SECURED"); p=$(port "$AJAR_LAB_PROMETHEUS_SECURED")
out=$(http "http://$h:$p/api/v1/status/buildinfo")
check "prometheus-secured: anonymous buildinfo is 401" "HTTP/1.1 401 Unauthorized" "$out"
check "prometheus-secured: ... with Www-Authenticate: Basic" "Www-Authenticate: Basic" "$out"
out=$(http "http://$h:$p/api/v1/status/buildinfo" -K <(basic "$AJAR_LAB_PROMETHEUS_SECURED_USER" wrong-password))
check "prometheus-secured: a wrong password is 401" "HTTP/1.1 401 Unauthorized" "$out"
out=$(http "http://$h:$p/api/v1/status/buildinfo" -K <(basic "$AJAR_LAB_PROMETHEUS_SECURED_USER" "$AJAR_LAB_PROMETHEUS_SECURED_PASSWORD"))
check "prometheus-secured: with the password buildinfo is 200" '"status":"success","data":{"version":"2.42.' "$out"
fi

# --- rabbitmq ------------------------------------------------------------------------------
if wants rabbitmq; then
amqp_start() { # ADDR PORT: hex of the server's reply to the AMQP 0-9-1 header
  printf 'AMQP\x00\x00\x09\x01' | lab_tcp "$1" "$2" hex 600 || true
}
h=$(host "$AJAR_LAB_RABBITMQ_OPEN"); p=$(port "$AJAR_LAB_RABBITMQ_OPEN")
out=$(http "http://$h:$p/api/overview")
check "rabbitmq-open: anonymous /api/overview is 401" 'www-authenticate: Basic realm="RabbitMQ Management"' "$out"
out=$(http "http://$h:$p/api/overview" -K <(basic guest guest))
check "rabbitmq-open: guest/guest /api/overview is 200 (management 3.10)" '"management_version":"3.10.' "$out"
out=$(http "http://$h:$p/api/queues/%2F/lab.welcome-mails" -K <(basic guest guest))
check "rabbitmq-open: queue lab.welcome-mails exists" '"name":"lab.welcome-mails"' "$out"
out=$(amqp_start "$h" "$(port "$AJAR_LAB_RABBITMQ_OPEN_AMQP")")
check "rabbitmq-open: AMQP answers Connection.Start (frame type 1, class 10 method 10)" "01 00 00 00 00" "$out"
check "rabbitmq-open: ... offering PLAIN" "50 4c 41 49 4e" "$out"

h=$(host "$AJAR_LAB_RABBITMQ_SECURED"); p=$(port "$AJAR_LAB_RABBITMQ_SECURED")
out=$(http "http://$h:$p/api/overview" -K <(basic guest guest))
check "rabbitmq-secured: guest/guest is 401 Login failed" '{"error":"not_authorized","reason":"Login failed"}' "$out"
out=$(http "http://$h:$p/api/whoami" -K <(basic "$AJAR_LAB_RABBITMQ_SECURED_USER" "$AJAR_LAB_RABBITMQ_SECURED_PASSWORD"))
check "rabbitmq-secured: the admin user logs in" '"name":"labadmin","tags":["administrator"]' "$out"
out=$(http "http://$h:$p/api/users" -K <(basic "$AJAR_LAB_RABBITMQ_SECURED_USER" "$AJAR_LAB_RABBITMQ_SECURED_PASSWORD"))
if [[ $out == *'"name":"guest"'* ]]; then r=present; else r=absent; fi
check "rabbitmq-secured: there is no guest user" absent "$r"
fi

# --- phpmyadmin ----------------------------------------------------------------------------
if wants phpmyadmin; then
h=$(host "$AJAR_LAB_PHPMYADMIN_OPEN"); p=$(port "$AJAR_LAB_PHPMYADMIN_OPEN")
out=$(http "http://$h:$p/")
check "phpmyadmin-open: / is 200 and logged in (User: root@127.0.0.1)" "User:                root@127.0.0.1" "$out"
check "phpmyadmin-open: ... lists the lab_crm database of mariadb-open" "lab_crm" "$out"
h=$(host "$AJAR_LAB_PHPMYADMIN_SECURED"); p=$(port "$AJAR_LAB_PHPMYADMIN_SECURED")
out=$(http "http://$h:$p/")
check "phpmyadmin-secured: / shows the cookie login form" 'id="login_form"' "$out"
check "phpmyadmin-secured: ... with pma_username" 'name="pma_username"' "$out"
fi

# --- adminer --------------------------------------------------------------------------------
if wants adminer; then
h=$(host "$AJAR_LAB_ADMINER"); p=$(port "$AJAR_LAB_ADMINER")
out=$(http "http://$h:$p/")
check "adminer: / is the Adminer login page" "<title>Login - Adminer</title>" "$out"
check "adminer: ... version 4.8.1" '<span class="version">4.8.1</span>' "$out"
fi

# --- zookeeper ------------------------------------------------------------------------------
if wants zookeeper; then
zkw() { printf '%s' "$3" | lab_tcp "$1" "$2" lines 400 || true; }  # one four-letter word
h=$(host "$AJAR_LAB_ZOOKEEPER_OPEN"); p=$(port "$AJAR_LAB_ZOOKEEPER_OPEN")
out=$(zkw "$h" "$p" srvr)
check "zookeeper-open: srvr answers with the version" "Zookeeper version: 3." "$out"
check "zookeeper-open: ... standalone" "Mode: standalone" "$out"
out=$(zkw "$h" "$p" mntr)
check "zookeeper-open: mntr is whitelisted" "zk_znode_count" "$out"
out=$(run /usr/share/zookeeper/bin/zkCli.sh -server "$h:$p" get /lab/config/currency)
check "zookeeper-open: zkCli without credentials reads the seeded /lab/config/currency" "EUR" "$out"

h=$(host "$AJAR_LAB_ZOOKEEPER_RESTRICTED"); p=$(port "$AJAR_LAB_ZOOKEEPER_RESTRICTED")
out=$(zkw "$h" "$p" mntr)
check "zookeeper-restricted: mntr is refused by the whitelist" "mntr is not executed because it is not in the whitelist." "$out"
out=$(zkw "$h" "$p" srvr)
check "zookeeper-restricted: srvr still answers (ZooKeeper adds it to every whitelist)" "Zookeeper version: 3." "$out"
fi

# --- crossed (opt-in group: lab.sh start crossed; verify.sh crossed) ------------------------
if wants crossed; then
h=$(host "$AJAR_LAB_REDIS_CROSSED"); p=$(port "$AJAR_LAB_REDIS_CROSSED")
out=$(run redis-cli -h "$h" -p "$p" INFO keyspace)
check "redis-crossed ($h:$p): INFO keyspace without password shows db0 (5 keys)" "db0:keys=5," "$out"

h=$(host "$AJAR_LAB_POSTGRESQL_CROSSED"); p=$(port "$AJAR_LAB_POSTGRESQL_CROSSED")
out=$(run "$PSQL" -X -w -At -h "$h" -p "$p" -U postgres -d lab_shop -c 'select count(*) from customers')
check "postgresql-crossed ($h:$p): lab_shop.customers has 5 rows, no password" "5" "$out"

h=$(host "$AJAR_LAB_MARIADB_CROSSED"); p=$(port "$AJAR_LAB_MARIADB_CROSSED")
out=$(run mariadb --no-defaults --protocol=TCP --connect-timeout=5 --batch --skip-column-names -h "$h" -P "$p" -u root \
      -e "select concat((select count(*) from lab_crm.contacts),'/',(select count(*) from lab_crm.deals))")
check "mariadb-crossed ($h:$p): root without password, lab_crm has 5 contacts / 3 deals" "5/3" "$out"
fi

# --- every lab process listens on 127.x only ----------------------------------------
for d in "$AJAR_LAB_DIR"/*/; do
  name=$(basename "$d")
  pid=$(lab_read_pid "$d/lab.pid")
  [[ -n $pid ]] || continue
  if lab_check_listeners "$pid" 2>/dev/null; then r=ok; else r=bad; fi
  check "$name (pid $pid): all listening sockets on 127.x" ok "$r"
done

echo "verify: $pass passed, $fail failed"
(( fail == 0 ))
