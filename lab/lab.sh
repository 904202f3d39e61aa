#!/usr/bin/env bash
# lab/lab.sh - the ajar loopback lab: real Debian-packaged database servers on
# distinct 127.x addresses, each in an "open" and a "secured" configuration
# (plus "restricted" ones that reject our source address), for exercising the
# ajar exposure auditor against the real thing.
#
#   usage: lab/lab.sh start   [FAMILY|NAME ...]   start (idempotent), seed, print table
#          lab/lab.sh stop    [FAMILY|NAME ...]   stop by recorded PID (TERM/INT, then KILL)
#          lab/lab.sh restart [FAMILY|NAME ...]
#          lab/lab.sh status  [FAMILY|NAME ...]   exit 0 if all selected run, 3 otherwise
#          lab/lab.sh env                         export lines for tests (eval "$(lab.sh env)")
#   FAMILY is one of: redis postgresql mariadb memcached
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
# Must run as root (it switches to the postgres/mysql/redis/memcache users).

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
)

declare -A LAB_COMM=([redis]=redis-server [postgresql]=postgres [mariadb]=mariadbd [memcached]=memcached)
declare -A LAB_USER=([redis]=redis [postgresql]=postgres [mariadb]=mysql [memcached]=memcache)
# Polite stop signal: postgres' SIGTERM is "smart" shutdown (waits for clients
# to go away), SIGINT is "fast" shutdown (what pg_ctl -m fast sends).
declare -A LAB_STOPSIG=([redis]=TERM [postgresql]=INT [mariadb]=TERM [memcached]=TERM)

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
      if [[ $arg == "$family" || $arg == "$name" ]]; then
        [[ " ${SELECTED[*]-} " == *" $inst "* ]] || SELECTED+=("$inst")
        hit=1
      fi
    done
    (( hit )) || lab_die "unknown service '$arg' (families: redis postgresql mariadb memcached; or an instance name)"
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
  (( EUID == 0 )) || lab_die "lab.sh must run as root (it starts servers as postgres/mysql/redis/memcache)"
  [[ $LAB_DIR == /* && $LAB_DIR != / ]] || lab_die "AJAR_LAB_DIR must be an absolute path other than / (got '$LAB_DIR')"
  local c inst name family addr port mode verdict desc
  for c in setsid setpriv ss timeout flock od sed awk; do
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
    if ! setpriv --reuid="$u" --regid="$u" --init-groups -- test -x "$LAB_DIR"; then
      lab_die "user $u cannot reach $LAB_DIR (choose an AJAR_LAB_DIR whose parents are world-executable)"
    fi
  done
}

print_table() {
  local inst name family addr port mode verdict desc pid state
  printf '%-22s %-16s %-8s %-11s %s\n' NAME ADDRESS PID EXPECT CONFIG
  for inst in "${SELECTED[@]}"; do
    parse "$inst"
    pid=$(instance_pid "$name")
    if is_running "$name" "$family"; then state=$pid; else state=-; fi
    printf '%-22s %-16s %-8s %-11s %s\n' "$name" "$addr:$port" "$state" "$verdict" "$desc"
  done
}

# stop_selected: signal recorded PIDs, wait (bounded), KILL leftovers.
stop_selected() {
  local inst name family addr port mode verdict desc pid
  local -a pids=() names=()
  for inst in "${SELECTED[@]}"; do
    parse "$inst"
    local pidf=$LAB_DIR/$name/lab.pid
    [[ -f $pidf ]] || continue
    pid=$(lab_read_pid "$pidf")
    if [[ -n $pid ]] && lab_pid_matches "$pid" "${LAB_COMM[$family]}"; then
      kill -s "${LAB_STOPSIG[$family]}" "$pid" 2>/dev/null || true
      pids+=("$pid"); names+=("$name:$family")
      lab_log "stopping $name (pid $pid, SIG${LAB_STOPSIG[$family]})"
    else
      lab_log "$name: not running${pid:+ (stale pid $pid)}"
      rm -f "$pidf"
    fi
  done
  (( ${#pids[@]} )) || return 0

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
  printf '%-22s %-16s %-8s %-9s %s\n' NAME ADDRESS PID STATE EXPECT
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
    printf '%-22s %-16s %-8s %-9s %s\n' "$name" "$addr:$port" "$pid" "$state" "$verdict"
  done
  return "$rc"
}

cmd_env() {
  local inst name family addr port mode verdict desc var
  printf 'export AJAR_LAB_DIR=%s\n' "$LAB_DIR"
  for inst in "${LAB_INSTANCES[@]}"; do
    parse "$inst"
    var=AJAR_LAB_${name^^}; var=${var//-/_}
    printf 'export %s=%s:%s\n' "$var" "$addr" "$port"
    printf 'export %s_EXPECT=%s\n' "$var" "$verdict"
    "${family}_env" "$name" "$addr" "$port" "$mode" "$LAB_DIR/$name" "$var"
  done
}

usage() {
  sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

main() {
  local cmd=${1:-}
  (( $# )) && shift
  case $cmd in
    start)   cmd_start "$@" ;;
    stop)    cmd_stop "$@" ;;
    restart) ( cmd_stop "$@" ); cmd_start "$@" ;;
    status)  cmd_status "$@" ;;
    env)     cmd_env ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
