# shellcheck shell=bash
# lab/lib/memcached.sh - memcached instances of the ajar loopback lab.
#
#   memcached-open     127.0.1.4:11211  plain text protocol, no auth, -U 0
#   memcached-secured  127.0.2.4:11211  ASCII auth (-Y DIR/authfile), -U 0;
#                                       an unauthenticated `stats` gets
#                                       "CLIENT_ERROR unauthenticated"
#
# memcached runs in the foreground and drops to the `memcache` user itself
# (-u memcache); it reads the authfile *after* dropping privileges, so the file
# is root:memcache 0640. Items live in memory only and are reseeded on every
# start (3 items), for the secured instance through the authenticated text
# protocol (`set <any> 0 0 <len>\r\n<user> <password>\r\n` -> STORED).
# Layout of DIR: authfile + password (secured only), server.log, lab.pid.

LAB_MEMCACHED_USER=labuser

memcached_start() {
  local name=$1 addr=$2 port=$3 mode=$4 dir=$5
  local args=(-l "$addr" -p "$port" -U 0 -u memcache -m 16 -c 128) pass="" auth=""

  if [[ $mode == secured ]]; then
    pass=$(lab_secret "$dir/password")
    printf '%s:%s\n' "$LAB_MEMCACHED_USER" "$pass" >"$dir/authfile.tmp"
    chown root:memcache "$dir/authfile.tmp"
    chmod 0640 "$dir/authfile.tmp"
    mv -f "$dir/authfile.tmp" "$dir/authfile"
    args+=(-Y "$dir/authfile")
    local cred="$LAB_MEMCACHED_USER $pass"
    printf -v auth 'set auth 0 0 %d\r\n%s\r\n' "${#cred}" "$cred"
  else
    rm -f "$dir/password" "$dir/authfile"
  fi

  lab_spawn "$dir" /usr/bin/memcached "${args[@]}"
  local pid=$LAB_SPAWNED_PID

  # Ready when `version` answers (after authenticating, for secured).
  # (one reply line per command: [STORED] VERSION x.y.z)
  local nreply=1
  [[ -n $auth ]] && nreply=2
  lab_wait_until "$name" 10 "$pid" memcached \
    bash -c '[[ $(printf "%s" "$2" | bash "$3" "$0" "$1" lines "$4") == *"VERSION "* ]]' \
    "$addr" "$port" "${auth}version"$'\r\n' "$LAB_LIB/tcpio.sh" "$nreply" \
    || lab_die "$name did not answer 'version' on $addr:$port"
  lab_check_listeners "$pid" || lab_die "$name listens on a non-loopback address"

  # Seed 3 invented items.
  local payload="$auth" chunk k v n=0 expect=3
  [[ -n $auth ]] && expect=4
  local -a items=(
    'lab:customer:1' 'Ada Example <ada@example.invalid>'
    'lab:customer:2' 'Bruno Sample <bruno@example.invalid>'
    'lab:session:9c2e' '{"user":"chiara@example.invalid","cart":2}'
  )
  while (( n < ${#items[@]} )); do
    k=${items[n]} v=${items[n+1]}
    printf -v chunk 'set %s 0 0 %d\r\n%s\r\n' "$k" "${#v}" "$v"
    payload+=$chunk
    n=$(( n + 2 ))
  done
  local out stored
  out=$(printf '%s' "$payload" | lab_tcp "$addr" "$port" lines "$expect") || true
  stored=$(grep -c '^STORED$' <<<"$out" || true)
  [[ $stored == "$expect" ]] || lab_die "$name: seeding failed (got: ${out//$'\n'/ | })"
}

memcached_env() { # NAME ADDR PORT MODE DIR VARPREFIX
  local dir=$5 var=$6
  if [[ $4 == secured && -s $dir/password ]]; then
    printf 'export %s_USER=%s\n' "$var" "$LAB_MEMCACHED_USER"
    printf 'export %s_PASSWORD=%s\n' "$var" "$(<"$dir/password")"
  fi
}
