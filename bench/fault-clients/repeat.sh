#!/bin/bash
# Run the probes N times against one URL and tally the (shortened) outcomes per client,
# to expose timing-dependent (racy) results.
# usage: repeat.sh [--upload] URL N [clients...]   (clients default: curl requests go java node)
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"; P="$HERE/probes"
flag=(); if [ "$1" = "--upload" ]; then flag=(--upload); shift; fi
url=$1; n=$2; shift 2
clients="${*:-curl requests go java node}"
for c in $clients; do
  echo "### $c ${flag[*]} $url  x$n"
  for i in $(seq "$n"); do
    case $c in
      curl)     "$P/probe_curl.sh" "${flag[@]}" "$url" ;;
      requests) python3 "$P/probe_requests.py" "${flag[@]}" "$url" ;;
      go)       "$P/goprobe.bin" "${flag[@]}" "$url" ;;
      java)     java "$P/Probe.java" "${flag[@]}" "$url" ;;
      node)     node "$P/probe.js" "${flag[@]}" "$url" ;;
    esac 2>/dev/null | head -1 | python3 "$P/cell.py"
  done | sort | uniq -c | sort -rn
done
