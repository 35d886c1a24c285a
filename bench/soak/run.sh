#!/usr/bin/env bash
# Soak teapot under a mixed workload (bench/soak/README.md): builds teapot
# (Release) unless TEAPOT names a binary, then runs soak.py with the arguments
# given (--duration 600 by default). Exit 1 when the soak fails.
#   bash bench/soak/run.sh                        # 10 minutes
#   TEAPOT=build-test/teapot bash bench/soak/run.sh --duration 60 --csv /tmp/rss.csv
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
binary="${TEAPOT:-}"
if [ -z "$binary" ]; then
  bash .ci/deps
  cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release > /dev/null
  cmake --build build-bench -j2 --target teapot_cli > /dev/null
  binary=build-bench/teapot
fi
echo "teapot: $binary; load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores" >&2
exec python3 "$here/soak.py" --binary "$binary" "$@"
