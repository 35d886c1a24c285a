#!/usr/bin/env bash
# nginx's instructions per request in user space, counted by callgrind as
# instructions-per-request.sh counts teapot's (the same drive.py, the same modes):
# one process (master_process off, one worker), 1 000 then 3 000 requests of
# /status/418, the difference over 2 000. Its leaf is an EC P-256 key, as teapot's.
#
#   bash bench/profile/nginx-instructions-per-request.sh              (plain HTTP, keep-alive)
#   TLS=1 bash bench/profile/nginx-instructions-per-request.sh        (HTTPS, keep-alive)
#   TLS=1 FRESH=1 ...  (a full handshake per request)   TLS=resume FRESH=1 ...  (resumed)
#
# Needs valgrind, nginx-light and openssl (Debian: valgrind nginx-light openssl).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
source "$here/nginx-one-process.sh"
mint_leaf "$work"

total() {
  start_nginx "$work/run" "$work" valgrind --tool=callgrind --callgrind-out-file="$work/cg.out"
  python3 "$here/drive.py" 127.0.0.1 "$([ -n "${TLS:-}" ] && echo "$nginx_tls_port" || echo "$nginx_port")" \
    "$count" /status/418 "" ${FRESH:+fresh}
  kill -INT "$nginx_pid"
  wait "$nginx_pid" || true
  callgrind_annotate "$work/cg.out" 2> /dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'
}

count=1000; low="$(total)"
count=3000; high="$(total)"
echo "instructions per request: $(( (high - low) / 2000 ))"
