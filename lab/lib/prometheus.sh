# shellcheck shell=bash
# lab/lib/prometheus.sh - Prometheus instances of the ajar loopback lab.
#
#   prometheus-open     127.0.1.9:9090  no web config: everything anonymous
#   prometheus-secured  127.0.2.9:9090  --web.config.file with basic_auth_users
#                                       (user labadmin, bcrypt hash; password in
#                                       DIR/password); anything without it
#                                       -> 401 + WWW-Authenticate: Basic
#
# Each scrapes only itself (for secured, with basic_auth + password_file).
# prometheus runs in the foreground as the `prometheus` user; TSDB in
# DIR/data (kept across restarts, 1 day retention).
# Layout of DIR: prometheus.yml, web.yml + scrape.password + curl.auth +
# password (secured), data/, server.log, lab.pid.

LAB_PROMETHEUS_USER=labadmin

prometheus_preflight() {
  local c
  for c in prometheus curl; do
    command -v $c >/dev/null || lab_die "$1: $c not installed (apt-get install prometheus curl)"
  done
  /usr/bin/python3 -c 'import bcrypt' 2>/dev/null || lab_die "$1: python3-bcrypt not installed (apt-get install python3-bcrypt)"
}

prometheus_start() {
  local name=$1 addr=$2 port=$3 mode=$4 dir=$5
  local gid conf=$dir/prometheus.yml
  gid=$(id -g prometheus)

  lab_render "$LAB_CONF/prometheus.yml.in" "$conf" BIND="$addr" PORT="$port" NAME="$name"
  local -a args=("--config.file=$conf" "--storage.tsdb.path=$dir/data" "--storage.tsdb.retention.time=1d"
                 "--web.listen-address=$addr:$port")
  local -a cred=()
  if [[ $mode == secured ]]; then
    local pass hash
    pass=$(lab_secret "$dir/password")
    hash=$(printf '%s\n' "$pass" | /usr/bin/python3 -c \
      'import sys, bcrypt; print(bcrypt.hashpw(sys.stdin.readline().strip().encode(), bcrypt.gensalt(rounds=10)).decode())') \
      || lab_die "$name: bcrypt failed"
    printf 'basic_auth_users:\n  %s: %s\n' "$LAB_PROMETHEUS_USER" "$hash" >"$dir/web.yml"
    ( umask 027; printf '%s' "$pass" >"$dir/scrape.password" )
    chown root:"$gid" "$dir/web.yml" "$dir/scrape.password"
    chmod 0640 "$dir/web.yml" "$dir/scrape.password"
    cat >>"$conf" <<EOS
    basic_auth:
      username: $LAB_PROMETHEUS_USER
      password_file: $dir/scrape.password
EOS
    args+=("--web.config.file=$dir/web.yml")
    lab_curl_auth_file "$dir/curl.auth" "$LAB_PROMETHEUS_USER" "$pass"
    cred=(-K "$dir/curl.auth")
  else
    rm -f "$dir/password" "$dir/web.yml" "$dir/scrape.password" "$dir/curl.auth"
  fi
  chown root:"$gid" "$conf"
  chmod 0640 "$conf"
  mkdir -p "$dir/data"
  chown prometheus:"$gid" "$dir/data"
  chmod 0750 "$dir/data"

  lab_spawn "$dir" setpriv --reuid=prometheus --regid="$gid" --init-groups --reset-env -- \
    /usr/bin/prometheus "${args[@]}"
  local pid=$LAB_SPAWNED_PID

  lab_wait_until "$name" 30 "$pid" prometheus \
    curl -sS -f --noproxy '*' -o /dev/null "${cred[@]}" "http://$addr:$port/-/ready" \
    || lab_die "$name did not become ready on $addr:$port"
  lab_check_listeners "$pid" || lab_die "$name listens on a non-loopback address"

  local out
  out=$(lab_curl "${cred[@]}" "http://$addr:$port/api/v1/status/buildinfo") || lab_die "$name: buildinfo failed"
  [[ $out == *'"status":"success"'* ]] || lab_die "$name: unexpected buildinfo: $out"
}

prometheus_env() { # NAME ADDR PORT MODE DIR VARPREFIX
  local dir=$5 var=$6
  if [[ $4 == secured && -s $dir/password ]]; then
    printf 'export %s_USER=%s\n' "$var" "$LAB_PROMETHEUS_USER"
    printf 'export %s_PASSWORD=%s\n' "$var" "$(<"$dir/password")"
  fi
}
