#!/usr/bin/env bash
# lab/verify.sh - check a running ajar loopback lab with the real clients
# (redis-cli, psql, mariadb) and raw TCP, and print PASS/FAIL per check.
# Exit status: 0 if every check passed, 1 otherwise.
#
#   lab/lab.sh start && lab/verify.sh
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
unset PGPASSWORD MYSQL_PWD REDISCLI_AUTH
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
h=$(host "$AJAR_LAB_REDIS_OPEN"); p=$(port "$AJAR_LAB_REDIS_OPEN")
out=$(run redis-cli -h "$h" -p "$p" INFO keyspace)
check "redis-open: INFO keyspace without password shows db0 (5 keys)" "db0:keys=5," "$out"
check "redis-open: ... and db1 (2 keys)" "db1:keys=2," "$out"

h=$(host "$AJAR_LAB_REDIS_SECURED"); p=$(port "$AJAR_LAB_REDIS_SECURED")
out=$(run redis-cli -h "$h" -p "$p" INFO keyspace)
check "redis-secured: INFO keyspace without password is refused" "NOAUTH Authentication required" "$out"
out=$(REDISCLI_AUTH=$AJAR_LAB_REDIS_SECURED_PASSWORD run redis-cli -h "$h" -p "$p" INFO keyspace)
check "redis-secured: with the password db0 has 5 keys" "db0:keys=5," "$out"

# --- postgresql -----------------------------------------------------------------
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

# --- mariadb --------------------------------------------------------------------
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

# --- memcached ------------------------------------------------------------------
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
