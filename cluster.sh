#!/usr/bin/env bash
# Starts the multi-silo topology on loopback: two silos and two API processes sharing one PostgreSQL database for
# membership, grain state and reading history. Ctrl+C stops everything.
#
#   ./cluster.sh                      # a throwaway PostgreSQL (installed with apt-get when missing)
#   IOCTWIN_POSTGRES='Host=...' ./cluster.sh   # an existing database
#
# APIs: http://127.0.0.1:5081 and http://127.0.0.1:5082 (demo tokens on, ingest key dev-ingest-key).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

if [[ -z "${IOCTWIN_POSTGRES:-}" ]]; then
  bash .ci/postgres.sh start >/dev/null
  trap 'bash .ci/postgres.sh stop' EXIT
  # shellcheck source=/dev/null
  source .ci/.postgres.env
  IOCTWIN_POSTGRES="$IOCTWIN_TEST_POSTGRES"
fi

dotnet build IocTwin.sln -c Release -v quiet -nologo >/dev/null
logs=.data/cluster
mkdir -p "$logs"
common=(--Twin:Storage=PostgreSql --Twin:Clustering=AdoNet "--Twin:ConnectionString=$IOCTWIN_POSTGRES" --Twin:ClusterId=ioctwin-local)
pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap 'stop; [[ -f .ci/.postgres.env ]] && bash .ci/postgres.sh stop || true' EXIT INT TERM

start() {
  local name=$1; shift
  "$@" >"$logs/$name.log" 2>&1 &
  pids+=($!)
  echo "$name started (pid $!, log $logs/$name.log)"
}

start silo1 dotnet silo/IocTwin.Silo/bin/Release/net10.0/IocTwin.Silo.dll "${common[@]}" --Twin:SiloPort=11111 --Twin:GatewayPort=30000 --Urls=http://127.0.0.1:8091
start silo2 dotnet silo/IocTwin.Silo/bin/Release/net10.0/IocTwin.Silo.dll "${common[@]}" --Twin:SiloPort=11112 --Twin:GatewayPort=30001 --Urls=http://127.0.0.1:8092
for i in 1 2; do
  start "api$i" env ASPNETCORE_ENVIRONMENT=Development DOTNET_ENVIRONMENT=Development \
    dotnet run --project api/IocTwin.Api -c Release --no-build --no-launch-profile -- "${common[@]}" --Twin:Mode=Client \
    "--Twin:GatewayPort=$((29999 + i))" "--Urls=http://127.0.0.1:$((5080 + i))" "--Feed:Enabled=$([[ $i == 1 ]] && echo true || echo false)"
done
echo "IocTwin cluster: APIs http://127.0.0.1:5081 and http://127.0.0.1:5082; silo dashboards and /metrics on :8091 and :8092 — Ctrl+C to stop"
wait
