#!/usr/bin/env bash
# Installs what the test suite needs beyond npm packages, from Debian's packages; idempotent and quick
# when everything is there. Runs before `npm test` (the `pretest` script).
# - chromium: the HTML report tests drive Debian's headless Chromium (no browser download).
# - the local cloud (LXC, iptables, busybox, a CRIU that passes `criu check`): scripts/install-local-cloud.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[prepare-test-machine] %s\n' "$*"; }

if [ "$(id -u)" != 0 ]; then
  say "not root: installing nothing; the report tests need /usr/bin/chromium and the local-cloud tests need root (they skip, saying so)"
  exit 0
fi

if [ ! -x /usr/bin/chromium ]; then
  say "installing chromium"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
else
  say "chromium present"
fi

bash scripts/install-local-cloud.sh
