#!/usr/bin/env bash
# System calls per connection, teapot's and nginx's, counted by strace -c while
# drive.py makes N connections of one request each (the server's own calls, after
# start-up). With TLS=resume each connection resumes one TLS session; TLS=1: a full
# handshake each; neither: plain HTTP with Connection: close.
#
#   TLS=resume bash bench/profile/syscalls-per-connection.sh build-dev/teapot [N]
#
# Needs strace, nginx-light, openssl and python3 (Debian: strace nginx-light openssl).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
binary="$(realpath "$1")"
count="${2:-500}"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2> /dev/null || true; rm -rf "$work"' EXIT
source "$here/nginx-one-process.sh"

# Counts the calls of process $1 while drive.py makes $count connections to port $2.
count_calls() {
  TLS="${TLS:-}" python3 "$here/drive.py" 127.0.0.1 "$2" 5 /status/418 "" fresh  # warm: sessions, caches
  strace -c -f -p "$1" -o "$work/calls" 2> /dev/null &
  local tracer=$!
  sleep 1
  TLS="${TLS:-}" python3 "$here/drive.py" 127.0.0.1 "$2" "$count" /status/418 "" fresh
  sleep 0.5
  kill -INT "$tracer"
  wait "$tracer" || true
  awk -v n="$count" '$NF == "total" { printf "%.1f system calls a connection\n", $4 / n }
    $NF != "total" && $4 ~ /^[0-9]+$/ && $4 >= n / 2 { printf "  %-12s %.1f\n", $NF, $4 / n }' "$work/calls"
}

"$binary" --port 0 ${TLS:+--tls-port 0} --threads 1 --quiet --no-watch > "$work/teapot.out" 2>&1 &
teapot=$!
port="$(teapot_port "$work/teapot.out" "http${TLS:+s}")"
echo "teapot:"
count_calls "$teapot" "$port"
kill "$teapot"

mint_leaf "$work"
start_nginx "$work/nginx" "$work"
echo "nginx (one process):"
count_calls "$nginx_pid" "$([ -n "${TLS:-}" ] && echo "$nginx_tls_port" || echo "$nginx_port")"
kill "$nginx_pid"
