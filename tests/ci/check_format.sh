#!/usr/bin/env bash
# Every C++ file teapot keeps is as clang-format-14 writes it, by the repository's
# .clang-format: a diff that only reformats never hides in a change again.
set -euo pipefail
root=$1
command -v clang-format-14 > /dev/null || { echo "clang-format-14 is missing: bash .ci/deps installs it" >&2; exit 1; }
cd "$root"
mapfile -t files < <(find src include tests fuzz bench examples -name '*.cpp' -o -name '*.hpp' | sort)
bad=()
for f in "${files[@]}"; do
  clang-format-14 --dry-run -Werror "$f" > /dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
  echo "not formatted (clang-format-14 -i FILE fixes it):" >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "ok: ${#files[@]} files formatted"
