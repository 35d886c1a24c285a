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
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/key.pem" \
  -out "$work/cert.pem" -subj /CN=localhost -days 2 2> /dev/null
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

total() {
  local port tls_port run="$work/run"
  port="$(free_port)"
  tls_port="$(free_port)"
  rm -rf "$run" && mkdir -p "$run"
  # bench/lib/servers.py's nginx, in one process: the same headers and TLS settings.
  cat > "$run/nginx.conf" << CONF
worker_processes 1; daemon off; master_process off; pid $run/nginx.pid; error_log stderr warn;
events { worker_connections 1024; }
http {
    access_log off; client_body_temp_path $run/body; proxy_temp_path $run/proxy;
    fastcgi_temp_path $run/fastcgi; uwsgi_temp_path $run/uwsgi; scgi_temp_path $run/scgi;
    keepalive_requests 1000000; default_type "text/plain; charset=utf-8";
    server {
        listen 127.0.0.1:$port; listen 127.0.0.1:$tls_port ssl;
        ssl_certificate $work/cert.pem; ssl_certificate_key $work/key.pem; ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_tickets on; ssl_session_cache builtin:20480;
        add_header Vary "Accept, Accept-Language" always; add_header Access-Control-Allow-Origin "*" always;
        location = /status/418 { return 418 "I'm a teapot\n"; }
    }
}
CONF
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" \
    nginx -p "$run" -e stderr -c "$run/nginx.conf" 2> "$work/valgrind.err" &
  local pid=$!
  for _ in $(seq 300); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $port))" 2> /dev/null && break
    sleep 0.1
  done
  python3 "$here/drive.py" 127.0.0.1 "$([ -n "${TLS:-}" ] && echo "$tls_port" || echo "$port")" "$count" \
    /status/418 "" ${FRESH:+fresh}
  kill -INT "$pid"
  wait "$pid" || true
  callgrind_annotate "$work/cg.out" 2> /dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'
}

count=1000; low="$(total)"
count=3000; high="$(total)"
echo "instructions per request: $(( (high - low) / 2000 ))"
