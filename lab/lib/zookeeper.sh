# shellcheck shell=bash
# lab/lib/zookeeper.sh - ZooKeeper instances of the ajar loopback lab.
#
#   zookeeper-open        127.0.1.13:2181  4lw.commands.whitelist=srvr,mntr,envi,ruok;
#                                          no auth, znodes world-readable (the
#                                          default ACL), seeded under /lab
#   zookeeper-restricted  127.0.3.13:2181  whitelist=ruok: `mntr`, `envi`, `stat`
#                                          are refused ("... is not executed
#                                          because it is not in the whitelist.")
#                                          but `srvr` still answers: ZooKeeper
#                                          adds srvr to every whitelist
#
# Both are standalone servers (ZooKeeperServerMain, Debian's zookeeper 3.8) in
# the foreground as the `zookeeper` user, on the instance address only: the
# AdminServer is off, there are no quorum or secure ports, and the JVM runs
# with java.net.preferIPv4Stack (otherwise the socket shows as [::ffff:127.x]).
# No persistence: DIR/data is recreated on every start; the open instance is
# seeded with 6 znodes under /lab (with zkCli.sh), so `srvr` reports ZooKeeper's
# own znodes + 6. The restricted one is not seeded.
# Layout of DIR: zoo.cfg, log4j.properties, data/, server.log, lab-start.log,
# lab.pid.

LAB_ZOOKEEPER_JAVA=/usr/bin/java
LAB_ZOOKEEPER_CLASSPATH=/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-log4j12.jar:/usr/share/java/log4j-1.2.jar
LAB_ZOOKEEPER_CLI=/usr/share/zookeeper/bin/zkCli.sh

zookeeper_preflight() {
  local f
  for f in $LAB_ZOOKEEPER_JAVA ${LAB_ZOOKEEPER_CLASSPATH//:/ } $LAB_ZOOKEEPER_CLI; do
    [[ -e $f ]] || lab_die "$1: $f not installed (apt-get install zookeeper)"
  done
}

# zookeeper_word ADDR PORT WORD: the server's answer to a four-letter word.
zookeeper_word() {
  lab_assert_loopback "$1"
  timeout 5 bash -c 'exec 3<>"/dev/tcp/$0/$1" && printf %s "$2" >&3 && cat <&3' "$1" "$2" "$3"
}

zookeeper_start() {
  local name=$1 addr=$2 port=$3 mode=$4 dir=$5 whitelist gid
  gid=$(id -g zookeeper)
  case $mode in
    open) whitelist=srvr,mntr,envi,ruok ;;
    *)    whitelist=ruok ;;
  esac

  lab_render "$LAB_CONF/zookeeper.cfg.in" "$dir/zoo.cfg" DIR="$dir" BIND="$addr" PORT="$port" \
    WHITELIST="$whitelist"
  cp "$LAB_CONF/zookeeper-log4j.properties" "$dir/log4j.properties"
  chmod 0644 "$dir/zoo.cfg" "$dir/log4j.properties"
  rm -rf "${dir:?}/data"
  mkdir -p "$dir/data"
  chown zookeeper:"$gid" "$dir/data"
  chmod 0750 "$dir/data"

  lab_spawn "$dir" setpriv --reuid=zookeeper --regid="$gid" --init-groups --reset-env -- \
    "$LAB_ZOOKEEPER_JAVA" -Xmx256m -XX:-UsePerfData -Djava.net.preferIPv4Stack=true \
      -Dzookeeper.log.dir="$dir" -Dlog4j.configuration="file:$dir/log4j.properties" \
      -cp "$LAB_ZOOKEEPER_CLASSPATH" org.apache.zookeeper.server.ZooKeeperServerMain "$dir/zoo.cfg"
  local pid=$LAB_SPAWNED_PID

  # `srvr` answers in every mode (see above).
  lab_wait_until "$name" 20 "$pid" java \
    bash -c 'exec 3<>"/dev/tcp/$0/$1" && printf srvr >&3 && grep -q "^Zookeeper version: " <&3' \
    "$addr" "$port" || lab_die "$name did not answer srvr on $addr:$port"
  lab_check_listeners "$pid" || lab_die "$name listens on a non-loopback address"

  if [[ $mode == open ]]; then
    # Seed: invented data only (fresh data dir, so no cleanup needed). zkCli.sh
    # reads the commands from stdin and exits at `quit`.
    local out
    out=$(printf '%s\n' \
      'create /lab ""' \
      'create /lab/config ""' \
      'create /lab/config/currency EUR' \
      'create /lab/customers ""' \
      'create /lab/customers/1 "name=Ada Example;email=ada@example.invalid"' \
      'create /lab/customers/2 "name=Bruno Sample;phone=+1-555-0102"' \
      'quit' | timeout 30 "$LAB_ZOOKEEPER_CLI" -server "$addr:$port" 2>&1) \
      || lab_die "$name: seeding with zkCli.sh failed: ${out: -300}"
    [[ $(grep -c '^Created /lab' <<<"$out") == 6 ]] \
      || lab_die "$name: expected 6 znodes created under /lab: ${out: -300}"
  fi
  # The whitelist is in force: `mntr` is answered (open) or refused (restricted).
  local mntr
  mntr=$(zookeeper_word "$addr" "$port" mntr || true)
  if [[ $mode == open ]]; then
    [[ $mntr == zk_version* ]] || lab_die "$name: mntr not answered: ${mntr:0:100}"
  else
    [[ $mntr == "mntr is not executed because it is not in the whitelist."* ]] \
      || lab_die "$name: mntr not refused by the whitelist: ${mntr:0:100}"
  fi
  return 0
}

zookeeper_env() { # NAME ADDR PORT MODE DIR VARPREFIX
  local mode=$4 var=$6
  case $mode in
    open) printf 'export %s_WHITELIST=srvr,mntr,envi,ruok\n' "$var" ;;
    *)    printf 'export %s_WHITELIST=ruok\n' "$var" ;;
  esac
}
