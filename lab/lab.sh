#!/usr/bin/env bash
# lab/lab.sh - the ajar loopback lab: real Debian-packaged database servers and
# dashboards on distinct 127.x addresses, each in an "open" and a "secured"
# configuration (plus "restricted" ones that reject our source address and an
# "unclaimed" one), for exercising the ajar exposure auditor against the real
# thing.
#
#   usage: lab/lab.sh start   [FAMILY|NAME ...]   start (idempotent), seed, print table
#          lab/lab.sh stop    [FAMILY|NAME ...]   stop by recorded PID (TERM/INT, then KILL)
#          lab/lab.sh restart [FAMILY|NAME ...]
#          lab/lab.sh status  [FAMILY|NAME ...]   exit 0 if all selected run, 3 otherwise
#          lab/lab.sh env                         export lines for tests (eval "$(lab.sh env)")
#   FAMILY is a group (db, http), a family or an instance name; families:
#                     redis postgresql mariadb memcached zookeeper (group "db")
#                     etcd influxdb clickhouse jupyter prometheus rabbitmq
#                     phpmyadmin adminer (group "http")
#   Opt-in group "crossed" (Redis, PostgreSQL, MariaDB on other products' ports):
#   only by its own name; no-argument start/status/restart leave it out, and
#   no-argument stop also stops it.
#
# Address plan (standard ports; the third octet says the flavour, the fourth
# the product):
#
#   NAME                   ADDRESS            EXPECTED AUTH VERDICT
#   redis-open             127.0.1.1:6379     none
#   redis-secured          127.0.2.1:6379     required
#   postgresql-open        127.0.1.2:5432     none
#   postgresql-secured     127.0.2.2:5432     required
#   postgresql-restricted  127.0.3.2:5432     restricted
#   mariadb-open           127.0.1.3:3306     none
#   mariadb-secured        127.0.2.3:3306     required
#   mariadb-restricted     127.0.3.3:3306     restricted
#   memcached-open         127.0.1.4:11211    none
#   memcached-secured      127.0.2.4:11211    required
#   etcd-open              127.0.1.5:2379     none        (peer 2380, same address)
#   etcd-secured           127.0.2.5:2379     required
#   influxdb-open          127.0.1.6:8086     none        (RPC 8088, same address)
#   influxdb-secured       127.0.2.6:8086     required
#   influxdb-unclaimed     127.0.3.6:8086     unclaimed   (auth on, no user yet)
#   clickhouse-open        127.0.1.7:8123     none        (native 9000, same address)
#   clickhouse-secured     127.0.2.7:8123     required
#   jupyter-open           127.0.1.8:8888     none
#   jupyter-secured        127.0.2.8:8888     required
#   prometheus-open        127.0.1.9:9090     none
#   prometheus-secured     127.0.2.9:9090     required
#   rabbitmq-open          127.0.1.10:15672   required    (stock guest/guest is a password: ajar guesses none; AMQP 5672)
#   rabbitmq-secured       127.0.2.10:15672   required
#   phpmyadmin-open        127.0.1.11:8080    none        (logged in to mariadb-open)
#   phpmyadmin-secured     127.0.2.11:8080    required
#   adminer                127.0.2.12:8080    required    (stock: login form)
#   zookeeper-open         127.0.1.13:2181    none        (4lw srvr,mntr,envi,ruok; root world-readable)
#   zookeeper-restricted   127.0.3.13:2181    none        (4lw whitelist ruok: srvr still answers; root world-readable)
#   inventory-pg           127.0.11.1:5432    required    (not a scan target: ajar's PostgreSQL
#                                                         inventory backend; env AJAR_TEST_PG_URL)
#
# Opt-in group "crossed" (servers on other products' standard ports):
#   redis-crossed          127.0.8.1:5432     none        (Redis, as redis-open)
#   postgresql-crossed     127.0.8.1:6379     none        (PostgreSQL, as postgresql-open)
#   mariadb-crossed        127.0.8.1:27017    none        (MariaDB, as mariadb-open)
#
# RabbitMQ also needs an epmd: lab.sh runs one for the lab on 127.0.0.1:24369
# (state in $AJAR_LAB_DIR/rabbitmq-epmd/), started with the first RabbitMQ
# instance and stopped with the last one.
#
# Everything binds to / connects to 127.0.0.0/8 only: addresses are checked
# before use and every server's listening sockets are checked with `ss` once it
# is up. Servers are started directly (never via systemd/service), in the
# foreground, detached with setsid, as their usual unprivileged users; the
# PID of each is recorded in $AJAR_LAB_DIR/<name>/lab.pid and that PID alone
# is signalled on stop (after checking /proc/PID/comm). All waits are bounded.
#
# State: ${AJAR_LAB_DIR:-/tmp/ajar-lab}/<name>/ holds config, data, server.log,
# lab-start.log, lab.pid and (secured instances) the generated password. Data
# directories are reused across restarts; delete the state dir to start fresh.
# Must run as root (it switches to the postgres/mysql/redis/memcache/etcd/
# influxdb/clickhouse/prometheus/rabbitmq/zookeeper/www-data/nobody users).

set -euo pipefail
export LC_ALL=C
umask 022

LAB_HOME=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
LAB_LIB=$LAB_HOME/lib
LAB_CONF=$LAB_HOME/conf
LAB_DIR=${AJAR_LAB_DIR:-/tmp/ajar-lab}

# shellcheck source=lib/common.sh
source "$LAB_LIB/common.sh"
# shellcheck source=lib/redis.sh
source "$LAB_LIB/redis.sh"
# shellcheck source=lib/postgresql.sh
source "$LAB_LIB/postgresql.sh"
# shellcheck source=lib/mariadb.sh
source "$LAB_LIB/mariadb.sh"
# shellcheck source=lib/memcached.sh
source "$LAB_LIB/memcached.sh"
# shellcheck source=lib/etcd.sh
source "$LAB_LIB/etcd.sh"
# shellcheck source=lib/influxdb.sh
source "$LAB_LIB/influxdb.sh"
# shellcheck source=lib/clickhouse.sh
source "$LAB_LIB/clickhouse.sh"
# shellcheck source=lib/jupyter.sh
source "$LAB_LIB/jupyter.sh"
# shellcheck source=lib/prometheus.sh
source "$LAB_LIB/prometheus.sh"
# shellcheck source=lib/rabbitmq.sh
source "$LAB_LIB/rabbitmq.sh"
# shellcheck source=lib/phpmyadmin.sh
source "$LAB_LIB/phpmyadmin.sh"
# shellcheck source=lib/adminer.sh
source "$LAB_LIB/adminer.sh"
# shellcheck source=lib/zookeeper.sh
source "$LAB_LIB/zookeeper.sh"

# name | family | address | port | mode | expected verdict | configuration
LAB_INSTANCES=(
  "redis-open|redis|127.0.1.1|6379|open|none|no password, protected-mode no"
  "redis-secured|redis|127.0.2.1|6379|secured|required|requirepass <random>"
  "postgresql-open|postgresql|127.0.1.2|5432|open|none|pg_hba: 127.0.0.0/8 trust"
  "postgresql-secured|postgresql|127.0.2.2|5432|secured|required|pg_hba: 127.0.0.0/8 scram-sha-256"
  "postgresql-restricted|postgresql|127.0.3.2|5432|restricted|restricted|pg_hba: only 127.0.0.99/32"
  "mariadb-open|mariadb|127.0.1.3|3306|open|none|root@'%' empty password"
  "mariadb-secured|mariadb|127.0.2.3|3306|secured|required|root@'%' <random> password"
  "mariadb-restricted|mariadb|127.0.3.3|3306|restricted|restricted|accounts only @'127.0.0.99' (ERR 1130)"
  "memcached-open|memcached|127.0.1.4|11211|open|none|no auth, UDP off"
  "memcached-secured|memcached|127.0.2.4|11211|secured|required|ASCII auth (-Y authfile), UDP off"
  "etcd-open|etcd|127.0.1.5|2379|open|none|v3, no auth (peer 2380)"
  "etcd-secured|etcd|127.0.2.5|2379|secured|required|v3 auth enabled, user root <random>"
  "influxdb-open|influxdb|127.0.1.6|8086|open|none|auth-enabled = false"
  "influxdb-secured|influxdb|127.0.2.6|8086|secured|required|auth-enabled = true, admin labadmin <random>"
  "influxdb-unclaimed|influxdb|127.0.3.6|8086|unclaimed|unclaimed|auth-enabled = true, no user yet"
  "clickhouse-open|clickhouse|127.0.1.7|8123|open|none|user default, empty password (native 9000)"
  "clickhouse-secured|clickhouse|127.0.2.7|8123|secured|required|user default, sha256 password (native 9000)"
  "jupyter-open|jupyter|127.0.1.8|8888|open|none|token '' and password ''"
  "jupyter-secured|jupyter|127.0.2.8|8888|secured|required|token <random>"
  "prometheus-open|prometheus|127.0.1.9|9090|open|none|no web config"
  "prometheus-secured|prometheus|127.0.2.9|9090|secured|required|web config basic_auth_users (bcrypt)"
  "rabbitmq-open|rabbitmq|127.0.1.10|15672|open|required|stock guest/guest (a password: ajar guesses none), management (AMQP 5672)"
  "rabbitmq-secured|rabbitmq|127.0.2.10|15672|secured|required|no guest, labadmin <random> (AMQP 5672)"
  "phpmyadmin-open|phpmyadmin|127.0.1.11|8080|open|none|auth_type config: root@mariadb-open"
  "phpmyadmin-secured|phpmyadmin|127.0.2.11|8080|secured|required|auth_type cookie (login form)"
  "adminer|adminer|127.0.2.12|8080|secured|required|stock Adminer: login form"
  "zookeeper-open|zookeeper|127.0.1.13|2181|open|none|4lw whitelist srvr,mntr,envi,ruok; anonymous getChildren(/) lists the root"
  "zookeeper-restricted|zookeeper|127.0.3.13|2181|restricted|none|4lw whitelist ruok (ZooKeeper keeps srvr); root world-readable"
  "inventory-pg|postgresql|127.0.11.1|5432|inventory|required|ajar's PostgreSQL inventory backend: role ajar (CREATEDB) <random> scram, db ajar_inventory; AJAR_TEST_PG_URL"
)

# Groups of families accepted wherever a family name is.
declare -A LAB_GROUPS=(
  [db]="redis postgresql mariadb memcached zookeeper"
  [http]="etcd influxdb clickhouse jupyter prometheus rabbitmq phpmyadmin adminer"
)

# Opt-in instances, same fields as LAB_INSTANCES. Selected only by their
# instance name or a LAB_OPTIN_GROUPS name, never by a family name, the db/http
# groups, or start/status/restart without arguments (which keeps the default
# start fast); `stop` without arguments stops them too, if they run.
# "crossed": real servers on other products' standard ports, one address, each
# configured and seeded like its open twin (family start function, mode open),
# so a scanner must identify them by protocol, not by port number.
LAB_OPTIN_INSTANCES=(
  "redis-crossed|redis|127.0.8.1|5432|open|none|Redis on PostgreSQL's port: no password, protected-mode no"
  "postgresql-crossed|postgresql|127.0.8.1|6379|open|none|PostgreSQL on Redis' port: pg_hba 127.0.0.0/8 trust"
  "mariadb-crossed|mariadb|127.0.8.1|27017|open|none|MariaDB on MongoDB's port: root@'%' empty password"
)
declare -A LAB_OPTIN_GROUPS=(
  [crossed]="redis-crossed postgresql-crossed mariadb-crossed"
)

# /proc/PID/comm of the recorded process (15 characters at most).
declare -A LAB_COMM=([redis]=redis-server [postgresql]=postgres [mariadb]=mariadbd [memcached]=memcached
  [etcd]=etcd [influxdb]=influxd [clickhouse]=clickhouse-serv [jupyter]=jupyter-noteboo
  [prometheus]=prometheus [rabbitmq]=beam.smp [phpmyadmin]=php [adminer]=php [zookeeper]=java)
declare -A LAB_USER=([redis]=redis [postgresql]=postgres [mariadb]=mysql [memcached]=memcache
  [etcd]=etcd [influxdb]=influxdb [clickhouse]=clickhouse [jupyter]=nobody
  [prometheus]=prometheus [rabbitmq]=rabbitmq [phpmyadmin]=www-data [adminer]=www-data [zookeeper]=zookeeper)
# Polite stop signal: postgres' SIGTERM is "smart" shutdown (waits for clients
# to go away), SIGINT is "fast" shutdown (what pg_ctl -m fast sends).
declare -A LAB_STOPSIG=([redis]=TERM [postgresql]=INT [mariadb]=TERM [memcached]=TERM
  [etcd]=TERM [influxdb]=TERM [clickhouse]=TERM [jupyter]=TERM
  [prometheus]=TERM [rabbitmq]=TERM [phpmyadmin]=TERM [adminer]=TERM [zookeeper]=TERM)

SELECTED=()

# select_instances [FAMILY|NAME ...]: fill SELECTED (all when no args).
select_instances() {
  SELECTED=()
  local inst name family arg hit
  if (( $# == 0 )); then
    SELECTED=("${LAB_INSTANCES[@]}")
    return
  fi
  for arg in "$@"; do
    hit=0
    for inst in "${LAB_INSTANCES[@]}"; do
      IFS='|' read -r name family _ <<<"$inst"
      if [[ $arg == "$family" || $arg == "$name" || " ${LAB_GROUPS[$arg]-} " == *" $family "* ]]; then
        [[ " ${SELECTED[*]-} " == *" $inst "* ]] || SELECTED+=("$inst")
        hit=1
      fi
    done
    for inst in "${LAB_OPTIN_INSTANCES[@]}"; do
      IFS='|' read -r name family _ <<<"$inst"
      if [[ $arg == "$name" || " ${LAB_OPTIN_GROUPS[$arg]-} " == *" $name "* ]]; then
        [[ " ${SELECTED[*]-} " == *" $inst "* ]] || SELECTED+=("$inst")
        hit=1
      fi
    done
    (( hit )) || lab_die "unknown service '$arg' (groups: db http crossed; families: redis postgresql mariadb memcached zookeeper etcd influxdb clickhouse jupyter prometheus rabbitmq phpmyadmin adminer; or an instance name)"
  done
}

# selected_families: the distinct families in SELECTED, in table order.
selected_families() {
  local inst name family seen=" "
  for inst in "${SELECTED[@]}"; do
    IFS='|' read -r name family _ <<<"$inst"
    [[ $seen == *" $family "* ]] && continue
    seen+="$family "
    printf '%s\n' "$family"
  done
}

# Fields of one instance line into the caller's locals.
#   parse INST -> name family addr port mode verdict desc
parse() { IFS='|' read -r name family addr port mode verdict desc <<<"$1"; }

instance_pid() { lab_read_pid "$LAB_DIR/$1/lab.pid"; }

is_running() { # NAME FAMILY
  local pid
  pid=$(instance_pid "$1")
  [[ -n $pid ]] && lab_pid_matches "$pid" "${LAB_COMM[$2]}"
}

preflight() {
  (( EUID == 0 )) || lab_die "lab.sh must run as root (it starts servers as their own unprivileged users)"
  [[ $LAB_DIR == /* && $LAB_DIR != / ]] || lab_die "AJAR_LAB_DIR must be an absolute path other than / (got '$LAB_DIR')"
  local c inst name family addr port mode verdict desc
  for c in setsid setpriv ss timeout flock od sed awk id; do
    command -v "$c" >/dev/null || lab_die "required command '$c' not found"
  done
  for inst in "${SELECTED[@]}"; do
    parse "$inst"
    lab_assert_loopback "$addr"
    getent passwd "${LAB_USER[$family]}" >/dev/null || lab_die "$name: user '${LAB_USER[$family]}' does not exist"
    case $family in
      redis)      for c in redis-server redis-cli; do command -v $c >/dev/null || lab_die "$name: $c not installed (apt-get install redis-server)"; done ;;
      postgresql) pg_bin >/dev/null ;;
      mariadb)    for c in mariadbd mariadb-install-db mariadb mariadb-admin; do command -v $c >/dev/null || lab_die "$name: $c not installed (apt-get install mariadb-server)"; done ;;
      memcached)  command -v memcached >/dev/null || lab_die "$name: memcached not installed (apt-get install memcached)" ;;
      *)          "${family}_preflight" "$name" ;;
    esac
  done
}

# prepare_state_dir: create $LAB_DIR (0755) and take the lab lock (fd 9).
prepare_state_dir() {
  mkdir -p "$LAB_DIR"
  chmod 0755 "$LAB_DIR"
  exec 9>"$LAB_DIR/.lock"
  flock -w 60 9 || lab_die "another lab.sh is busy with $LAB_DIR (lock held for 60 s)"
  # The servers run as their own users and must be able to reach their dirs.
  local inst name family addr port mode verdict desc u
  for inst in "${SELECTED[@]}"; do
    parse "$inst"
    u=${LAB_USER[$family]}
    if ! setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups -- test -x "$LAB_DIR"; then
      lab_die "user $u cannot reach $LAB_DIR (choose an AJAR_LAB_DIR whose parents are world-executable)"
    fi
  done
}

print_table() {
  local inst name family addr port mode verdict desc pid state
  printf '%-22s %-18s %-8s %-11s %s\n' NAME ADDRESS PID EXPECT CONFIG
  for inst in "${SELECTED[@]}"; do
    parse "$inst"
    pid=$(instance_pid "$name")
    if is_running "$name" "$family"; then state=$pid; else state=-; fi
    printf '%-22s %-18s %-8s %-11s %s\n' "$name" "$addr:$port" "$state" "$verdict" "$desc"
  done
}

# stop_selected: signal recorded PIDs, wait (bounded), KILL leftovers; then
# end whatever is left of their children (descendants and session members,
# recorded before the signal: e.g. Jupyter kernels, Erlang port programs),
# and run the families' post-stop hooks (rabbitmq: stop the lab's epmd once no
# RabbitMQ instance is left).
stop_selected() {
  local inst name family addr port mode verdict desc pid
  local -a pids=() names=() related=()
  for inst in "${SELECTED[@]}"; do
    parse "$inst"
    local pidf=$LAB_DIR/$name/lab.pid
    [[ -f $pidf ]] || continue
    pid=$(lab_read_pid "$pidf")
    # children, even when the recorded process itself is gone (session members)
    if [[ -n $pid ]]; then
      local -a kids=()
      mapfile -t kids < <(lab_related "$pid")
      related+=("$name" "${kids[@]}" "--")
    fi
    if [[ -n $pid ]] && lab_pid_matches "$pid" "${LAB_COMM[$family]}"; then
      kill -s "${LAB_STOPSIG[$family]}" "$pid" 2>/dev/null || true
      pids+=("$pid"); names+=("$name:$family")
      lab_log "stopping $name (pid $pid, SIG${LAB_STOPSIG[$family]})"
    else
      lab_log "$name: not running${pid:+ (stale pid $pid)}"
      rm -f "$pidf"
    fi
  done
  if (( ${#pids[@]} == 0 )); then
    stop_related "${related[@]}"
    run_post_stop_hooks
    return 0
  fi

  local left
  if ! left=$(lab_wait_gone 20 "${pids[@]}"); then
    local i
    for i in "${!pids[@]}"; do
      pid=${pids[i]} family=${names[i]#*:}
      if [[ " ${left//$'\n'/ } " == *" $pid "* ]] && lab_pid_matches "$pid" "${LAB_COMM[$family]}"; then
        lab_warn "${names[i]%%:*} (pid $pid) ignored SIG${LAB_STOPSIG[$family]} for 20 s, sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
      fi
    done
    # shellcheck disable=SC2086
    if left=$(lab_wait_gone 5 $left); then :; else
      lab_die "could not stop pid(s): ${left//$'\n'/ }"
    fi
  fi
  for i in "${!names[@]}"; do
    rm -f "$LAB_DIR/${names[i]%%:*}/lab.pid"
  done
  stop_related "${related[@]}"
  run_post_stop_hooks
}

# stop_related NAME PID:START... -- NAME PID:START... --: lab_stop_leftovers
# for each group.
stop_related() {
  local name="" item
  local -a group=()
  for item in "$@"; do
    if [[ $item == -- ]]; then
      [[ -n $name ]] && lab_stop_leftovers "$name" "${group[@]}"
      name="" group=()
    elif [[ -z $name ]]; then
      name=$item
    else
      group+=("$item")
    fi
  done
  return 0
}

# run_post_stop_hooks: call <family>_post_stop for the selected families that
# define one.
run_post_stop_hooks() {
  local f
  for f in $(selected_families); do
    if declare -F "${f}_post_stop" >/dev/null; then "${f}_post_stop"; fi
  done
}

cmd_start() {
  select_instances "$@"
  preflight
  prepare_state_dir

  local inst name family addr port mode verdict desc
  local -a todo=() already=()
  for inst in "${SELECTED[@]}"; do
    parse "$inst"
    if is_running "$name" "$family"; then already+=("$name"); else todo+=("$inst"); fi
  done
  if (( ${#todo[@]} == 0 )); then
    echo "ajar lab: already running (${#already[@]} server(s), state in $LAB_DIR); nothing to do."
    print_table
    return 0
  fi
  (( ${#already[@]} == 0 )) || lab_log "already running: ${already[*]}"

  local t0=$EPOCHREALTIME
  local -A job=()
  lab_log "starting ${#todo[@]} server(s) in $LAB_DIR ..."
  for inst in "${todo[@]}"; do
    parse "$inst"
    local dir=$LAB_DIR/$name
    mkdir -p "$dir"
    chmod 0755 "$dir"
    rm -f "$dir/lab.pid"
    ( cd "$dir"; "${family}_start" "$name" "$addr" "$port" "$mode" "$dir" ) \
      </dev/null >"$dir/lab-start.log" 2>&1 &
    job[$name]=$!
  done

  local -a failed=()
  for inst in "${todo[@]}"; do
    parse "$inst"
    wait "${job[$name]}" || failed+=("$inst")
  done

  if (( ${#failed[@]} )); then
    for inst in "${failed[@]}"; do
      parse "$inst"
      {
        echo
        echo "[lab] FAILED: $name ($family $mode on $addr:$port)"
        echo "----- $LAB_DIR/$name/lab-start.log (tail) -----"
        tail -n 15 "$LAB_DIR/$name/lab-start.log" 2>/dev/null || true
        echo "----- $LAB_DIR/$name/server.log (tail) -----"
        tail -n 20 "$LAB_DIR/$name/server.log" 2>/dev/null || true
      } >&2
    done
    # Don't leave half-started instances behind.
    local -a keep=("${SELECTED[@]}")
    SELECTED=("${failed[@]}")
    stop_selected || true
    SELECTED=("${keep[@]}")
    local names=()
    for inst in "${failed[@]}"; do parse "$inst"; names+=("$name"); done
    lab_die "start failed for: ${names[*]} (others were left running; see lab.sh status / lab.sh stop)"
  fi

  local elapsed
  elapsed=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  echo "ajar lab: started ${#todo[@]} server(s) in ${elapsed}s (state in $LAB_DIR)"
  print_table
}

cmd_stop() {
  select_instances "$@"
  # No arguments: the opt-in instances too (those without a pid file are
  # skipped), so a plain `stop` leaves nothing behind. Not for `restart`.
  if (( $# == 0 )) && [[ ${LAB_STOP_DEFAULT_ONLY-} != 1 ]]; then
    SELECTED+=("${LAB_OPTIN_INSTANCES[@]}")
  fi
  if [[ ! -d $LAB_DIR ]]; then
    echo "ajar lab: nothing to stop ($LAB_DIR does not exist)"
    return 0
  fi
  (( EUID == 0 )) || lab_die "lab.sh must run as root"
  exec 9>"$LAB_DIR/.lock"
  flock -w 60 9 || lab_die "another lab.sh is busy with $LAB_DIR (lock held for 60 s)"
  stop_selected
  echo "ajar lab: stopped"
}

cmd_status() {
  select_instances "$@"
  local inst name family addr port mode verdict desc pid state rc=0
  printf '%-22s %-18s %-8s %-9s %s\n' NAME ADDRESS PID STATE EXPECT
  for inst in "${SELECTED[@]}"; do
    parse "$inst"
    pid=$(instance_pid "$name")
    if [[ -z $pid ]]; then
      state=stopped pid=-; rc=3
    elif lab_pid_matches "$pid" "${LAB_COMM[$family]}"; then
      state=running
    else
      state=stale-pid; rc=3
    fi
    printf '%-22s %-18s %-8s %-9s %s\n' "$name" "$addr:$port" "$pid" "$state" "$verdict"
  done
  return "$rc"
}

cmd_env() {
  local inst name family addr port mode verdict desc var
  printf 'export AJAR_LAB_DIR=%s\n' "$LAB_DIR"
  for inst in "${LAB_INSTANCES[@]}" "${LAB_OPTIN_INSTANCES[@]}"; do
    parse "$inst"
    var=AJAR_LAB_${name^^}; var=${var//-/_}
    printf 'export %s=%s:%s\n' "$var" "$addr" "$port"
    printf 'export %s_EXPECT=%s\n' "$var" "$verdict"
    "${family}_env" "$name" "$addr" "$port" "$mode" "$LAB_DIR/$name" "$var"
  done
}

usage() {
  sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

main() {
  local cmd=${1:-}
  (( $# )) && shift
  case $cmd in
    start)   cmd_start "$@" ;;
    stop)    cmd_stop "$@" ;;
    restart) ( LAB_STOP_DEFAULT_ONLY=1; cmd_stop "$@" ); cmd_start "$@" ;;
    status)  cmd_status "$@" ;;
    env)     cmd_env ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
