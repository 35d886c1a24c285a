#!/usr/bin/env bash
# Instructions teapot runs per request, in user space, counted by callgrind: a
# figure that is repeatable on a shared, noisy machine (docs/design.md, "The hot
# path"). Two runs of one thread, 1 000 then 3 000 sequential keep-alive requests;
# the difference over 2 000 cancels start-up and shutdown.
#
#   bash bench/profile/instructions-per-request.sh BINARY [PATH [teapot args...]]
#   bash bench/profile/instructions-per-request.sh build-bench/teapot /status/418
#   HEADERS=$'Accept: application/json\r\n' bash bench/profile/instructions-per-request.sh build-bench/teapot
#   BODY_FILE=body.json bash bench/profile/instructions-per-request.sh build-bench/teapot /post
#     (BODY_FILE: a POST of that file, as application/json; METHOD=, CONTENT_TYPE= to change them)
#   FRESH=1 bash bench/profile/instructions-per-request.sh build-bench/teapot /status/418 --tls-on-plain-port
#     (FRESH: each request on a connection of its own: per connection and request)
#   TLS=1 FRESH=1 bash bench/profile/instructions-per-request.sh build-bench/teapot
#     (TLS=1: over HTTPS, --tls-port 0; with FRESH, a full handshake per request;
#      TLS=resume FRESH=1: every connection resumes one session)
#
# Needs valgrind (Debian: valgrind). The last run's profile is kept as
# callgrind.last.out in the current directory, for callgrind_annotate.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
binary="$(realpath "$1")"
path="${2:-/status/418}"
shift $(( $# >= 2 ? 2 : 1 ))
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

total() {
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" \
    "$binary" --port 0 --quiet --threads 1 --no-watch ${TLS:+--tls-port 0} "$@" > "$work/stdout" 2> "$work/valgrind.err" &
  local pid=$! port="" scheme="http${TLS:+s}"
  for _ in $(seq 300); do
    port="$(sed -n "s/.*listening on $scheme:\/\/[^ ]*:\([0-9][0-9]*\).*/\1/p" "$work/stdout")"
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { echo "teapot did not start under valgrind" >&2; cat "$work/valgrind.err" >&2; exit 1; }
  python3 "$here/drive.py" 127.0.0.1 "$port" "$count" "$path" "${HEADERS:-}" ${FRESH:+fresh}
  kill -INT "$pid"
  wait "$pid" || true
  callgrind_annotate "$work/cg.out" 2> /dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'
}

count=1000; low="$(total "$@")"
count=3000; high="$(total "$@")"
cp "$work/cg.out" callgrind.last.out
echo "instructions per request: $(( (high - low) / 2000 ))"
