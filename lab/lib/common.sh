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
# output appended to DIR/server.log, lock fds 8 and 9 closed) and record its PID in
# DIR/lab.pid. The command must not fork away (servers run in the foreground),
# so $! is the server process itself.
lab_spawn() {
  local dir=$1; shift
  printf '\n==== %s lab start: %s\n' "$(date '+%F %T')" "$*" >>"$dir/server.log"
  setsid "$@" </dev/null >>"$dir/server.log" 2>&1 8>&- 9>&- &
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

# lab_as USER CMD...: run CMD as USER with USER's primary group (no PAM
# session; exec, so PIDs are kept). The environment is reset (setpriv sets
# HOME, USER, SHELL, PATH); prefix CMD with `env VAR=...` to pass variables.
lab_as() {
  local user=$1; shift
  setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups --reset-env -- "$@"
}

# lab_proc_stat PID: print "ppid session starttime" of PID (nothing if gone).
lab_proc_stat() {
  local line="" rest
  { read -r line <"/proc/$1/stat"; } 2>/dev/null || return 0
  [[ -n $line ]] || return 0
  rest=${line##*) }
  # fields after the comm: 3 state, 4 ppid, 5 pgrp, 6 session, ..., 22 starttime
  local -a f
  read -r -a f <<<"$rest"
  [[ ${f[0]} == Z ]] && return 0
  printf '%s %s %s\n' "${f[1]}" "${f[3]}" "${f[19]}"
}

# lab_related PID: print "pid:starttime" for every process that belongs to the
# server PID: its descendants (by parent pid) and the members of its session
# (lab_spawn starts every server with setsid, so its session id is its PID; a
# session id is not reused while a member lives). Servers like Jupyter start
# children in sessions of their own, hence both. PID itself is not listed.
lab_related() {
  local root=$1 f pid ppid sess start
  [[ $root =~ ^[0-9]+$ ]] || return 0
  local -A parent=() started=() insess=()
  local line rest
  local -a fl
  for f in /proc/[0-9]*/stat; do
    pid=${f#/proc/}; pid=${pid%/stat}
    line=""
    { read -r line <"$f"; } 2>/dev/null || continue
    rest=${line##*) }
    read -r -a fl <<<"$rest"
    [[ ${fl[0]-Z} == Z ]] && continue
    ppid=${fl[1]} sess=${fl[3]} start=${fl[19]}
    parent[$pid]=$ppid started[$pid]=$start
    [[ $sess == "$root" ]] && insess[$pid]=1
  done
  local -A mine=([$root]=1)
  local changed=1 rounds=0
  while (( changed && rounds < 64 )); do
    changed=0 rounds=$(( rounds + 1 ))
    for pid in "${!parent[@]}"; do
      [[ -n ${mine[$pid]-} ]] && continue
      if [[ -n ${mine[${parent[$pid]}]-} || -n ${insess[$pid]-} ]]; then mine[$pid]=1; changed=1; fi
    done
  done
  for pid in "${!mine[@]}"; do
    [[ $pid == "$root" ]] && continue
    printf '%s:%s\n' "$pid" "${started[$pid]}"
  done
  return 0
}

# lab_stop_leftovers NAME PID:STARTTIME...: TERM those processes that still
# run (same start time, so not a reused pid), wait up to 5 s, then KILL.
lab_stop_leftovers() {
  local name=$1; shift
  local item pid start st
  local -a left=() starts=()
  for item in "$@"; do
    pid=${item%%:*} start=${item#*:}
    st=$(lab_proc_stat "$pid")
    [[ -n $st && ${st##* } == "$start" ]] || continue
    lab_log "$name: stopping leftover pid $pid ($(cat "/proc/$pid/comm" 2>/dev/null || true))"
    kill -TERM "$pid" 2>/dev/null || true
    left+=("$pid"); starts+=("$start")
  done
  (( ${#left[@]} )) || return 0
  local alive i
  if alive=$(lab_wait_gone 5 "${left[@]}"); then return 0; fi
  for i in "${!left[@]}"; do
    pid=${left[i]}
    [[ " ${alive//$'\n'/ } " == *" $pid "* ]] || continue
    st=$(lab_proc_stat "$pid")
    if [[ -n $st && ${st##* } == "${starts[i]}" ]]; then
      lab_warn "$name: pid $pid ignored SIGTERM for 5 s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  return 0
}

# lab_curl ARGS...: curl for readiness checks and seeding: quiet, fail on HTTP
# errors, no proxy, bounded. URLs must be http://127.x... (checked).
lab_curl() {
  local a
  for a in "$@"; do
    if [[ $a == http://* || $a == https://* ]]; then
      local host=${a#*://}; host=${host%%[:/]*}
      lab_assert_loopback "$host"
    fi
  done
  curl -sS -f --noproxy '*' --connect-timeout 3 --max-time 15 "$@"
}

# lab_curl_auth_file FILE USER PASSWORD: write a curl config (mode 0600) that
# sends basic auth, for `lab_curl -K FILE` (keeps passwords off command lines).
lab_curl_auth_file() {
  local f=$1 user=$2 pass=$3
  [[ $user != *[\"\\]* && $pass != *[\"\\]* ]] || lab_die "lab_curl_auth_file: unsupported character"
  ( umask 077; printf 'user = "%s:%s"\n' "$user" "$pass" >"$f.tmp" )
  mv -f "$f.tmp" "$f"
}

# lab_php_spawn NAME DIR ADDR PORT DOCROOT: `php -S` as www-data with private
# session and temp dirs (phpmyadmin.sh, adminer.sh).
lab_php_spawn() {
  local name=$1 dir=$2 addr=$3 port=$4 docroot=$5 gid
  gid=$(id -g www-data)
  mkdir -p "$dir/tmp" "$dir/sessions"
  chown www-data:"$gid" "$dir/tmp" "$dir/sessions"
  chmod 0700 "$dir/tmp" "$dir/sessions"
  lab_spawn "$dir" setpriv --reuid=www-data --regid="$gid" --init-groups --reset-env -- \
    /usr/bin/php -d "session.save_path=$dir/sessions" -d "upload_tmp_dir=$dir/tmp" \
      -d "sys_temp_dir=$dir/tmp" -d display_errors=0 -d log_errors=1 \
      -S "$addr:$port" -t "$docroot"
}

# lab_tcp ADDR PORT MODE N: raw TCP exchange via lib/tcpio.sh (stdin = payload).
lab_tcp() {
  timeout 6 bash "$LAB_LIB/tcpio.sh" "$@"
}
