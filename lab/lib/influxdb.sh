# shellcheck shell=bash
# lab/lib/influxdb.sh - InfluxDB 1.x instances of the ajar loopback lab.
#
#   influxdb-open       127.0.1.6:8086  auth-enabled = false; database
#                                       lab_metrics with 5 points
#   influxdb-secured    127.0.2.6:8086  auth-enabled = true, admin user
#                                       labadmin (password in DIR/password);
#                                       anonymous queries get 401
#   influxdb-unclaimed  127.0.3.6:8086  auth-enabled = true and NO user yet:
#                                       every query gets 403 "create admin
#                                       user first or disable authentication"
#                                       (whoever connects first can claim it)
#
# The backup/RPC service binds the same address, port 8088
# (LAB_INFLUXDB_RPC_PORT). influxd runs in the foreground as the `influxdb`
# user. No persistence: DIR/data is recreated on every start (so the
# unclaimed instance is unclaimed again after a restart).
# Layout of DIR: influxdb.conf, data/, server.log, lab.pid, password and
# curl.auth (secured only).

LAB_INFLUXDB_RPC_PORT=8088
LAB_INFLUXDB_ADMIN=labadmin

influxdb_preflight() {
  local c
  for c in influxd influx curl; do
    command -v $c >/dev/null || lab_die "$1: $c not installed (apt-get install influxdb influxdb-client curl)"
  done
}

# influxdb_query ADDR PORT [curl args...]: POST /query, q read from stdin.
influxdb_query() {
  local addr=$1 port=$2; shift 2
  lab_curl "$@" -X POST --data-urlencode "q@-" "http://$addr:$port/query"
}

influxdb_start() {
  local name=$1 addr=$2 port=$3 mode=$4 dir=$5
  local conf=$dir/influxdb.conf auth=true
  [[ $mode == open ]] && auth=false

  lab_render "$LAB_CONF/influxdb.conf.in" "$conf" \
    BIND="$addr" PORT="$port" RPC_PORT="$LAB_INFLUXDB_RPC_PORT" DIR="$dir" AUTH="$auth"
  chown root:"$(id -g influxdb)" "$conf"
  chmod 0640 "$conf"
  rm -rf "${dir:?}/data"
  mkdir -p "$dir/data"
  chown influxdb:"$(id -g influxdb)" "$dir/data"
  chmod 0750 "$dir/data"

  lab_spawn "$dir" setpriv --reuid=influxdb --regid="$(id -g influxdb)" --init-groups --reset-env -- \
    /usr/bin/influxd -config "$conf"
  local pid=$LAB_SPAWNED_PID

  # /ping answers 204 without credentials in every mode.
  lab_wait_until "$name" 20 "$pid" influxd \
    curl -sS -f --noproxy '*' -o /dev/null "http://$addr:$port/ping" \
    || lab_die "$name did not answer /ping on $addr:$port"
  lab_check_listeners "$pid" || lab_die "$name listens on a non-loopback address"

  local -a cred=()
  case $mode in
    open)
      rm -f "$dir/password" "$dir/curl.auth"
      ;;
    secured)
      local pass
      pass=$(lab_secret "$dir/password")
      lab_curl_auth_file "$dir/curl.auth" "$LAB_INFLUXDB_ADMIN" "$pass"
      # With auth on and no user yet, InfluxDB accepts exactly this statement
      # without credentials (the bootstrap); printf is a builtin, so the
      # password never appears on a command line.
      printf "CREATE USER %s WITH PASSWORD '%s' WITH ALL PRIVILEGES" "$LAB_INFLUXDB_ADMIN" "$pass" \
        | influxdb_query "$addr" "$port" -o /dev/null || lab_die "$name: creating the admin user failed"
      cred=(-K "$dir/curl.auth")
      ;;
    unclaimed)
      rm -f "$dir/password" "$dir/curl.auth"
      local out
      out=$(echo 'SHOW DATABASES' | curl -sS --noproxy '*' --max-time 10 -X POST --data-urlencode 'q@-' "http://$addr:$port/query")
      [[ $out == *"create admin user first"* ]] || lab_die "$name: expected 'create admin user first', got: $out"
      return 0
      ;;
  esac

  echo 'CREATE DATABASE lab_metrics' | influxdb_query "$addr" "$port" "${cred[@]}" -o /dev/null \
    || lab_die "$name: CREATE DATABASE failed"
  lab_curl "${cred[@]}" -X POST --data-binary "@$LAB_CONF/influxdb-seed.lp" \
    "http://$addr:$port/write?db=lab_metrics&precision=s" || lab_die "$name: writing the seed points failed"
  local out
  out=$(lab_curl "${cred[@]}" -G --data-urlencode 'db=lab_metrics' \
        --data-urlencode 'q=SELECT count(value) FROM cpu_load' "http://$addr:$port/query" 2>&1 || true)
  [[ $out == *'"values":[['*',3]]'* ]] || lab_die "$name: expected 3 cpu_load points, got: $out"
}

influxdb_env() { # NAME ADDR PORT MODE DIR VARPREFIX
  local addr=$2 dir=$5 var=$6
  printf 'export %s_RPC=%s:%s\n' "$var" "$addr" "$LAB_INFLUXDB_RPC_PORT"
  if [[ $4 == secured && -s $dir/password ]]; then
    printf 'export %s_USER=%s\n' "$var" "$LAB_INFLUXDB_ADMIN"
    printf 'export %s_PASSWORD=%s\n' "$var" "$(<"$dir/password")"
  fi
}
