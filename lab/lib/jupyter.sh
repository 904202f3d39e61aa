# shellcheck shell=bash
# lab/lib/jupyter.sh - Jupyter Notebook instances of the ajar loopback lab.
#
#   jupyter-open     127.0.1.8:8888  --NotebookApp.token='' --NotebookApp.password=''
#                                    (no authentication at all)
#   jupyter-secured  127.0.2.8:8888  default token auth with a random token
#                                    (DIR/password, passed as JUPYTER_TOKEN);
#                                    /api/* without it -> 403
#
# Runs as `nobody`, in the foreground (`jupyter-notebook`, Debian's
# jupyter-notebook 6.4), HOME and all Jupyter dirs under DIR/home, serving
# DIR/notebooks, which holds one invented notebook (lab-notes.ipynb, copied
# fresh on every start). No kernel is started by the lab.
# Layout of DIR: home/, notebooks/, server.log, lab.pid, password and
# curl.auth (secured; a curl config with the Authorization header).

jupyter_preflight() {
  [[ -x /usr/bin/jupyter-notebook ]] || lab_die "$1: /usr/bin/jupyter-notebook not installed (apt-get install jupyter-notebook)"
  command -v curl >/dev/null || lab_die "$1: curl not installed"
}

jupyter_start() {
  local name=$1 addr=$2 port=$3 mode=$4 dir=$5
  local gid home=$dir/home nb=$dir/notebooks
  gid=$(id -g nobody)

  mkdir -p "$home" "$nb"
  install -m 0644 -o nobody -g "$gid" "$LAB_CONF/jupyter-lab-notes.ipynb" "$nb/lab-notes.ipynb"
  chown -R nobody:"$gid" "$home" "$nb"
  chmod 0700 "$home"
  chmod 0755 "$nb"

  local -a envs=(HOME="$home" JUPYTER_CONFIG_DIR="$home/.jupyter" JUPYTER_DATA_DIR="$home/.local/share/jupyter"
                 JUPYTER_RUNTIME_DIR="$home/runtime" IPYTHONDIR="$home/.ipython" LANG=C.UTF-8)
  local -a args=(--no-browser "--ip=$addr" "--port=$port" --port-retries=0 "--notebook-dir=$nb")
  local -a cred=()
  case $mode in
    open)
      rm -f "$dir/password"
      args+=("--NotebookApp.token=" "--NotebookApp.password=")
      ;;
    secured)
      local tok
      tok=$(lab_secret "$dir/password")
      # The token goes in the environment (readable by root and nobody only),
      # not on the command line; Jupyter logs it as '?token=...'.
      envs+=(JUPYTER_TOKEN="$tok")
      printf 'header = "Authorization: token %s"\n' "$tok" >"$dir/curl.auth.tmp"
      chmod 0600 "$dir/curl.auth.tmp"
      mv -f "$dir/curl.auth.tmp" "$dir/curl.auth"
      cred=(-K "$dir/curl.auth")
      ;;
  esac

  lab_spawn "$dir" setpriv --reuid=nobody --regid="$gid" --init-groups --reset-env -- \
    env "${envs[@]}" /usr/bin/jupyter-notebook "${args[@]}"
  local pid=$LAB_SPAWNED_PID

  lab_wait_until "$name" 30 "$pid" jupyter-noteboo \
    curl -sS -f --noproxy '*' -o /dev/null "http://$addr:$port/api" \
    || lab_die "$name did not answer /api on $addr:$port"
  lab_check_listeners "$pid" || lab_die "$name listens on a non-loopback address"

  local out
  out=$(lab_curl "${cred[@]}" "http://$addr:$port/api/contents") || lab_die "$name: /api/contents failed"
  [[ $out == *'"name": "lab-notes.ipynb"'* ]] || lab_die "$name: lab-notes.ipynb not listed: $out"
}

jupyter_env() { # NAME ADDR PORT MODE DIR VARPREFIX
  local dir=$5 var=$6
  if [[ $4 == secured && -s $dir/password ]]; then
    printf 'export %s_TOKEN=%s\n' "$var" "$(<"$dir/password")"
  fi
}
