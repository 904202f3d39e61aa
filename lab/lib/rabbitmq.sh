# shellcheck shell=bash
# lab/lib/rabbitmq.sh - RabbitMQ (with the management plugin) instances of the
# ajar loopback lab.
#
#   rabbitmq-open     127.0.1.10:15672  stock users: guest/guest, which RabbitMQ
#                                       allows from loopback clients (we are one)
#   rabbitmq-secured  127.0.2.10:15672  no guest user at all; one administrator
#                                       labadmin, password in DIR/password
#                                       (default_user/default_pass on a fresh
#                                       node); guest/guest -> 401
#
# AMQP on 5672 (LAB_RABBITMQ_AMQP_PORT) and the Erlang distribution port 25672
# (LAB_RABBITMQ_DIST_PORT) on the same address. Node names ajar_lab_<mode>@localhost.
#
# epmd: both nodes register with one lab epmd, started here on first need and
# stopped by rabbitmq_post_stop once no lab RabbitMQ runs. It listens on
# 127.0.0.1 (always; epmd adds it) on port 24369 (LAB_RABBITMQ_EPMD_PORT, not
# the default 4369, so the lab never shares an epmd with anything else), state
# in $AJAR_LAB_DIR/rabbitmq-epmd/ (lab.pid, server.log).
#
# Loopback guard: epmd always also listens on [::1], and RabbitMQ 3.10 probes
# its distribution port by listening on 0.0.0.0 for a moment. Neither can be
# configured away, so epmd and the Erlang VM run with lib/loopback_guard.c
# preloaded (built with cc into rabbitmq-epmd/loopback_guard.so): no IPv6
# sockets, binds to 0.0.0.0 become binds to the instance address, nothing can
# be sent beyond 127.0.0.0/8. ERL_INETRC ({lookup,[file]}) keeps Erlang's
# name lookups in /etc/hosts (no DNS queries).
#
# rabbitmq-server runs in the foreground as `rabbitmq` (RUNNING_UNDER_SYSTEMD
# makes its script exec the VM, so the recorded PID is beam.smp itself).
# No persistence: the Mnesia dir is recreated on every start (so the default
# user is created again), then a queue lab.welcome-mails gets 2 messages.
# Layout of DIR: rabbitmq.conf, enabled_plugins, rabbitmq-env.conf (empty, so
# /etc/rabbitmq/ is not read), inetrc, home/ (.erlang.cookie), mnesia/, log/,
# server.log, lab.pid, password + curl.auth (secured; curl.auth for open has
# guest/guest).

LAB_RABBITMQ_AMQP_PORT=5672
LAB_RABBITMQ_DIST_PORT=25672
LAB_RABBITMQ_EPMD_PORT=24369
LAB_RABBITMQ_ADMIN=labadmin

rabbitmq_preflight() {
  local c
  [[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]] || lab_die "$1: rabbitmq-server not installed (apt-get install rabbitmq-server)"
  for c in epmd erl cc curl; do
    command -v $c >/dev/null || lab_die "$1: $c not installed (apt-get install rabbitmq-server gcc curl)"
  done
}

rabbitmq_epmd_dir() { printf '%s\n' "$LAB_DIR/rabbitmq-epmd"; }

# rabbitmq_ensure_epmd: build the loopback guard and start the lab epmd unless
# it runs. Serialised with flock (fd 8): both instances start in parallel.
rabbitmq_ensure_epmd() {
  local edir guard src pid
  edir=$(rabbitmq_epmd_dir)
  mkdir -p "$edir"
  chmod 0755 "$edir"
  exec 8>"$edir/.lock"
  flock -w 60 8 || lab_die "rabbitmq: epmd lock busy for 60 s"

  guard=$edir/loopback_guard.so src=$LAB_LIB/loopback_guard.c
  if [[ ! -s $guard || $src -nt $guard ]]; then
    timeout 60 cc -shared -fPIC -O2 -Wall -o "$guard.tmp" "$src" -ldl \
      || lab_die "rabbitmq: building $guard failed"
    chmod 0755 "$guard.tmp"
    mv -f "$guard.tmp" "$guard"
  fi

  pid=$(lab_read_pid "$edir/lab.pid")
  if [[ -n $pid ]] && lab_pid_matches "$pid" epmd; then
    exec 8>&-
    return 0
  fi
  rm -f "$edir/lab.pid"
  if [[ -n $(ss -H -l -t -n "sport = :$LAB_RABBITMQ_EPMD_PORT" 2>/dev/null) ]]; then
    lab_die "rabbitmq: port $LAB_RABBITMQ_EPMD_PORT is taken by something that is not the lab's epmd"
  fi
  lab_spawn "$edir" setpriv --reuid=rabbitmq --regid="$(id -g rabbitmq)" --init-groups --reset-env -- \
    env LD_PRELOAD="$guard" LAB_GUARD_ADDR=127.0.0.1 \
    /usr/bin/epmd -address 127.0.0.1 -port "$LAB_RABBITMQ_EPMD_PORT"
  pid=$LAB_SPAWNED_PID
  # `epmd -names` would try [::1] first: it runs under the guard too.
  lab_wait_until "rabbitmq-epmd" 10 "$pid" epmd \
    env LD_PRELOAD="$guard" LAB_GUARD_ADDR=127.0.0.1 ERL_EPMD_PORT="$LAB_RABBITMQ_EPMD_PORT" /usr/bin/epmd -names \
    || lab_die "rabbitmq: epmd did not start (see $edir/server.log)"
  lab_check_listeners "$pid" || lab_die "rabbitmq: epmd listens on a non-loopback address"
  exec 8>&-
}

rabbitmq_start() {
  local name=$1 addr=$2 port=$3 mode=$4 dir=$5
  local gid
  gid=$(id -g rabbitmq)

  rabbitmq_ensure_epmd

  lab_render "$LAB_CONF/rabbitmq.conf.in" "$dir/rabbitmq.conf" \
    BIND="$addr" PORT="$port" AMQP_PORT="$LAB_RABBITMQ_AMQP_PORT"
  local user pass
  case $mode in
    secured)
      user=$LAB_RABBITMQ_ADMIN
      pass=$(lab_secret "$dir/password")
      cat >>"$dir/rabbitmq.conf" <<EOS
# No guest: a fresh node creates this user instead.
default_user = $user
default_pass = $pass
default_user_tags.administrator = true
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
EOS
      ;;
    *)
      rm -f "$dir/password"
      user=guest pass=guest
      ;;
  esac
  lab_curl_auth_file "$dir/curl.auth" "$user" "$pass"
  chown root:"$gid" "$dir/rabbitmq.conf"
  chmod 0640 "$dir/rabbitmq.conf"
  printf '[rabbitmq_management].\n' >"$dir/enabled_plugins"
  : >"$dir/rabbitmq-env.conf"
  printf '{lookup, [file]}.\n' >"$dir/inetrc"
  chmod 0644 "$dir/enabled_plugins" "$dir/rabbitmq-env.conf" "$dir/inetrc"

  rm -rf "${dir:?}/mnesia" "${dir:?}/log"
  mkdir -p "$dir/mnesia" "$dir/log" "$dir/home"
  chown rabbitmq:"$gid" "$dir/mnesia" "$dir/log" "$dir/home"
  chmod 0750 "$dir/mnesia" "$dir/log" "$dir/home"

  local ip_tuple=${addr//./,}
  lab_spawn "$dir" setpriv --reuid=rabbitmq --regid="$gid" --init-groups --reset-env -- \
    env LD_PRELOAD="$(rabbitmq_epmd_dir)/loopback_guard.so" LAB_GUARD_ADDR="$addr" \
      HOME="$dir/home" LANG=C.UTF-8 LC_ALL=C.UTF-8 \
      ERL_EPMD_PORT="$LAB_RABBITMQ_EPMD_PORT" ERL_INETRC="$dir/inetrc" \
      ERL_ZFLAGS="-start_epmd false -kernel inet_dist_use_interface {$ip_tuple}" \
      RUNNING_UNDER_SYSTEMD=true \
      RABBITMQ_NODENAME="ajar_lab_$mode@localhost" \
      RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf" \
      RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" \
      RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config" \
      RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
      RABBITMQ_MNESIA_BASE="$dir/mnesia" \
      RABBITMQ_LOG_BASE="$dir/log" \
      RABBITMQ_DIST_PORT="$LAB_RABBITMQ_DIST_PORT" \
      /usr/lib/rabbitmq/bin/rabbitmq-server
  local pid=$LAB_SPAWNED_PID

  lab_wait_until "$name" 90 "$pid" beam.smp \
    curl -sS -f --noproxy '*' -o /dev/null -K "$dir/curl.auth" "http://$addr:$port/api/overview" \
    || lab_die "$name: management API did not answer on $addr:$port"
  lab_check_listeners "$pid" || lab_die "$name listens on a non-loopback address"

  # Seed: one durable queue with 2 invented messages.
  local api=http://$addr:$port/api out i
  lab_curl -K "$dir/curl.auth" -X PUT -H 'content-type: application/json' \
    -d '{"durable":true,"arguments":{}}' "$api/queues/%2F/lab.welcome-mails" -o /dev/null \
    || lab_die "$name: declaring lab.welcome-mails failed"
  for i in 1 2; do
    out=$(lab_curl -K "$dir/curl.auth" -X POST -H 'content-type: application/json' \
      -d "{\"properties\":{\"delivery_mode\":2},\"routing_key\":\"lab.welcome-mails\",\"payload\":\"{\\\"to\\\":\\\"customer$i@example.invalid\\\",\\\"template\\\":\\\"welcome\\\"}\",\"payload_encoding\":\"string\"}" \
      "$api/exchanges/%2F/amq.default/publish") || lab_die "$name: publishing failed"
    [[ $out == *'"routed":true'* ]] || lab_die "$name: message $i not routed: $out"
  done
}

# rabbitmq_post_stop: stop the lab epmd (by its recorded PID) once no lab
# RabbitMQ instance is running any more.
rabbitmq_post_stop() {
  local inst name family pid edir
  for inst in "${LAB_INSTANCES[@]}"; do
    IFS='|' read -r name family _ <<<"$inst"
    [[ $family == rabbitmq ]] || continue
    pid=$(lab_read_pid "$LAB_DIR/$name/lab.pid")
    if [[ -n $pid ]] && lab_pid_matches "$pid" beam.smp; then return 0; fi
  done
  edir=$(rabbitmq_epmd_dir)
  [[ -f $edir/lab.pid ]] || return 0
  pid=$(lab_read_pid "$edir/lab.pid")
  local -a related=()
  [[ -n $pid ]] && mapfile -t related < <(lab_related "$pid")
  if [[ -n $pid ]] && lab_pid_matches "$pid" epmd; then
    lab_log "stopping rabbitmq-epmd (pid $pid, SIGTERM)"
    kill -TERM "$pid" 2>/dev/null || true
    if ! lab_wait_gone 5 "$pid" >/dev/null; then
      if lab_pid_matches "$pid" epmd; then kill -KILL "$pid" 2>/dev/null || true; fi
      lab_wait_gone 5 "$pid" >/dev/null || lab_die "could not stop epmd pid $pid"
    fi
  else
    lab_log "rabbitmq-epmd: not running${pid:+ (stale pid $pid)}"
  fi
  rm -f "$edir/lab.pid"
  (( ${#related[@]} == 0 )) || lab_stop_leftovers rabbitmq-epmd "${related[@]}"
}

rabbitmq_env() { # NAME ADDR PORT MODE DIR VARPREFIX
  local addr=$2 dir=$5 var=$6
  printf 'export %s_AMQP=%s:%s\n' "$var" "$addr" "$LAB_RABBITMQ_AMQP_PORT"
  if [[ $4 == secured ]]; then
    printf 'export %s_USER=%s\n' "$var" "$LAB_RABBITMQ_ADMIN"
    [[ -s $dir/password ]] && printf 'export %s_PASSWORD=%s\n' "$var" "$(<"$dir/password")"
  else
    printf 'export %s_USER=guest\n' "$var"
    printf 'export %s_PASSWORD=guest\n' "$var"
  fi
  return 0
}
