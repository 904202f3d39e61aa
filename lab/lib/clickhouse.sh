# shellcheck shell=bash
# lab/lib/clickhouse.sh - ClickHouse instances of the ajar loopback lab.
#
#   clickhouse-open     127.0.1.7:8123  user `default` with an EMPTY password
#   clickhouse-secured  127.0.2.7:8123  user `default` with a password
#                                       (password_sha256_hex; plain text in
#                                       DIR/password); no credentials -> 401
#                                       "Code: 194 ... Password required"
#
# HTTP interface on 8123, native protocol on 9000 (LAB_CLICKHOUSE_TCP_PORT),
# both on the instance address; nothing else listens. clickhouse-server runs
# in the foreground as the `clickhouse` user. No persistence: DIR/data is
# recreated on every start and seeded over HTTP with database lab_analytics,
# table page_views (5 rows).
# Layout of DIR: config.xml, users.xml, data/, server.log, lab.pid, password
# and curl.auth (secured only).

LAB_CLICKHOUSE_TCP_PORT=9000

clickhouse_preflight() {
  local c
  [[ -x /usr/sbin/clickhouse-server ]] || lab_die "$1: /usr/sbin/clickhouse-server not installed (apt-get install clickhouse-server)"
  for c in clickhouse-client curl sha256sum; do
    command -v $c >/dev/null || lab_die "$1: $c not installed (apt-get install clickhouse-client curl)"
  done
}

clickhouse_start() {
  local name=$1 addr=$2 port=$3 mode=$4 dir=$5
  local gid pwelem pass="" hash
  gid=$(id -g clickhouse)

  lab_render "$LAB_CONF/clickhouse-config.xml.in" "$dir/config.xml" \
    NAME="ajar-lab-$name" BIND="$addr" HTTP_PORT="$port" TCP_PORT="$LAB_CLICKHOUSE_TCP_PORT" DIR="$dir"
  if [[ $mode == secured ]]; then
    pass=$(lab_secret "$dir/password")
    hash=$(printf '%s' "$pass" | sha256sum | cut -d' ' -f1)
    pwelem="<password_sha256_hex>$hash</password_sha256_hex>"
    lab_curl_auth_file "$dir/curl.auth" default "$pass"
  else
    rm -f "$dir/password" "$dir/curl.auth"
    pwelem="<password></password>"
  fi
  lab_render "$LAB_CONF/clickhouse-users.xml.in" "$dir/users.xml" PASSWORD_ELEMENT="$pwelem"
  chown root:"$gid" "$dir/config.xml" "$dir/users.xml"
  chmod 0640 "$dir/config.xml" "$dir/users.xml"

  rm -rf "${dir:?}/data"
  mkdir -p "$dir/data"
  chown clickhouse:"$gid" "$dir/data"
  chmod 0750 "$dir/data"

  # cwd = DIR: clickhouse writes preprocessed configs next to its data.
  lab_spawn "$dir" setpriv --reuid=clickhouse --regid="$gid" --init-groups --reset-env -- \
    /usr/sbin/clickhouse-server --config-file="$dir/config.xml"
  local pid=$LAB_SPAWNED_PID

  # /ping needs no credentials in either mode.
  lab_wait_until "$name" 20 "$pid" clickhouse-serv \
    bash -c '[[ $(curl -sS --noproxy "*" "$0") == Ok.* ]]' "http://$addr:$port/ping" \
    || lab_die "$name did not answer /ping on $addr:$port"
  # The native port speaks only after the client hello: a connect is enough.
  lab_wait_until "$name (native)" 10 "$pid" clickhouse-serv \
    bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$addr" "$LAB_CLICKHOUSE_TCP_PORT" \
    || lab_die "$name is not accepting connections on $addr:$LAB_CLICKHOUSE_TCP_PORT"
  lab_check_listeners "$pid" || lab_die "$name listens on a non-loopback address"

  local -a cred=()
  [[ -n $pass ]] && cred=(-K "$dir/curl.auth")
  local stmt
  while IFS= read -r stmt; do
    [[ -n $stmt ]] || continue
    printf '%s' "$stmt" | lab_curl "${cred[@]}" --data-binary @- "http://$addr:$port/" >/dev/null \
      || lab_die "$name: seeding failed at: ${stmt:0:60}"
  done <"$LAB_CONF/clickhouse-seed.sql"
  local n
  n=$(printf 'SELECT count() FROM lab_analytics.page_views' | lab_curl "${cred[@]}" --data-binary @- "http://$addr:$port/")
  [[ $n == 5 ]] || lab_die "$name: expected 5 rows in lab_analytics.page_views, found '$n'"
}

clickhouse_env() { # NAME ADDR PORT MODE DIR VARPREFIX
  local addr=$2 dir=$5 var=$6
  printf 'export %s_NATIVE=%s:%s\n' "$var" "$addr" "$LAB_CLICKHOUSE_TCP_PORT"
  printf 'export %s_USER=default\n' "$var"
  if [[ $4 == secured && -s $dir/password ]]; then
    printf 'export %s_PASSWORD=%s\n' "$var" "$(<"$dir/password")"
  fi
}
