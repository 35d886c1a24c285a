# Sourced by the bench/profile scripts that count nginx beside teapot: a free port,
# an EC P-256 leaf as teapot's, and bench/lib/servers.py's nginx in one process
# (master_process off, one worker), plain HTTP and HTTPS on ports of its own.

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_port() {
  for _ in $(seq 300); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $1))" 2> /dev/null && return
    sleep 0.1
  done
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
