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
# One build, then the test projects one after the other, fastest first: unit (no I/O), integration (grains, API,
# SQLite, PostgreSQL), system (processes, cluster faults, Chromium, node, MQTT broker). Run one after the other so the
# system tests' processes do not share the machine with a whole other test run.
dotnet build IocTwin.sln -c Release 2>&1 | tee "$log" || status=$?
if [[ "$status" -eq 0 ]]; then
  for project in tests/IocTwin.UnitTests tests/IocTwin.IntegrationTests tests/IocTwin.SystemTests; do
    dotnet test "$project" -c Release --no-build --logger "console;verbosity=normal" "$@" 2>&1 | tee -a "$log" || status=$?
  done
fi

# One closing line for the whole run: count the per-test result lines of the console logger.
passed=$(grep -a -c '^  Passed ' "$log" || true)
failed=$(grep -a -c '^  Failed ' "$log" || true)
skipped=$(grep -a -c '^  Skipped ' "$log" || true)
echo "tests: $passed passed, $failed failed, $skipped skipped"
# Name the failed tests again at the very end, with the first lines of each failure, so a log read from its tail says
# which test failed and why.
if [[ "$failed" -gt 0 ]]; then
  echo "failed tests:"
  grep -a -A 12 '^  Failed ' "$log" | grep -v '^  Passed ' | head -n 200 || true
fi
# A run that executed no test is not a pass.
if [[ "$passed" -eq 0 && "$status" -eq 0 ]]; then status=1; fi
rm -f "$log"
exit "$status"
