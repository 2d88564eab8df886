#!/usr/bin/env bash
# Throwaway PostgreSQL for tests: a fresh cluster in a temp dir, listening on 127.0.0.1 only.
#
#   .ci/postgres.sh start   # installs PostgreSQL if missing, starts a cluster, writes .ci/.postgres.env
#   .ci/postgres.sh stop    # stops that cluster and removes its temp dir
#   .ci/postgres.sh restart # restarts that cluster in place (fault tests)
#
# .ci/.postgres.env (git-ignored) holds `export IOCTWIN_TEST_POSTGRES='Host=...;Port=...;...'`;
# source it before running tests that need PostgreSQL.
set -euo pipefail

ci_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
env_file="$ci_dir/.postgres.env"

# initdb/postgres refuse to run as root, so run them as the `postgres` OS user when we are root.
as_pg() {
  if [[ "$(id -u)" -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_bin_dir() {
  local dirs
  dirs="$(compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V | tail -n 1 || true)"
  [[ -n "$dirs" ]] && dirname "$dirs"
}

install_postgres() {
  [[ -n "$(pg_bin_dir)" ]] && return 0
  export DEBIAN_FRONTEND=noninteractive
  # A fresh machine has no package lists yet: update once, then install.
  if ! compgen -G '/var/lib/apt/lists/*_Packages' >/dev/null; then apt-get update; fi
  if ! apt-get install -y postgresql; then
    apt-get update
    apt-get install -y postgresql
  fi
  [[ -n "$(pg_bin_dir)" ]] || { echo "postgres.sh: PostgreSQL binaries not found after install" >&2; exit 1; }
}

# The temp dir of the cluster recorded in the env file (empty if none).
recorded_dir() {
  [[ -f "$env_file" ]] || return 0
  sed -n "s/^IOCTWIN_TEST_POSTGRES_DIR='\(.*\)'$/\1/p" "$env_file"
}

stop_cluster() {
  local dir bin
  dir="$(recorded_dir)"
  if [[ -n "$dir" && -d "$dir" ]]; then
    bin="$(pg_bin_dir || true)"
    if [[ -n "$bin" && -f "$dir/data/postmaster.pid" ]]; then
      as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null || true
    fi
    rm -rf -- "$dir"
  fi
  rm -f -- "$env_file"
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start_cluster() {
  install_postgres
  stop_cluster # a start always means a fresh cluster, even if a previous one was left running

  local bin dir port password started=""
  bin="$(pg_bin_dir)"
  dir="$(mktemp -d /tmp/ioctwin-pg.XXXXXX)"
  [[ "$(id -u)" -eq 0 ]] && chown postgres:postgres "$dir"
  password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"

  as_pg "$bin/initdb" -D "$dir/data" -U postgres --encoding=UTF8 --no-locale \
    --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; rm -rf -- "$dir"; exit 1; }

  # Pick a free loopback port; retry if another process grabs it before postgres binds.
  for _ in $(seq 1 20); do
    port=$((20000 + RANDOM % 40000))
    port_in_use "$port" && continue
    if as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c max_connections=400" start >/dev/null; then
      started=1
      break
    fi
  done
  if [[ -z "$started" ]]; then
    cat "$dir/postgres.log" >&2 || true
    rm -rf -- "$dir"
    echo "postgres.sh: could not start PostgreSQL" >&2
    exit 1
  fi

  as_pg "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
    -c "CREATE ROLE ioctwin LOGIN PASSWORD '$password'" \
    -c "CREATE DATABASE ioctwin OWNER ioctwin" >/dev/null

  umask 077
  cat >"$env_file" <<EOF
export IOCTWIN_TEST_POSTGRES='Host=127.0.0.1;Port=$port;Database=ioctwin;Username=ioctwin;Password=$password'
IOCTWIN_TEST_POSTGRES_DIR='$dir'
EOF
  echo "export IOCTWIN_TEST_POSTGRES='Host=127.0.0.1;Port=$port;Database=ioctwin;Username=ioctwin;Password=$password'"
}

# Restart the running cluster in place (same data, same port), as an operator restarting the server would.
restart_cluster() {
  local dir bin
  dir="$(recorded_dir)"
  bin="$(pg_bin_dir)"
  [[ -n "$dir" && -d "$dir/data" ]] || { echo "postgres.sh: no cluster to restart" >&2; exit 1; }
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -m fast -w -t 60 restart >/dev/null
}

case "${1:-}" in
  start) start_cluster ;;
  stop) stop_cluster ;;
  restart) restart_cluster ;;
  *) echo "usage: $0 start|stop|restart" >&2; exit 2 ;;
esac
