#!/usr/bin/env bash
# .ci/deps on a machine where nothing is installed yet, with dpkg-query, apt-get and
# systemctl faked on PATH (a real install needs root and the network): serving installs
# only what the build needs, no service starts during the install, and a service the
# install enabled (nginx, with nginx-light) is disabled again.
set -euo pipefail
root=$1
fake=$(mktemp -d)
trap 'rm -rf "$fake"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cat > "$fake/dpkg-query" <<'FAKE'
#!/bin/sh
exit 1  # nothing is installed
FAKE
cat > "$fake/apt-get" <<'FAKE'
#!/bin/sh
# Records the packages asked for, and whether a service could have started meanwhile;
# installing nginx-light enables nginx.service, as its postinst does.
[ "$1" = update ] && exit 0
shift 4  # install -y -qq --no-install-recommends
echo "$@" > "$FAKE_DIR/installed"
if [ -x "$TEAPOT_POLICY_RC_D" ]; then "$TEAPOT_POLICY_RC_D" nginx start; echo $? > "$FAKE_DIR/policy"; fi
case " $* " in *" nginx-light "*) touch "$FAKE_DIR/nginx-enabled" ;; esac
FAKE
cat > "$fake/systemctl" <<'FAKE'
#!/bin/sh
case "$1" in
  list-unit-files) echo "ssh.service enabled enabled"; [ -e "$FAKE_DIR/nginx-enabled" ] && echo "nginx.service enabled enabled" ;;
  disable) echo "$3" >> "$FAKE_DIR/disabled"; rm -f "$FAKE_DIR/nginx-enabled" ;;
esac
exit 0
FAKE
chmod +x "$fake"/*
export PATH="$fake:$PATH" FAKE_DIR=$fake TEAPOT_POLICY_RC_D=$fake/policy-rc.d

run() { rm -f "$fake/installed" "$fake/policy" "$fake/disabled" "$fake/nginx-enabled"; bash "$root/.ci/deps" "$@" > /dev/null; }

# Serving: the build's packages, exactly; none of the test tools.
run serve
expected=$(bash "$root/.ci/deps" --list serve | tr '\n' ' ' | sed 's/ $//')
[ "$(cat "$fake/installed")" = "$expected" ] || fail "serve installed '$(cat "$fake/installed")', not '$expected'"
for tool in nginx-light wrk clang-14 libclang-rt-14-dev catch2 curl python3-requests; do
  case " $(cat "$fake/installed") " in *" $tool "*) fail "serve installs $tool" ;; esac
done
for needed in g++ cmake libboost1.81-dev libboost-url1.81-dev libboost-json1.81-dev libspdlog-dev libyaml-cpp-dev libre2-dev libssl-dev zlib1g-dev libbrotli-dev; do
  case " $(cat "$fake/installed") " in *" $needed "*) ;; *) fail "serve does not install $needed" ;; esac
done
[ "$(cat "$fake/policy")" = 101 ] || fail "a service could start during the install (policy-rc.d said $(cat "$fake/policy"))"
[ ! -e "$fake/policy-rc.d" ] || fail "the policy-rc.d written for the install was left behind"
[ ! -e "$fake/disabled" ] || fail "serve disabled a service it did not enable: $(cat "$fake/disabled")"

# Testing: everything, nginx's service not started and disabled again, ssh's left alone.
run
for tool in nginx-light wrk clang-14 catch2 curl python3-requests g++; do
  case " $(cat "$fake/installed") " in *" $tool "*) ;; *) fail "the test install lacks $tool" ;; esac
done
[ "$(cat "$fake/policy")" = 101 ] || fail "nginx could start during the test install"
[ "$(cat "$fake/disabled")" = nginx.service ] || fail "disabled '$(cat "$fake/disabled" 2>/dev/null)', not nginx.service"

# A policy-rc.d that was there before is the machine's own: kept.
printf '#!/bin/sh\nexit 101\n' > "$fake/policy-rc.d"
chmod +x "$fake/policy-rc.d"
run serve
[ -e "$fake/policy-rc.d" ] || fail "the machine's own policy-rc.d was removed"

# A bad argument: a usage line, exit 2.
if bash "$root/.ci/deps" servr 2> "$fake/err"; then fail "'servr' was accepted"; fi
grep -q "usage: bash .ci/deps" "$fake/err" || fail "no usage line for a bad argument"
echo "ok: .ci/deps serve installs $(wc -w < "$fake/installed") packages, starts no service"
