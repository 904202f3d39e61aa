# shellcheck shell=bash
# lab/lib/phpmyadmin.sh - phpMyAdmin instances of the ajar loopback lab
# (Debian's phpmyadmin 5.2 served by PHP's built-in web server).
#
#   phpmyadmin-open     127.0.1.11:8080  auth_type 'config': every visitor is
#                                        logged in as root to mariadb-open
#                                        (127.0.1.3:3306, empty password) - the
#                                        "auto-logged-in dashboard"
#   phpmyadmin-secured  127.0.2.11:8080  auth_type 'cookie': login form (server
#                                        mariadb-secured, 127.0.2.3:3306)
#
# phpmyadmin-open needs mariadb-open for its pages to show data (it starts
# without it). `php -S` runs in the foreground as www-data. Debian's
# phpMyAdmin reads /etc/phpmyadmin/config.inc.php, so each instance gets its
# own docroot DIR/www: symlinks to /usr/share/phpmyadmin, except index.php and
# url.php (copied, so ROOT_PATH is DIR/www/) and libraries/vendor_config.php
# (ours: config file DIR/config.inc.php, temp dir DIR/tmp).
# Layout of DIR: www/, config.inc.php, blowfish_secret, tmp/, sessions/,
# server.log, lab.pid.

LAB_PMA_SRC=/usr/share/phpmyadmin

phpmyadmin_preflight() {
  [[ -f $LAB_PMA_SRC/index.php ]] || lab_die "$1: phpMyAdmin not installed (apt-get install phpmyadmin)"
  command -v php >/dev/null || lab_die "$1: php not installed (apt-get install php-cli)"
  [[ $'\n'$(php -m 2>/dev/null)$'\n' == *$'\nmysqli\n'* ]] || lab_die "$1: PHP has no mysqli (apt-get install php-mysql)"
  command -v curl >/dev/null || lab_die "$1: curl not installed"
}

phpmyadmin_start() {
  local name=$1 addr=$2 port=$3 mode=$4 dir=$5
  local www=$dir/www gid e base suffix
  gid=$(id -g www-data)

  # Per-instance docroot.
  rm -rf "${dir:?}/www"
  mkdir -p "$www/libraries"
  for e in "$LAB_PMA_SRC"/*; do
    base=${e##*/}
    case $base in
      index.php|url.php) install -m 0644 "$e" "$www/$base" ;;
      libraries|config.sample.inc.php|show_config_errors.php) ;;
      *) ln -s "$e" "$www/$base" ;;
    esac
  done
  for e in "$LAB_PMA_SRC"/libraries/*; do
    base=${e##*/}
    [[ $base == vendor_config.php ]] || ln -s "$e" "$www/libraries/$base"
  done
  suffix=$(sed -n "s/.*'versionSuffix' => '\([^']*\)'.*/\1/p" "$LAB_PMA_SRC/libraries/vendor_config.php")
  lab_render "$LAB_CONF/phpmyadmin-vendor_config.php.in" "$www/libraries/vendor_config.php" \
    DIR="$dir" VERSION_SUFFIX="$suffix"
  chmod 0644 "$www/libraries/vendor_config.php"

  local secret db_host db_port auth
  secret=$(lab_secret "$dir/blowfish_secret")
  case $mode in
    open)    db_host=127.0.1.3 db_port=3306 auth=config ;;
    secured) db_host=127.0.2.3 db_port=3306 auth=cookie ;;
  esac
  lab_assert_loopback "$db_host"
  lab_render "$LAB_CONF/phpmyadmin-config.inc.php.in" "$dir/config.inc.php" \
    BLOWFISH="$secret" DIR="$dir" \
    DB_HOST="$db_host" DB_PORT="$db_port" AUTH_TYPE="$auth"
  if [[ $mode == open ]]; then
    cat >>"$dir/config.inc.php" <<'EOS'
$cfg['Servers'][$i]['user'] = 'root';
$cfg['Servers'][$i]['password'] = '';
EOS
  fi
  chown root:"$gid" "$dir/config.inc.php"
  chmod 0640 "$dir/config.inc.php"

  lab_php_spawn "$name" "$dir" "$addr" "$port" "$www"
  local pid=$LAB_SPAWNED_PID

  lab_wait_until "$name" 15 "$pid" php \
    curl -sS -f --noproxy '*' -o /dev/null "http://$addr:$port/robots.txt" \
    || lab_die "$name did not serve robots.txt on $addr:$port"
  lab_check_listeners "$pid" || lab_die "$name listens on a non-loopback address"

  local out
  out=$(lab_curl "http://$addr:$port/") || lab_die "$name: GET / failed"
  case $mode in
    open)    [[ $out == *phpMyAdmin* ]] || lab_die "$name: no phpMyAdmin page at /" ;;
    secured) [[ $out == *'id="login_form"'* ]] || lab_die "$name: no login form at /" ;;
  esac
}

phpmyadmin_env() { # NAME ADDR PORT MODE DIR VARPREFIX
  local var=$6
  case $4 in
    open)    printf 'export %s_DATABASE=127.0.1.3:3306\n' "$var" ;;
    secured) printf 'export %s_DATABASE=127.0.2.3:3306\n' "$var" ;;
  esac
}
