# shellcheck shell=bash
# lab/lib/adminer.sh - Adminer in the ajar loopback lab (Debian's adminer 4.8.1,
# the single-file adminer.php, served by PHP's built-in web server).
#
#   adminer  127.0.2.12:8080  stock Adminer: a login form (verdict "required")
#
# There is no open twin: Adminer has no configuration or bundled plugin that
# logs visitors in. Logging in needs a form post with server, user and
# password, and Adminer itself refuses passwordless accounts ("Adminer does
# not support accessing a database without a password") unless its login()
# method is overridden in custom PHP code. So a stock Adminer is an
# identification case with a login form, which the lab represents once.
# `php -S` runs in the foreground as www-data (lab_php_spawn in common.sh).
# Layout of DIR: www/index.php (requires /usr/share/adminer/adminer.php),
# tmp/, sessions/, server.log, lab.pid.

LAB_ADMINER_PHP=/usr/share/adminer/adminer.php

adminer_preflight() {
  [[ -f $LAB_ADMINER_PHP ]] || lab_die "$1: $LAB_ADMINER_PHP not found (apt-get install adminer)"
  command -v php >/dev/null || lab_die "$1: php not installed (apt-get install php-cli)"
  command -v curl >/dev/null || lab_die "$1: curl not installed"
}

adminer_start() {
  local name=$1 addr=$2 port=$3 mode=$4 dir=$5
  [[ $mode == secured ]] || lab_die "$name: Adminer only exists as the stock (login form) instance"

  rm -rf "${dir:?}/www"
  mkdir -p "$dir/www"
  printf '<?php\n// ajar lab: stock Adminer (lab/lib/adminer.sh)\nrequire %s;\n' "'$LAB_ADMINER_PHP'" >"$dir/www/index.php"
  chmod 0644 "$dir/www/index.php"

  lab_php_spawn "$name" "$dir" "$addr" "$port" "$dir/www"
  local pid=$LAB_SPAWNED_PID

  lab_wait_until "$name" 15 "$pid" php \
    curl -sS -f --noproxy '*' -o /dev/null "http://$addr:$port/" \
    || lab_die "$name did not answer on $addr:$port"
  lab_check_listeners "$pid" || lab_die "$name listens on a non-loopback address"
  local out
  out=$(lab_curl "http://$addr:$port/") || lab_die "$name: GET / failed"
  [[ $out == *'name="auth[username]"'* ]] || lab_die "$name: no login form at /"
}

adminer_env() { :; }
