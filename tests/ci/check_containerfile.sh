#!/usr/bin/env bash
# The Containerfile's runtime stage installs every Debian package whose libraries the teapot
# binary links (the image is not built in CI: docs/ci.md), and its build stage runs .ci/serve.
# Usage: check_containerfile.sh SRC TEAPOT_BINARY
set -euo pipefail
src=$1 binary=$2
file=$src/Containerfile
grep -q '^RUN bash .ci/serve --build-only$' "$file" || { echo "FAIL: the build stage does not run .ci/serve --build-only" >&2; exit 1; }
# The runtime stage: the last FROM onwards.
runtime=$(awk '/^FROM /{stage=""} {stage=stage $0 "\n"} END{printf "%s", stage}' "$file")
status=0
for lib in $(ldd "$binary" | awk '/=>/{print $3}'); do
  package=$(dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib")
  package=${package%%:*}
  case "$package" in libc6|libgcc-s1|libstdc++6) continue ;; esac  # in every Debian image
  if ! grep -qw -- "$package" <<< "$runtime"; then
    echo "FAIL: $binary links $lib, from $package, which the Containerfile's runtime stage does not install" >&2
    status=1
  fi
done
[ "$status" = 0 ] && echo "ok: the runtime stage installs every library teapot links"
exit "$status"
