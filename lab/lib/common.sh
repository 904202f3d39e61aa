# shellcheck shell=bash
# lab/lib/common.sh - helpers shared by lab.sh and the per-family libraries.
#
# Safety rules enforced here:
#   * every address we bind to or connect to must be in 127.0.0.0/8
#     (lab_assert_loopback), and after a server is up we check with `ss` that
#     every socket it listens on is a 127.x address (lab_check_listeners);
#   * every wait loop is bounded both in iterations and in wall-clock seconds;
#   * processes are only ever signalled by the PID recorded in their pid file,
#     after checking that /proc/PID/comm is the binary we started.

# --- messages -----------------------------------------------------------------

lab_log()  { printf '[lab] %s\n' "$*" >&2; }
lab_warn() { printf '[lab] WARNING: %s\n' "$*" >&2; }
lab_die()  { printf '[lab] ERROR: %s\n' "$*" >&2; exit 1; }

# --- loopback guard -----------------------------------------------------------

# lab_assert_loopback ADDR: die unless ADDR is a dotted-quad in 127.0.0.0/8.
lab_assert_loopback() {
  local addr=$1 o1 o2 o3 o4
  if [[ ! $addr =~ ^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]]; then
    lab_die "refusing non-IPv4 address '$addr' (the lab only uses 127.0.0.0/8)"
  fi
  o1=${BASH_REMATCH[1]} o2=${BASH_REMATCH[2]} o3=${BASH_REMATCH[3]} o4=${BASH_REMATCH[4]}
  if (( 10#$o1 != 127 || 10#$o2 > 255 || 10#$o3 > 255 || 10#$o4 > 255 )); then
    lab_die "refusing address '$addr': not in 127.0.0.0/8"
  fi
}

# lab_check_listeners PID: every TCP/UDP socket held by PID must be on 127.x.
# Returns non-zero (and prints the offending lines) otherwise.
lab_check_listeners() {
  local pid=$1 line local_addr bad=0 seen=0
  while IFS= read -r line; do
    [[ $line == *"pid=$pid,"* ]] || continue
    seen=1
    # columns: Netid State Recv-Q Send-Q Local:Port Peer:Port Process
    read -r _ _ _ _ local_addr _ <<<"$line"
    if [[ ! $local_addr =~ ^127\.[0-9]+\.[0-9]+\.[0-9]+:[0-9]+$ ]]; then
      printf '[lab] non-loopback socket for pid %s: %s\n' "$pid" "$line" >&2
      bad=1
    fi
  done < <(ss -H -l -t -u -n -p 2>/dev/null || true)
  if (( ! seen )); then
    printf '[lab] pid %s holds no listening socket\n' "$pid" >&2
    return 1
  fi
  return "$bad"
}

# --- processes ----------------------------------------------------------------

# lab_pid_alive PID: the process exists and is not a zombie.
lab_pid_alive() {
  local pid=$1 state
  [[ $pid =~ ^[0-9]+$ && -e /proc/$pid ]] || return 1
  state=$(awk '/^State:/ {print $2; exit}' "/proc/$pid/status" 2>/dev/null || true)
  [[ -n $state && $state != Z ]]
}

# lab_pid_matches PID COMM: PID is alive and /proc/PID/comm == COMM (guards
# against signalling an unrelated process that reused a stale PID).
lab_pid_matches() {
  local pid=$1 comm=$2 actual=""
  lab_pid_alive "$pid" || return 1
  actual=$(cat "/proc/$pid/comm" 2>/dev/null || true)
  [[ $actual == "$comm" ]]
}

# lab_read_pid PIDFILE: print the pid stored in PIDFILE (empty if none/garbage).
lab_read_pid() {
  local f=$1 pid=""
  if [[ -f $f ]]; then read -r pid <"$f" || true; fi
  if [[ $pid =~ ^[0-9]+$ ]]; then printf '%s\n' "$pid"; fi
}

# lab_spawn DIR CMD...: start CMD detached (own session, stdin /dev/null,
# output appended to DIR/server.log, lock fd 9 closed) and record its PID in
# DIR/lab.pid. The command must not fork away (servers run in the foreground),
# so $! is the server process itself.
lab_spawn() {
  local dir=$1; shift
  printf '\n==== %s lab start: %s\n' "$(date '+%F %T')" "$*" >>"$dir/server.log"
  setsid "$@" </dev/null >>"$dir/server.log" 2>&1 9>&- &
  local pid=$!
  printf '%s\n' "$pid" >"$dir/lab.pid"
  # shellcheck disable=SC2034  # read by the per-family start functions
  LAB_SPAWNED_PID=$pid
}

# lab_wait_until DESC SECONDS PID COMM CMD...: run CMD (an external command,
# each attempt capped by `timeout 3`) every 0.2 s until it succeeds. Bounded by
# SECONDS of wall-clock time and SECONDS*5 attempts. Fails early if PID (when
# non-empty) exits; on success PID must be a COMM process (right after spawn
# it may briefly still be setsid/setpriv, before they exec the server).
lab_wait_until() {
  local desc=$1 secs=$2 pid=$3 comm=$4; shift 4
  local tries=0 max=$(( secs * 5 )) deadline=$(( SECONDS + secs ))
  while (( tries < max && SECONDS <= deadline )); do
    if [[ -n $pid ]] && ! lab_pid_alive "$pid"; then
      lab_log "$desc: process $pid ($comm) exited"
      return 1
    fi
    if timeout 3 "$@" </dev/null >/dev/null 2>&1; then
      if [[ -n $pid ]] && ! lab_pid_matches "$pid" "$comm"; then
        lab_log "$desc: pid $pid is '$(cat "/proc/$pid/comm" 2>/dev/null || true)', expected '$comm'"
        return 1
      fi
      return 0
    fi
    tries=$(( tries + 1 ))
    sleep 0.2
  done
  lab_log "$desc: not ready after ${secs}s ($tries attempts)"
  return 1
}

# lab_wait_gone SECONDS PID...: wait (bounded) until none of the PIDs exist.
# Prints the PIDs still alive at the deadline.
lab_wait_gone() {
  local secs=$1; shift
  local tries=0 max=$(( secs * 5 )) deadline=$(( SECONDS + secs )) pid alive
  while :; do
    alive=()
    for pid in "$@"; do
      if lab_pid_alive "$pid"; then alive+=("$pid"); fi
    done
    (( ${#alive[@]} == 0 )) && return 0
    (( tries >= max || SECONDS > deadline )) && break
    tries=$(( tries + 1 ))
    sleep 0.2
  done
  printf '%s\n' "${alive[@]}"
  return 1
}

# --- files --------------------------------------------------------------------

# lab_render TEMPLATE OUT KEY=VALUE...: copy TEMPLATE to OUT replacing @KEY@.
# Values must not contain '|' or newlines (ours are paths, ports, addresses).
lab_render() {
  local tpl=$1 out=$2; shift 2
  local args=() kv k v
  for kv in "$@"; do
    k=${kv%%=*} v=${kv#*=}
    [[ $v != *'|'* && $v != *$'\n'* ]] || lab_die "lab_render: bad value for $k"
    v=${v//\\/\\\\}; v=${v//&/\\&}
    args+=(-e "s|@${k}@|${v}|g")
  done
  sed "${args[@]}" "$tpl" >"$out.tmp"
  if grep -q '@[A-Z_]*@' "$out.tmp"; then
    lab_die "lab_render: unreplaced placeholder in $out: $(grep -o '@[A-Z_]*@' "$out.tmp" | head -1)"
  fi
  mv -f "$out.tmp" "$out"
}

# lab_secret FILE: print the secret stored in FILE, generating a random
# 32-hex-digit one (mode 0600) on first use. Reused across restarts.
lab_secret() {
  local f=$1 s=""
  if [[ -s $f ]]; then
    read -r s <"$f"
  fi
  if [[ ! $s =~ ^[0-9a-f]{32}$ ]]; then
    s=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    ( umask 077; printf '%s\n' "$s" >"$f" )
  fi
  printf '%s\n' "$s"
}

# lab_as USER CMD...: run CMD as USER (no PAM session; exec, so PIDs are kept).
lab_as() {
  local user=$1; shift
  setpriv --reuid="$user" --regid="$user" --init-groups --reset-env -- "$@"
}

# lab_tcp ADDR PORT MODE N: raw TCP exchange via lib/tcpio.sh (stdin = payload).
lab_tcp() {
  timeout 6 bash "$LAB_LIB/tcpio.sh" "$@"
}
