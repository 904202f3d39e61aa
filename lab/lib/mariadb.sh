# shellcheck shell=bash
# lab/lib/mariadb.sh - MariaDB instances of the ajar loopback lab.
#
#   mariadb-open        127.0.1.3:3306  root@'%' with an EMPTY password
#   mariadb-secured     127.0.2.3:3306  root@'%' with a random password
#                                       (DIR/password); TCP root w/o password
#                                       gets ERR 1045
#   mariadb-restricted  127.0.3.3:3306  TCP accounts only for host '127.0.0.99';
#                                       a client from 127.0.0.1 gets ERR 1130
#                                       before the handshake
#
# All three use skip-name-resolve, so a TCP client from 127.0.0.1 is matched
# as '127.0.0.1' and never as 'localhost'. The accounts created by
# mariadb-install-db (root@localhost / mysql@localhost via unix_socket,
# mariadb.sys@localhost locked) are therefore reachable only through the unix
# socket in DIR/run, which lab.sh uses (as OS root) for administration.
# mariadbd runs in the foreground and drops to the `mysql` user itself.
# Layout of DIR: my.cnf, data/ (reused once DIR/.initialized exists), run/,
# tmp/, server.log, lab.pid, password (secured only).

mariadb_sql() { # DIR [client args...]  (SQL on stdin, via unix socket as root)
  local dir=$1; shift
  timeout 30 mariadb --defaults-file="$dir/my.cnf" --batch --skip-column-names "$@"
}

mariadb_start() {
  local name=$1 addr=$2 port=$3 mode=$4 dir=$5
  local cnf=$dir/my.cnf

  lab_render "$LAB_CONF/mariadb.cnf.in" "$cnf" BIND="$addr" PORT="$port" DIR="$dir"
  chmod 0644 "$cnf"

  mkdir -p "$dir/tmp"
  chown mysql:mysql "$dir/tmp"
  chmod 0700 "$dir/tmp"

  if [[ ! -f $dir/.initialized || ! -d $dir/data/mysql ]]; then
    rm -rf "${dir:?}/data" "$dir/.initialized"
    mkdir -p "$dir/data"
    chown mysql:mysql "$dir/data"
    chmod 0750 "$dir/data"
    timeout 60 mariadb-install-db --defaults-file="$cnf" --user=mysql \
      --skip-test-db --auth-root-authentication-method=socket >>"$dir/server.log" 2>&1 \
      || lab_die "$name: mariadb-install-db failed"
    touch "$dir/.initialized"
  fi
  mkdir -p "$dir/run"
  chown mysql:mysql "$dir/run"
  chmod 0755 "$dir/run"

  lab_spawn "$dir" /usr/sbin/mariadbd --defaults-file="$cnf" --user=mysql
  local pid=$LAB_SPAWNED_PID

  lab_wait_until "$name (socket)" 25 "$pid" mariadbd \
    mariadb-admin --defaults-file="$cnf" --connect-timeout=2 ping \
    || lab_die "$name did not become ready"
  lab_wait_until "$name (tcp)" 10 "$pid" mariadbd \
    bash "$LAB_LIB/tcpio.sh" "$addr" "$port" hex 4 \
    || lab_die "$name is not accepting TCP connections on $addr:$port"
  lab_check_listeners "$pid" || lab_die "$name listens on a non-loopback address"

  # Accounts. Idempotent; applied on every start.
  local pass="" sql
  sql="DROP USER IF EXISTS ''@'localhost', ''@'%';"
  case $mode in
    open)
      rm -f "$dir/password"
      sql+="
CREATE USER IF NOT EXISTS 'root'@'%';
ALTER USER 'root'@'%' IDENTIFIED BY '';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;"
      ;;
    secured)
      pass=$(lab_secret "$dir/password")
      sql+="
CREATE USER IF NOT EXISTS 'root'@'%';
ALTER USER 'root'@'%' IDENTIFIED BY '$pass';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;"
      ;;
    restricted)
      rm -f "$dir/password"
      sql+="
DROP USER IF EXISTS 'root'@'%';
CREATE USER IF NOT EXISTS 'root'@'127.0.0.99';
ALTER USER 'root'@'127.0.0.99' IDENTIFIED BY '';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.99' WITH GRANT OPTION;
CREATE USER IF NOT EXISTS 'app'@'127.0.0.99';
ALTER USER 'app'@'127.0.0.99' IDENTIFIED BY '';"
      ;;
  esac
  sql+="
FLUSH PRIVILEGES;"
  mariadb_sql "$dir" <<<"$sql" || lab_die "$name: account setup failed"

  # Assert: apart from the unix-socket-only 'localhost' accounts, only the
  # intended hosts exist (so nothing else can match a TCP client).
  local want_host
  case $mode in
    restricted) want_host=127.0.0.99 ;;
    *)          want_host=% ;;
  esac
  local other
  other=$(mariadb_sql "$dir" <<<"SELECT CONCAT(user,'@',host) FROM mysql.user WHERE host NOT IN ('localhost','$want_host');")
  [[ -z $other ]] || lab_die "$name: unexpected accounts: $other"

  if [[ $mode != restricted ]]; then
    mariadb_sql "$dir" <"$LAB_CONF/mariadb-seed.sql" || lab_die "$name: seeding failed"
    local counts
    counts=$(mariadb_sql "$dir" <<<"SELECT CONCAT((SELECT COUNT(*) FROM lab_crm.contacts),'/',(SELECT COUNT(*) FROM lab_crm.deals));")
    [[ $counts == 5/3 ]] || lab_die "$name: expected 5 contacts / 3 deals, found $counts"
  fi
}

mariadb_env() { # NAME ADDR PORT MODE DIR VARPREFIX
  local dir=$5 var=$6
  printf 'export %s_USER=root\n' "$var"
  if [[ $4 == secured && -s $dir/password ]]; then
    printf 'export %s_PASSWORD=%s\n' "$var" "$(<"$dir/password")"
  fi
}
