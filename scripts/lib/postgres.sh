# A throwaway PostgreSQL cluster for scripts/demo --postgres and scripts/bench: initdb into a
# folder of the run, listening on loopback only on a free port, its socket in that folder. Never
# the machine's own PostgreSQL service. Sourced after common.sh, not run.
#
#   start_throwaway_postgres DIR   sets PG_PORT and PG_CONNECTION (database "knutpunkt")
#   stop_throwaway_postgres        stops it (call from the EXIT trap)

PG_DIR=""
PG_PORT=""
PG_CONNECTION=""
PG_USER_RUN=()

postgres_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [[ -n "$dir" ]] || {
    say "PostgreSQL is not installed (Debian package postgresql)"
    return 1
  }
  printf '%s\n' "$dir"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start_throwaway_postgres() {
  PG_DIR="$1"
  local bin
  bin="$(postgres_bin)"
  rm -rf "$PG_DIR"
  mkdir -p "$PG_DIR"
  # initdb refuses to run as root: the cluster then belongs to the unprivileged user nobody.
  if [[ $(id -u) -eq 0 ]]; then
    chown nobody "$PG_DIR"
    PG_USER_RUN=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
  fi
  PG_PORT="$(free_port)"
  "${PG_USER_RUN[@]}" "$bin/initdb" -D "$PG_DIR/data" -U knutpunkt --auth=trust -E UTF8 --locale=C.UTF-8 \
    >"$PG_DIR/initdb.log" 2>&1
  "${PG_USER_RUN[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 30 start \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=on -c max_connections=200" >/dev/null
  "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U knutpunkt knutpunkt
  PG_CONNECTION="host=127.0.0.1 port=$PG_PORT dbname=knutpunkt user=knutpunkt"
}

stop_throwaway_postgres() {
  [[ -n "$PG_DIR" && -d "$PG_DIR/data" ]] || return 0
  "${PG_USER_RUN[@]}" "$(postgres_bin)/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  PG_DIR=""
}
