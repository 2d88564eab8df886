#!/usr/bin/env bash
# Runs every test of IocTwin. Starts a throwaway PostgreSQL server on loopback for the cluster-mode tests
# (installing PostgreSQL with apt-get when missing) and stops it at the end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

bash .ci/postgres.sh start >/dev/null
trap 'bash .ci/postgres.sh stop' EXIT
# shellcheck source=/dev/null
source .ci/.postgres.env

log="$(mktemp)"
status=0
dotnet test IocTwin.sln -c Release --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log" || status=$?

# One closing line for the whole run, whatever the number of test projects.
awk '/^(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { gsub(",", "", p); printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"
