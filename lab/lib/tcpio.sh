#!/usr/bin/env bash
# lab/lib/tcpio.sh - tiny raw-TCP client used by the lab (bash /dev/tcp only).
#
#   tcpio.sh ADDR PORT lines N   < payload   send stdin, print up to N reply lines
#   tcpio.sh ADDR PORT hex   N   < payload   send stdin, print up to N reply bytes
#                                            as hex (reads until N bytes, EOF or 3 s)
#
# ADDR must be in 127.0.0.0/8. Each read is bounded (3 s); callers also wrap the
# whole thing in `timeout`. Exit status 0 if anything was received.
set -euo pipefail

addr=${1:?addr} port=${2:?port} mode=${3:?mode} n=${4:?n}
if [[ ! $addr =~ ^127\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]] \
   || (( BASH_REMATCH[1] > 255 || BASH_REMATCH[2] > 255 || BASH_REMATCH[3] > 255 )); then
  echo "tcpio: refusing non-loopback address '$addr'" >&2
  exit 2
fi
[[ $port =~ ^[0-9]+$ && $n =~ ^[0-9]+$ ]] || { echo "tcpio: bad port/count" >&2; exit 2; }

exec 3<>"/dev/tcp/$addr/$port"
if [[ ! -t 0 ]]; then
  cat >&3
fi

got=0
case $mode in
  lines)
    for (( i = 0; i < n; i++ )); do
      IFS= read -r -t 3 line <&3 || break
      printf '%s\n' "${line%$'\r'}"
      got=1
    done
    ;;
  hex)
    # dd bs=1 passes each byte on at once, so nothing is lost when timeout
    # stops it on a connection the server keeps open.
    out=$(timeout 3 dd bs=1 count="$n" status=none <&3 2>/dev/null | od -An -v -tx1 | tr -s ' \n' ' ' || true)
    out=${out# }; out=${out% }
    if [[ -n $out ]]; then printf '%s\n' "$out"; got=1; fi
    ;;
  *) echo "tcpio: mode must be lines or hex" >&2; exit 2 ;;
esac
exec 3<&- 3>&-
(( got ))
