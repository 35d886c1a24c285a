#!/usr/bin/env bash
# What popular HTTP clients report for each teapot fault (docs/faults.md):
# installs the clients that are missing, builds teapot (Release), starts it on
# an ephemeral port with probe.yaml, runs every probe against every fault, and
# stops the server it started. About 3 minutes. Output: a Markdown table on
# stdout and in results.md (beside this script), then tallies of the racy
# early-response upload in results-upload.txt.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."

need=()
command -v curl >/dev/null || need+=(curl)
python3 -c 'import requests' 2>/dev/null || need+=(python3-requests)
command -v go >/dev/null || need+=(golang-go)
command -v java >/dev/null || need+=(default-jdk-headless)
command -v node >/dev/null || need+=(nodejs)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
bash .ci/deps
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build-bench -j2 --target teapot_cli > /dev/null

# A generous body limit: a 5 MiB upload must meet the early-response fault, not the size limit.
ready="$(mktemp)"
./build-bench/teapot --port 0 --scenarios "$here/probe.yaml" --max-delay 30s --idle-timeout 10s \
  --max-body-size 16MiB > "$ready" 2> "$here/server.log" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -f "$ready"' EXIT
for _ in $(seq 100); do grep -q listening "$ready" && break; sleep 0.05; done
base="$(sed -n 's/^teapot listening on //p' "$ready")"
[ -n "$base" ] || { echo "teapot did not start" >&2; exit 1; }

"$here/run_all.sh" "$base" | tee "$here/results.md"
{
  "$here/repeat.sh" --upload "$base/early-response" 20
  CURL_NO_EXPECT=1 "$here/repeat.sh" --upload "$base/early-response" 20 curl
} | tee "$here/results-upload.txt"
