# Sourced by the bench/profile scripts that count nginx beside teapot: an EC P-256
# leaf as teapot's, and bench/lib/servers.py's nginx in one process (master_process
# off, one worker), plain HTTP and HTTPS on ports of its own. nginx cannot bind port 0:
# it gets ports the kernel just handed out, and new ones when another process took
# them first (as bench/lib/servers.py does). teapot binds port 0 and says its ports.

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# wait_port PORT PID: 0 once PORT accepts, 1 if PID exits first (its port was taken).
wait_port() {
  for _ in $(seq 300); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $1))" 2> /dev/null && return 0
    kill -0 "$2" 2> /dev/null || return 1
    sleep 0.1
  done
  return 1
}

# teapot_port OUTPUT_FILE SCHEME: the port teapot's ready line names for http or https.
teapot_port() {
  for _ in $(seq 300); do
    local port
    port="$(sed -n "s/.*listening on $2:\/\/[^ ]*:\([0-9][0-9]*\).*/\1/p" "$1")"
    [ -n "$port" ] && { echo "$port"; return 0; }
    sleep 0.1
  done
  return 1
}

# start_nginx RUN_DIR LEAF_DIR [LAUNCHER...]: nginx (under LAUNCHER, e.g. valgrind) on
# two ports; sets nginx_pid, nginx_port and nginx_tls_port. Up to 5 tries.
start_nginx() {
  local run="$1" leaf="$2"
  shift 2
  for _ in 1 2 3 4 5; do
    nginx_port="$(free_port)"
    nginx_tls_port="$(free_port)"
    rm -rf "$run"
    nginx_conf "$run" "$nginx_port" "$nginx_tls_port" "$leaf"
    "$@" nginx -p "$run" -e stderr -c "$run/nginx.conf" 2> "$run.err" &
    nginx_pid=$!
    wait_port "$nginx_port" "$nginx_pid" && wait_port "$nginx_tls_port" "$nginx_pid" && return 0
    kill "$nginx_pid" 2> /dev/null || true
    wait "$nginx_pid" 2> /dev/null || true
  done
  echo "nginx did not start: $(cat "$run.err")" >&2
  return 1
}

# mint_leaf DIR: DIR/cert.pem and DIR/key.pem, self-signed for localhost.
mint_leaf() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1/key.pem" \
    -out "$1/cert.pem" -subj /CN=localhost -days 2 2> /dev/null
}

# nginx_conf RUN_DIR PORT TLS_PORT LEAF_DIR: writes RUN_DIR/nginx.conf.
nginx_conf() {
  local run="$1" port="$2" tls_port="$3" leaf="$4"
  mkdir -p "$run"
  cat > "$run/nginx.conf" << CONF
worker_processes 1; daemon off; master_process off; pid $run/nginx.pid; error_log stderr warn;
events { worker_connections 1024; }
http {
    access_log off; client_body_temp_path $run/body; proxy_temp_path $run/proxy;
    fastcgi_temp_path $run/fastcgi; uwsgi_temp_path $run/uwsgi; scgi_temp_path $run/scgi;
    keepalive_requests 1000000; default_type "text/plain; charset=utf-8";
    server {
        listen 127.0.0.1:$port; listen 127.0.0.1:$tls_port ssl;
        ssl_certificate $leaf/cert.pem; ssl_certificate_key $leaf/key.pem; ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_tickets on; ssl_session_cache builtin:20480;
        add_header Vary "Accept, Accept-Language" always; add_header Access-Control-Allow-Origin "*" always;
        location = /status/418 { return 418 "I'm a teapot\n"; }
    }
}
CONF
}
