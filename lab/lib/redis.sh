# shellcheck shell=bash
# lab/lib/redis.sh - Redis instances of the ajar loopback lab.
#
#   redis-open     127.0.1.1:6379  no password, protected-mode no
#   redis-secured  127.0.2.1:6379  requirepass <random>, stored in DIR/password
#
# Layout of DIR ($AJAR_LAB_DIR/<name>): redis.conf, data/, server.log, lab.pid,
# password (secured only). Runs as the `redis` user, in the foreground, no
# persistence: every start is a fresh keyspace that we seed (5 keys in db0,
# 2 keys in db1).

redis_start() {
  local name=$1 addr=$2 port=$3 mode=$4 dir=$5
  local conf=$dir/redis.conf pass=""

  mkdir -p "$dir/data"
  chown redis:redis "$dir/data"
  chmod 0750 "$dir/data"

  lab_render "$LAB_CONF/redis.conf.in" "$conf" \
    BIND="$addr" PORT="$port" DIR="$dir/data" \
    PROTECTED="$([[ $mode == open ]] && echo no || echo yes)"
  if [[ $mode == secured ]]; then
    pass=$(lab_secret "$dir/password")
    printf 'requirepass %s\n' "$pass" >>"$conf"
  else
    rm -f "$dir/password"
  fi
  chown root:redis "$conf"
  chmod 0640 "$conf"

  lab_spawn "$dir" setpriv --reuid=redis --regid=redis --init-groups --reset-env -- \
    /usr/bin/redis-server "$conf"
  local pid=$LAB_SPAWNED_PID

  # REDISCLI_AUTH keeps the password off the command line.
  export REDISCLI_AUTH=$pass
  [[ -n $pass ]] || unset REDISCLI_AUTH
  lab_wait_until "$name" 15 "$pid" redis-server \
    bash -c '[[ $(redis-cli -h "$0" -p "$1" PING) == PONG ]]' "$addr" "$port" \
    || lab_die "$name did not answer PING on $addr:$port"
  lab_check_listeners "$pid" || lab_die "$name listens on a non-loopback address"

  # Seed: invented data only. FLUSHALL first so the content is deterministic.
  timeout 10 redis-cli -h "$addr" -p "$port" >"$dir/seed.out" 2>&1 <<'EOF'
FLUSHALL
SELECT 0
SET lab:customer:1:name "Ada Example"
HSET lab:customer:2 name "Bruno Sample" email "bruno@example.invalid" city "Sampleton"
SET lab:config:currency "EUR"
RPUSH lab:queue:welcome-mails "ada@example.invalid" "chiara@example.invalid"
SADD lab:segment:vip "customer:1" "customer:4"
SELECT 1
SET lab:session:7f3a "{\"user\":\"dmitri@example.invalid\",\"cart\":3}"
SET lab:ratelimit:emeka@example.invalid "4"
EOF
  if grep -q -i 'err' "$dir/seed.out"; then
    cat "$dir/seed.out" >&2
    lab_die "$name: seeding failed"
  fi
  local ks
  ks=$(timeout 5 redis-cli -h "$addr" -p "$port" INFO keyspace)
  [[ $ks == *db0:keys=5,* && $ks == *db1:keys=2,* ]] \
    || lab_die "$name: unexpected keyspace after seeding: $ks"
}

redis_env() { # NAME ADDR PORT MODE DIR VARPREFIX
  local dir=$5 var=$6
  if [[ $4 == secured && -s $dir/password ]]; then
    printf 'export %s_PASSWORD=%s\n' "$var" "$(<"$dir/password")"
  fi
}
