#!/usr/bin/env bash
# bench/run.sh - ajar's side-by-side benchmark: one command, one table, every figure measured
# in the same run, each with its ratio and the target it must meet.
#
#   bench/run.sh                           as root: it makes a network namespace, and nmap -sS
#                                          and ajar --syn need raw sockets
#   ROUNDS=3 bench/run.sh                  rounds of the discovery rows (default 5, 1..20)
#   ROWS=l7,rss bench/run.sh               only some rows: discovery, l7, rss (default all)
#   KEEP=1 bench/run.sh                    keep the raw outputs in /tmp/ajar-bench.*
#
# Everything runs inside a private network namespace (`ip netns add`, its own loopback), so
# nothing collides with the lab or anything else on this machine, and only 127.0.0.0/8 is
# ever addressed.
#   discovery  127.0.0.0/16 x 1 closed port (65,536 endpoints), each round in turn:
#              bench/connect_storm (raw epoll connect(), one process per core, at 16 and at
#              1,024 in flight per process: the faster is the kernel limit of that round),
#              `ajar scan`, `nmap -Pn -n -sT -T5 --min-rate 100000`, and, when ajar has it,
#              `ajar scan --syn` and `nmap -Pn -n -sS -T5 --min-rate 100000`.
#              One warm-up round, then ROUNDS counted; medians, and the median of the
#              per-round ratios. Rate = endpoints / whole-process wall time.
#   l7         one Redis on 0.0.0.0:6379 answers on every 127.x address; `ajar scan
#              127.0.0.0/18 -p 6379` (full verdicts) vs `nmap -Pn -n -sT -T5 -p 6379
#              --script redis-info`, 3 interleaved rounds, medians and the median of the
#              per-round ratios; both outputs must name all 16,384. Each round also times
#              the floor: redis-benchmark -k 0 (connect, INFO, close; 16,384 times).
#   rss        bench/tarpit holds connections open; `ajar scan ... --concurrency 20000
#              --timeout 20s` at it; peak RSS from /usr/bin/time, and the number really in
#              flight from `ss` (sampled every 0.5 s) and from the tarpit's own count.
#
# Every loop is bounded, every command runs under `timeout`, every process started here is
# stopped by its PID, and the namespace is deleted on exit (trap). About 2-4 minutes.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${ROUNDS:-5}
ROWS=${ROWS:-discovery,l7,rss}
KEEP=${KEEP:-0}
PORT=1                       # closed port for the discovery rows (nothing listens in the namespace)
DISCOVERY_NET=127.0.0.0/16   # 65,536 addresses
DISC_N=65536
L7_NET=127.0.0.0/18          # 16,384 addresses
L7_N=16384
L7_ROUNDS=3
RSS_INFLIGHT=20000
RSS_TIMEOUT=20s
STORM_WINDOWS=(16 1024)      # in flight per storm process; 1024 is ajar's default --concurrency
NMAP_FAST=(-Pn -n -T5 --min-rate 100000)

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
log() { printf 'bench: %s\n' "$*" >&2; }
fail() { log "$*"; exit 3; }
want() { [[ ,$ROWS, == *,$1,* ]]; }

if ! [[ $ROUNDS =~ ^[0-9]+$ ]] || ((ROUNDS < 1 || ROUNDS > 20)); then log "ROUNDS must be 1..20"; exit 2; fi
[[ $ROWS =~ ^(discovery|l7|rss)(,(discovery|l7|rss))*$ ]] || { log "ROWS: a comma list of discovery, l7, rss"; exit 2; }
[[ $(id -u) -eq 0 ]] || { log "run as root (network namespace; raw sockets for nmap -sS and ajar --syn)"; exit 2; }

# ---- what it needs -------------------------------------------------------------------------
need=()
command -v nmap >/dev/null || need+=(nmap)
[[ -x /usr/bin/time ]] || need+=(time)
command -v redis-server >/dev/null || need+=(redis-server)
command -v redis-cli >/dev/null && command -v redis-benchmark >/dev/null || need+=(redis-tools)
{ command -v ip && command -v ss; } >/dev/null || need+=(iproute2)
command -v timeout >/dev/null || need+=(coreutils)
if ((${#need[@]})); then
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi
"$ROOT/scripts/setup.sh" >/dev/null  # the build's own packages (does nothing when present)

# ---- build (release) -----------------------------------------------------------------------
log "building release"
BUILD_LOG=$(mktemp /tmp/ajar-bench-build.XXXXXX)
if ! (cd "$ROOT" && cmake --preset release && cmake --build --preset release --parallel 2) >"$BUILD_LOG" 2>&1; then
  tail -20 "$BUILD_LOG" >&2
  fail "the release build failed (log: $BUILD_LOG)"
fi
rm -f "$BUILD_LOG"
AJAR=$ROOT/build/release/src/ajar
STORM=$ROOT/build/release/bench/connect_storm
TARPIT=$ROOT/build/release/bench/tarpit
for b in "$AJAR" "$STORM" "$TARPIT"; do [[ -x $b ]] || fail "missing $b after the build"; done

# ---- the namespace; cleanup by PID ---------------------------------------------------------
NS=ajar-bench-$$
WORK=$(mktemp -d /tmp/ajar-bench.XXXXXX)
# Every `ajar scan` here records into a scratch inventory of its own, as a user's scan records
# into theirs: the figures do not depend on what the invoking user's inventory already holds
# (a months-old one is larger and slower), and benchmark findings never land in it.
export XDG_DATA_HOME=$WORK/data
mkdir -p "$XDG_DATA_HOME"
PIDS=()
stop_pid() {  # TERM, wait at most 5 s, then KILL; one process we started, by PID
  local p=$1 x
  local -a rest=()
  kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
  for x in "${PIDS[@]}"; do [[ $x == "$p" ]] || rest+=("$x"); done
  PIDS=("${rest[@]+"${rest[@]}"}")
}
cleanup() {
  local p
  for p in "${PIDS[@]+"${PIDS[@]}"}"; do stop_pid "$p"; done
  ip netns del "$NS" 2>/dev/null || true
  if [[ $KEEP == 1 ]]; then log "raw outputs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
# Background servers are started as `ip netns exec "$NS" CMD &`: ip execs CMD in place, so
# $! is CMD's own PID (a shell function here would put a subshell's PID in $! instead).

# The open-file hard limit caps connections in flight per process; raising it needs
# CAP_SYS_RESOURCE. Try, and report what we got.
ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)"
FD_LIMIT=$(ulimit -n)

HAS_SYN=0
# Read whole, then matched: `--help | grep -q` under pipefail fails when grep exits early and
# ajar, still writing, gets SIGPIPE.
SCAN_HELP=$("$AJAR" scan --help 2>/dev/null || true)
if [[ $SCAN_HELP == *--syn* ]]; then HAS_SYN=1; fi

# ---- helpers -------------------------------------------------------------------------------
median() { sort -g | awk '{a[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.6g\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
# run_timed NAME CMD...: CMD in the namespace under `timeout`; wall seconds appended to
# $WORK/NAME.wall, stdout to $WORK/NAME.out, stderr to $WORK/NAME.err; CMD's status returned.
run_timed() {
  local name=$1 t0 t1 rc=0
  shift
  t0=$(date +%s%N)
  ip netns exec "$NS" timeout 300 "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || rc=$?
  t1=$(date +%s%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f\n", (b - a) / 1e9}' >>"$WORK/$name.wall"
  return $rc
}
rates() { awk -v n="$DISC_N" '{printf "%.1f\n", n / $1}' "$WORK/$1.wall"; }
# Per-round ratio of rates A/B (= wall B / wall A).
ratios() { paste "$WORK/$1.wall" "$WORK/$2.wall" | awk '{printf "%.4f\n", $2 / $1}'; }
closed_in() { grep -c "Ports: $PORT/closed/" "$1" || true; }

# ---- discovery rows ------------------------------------------------------------------------
disc_round() {  # $1: round (0 = warm-up, not counted)
  local r=$1 w n
  for w in "${STORM_WINDOWS[@]}"; do
    run_timed "storm$w" "$STORM" --range "$DISCOVERY_NET" --port "$PORT" --inflight "$w" ||
      fail "connect_storm failed: $(cat "$WORK/storm$w.err")"
    grep -q "endpoints=$DISC_N refused=$DISC_N " "$WORK/storm$w.out" ||
      fail "connect_storm: not every connect was refused: $(cat "$WORK/storm$w.out")"
  done
  run_timed ajar_connect "$AJAR" scan "$DISCOVERY_NET" -p "$PORT" --seed "$r" ||
    fail "ajar scan failed: $(tail -3 "$WORK/ajar_connect.err")"
  grep -q "ajar: $DISC_N endpoints" "$WORK/ajar_connect.err" ||
    fail "ajar did not finish $DISC_N endpoints: $(tail -2 "$WORK/ajar_connect.err")"
  run_timed nmap_st nmap "${NMAP_FAST[@]}" -sT -p "$PORT" -oG "$WORK/nmap_st.gnmap" "$DISCOVERY_NET" ||
    fail "nmap -sT failed: $(tail -3 "$WORK/nmap_st.err")"
  n=$(closed_in "$WORK/nmap_st.gnmap")
  ((n == DISC_N)) || fail "nmap -sT reported $n of $DISC_N ports closed"
  if ((HAS_SYN)); then
    run_timed ajar_syn "$AJAR" scan --syn "$DISCOVERY_NET" -p "$PORT" --seed "$r" ||
      fail "ajar scan --syn failed: $(tail -3 "$WORK/ajar_syn.err")"
    grep -q "ajar: $DISC_N endpoints" "$WORK/ajar_syn.err" ||
      fail "ajar --syn did not finish $DISC_N endpoints: $(tail -2 "$WORK/ajar_syn.err")"
    run_timed nmap_ss nmap "${NMAP_FAST[@]}" -sS -p "$PORT" -oG "$WORK/nmap_ss.gnmap" "$DISCOVERY_NET" ||
      fail "nmap -sS failed: $(tail -3 "$WORK/nmap_ss.err")"
    n=$(closed_in "$WORK/nmap_ss.gnmap")
    ((n == DISC_N)) || fail "nmap -sS reported $n of $DISC_N ports closed"
  fi
  if ((r == 0)); then rm -f "$WORK"/*.wall; fi
}
if want discovery; then
  log "discovery: $DISCOVERY_NET x port $PORT, 1 warm-up + $ROUNDS rounds"
  for r in $(seq 0 "$ROUNDS"); do disc_round "$r"; done
  # The kernel limit of each round: the faster storm window in that round.
  paste "$WORK"/storm*.wall | awk '{m = $1; for (i = 2; i <= NF; ++i) if ($i < m) m = $i; print m}' >"$WORK/storm_best.wall"
  R_STORM=$(rates storm_best | median)
  R_AJAR=$(rates ajar_connect | median)
  R_NMAP_ST=$(rates nmap_st | median)
  X_STORM=$(ratios ajar_connect storm_best | median)
  X_NMAP_ST=$(ratios ajar_connect nmap_st | median)
  X_STORM_NMAP_ST=$(ratios storm_best nmap_st | median)  # the kernel limit against nmap -sT
  if ((HAS_SYN)); then
    R_SYN=$(rates ajar_syn | median)
    R_NMAP_SS=$(rates nmap_ss | median)
    X_NMAP_SS=$(ratios ajar_syn nmap_ss | median)
  fi
fi

# ---- L7 row: one Redis answering on every 127.x address ------------------------------------
if want l7; then
  log "l7: one Redis on 0.0.0.0:6379 in the namespace; $L7_NET"
  mkdir -p "$WORK/redis"
  # tcp-backlog 4096: one server stands in for 16,384 hosts, each of which would have its own
  # accept queue; Redis' default of 511 drops SYNs that separate hosts never would.
  ip netns exec "$NS" redis-server --bind 0.0.0.0 --port 6379 --protected-mode no --save '' \
    --appendonly no --dir "$WORK/redis" --logfile "$WORK/redis/redis.log" --maxclients 10000 \
    --tcp-backlog 4096 >/dev/null 2>&1 &
  REDIS_PID=$!
  PIDS+=("$REDIS_PID")
  for _ in $(seq 1 50); do
    ip netns exec "$NS" redis-cli -h 127.0.0.1 ping 2>/dev/null | grep -q PONG && break
    sleep 0.1
  done
  ip netns exec "$NS" redis-cli -h 127.0.0.1 ping 2>/dev/null | grep -q PONG ||
    fail "redis did not start: $(tail -3 "$WORK/redis/redis.log")"
  for k in 1 2 3; do ip netns exec "$NS" redis-cli -h 127.0.0.1 set "bench:key$k" "value$k" >/dev/null; done
  # Interleaved rounds, ajar then nmap, as in the discovery rows: a machine whose speed drifts
  # during the run slows both alike. nmap's time swings by a third from run to run (24-35 s
  # measured), so one nmap run made the ratio a lottery.
  for r in $(seq 1 "$L7_ROUNDS"); do
    run_timed ajar_l7 "$AJAR" scan "$L7_NET" -p 6379 --format ndjson -o "$WORK/ajar_l7.ndjson" --seed "$r" ||
      fail "ajar L7 scan failed: $(tail -3 "$WORK/ajar_l7.err")"
    # distinct addresses with a redis finding (each line is one service)
    AJAR_L7_FOUND=$({ grep -o '"ip":"[^"]*","port":6379,[^}]*"service":"redis"' "$WORK/ajar_l7.ndjson" || true; } |
      cut -d'"' -f4 | sort -u | wc -l)
    ((AJAR_L7_FOUND == L7_N)) || fail "ajar found redis on $AJAR_L7_FOUND of $L7_N addresses"
    run_timed nmap_l7 nmap -Pn -n -sT -T5 -p 6379 --script redis-info -oX "$WORK/nmap_l7.xml" "$L7_NET" ||
      fail "nmap redis-info failed: $(tail -3 "$WORK/nmap_l7.err")"
    # distinct addresses whose host block carries redis-info output; the row reports the fewest
    # of any round
    n=$(awk '/<host[ >]/ {ip = ""}
             /<address addr=.*addrtype="ipv4"/ {match($0, /addr="[^"]*"/); ip = substr($0, RSTART + 6, RLENGTH - 7)}
             /<script id="redis-info"/ && ip != "" {seen[ip] = 1}
             END {print length(seen)}' "$WORK/nmap_l7.xml")
    if [[ -z ${NMAP_L7_FOUND:-} ]] || ((n < NMAP_L7_FOUND)); then NMAP_L7_FOUND=$n; fi
    # The floor: Redis' own C client, one new connection per INFO (-k 0: connect, INFO, read,
    # close), the same number of connections, to 127.0.0.1. It does nothing else (no
    # identification, no verdict, no output), so its time is about what this kernel and this
    # Redis allow for 16,384 connections; nmap's time over it is the L7 ratio such a client
    # would show. Windows of 16 to 128 measured alike (docs/PERFORMANCE.md).
    run_timed floor_l7 redis-benchmark -h 127.0.0.1 -p 6379 -k 0 -n "$L7_N" -c 32 -q INFO ||
      fail "redis-benchmark failed: $(tail -3 "$WORK/floor_l7.err")"
    # Read whole, then matched (as SCAN_HELP above: `| grep -q` under pipefail can fail on
    # SIGPIPE); redis-benchmark separates its progress lines with CR.
    FLOOR_OUT=$(tr '\r' '\n' <"$WORK/floor_l7.out")
    grep -q '^INFO: [0-9.]* requests per second' <<<"$FLOOR_OUT" ||
      fail "redis-benchmark did not finish: $(tail -2 <<<"$FLOOR_OUT")"
  done
  stop_pid "$REDIS_PID"
  T_AJAR_L7=$(median <"$WORK/ajar_l7.wall")
  T_NMAP_L7=$(median <"$WORK/nmap_l7.wall")
  X_L7=$(ratios ajar_l7 nmap_l7 | median)  # median of the per-round ratios
  T_FLOOR_L7=$(median <"$WORK/floor_l7.wall")
  X_FLOOR_L7=$(ratios ajar_l7 floor_l7 | median)      # floor time / ajar time
  X_NMAP_FLOOR_L7=$(ratios floor_l7 nmap_l7 | median) # nmap time / floor time
fi

# ---- RSS row: connections held open by the tarpit ------------------------------------------
if want rss; then
  # ajar keeps 64 descriptors below the open-file limit for itself.
  INFLIGHT=$RSS_INFLIGHT
  if ((FD_LIMIT - 64 < INFLIGHT)); then INFLIGHT=$((FD_LIMIT - 64)); fi
  log "rss: $INFLIGHT connections held for $RSS_TIMEOUT (open-file limit $FD_LIMIT)"
  # Two tarpits share 0.0.0.0:6379 (SO_REUSEPORT), so neither needs every descriptor.
  TARPIT_PIDS=()
  for i in 1 2; do
    ip netns exec "$NS" "$TARPIT" --listen 0.0.0.0:6379 --max-conns $((INFLIGHT / 2 + 1000)) --seconds 120 \
      >"$WORK/tarpit$i.out" 2>"$WORK/tarpit$i.err" &
    TARPIT_PIDS+=("$!")
    PIDS+=("$!")
  done
  for _ in $(seq 1 50); do
    [[ $(ip netns exec "$NS" ss -Hltn 'sport = :6379' | wc -l) -ge 2 ]] && break
    sleep 0.1
  done
  [[ $(ip netns exec "$NS" ss -Hltn 'sport = :6379' | wc -l) -ge 2 ]] || fail "tarpit did not start: $(cat "$WORK"/tarpit*.err)"
  last=$((INFLIGHT - 1))
  RSS_TARGETS=127.0.0.0-127.0.$((last / 256)).$((last % 256))  # INFLIGHT addresses
  # Connections established to the tarpit, every 0.5 s (bounded: 120 samples).
  (for _ in $(seq 1 120); do
    ip netns exec "$NS" ss -Htn state established 'sport = :6379' | wc -l
    sleep 0.5
  done >"$WORK/ss.samples") &
  SAMPLER=$!
  PIDS+=("$SAMPLER")
  run_timed ajar_rss /usr/bin/time -f 'maxrss_kb=%M' "$AJAR" scan "$RSS_TARGETS" -p 6379 \
    --concurrency "$RSS_INFLIGHT" --timeout "$RSS_TIMEOUT" --format ndjson -o /dev/null ||
    fail "ajar RSS scan failed: $(tail -3 "$WORK/ajar_rss.err")"
  stop_pid "$SAMPLER"
  for p in "${TARPIT_PIDS[@]}"; do stop_pid "$p"; done
  RSS_KB=$(grep -o 'maxrss_kb=[0-9][0-9]*' "$WORK/ajar_rss.err" | tail -1 | cut -d= -f2)
  RSS_MB=$(awk -v k="$RSS_KB" 'BEGIN {printf "%.1f", k / 1024}')
  PEAK_SS=$(sort -n "$WORK/ss.samples" | tail -1)
  PEAK_TARPIT=$(cat "$WORK"/tarpit?.out | { grep -o 'peak=[0-9]*' || true; } | cut -d= -f2 | awk '{s += $1} END {print s + 0}')
fi

# ---- the table -----------------------------------------------------------------------------
kps() { awk -v r="$1" 'BEGIN {printf "%.1f k/s", r / 1000}'; }
met() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN {ok = (op == ">=") ? (v >= t) : (v <= t); print ok ? "yes" : "NO"}'; }
row() { printf '| %-40s | %-20s | %-30s | %-6s | %-8s | %-4s |\n' "$@"; }
echo
VERSION=$("$AJAR" --version 2>/dev/null | head -1)
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ $COMMIT != unknown ]] && ! git -C "$ROOT" diff --quiet HEAD 2>/dev/null; then COMMIT="$COMMIT+local-changes"; fi
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
MEM=$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
echo "ajar bench $(date -u +%Y-%m-%dT%H:%MZ), $VERSION at commit $COMMIT: $(nproc) cores, $CPU, kernel $(uname -r), $MEM"
echo "load average at start $LOAD_START, at end $(cut -d' ' -f1-3 /proc/loadavg)"
echo
row "row" "ajar" "comparison" "ratio" "target" "met?"
row "----------------------------------------" "--------------------" "------------------------------" "------" "--------" "----"
if want discovery; then
  row "connect discovery / raw epoll storm" "$(kps "$R_AJAR")" "$(kps "$R_STORM") storm (kernel)" "$(printf %.2f "$X_STORM")" ">= 0.8" "$(met "$X_STORM" '>=' 0.8)"
  row "connect discovery / nmap -sT" "$(kps "$R_AJAR")" "$(kps "$R_NMAP_ST") nmap -sT" "$(printf %.2f "$X_NMAP_ST")" ">= 3" "$(met "$X_NMAP_ST" '>=' 3)"
  if ((HAS_SYN)); then
    row "--syn discovery / nmap -sS" "$(kps "$R_SYN")" "$(kps "$R_NMAP_SS") nmap -sS" "$(printf %.2f "$X_NMAP_SS")" ">= 5" "$(met "$X_NMAP_SS" '>=' 5)"
  else
    row "--syn discovery / nmap -sS" "skipped (no --syn)" "-" "-" ">= 5" "-"
  fi
fi
if want l7; then
  l7_met=$(met "$X_L7" '>=' 20)
  ((NMAP_L7_FOUND == L7_N)) || l7_met=NO
  row "L7 redis verdicts, /18 (nmap time/ajar)" "$(printf '%.2f s' "$T_AJAR_L7")" "$(printf '%.2f s' "$T_NMAP_L7") nmap redis-info" "$(printf %.1f "$X_L7")" ">= 20" "$l7_met"
  row "L7 floor (redis-benchmark time/ajar)" "$(printf '%.2f s' "$T_AJAR_L7")" "$(printf '%.2f s' "$T_FLOOR_L7") redis-benchmark" "$(printf %.2f "$X_FLOOR_L7")" "-" "-"
fi
if want rss; then
  rss_met=$(met "$RSS_MB" '<=' 64)
  if [[ $rss_met == yes ]] && ((PEAK_SS < RSS_INFLIGHT)); then rss_met=n/a; fi  # fewer in flight than asked
  row "peak RSS, $PEAK_SS connections in flight" "$RSS_MB MB" "-" "-" "<= 64 MB" "$rss_met"
fi
echo
if want discovery; then
  echo "discovery: $DISCOVERY_NET x 1 closed port = $DISC_N endpoints; medians of $ROUNDS rounds after a warm-up; rate = endpoints / whole-process wall time; ratio = median of per-round ratios"
  for w in "${STORM_WINDOWS[@]}"; do
    echo "  raw storm, $w in flight per process x $(nproc) processes: $(kps "$(rates "storm$w" | median)")"
  done
  echo "  storm / nmap -sT = $(printf %.2f "$X_STORM_NMAP_ST"): the ratio the kernel limit itself shows against nmap -sT here"
  ((HAS_SYN)) || echo "  --syn row skipped: 'ajar scan --help' has no --syn"
fi
if want l7; then
  echo "l7: addresses with a redis finding: ajar $AJAR_L7_FOUND of $L7_N, nmap redis-info $NMAP_L7_FOUND of $L7_N; medians of $L7_ROUNDS interleaved rounds; ratio = median of per-round ratios"
  echo "  floor: redis-benchmark -k 0 -n $L7_N -c 32 INFO (Redis' own C client, a new connection per request, nothing else);"
  echo "  nmap time / floor time = $(printf %.1f "$X_NMAP_FLOOR_L7"): the L7 ratio that client would show against nmap here"
fi
if want rss; then
  echo "rss: in flight at peak: $PEAK_SS by ss, $PEAK_TARPIT by the tarpits (asked $RSS_INFLIGHT; open-file limit $FD_LIMIT); ajar --timeout $RSS_TIMEOUT"
  if ((PEAK_SS < RSS_INFLIGHT)); then
    echo "  only $PEAK_SS of $RSS_INFLIGHT could be in flight: one process may hold $FD_LIMIT descriptors here (raising the hard limit needs CAP_SYS_RESOURCE)"
  fi
fi
