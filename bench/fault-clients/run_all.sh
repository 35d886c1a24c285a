#!/bin/bash
# Run every client probe against every fault path and print a Markdown table.
#
# usage: run_all.sh URL_BASE            e.g. run_all.sh http://127.0.0.1:18080
#
# env:
#   PATHS="reset close ..."   fault paths to test (default: the list below)
#   EXTRA_PATHS="..."         appended to PATHS (e.g. "slow-headers?ms=50")
#   RAW=file                  also write every probe's full one-line output here
#   WATCHDOG=20               seconds after which a probe process is killed
#   CLIENTS="curl requests go java node"   subset/order of columns
#
# If URL_BASE/__counts answers JSON (fault_server.py does), each request gets a
# unique "?probe=..." query tag and the cell notes how many connections the
# client opened for it ("2 conns" => the client retried on its own).
#
# Each cell: the probe's line (lightly shortened: Go's 'Get "URL": ' prefix, Java
# package names) + wall time.  The full lines go to $RAW.
set -u
BASE="${1:?usage: run_all.sh URL_BASE}"
BASE="${BASE%/}"
HERE="$(cd "$(dirname "$0")" && pwd)"
P="$HERE/probes"
WATCHDOG="${WATCHDOG:-20}"
PATHS="${PATHS:-reset close hang garbage truncate truncate-reset bad-chunk wrong-length-plus wrong-length-minus early-response early-response#upload slow-headers}"
PATHS="$PATHS ${EXTRA_PATHS:-}"
CLIENTS="${CLIENTS:-curl requests go java node}"
RAW="${RAW:-/dev/null}"
: > "$RAW" 2>/dev/null || true

# Go probe: build once if the binary is missing and go exists.
if [ ! -x "$P/goprobe.bin" ] && command -v go >/dev/null; then
  (cd "$P/goprobe" && go build -o ../goprobe.bin .) >&2
fi

counting=0
if curl -sf -m 2 "$BASE/__counts?reset=1" 2>/dev/null | grep -q '^{'; then counting=1; fi

declare -A NAME=([curl]="curl" [requests]="Python requests" [go]="Go net/http" [java]="Java HttpClient" [node]="Node fetch")

run_probe() {  # client, upload(0/1), url  -> one line on stdout
  local c=$1 up=$2 url=$3 flag=() errf=${4:-/dev/null}
  [ "$up" = 1 ] && flag=(--upload)
  case $c in
    curl)     timeout -k 2 "$WATCHDOG" "$P/probe_curl.sh" "${flag[@]}" "$url" 2>"$errf" ;;
    requests) timeout -k 2 "$WATCHDOG" python3 "$P/probe_requests.py" "${flag[@]}" "$url" 2>"$errf" ;;
    go)       if [ -x "$P/goprobe.bin" ]; then timeout -k 2 "$WATCHDOG" "$P/goprobe.bin" "${flag[@]}" "$url" 2>"$errf"; else echo "n/a (no Go toolchain)"; fi ;;
    java)     timeout -k 2 "$WATCHDOG" java "$P/Probe.java" "${flag[@]}" "$url" 2>"$errf" ;;
    node)     timeout -k 2 "$WATCHDOG" node "$P/probe.js" "${flag[@]}" "$url" 2>"$errf" ;;
  esac
  local rc=$?
  [ $rc = 124 ] || [ $rc = 137 ] && echo "probe killed by ${WATCHDOG}s watchdog"
}

shorten() {  # make a cell: strip noise, escape pipes (see probes/cell.py)
  python3 "$P/cell.py"
}

versions() {
  echo "- curl: $(curl --version | head -1)"
  echo "- Python requests: $(python3 -c 'import sys,requests,urllib3;print(f"requests {requests.__version__}, urllib3 {urllib3.__version__}, Python {sys.version.split()[0]}")')"
  if [ -x "$P/goprobe.bin" ]; then echo "- Go net/http: $(go version "$P/goprobe.bin" 2>/dev/null | sed 's#.*: ##' || echo '?')"; else echo "- Go net/http: n/a"; fi
  echo "- Java HttpClient: $(java -version 2>&1 | sed -n 2p)"
  echo "- Node fetch: Node $(node --version), undici $(node -p 'process.versions.undici')"
}

echo "Target: $BASE  ($(date -u +%Y-%m-%dT%H:%M:%SZ))"
echo
versions
echo
hdr="| fault |"; sep="|---|"
for c in $CLIENTS; do hdr="$hdr ${NAME[$c]} |"; sep="$sep---|"; done
echo "$hdr"; echo "$sep"

row=0
for spec in $PATHS; do
  row=$((row+1))
  path="${spec%%#*}"; up=0; label="$path"
  if [ "$spec" != "$path" ]; then up=1; label="$path (POST 5 MiB)"; fi
  line="| $label |"
  for c in $CLIENTS; do
    url="$BASE/$path"
    if [ $counting = 1 ]; then
      case $url in *\?*) url="$url&probe=$c-$row" ;; *) url="$url?probe=$c-$row" ;; esac
    fi
    t0=$(date +%s.%N)
    errf=$(mktemp)
    out=$(run_probe "$c" "$up" "$url" "$errf" | head -1)
    t1=$(date +%s.%N)
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
    [ -z "$out" ] && out="(no output)"
    echo "$label | $c | ${secs}s | $out" >> "$RAW"
    if [ -s "$errf" ]; then sed 's/^/    stderr: /' "$errf" >> "$RAW"; fi
    extra=""
    if [ $counting = 1 ]; then
      target="/${url#$BASE/}"
      n=$(curl -sf -m 2 "$BASE/__counts" | python3 -c 'import sys,json;print(json.load(sys.stdin).get(sys.argv[1],0))' "$target" 2>/dev/null)
      [ -n "$n" ] && [ "$n" != 1 ] && extra=", $n conns"
    fi
    cell="$(printf '%s' "$out" | shorten) (${secs}s$extra)"
    # anything the client library logged to stderr (e.g. Go's "Unsolicited response ...")
    if [ -s "$errf" ]; then
      cell="$cell<br>stderr: $(head -1 "$errf" | sed -E 's#^[0-9/]+ [0-9:]+ ##' | cut -c1-75 | shorten)…"
    fi
    rm -f "$errf"
    # curl + upload: also show the result with curl's automatic "Expect: 100-continue" disabled
    if [ "$c" = curl ] && [ $up = 1 ]; then
      url2="$url"; [ $counting = 1 ] && url2="${url}-noexpect"
      out2=$(CURL_NO_EXPECT=1 run_probe curl 1 "$url2" | head -1)
      echo "$label | curl -H 'Expect:' | | $out2" >> "$RAW"
      cell="$cell<br>with -H 'Expect:': $(printf '%s' "$out2" | shorten)"
    fi
    line="$line $cell |"
  done
  echo "$line"
done
