# shellcheck shell=bash
# lab/lib/etcd.sh - etcd instances of the ajar loopback lab.
#
#   etcd-open     127.0.1.5:2379  v3 API (gRPC + JSON gateway), no auth
#   etcd-secured  127.0.2.5:2379  v3 auth enabled: user root (role root),
#                                 password in DIR/password; an anonymous
#                                 range request gets "user name is empty"
#
# Single-member clusters; the peer listener is on the same address, port 2380
# (LAB_ETCD_PEER_PORT). etcd runs in the foreground as the `etcd` user. No
# persistence: DIR/data is recreated on every start, then seeded with 5 keys
# under /lab/ (and, for secured, root + `auth enable`).
# Layout of DIR: data/, server.log, lab-start.log, lab.pid, password (secured).

LAB_ETCD_PEER_PORT=2380

etcd_preflight() {
  local c
  for c in etcd etcdctl curl; do
    command -v $c >/dev/null || lab_die "$1: $c not installed (apt-get install etcd-server etcd-client curl)"
  done
}

# etcd_ctl ADDR PORT ARGS...: etcdctl (v3) against one lab endpoint.
etcd_ctl() {
  local addr=$1 port=$2; shift 2
  ETCDCTL_API=3 timeout 15 etcdctl --endpoints="http://$addr:$port" \
    --dial-timeout=3s --command-timeout=5s "$@"
}

etcd_start() {
  local name=$1 addr=$2 port=$3 mode=$4 dir=$5
  local peer=http://$addr:$LAB_ETCD_PEER_PORT client=http://$addr:$port

  rm -rf "${dir:?}/data"
  mkdir -p "$dir/data"
  chown etcd:"$(id -g etcd)" "$dir/data"
  chmod 0700 "$dir/data"

  lab_spawn "$dir" setpriv --reuid=etcd --regid="$(id -g etcd)" --init-groups --reset-env -- \
    /usr/bin/etcd --name "$name" --data-dir "$dir/data" \
      --listen-client-urls "$client" --advertise-client-urls "$client" \
      --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" \
      --initial-cluster "$name=$peer" --initial-cluster-state new \
      --initial-cluster-token "ajar-lab-$name"
  local pid=$LAB_SPAWNED_PID

  lab_wait_until "$name" 20 "$pid" etcd \
    bash -c '[[ $(curl -sS --noproxy "*" "$0") == *"\"health\":\"true\""* ]]' "$client/health" \
    || lab_die "$name did not report health on $client"
  lab_check_listeners "$pid" || lab_die "$name listens on a non-loopback address"

  # Seed: invented data only (fresh data dir, so no cleanup needed).
  local -a kv=(
    /lab/config/currency 'EUR'
    /lab/config/feature-flags '{"checkout_v2":true,"dark_mode":false}'
    /lab/customers/1 '{"name":"Ada Example","email":"ada@example.invalid"}'
    /lab/customers/2 '{"name":"Bruno Sample","email":"bruno@example.invalid","phone":"+1-555-0102"}'
    /lab/services/billing/endpoint 'https://billing.example.invalid:8443'
  )
  local i
  for (( i = 0; i < ${#kv[@]}; i += 2 )); do
    etcd_ctl "$addr" "$port" put "${kv[i]}" "${kv[i+1]}" >/dev/null || lab_die "$name: seeding ${kv[i]} failed"
  done

  case $mode in
    secured)
      local pass
      pass=$(lab_secret "$dir/password")
      # `user add` reads the password from stdin with --interactive=false.
      printf '%s\n' "$pass" | etcd_ctl "$addr" "$port" user add root --interactive=false >/dev/null \
        || lab_die "$name: user add root failed"
      etcd_ctl "$addr" "$port" role add root >/dev/null || lab_die "$name: role add root failed"
      etcd_ctl "$addr" "$port" user grant-role root root >/dev/null || lab_die "$name: grant-role failed"
      etcd_ctl "$addr" "$port" auth enable >/dev/null || lab_die "$name: auth enable failed"
      local n
      n=$(ETCDCTL_USER="root:$pass" etcd_ctl "$addr" "$port" get /lab/ --prefix --keys-only | grep -c '^/lab/' || true)
      [[ $n == 5 ]] || lab_die "$name: expected 5 keys under /lab/ (as root), found '$n'"
      # Anonymous requests must now be refused.
      if etcd_ctl "$addr" "$port" get /lab/config/currency >/dev/null 2>&1; then
        lab_die "$name: anonymous get still works after auth enable"
      fi
      ;;
    *)
      rm -f "$dir/password"
      local n
      n=$(etcd_ctl "$addr" "$port" get /lab/ --prefix --keys-only | grep -c '^/lab/' || true)
      [[ $n == 5 ]] || lab_die "$name: expected 5 keys under /lab/, found '$n'"
      ;;
  esac
}

etcd_env() { # NAME ADDR PORT MODE DIR VARPREFIX
  local addr=$2 dir=$5 var=$6
  printf 'export %s_PEER=%s:%s\n' "$var" "$addr" "$LAB_ETCD_PEER_PORT"
  if [[ $4 == secured && -s $dir/password ]]; then
    printf 'export %s_USER=root\n' "$var"
    printf 'export %s_PASSWORD=%s\n' "$var" "$(<"$dir/password")"
  fi
}
