#!/usr/bin/env bash
# Every fuzz target compiles against today's library headers. Only the fuzz
# build (clang, .ci/fuzz-smoke) builds fuzz/*.cpp, half an hour into CI; this
# syntax check finds a changed signature in seconds. Usage: check_fuzz_compiles.sh SRC [CLANG]
set -euo pipefail
src=$1
clang=${2:-clang++-14}
status=0
for target in "$src"/fuzz/*.cpp; do
  if ! "$clang" -std=c++20 -fsyntax-only -I"$src/include" -I"$src/src" -I"$src/fuzz" \
       -Wall -Wextra -Werror -Wconversion -Wno-sign-conversion -Wshadow "$target"; then
    echo "FAIL: $target does not compile" >&2
    status=1
  fi
done
[ "$status" = 0 ] && echo "every fuzz target compiles: $(ls "$src"/fuzz/*.cpp | wc -l) files"
exit "$status"
