#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback, for the tests and benchmarks.
#
#   scripts/pg-cluster.sh start STATE   # initdb in a new temporary directory, start on a free port
#   scripts/pg-cluster.sh stop STATE    # stop it (immediately) and remove its data
#   scripts/pg-cluster.sh restart STATE # stop -m immediate and start again on the same port
#   scripts/pg-cluster.sh freeze|thaw STATE PID   # SIGSTOP / SIGCONT one backend
#
# STATE is a directory this script owns: it writes `conninfo` (what libpq connects with),
# `datadir`, `port` and `bin` there. The server runs as the `postgres` user when this runs as
# root (initdb refuses root) and as the caller otherwise; its data lives in a temporary
# directory of its own, never in Debian's cluster. fsync is off: the tests kill processes, not
# machines. PG_BIN overrides where initdb and pg_ctl are (default: the newest
# /usr/lib/postgresql/*/bin).
set -euo pipefail

usage() { echo "usage: $0 start|stop|restart STATE | freeze|thaw STATE PID" >&2; exit 2; }
(($# >= 2)) || usage
command=$1
state=$2

bin=${PG_BIN:-}
if [[ -z $bin ]]; then
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi
if [[ -z $bin || ! -x $bin/initdb ]]; then
  echo "pg-cluster: no PostgreSQL server binaries (Debian: apt-get install postgresql-15)" >&2
  exit 1
fi

as_owner() {
  if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi
}

server_options() {
  local port=$1 data=$2
  echo "-p $port -k $data/socket -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" \
       "-c max_connections=300 -c shared_buffers=128MB -c log_min_messages=warning"
}

start_on() {  # start_on PORT DATA: 0 when the server is up
  local port=$1 data=$2
  as_owner "$bin/pg_ctl" -D "$data/db" -l "$data/log" -w -t 30 -o "$(server_options "$port" "$data")" start >/dev/null
}

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

case $command in
  start)
    mkdir -p "$state"
    if [[ -f $state/datadir ]]; then "$0" stop "$state"; mkdir -p "$state"; fi
    data=$(mktemp -d /tmp/anonauth-pg.XXXXXX)
    chmod 0755 "$data"
    mkdir -p "$data/socket"
    if ((EUID == 0)); then chown -R postgres: "$data"; fi
    as_owner "$bin/initdb" -D "$data/db" -A trust -U postgres -E UTF8 --no-locale --no-sync >"$data/initdb.log" 2>&1 ||
      { cat "$data/initdb.log" >&2; exit 1; }
    started=""
    for _ in $(seq 1 20); do
      port=$((20000 + RANDOM % 40000))
      port_taken "$port" && continue
      if start_on "$port" "$data"; then started=$port; break; fi
    done
    if [[ -z $started ]]; then
      echo "pg-cluster: the server did not start; its log:" >&2
      cat "$data/log" >&2 || true
      exit 1
    fi
    echo "$data" >"$state/datadir"
    echo "$started" >"$state/port"
    echo "$bin" >"$state/bin"
    echo "host=127.0.0.1 port=$started user=postgres dbname=postgres" >"$state/conninfo"
    echo "pg-cluster: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$started ($data)"
    ;;
  stop)
    if [[ -f $state/datadir ]]; then
      data=$(cat "$state/datadir")
      as_owner "$bin/pg_ctl" -D "$data/db" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
      rm -rf "$data"
    fi
    rm -f "$state/datadir" "$state/port" "$state/bin" "$state/conninfo"
    ;;
  restart)
    data=$(cat "$state/datadir")
    port=$(cat "$state/port")
    as_owner "$bin/pg_ctl" -D "$data/db" -m immediate -w -t 30 stop >/dev/null
    start_on "$port" "$data"
    ;;
  freeze|thaw)
    (($# == 3)) || usage
    if [[ $command == freeze ]]; then kill -STOP "$3"; else kill -CONT "$3"; fi
    ;;
  *) usage ;;
esac
