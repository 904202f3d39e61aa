# shellcheck shell=bash
# lab/lib/postgresql.sh - PostgreSQL instances of the ajar loopback lab.
#
#   postgresql-open        127.0.1.2:5432  pg_hba: host all all 127.0.0.0/8 trust
#   postgresql-secured     127.0.2.2:5432  pg_hba: ... 127.0.0.0/8 scram-sha-256,
#                                          postgres password in DIR/password
#   postgresql-restricted  127.0.3.2:5432  pg_hba: host only for 127.0.0.99/32
#
# initdb/postgres refuse to run as root, so everything runs as the `postgres`
# user via setpriv (which execs, so the recorded PID is the postmaster itself).
# Layout of DIR: data/ (PGDATA, reused across restarts once DIR/.initialized
# exists), run/ (unix socket, used only by lab.sh for admin via peer auth),
# server.log, lab.pid, password (secured only).

: "${LAB_PGBIN:=}"

pg_bin() {
  if [[ -z $LAB_PGBIN ]]; then
    local d
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
      [[ -x $d/postgres ]] && { LAB_PGBIN=$d; break; }
    done
    [[ -n $LAB_PGBIN ]] || lab_die "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"
  fi
  printf '%s\n' "$LAB_PGBIN"
}

# pg_admin DIR PORT [psql args...]: psql as OS user postgres over the unix
# socket in DIR/run (peer auth), SQL on stdin.
pg_admin() {
  local dir=$1 port=$2; shift 2
  (cd "$dir" && timeout 30 setpriv --reuid=postgres --regid=postgres --init-groups --reset-env -- \
     "$(pg_bin)/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir/run" -p "$port" -U postgres -d postgres "$@")
}

postgresql_start() {
  local name=$1 addr=$2 port=$3 mode=$4 dir=$5
  local bin data=$dir/data
  bin=$(pg_bin)

  # Fresh data dir unless a previous initdb completed.
  if [[ ! -f $dir/.initialized || ! -f $data/PG_VERSION ]]; then
    rm -rf "${dir:?}/data" "$dir/.initialized"
    mkdir -p "$data"
    chown postgres:postgres "$data"
    chmod 0700 "$data"
    (cd "$dir" && timeout 60 setpriv --reuid=postgres --regid=postgres --init-groups --reset-env -- \
       "$bin/initdb" -D "$data" -U postgres -E UTF8 --locale=C \
       --auth-local=peer --auth-host=reject --no-instructions) >>"$dir/server.log" 2>&1 \
      || lab_die "$name: initdb failed"
    touch "$dir/.initialized"
  fi
  mkdir -p "$dir/run"
  chown postgres:postgres "$dir/run"
  chmod 0700 "$dir/run"

  lab_render "$LAB_CONF/postgresql.conf.in" "$data/postgresql.conf" \
    BIND="$addr" PORT="$port" RUNDIR="$dir/run" DATADIR="$data"
  install -m 0600 -o postgres -g postgres "$LAB_CONF/pg_hba-$mode.conf" "$data/pg_hba.conf"
  chown postgres:postgres "$data/postgresql.conf"
  chmod 0600 "$data/postgresql.conf"

  # A postmaster.pid left by a killed server is handled by postgres itself
  # (it checks whether that PID is still a postmaster).
  lab_spawn "$dir" setpriv --reuid=postgres --regid=postgres --init-groups --reset-env -- \
    "$bin/postgres" -D "$data"
  local pid=$LAB_SPAWNED_PID

  lab_wait_until "$name (unix socket)" 20 "$pid" postgres \
    "$bin/pg_isready" -q -h "$dir/run" -p "$port" -t 2 \
    || lab_die "$name did not become ready"
  # pg_isready over TCP also succeeds when pg_hba rejects us (server answered).
  lab_wait_until "$name (tcp)" 10 "$pid" postgres \
    "$bin/pg_isready" -q -h "$addr" -p "$port" -t 2 \
    || lab_die "$name is not accepting TCP connections on $addr:$port"
  lab_check_listeners "$pid" || lab_die "$name listens on a non-loopback address"

  case $mode in
    inventory)
      # Not a scan target: the PostgreSQL backend of ajar's own inventory (tests create one
      # database per test through role ajar and drop it after).
      local pass
      pass=$(lab_secret "$dir/password")
      printf "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ajar') THEN CREATE ROLE ajar LOGIN CREATEDB; END IF; END \$\$;\nALTER ROLE ajar WITH PASSWORD '%s';\n" "$pass" \
        | pg_admin "$dir" "$port" || lab_die "$name: creating role ajar failed"
      if [[ $(echo "SELECT 1 FROM pg_database WHERE datname = 'ajar_inventory';" | pg_admin "$dir" "$port" -At) != 1 ]]; then
        echo "CREATE DATABASE ajar_inventory OWNER ajar;" | pg_admin "$dir" "$port" \
          || lab_die "$name: creating database ajar_inventory failed"
      fi
      ;;
    secured)
      local pass
      pass=$(lab_secret "$dir/password")
      printf "ALTER ROLE postgres WITH PASSWORD '%s';\n" "$pass" | pg_admin "$dir" "$port" \
        || lab_die "$name: setting the postgres password failed"
      ;;
    *)
      rm -f "$dir/password"
      # No password at all for postgres (open: trust; restricted: unreachable).
      echo "ALTER ROLE postgres WITH PASSWORD NULL;" | pg_admin "$dir" "$port" \
        || lab_die "$name: resetting the postgres password failed"
      ;;
  esac

  if [[ $mode != restricted && $mode != inventory ]]; then
    pg_admin "$dir" "$port" <"$LAB_CONF/postgresql-seed.sql" || lab_die "$name: seeding failed"
    local n
    n=$(echo "SELECT count(*) FROM customers;" | pg_admin "$dir" "$port" -d lab_shop -At)
    [[ $n == 5 ]] || lab_die "$name: expected 5 customers, found '$n'"
  fi
}

postgresql_env() { # NAME ADDR PORT MODE DIR VARPREFIX
  local dir=$5 var=$6
  if [[ $4 == inventory ]]; then
    printf 'export %s_USER=ajar\n' "$var"
    [[ -s $dir/password ]] && printf 'export AJAR_TEST_PG_URL=postgresql://ajar:%s@%s:%s/ajar_inventory\n' "$(<"$dir/password")" "$2" "$3"
    return 0
  fi
  printf 'export %s_USER=postgres\n' "$var"
  if [[ $4 == secured && -s $dir/password ]]; then
    printf 'export %s_PASSWORD=%s\n' "$var" "$(<"$dir/password")"
  fi
}
