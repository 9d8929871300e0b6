#!/usr/bin/env bash
# Builds the project and runs the main job against the bundled API simulator:
# check_whisper_jobs on a scenario with stuck and failed jobs (account mode
# and single-job mode), then the real collectd daemon with the whisper_jobs
# plugin, printing the values it collected. Installs missing Debian packages
# when run as root. Everything listens on 127.0.0.1 and stops at the end.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

scripts/install-deps.sh

build=build
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
check="$build/check_whisper_jobs/check_whisper_jobs"

scratch=$(mktemp -d /tmp/whisper-jobs-demo.XXXXXX)
simulator_pid=""
collectd_pid=""
cleanup() {
  [[ -n $collectd_pid ]] && kill "$collectd_pid" 2>/dev/null && wait "$collectd_pid" 2>/dev/null
  [[ -n $simulator_pid ]] && kill "$simulator_pid" 2>/dev/null && wait "$simulator_pid" 2>/dev/null
  rm -rf "$scratch"
}
trap cleanup EXIT

scenario=tests/scenarios/demo.json
python3 tests/simulator/whisper_api_sim.py --scenario "$scenario" --port-file "$scratch/port" \
  --log "$scratch/simulator.log" >"$scratch/simulator.out" 2>&1 &
simulator_pid=$!
for _ in $(seq 100); do
  [[ -s $scratch/port ]] && break
  sleep 0.1
done
[[ -s $scratch/port ]] || { echo "The API simulator did not start; see $scratch/simulator.log" >&2; exit 1; }
url="http://127.0.0.1:$(cat "$scratch/port")"

# The demo key lives in the scenario; a real key goes in a file only its
# readers can open.
python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["api_key"])' "$scenario" >"$scratch/api-key"
chmod 600 "$scratch/api-key"

run_check() {
  echo "\$ check_whisper_jobs $*"
  local state=0
  "$check" "$@" || state=$?
  local names=(OK WARNING CRITICAL UNKNOWN)
  echo "(exit $state: ${names[$state]:-invalid})"
  echo
}

echo "== check_whisper_jobs against the simulator at $url"
echo
run_check -u "$url" --token-file "$scratch/api-key" -w 0 -c 5 \
  --pending-warning 30m --pending-critical 2h --processing-warning 1h --processing-critical 3h
failed_job=$(python3 -c 'import json, sys
jobs = json.load(open(sys.argv[1]))["jobs"]
print(next(j["id"] for j in jobs if j["status"] == "FAILED"))' "$scenario")
run_check -u "$url" --token-file "$scratch/api-key" --job "$failed_job"

plugin_dir="$build/collectd_plugin"
if [[ ! -f $plugin_dir/whisper_jobs.so ]]; then
  echo "== collectd: skipped, $plugin_dir/whisper_jobs.so was not built"
  exit 0
fi

echo "== collectd with the whisper_jobs plugin (3 reads at a 1 s interval)"
cat >"$scratch/collectd.conf" <<CONF
Hostname "demo"
BaseDir "$scratch"
Interval 1
LoadPlugin logfile
<Plugin logfile>
  File "$scratch/collectd.log"
  LogLevel info
</Plugin>
# Without a write plugin collectd logs a warning for every value it
# dispatches. csv also keeps the values as files in the scratch folder.
LoadPlugin csv
<Plugin csv>
  DataDir "$scratch/csv"
</Plugin>
LoadPlugin unixsock
<Plugin unixsock>
  SocketFile "$scratch/collectd.sock"
  SocketGroup "$(id -gn)"
</Plugin>
PluginDir "$top/$plugin_dir"
LoadPlugin whisper_jobs
<Plugin whisper_jobs>
  <Account "demo">
    URL "$url"
    TokenFile "$scratch/api-key"
    Interval 1
    Timeout 1
    StuckAfter 1800
  </Account>
</Plugin>
CONF
/usr/sbin/collectd -f -C "$scratch/collectd.conf" 2>"$scratch/collectd.err" &
collectd_pid=$!
sleep 3.5
echo "http_requests-api and errors-api are DERIVE values, which collectd's cache returns as rates per second."
for value in $(collectdctl -s "$scratch/collectd.sock" listval | grep whisper_jobs | sort); do
  printf '%-50s %s\n' "$value" "$(collectdctl -s "$scratch/collectd.sock" getval "$value" | tr '\n' ' ')"
done
echo
echo "collectd log:"
sed 's/^/  /' "$scratch/collectd.log"
