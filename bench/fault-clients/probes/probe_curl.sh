#!/bin/bash
# curl probe: one request, 3 s overall (-m 3), whole body read, one output line.
# usage: probe_curl.sh [--upload] URL
upload=0
if [ "$1" = "--upload" ]; then upload=1; shift; fi
url="$1"
errf=$(mktemp); trap 'rm -f "$errf" "$bodyf"' EXIT
args=(-sS -m 3 -o /dev/null -w '%{http_code} %{size_download}')
if [ $upload = 1 ]; then
  bodyf=$(mktemp); head -c $((5*1024*1024)) /dev/zero | tr '\0' 'a' > "$bodyf"
  # NB: curl's default for a >1 MiB POST body adds "Expect: 100-continue";
  # set CURL_NO_EXPECT=1 to suppress it (-H 'Expect:').
  args+=(-X POST --data-binary @"$bodyf")
  [ "${CURL_NO_EXPECT:-0}" = 1 ] && args+=(-H 'Expect:')
fi
out=$(curl "${args[@]}" "$url" 2>"$errf"); rc=$?
read -r code size <<<"$out"
if [ $rc = 0 ]; then
  echo "ok status=$code body_len=$size"
else
  msg=$(tr '\n' ' ' <"$errf" | sed 's/^curl: ([0-9]*) //; s/ *$//')
  echo "exit $rc: $msg (status=$code body_len=$size)"
fi
