#!/usr/bin/env bash
# Installs what the local cloud (namespace hosts + CRIU/LXC) needs on a Debian 12 machine.
# Idempotent: a second run only verifies. Prints every decision it takes.
#
# CRIU: scripts/build-criu.sh makes $HOTSPOT_PREFIX/bin/criu a CRIU that passes `criu check` (the
# packaged one, or 4.1.1 built from Debian's trixie source with scripts/criu-patches, cached by
# version and patches). The TypeScript hosts use that path.
#
# Environment: HOTSPOT_PREFIX (default /opt/hotspot), HOTSPOT_CRIU_VERSION (default 4.1.1).
set -euo pipefail

HOTSPOT_PREFIX="${HOTSPOT_PREFIX:-/opt/hotspot}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
START=$(date +%s)

say() { printf '[install-local-cloud] %s\n' "$*"; }
elapsed() { echo $(($(date +%s) - START)); }

if [ "$(id -u)" != 0 ]; then
  say "error: must run as root (found uid $(id -u))" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# gcc + libc6-dev build the static workload the migration test runs inside the container.
RUNTIME_PKGS=(lxc iptables busybox-static iproute2 e2fsprogs util-linux mount gcc libc6-dev)

missing_pkgs() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
  done
}

APT_UPDATED=0
apt_install() {
  local missing
  mapfile -t missing < <(missing_pkgs "$@")
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  if [ "$APT_UPDATED" = 0 ]; then
    say "apt-get update"
    apt-get update -qq
    APT_UPDATED=1
  fi
  say "apt-get install ${missing[*]}"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

apt_install "${RUNTIME_PKGS[@]}"

HOTSPOT_PREFIX="$HOTSPOT_PREFIX" bash "$HERE/build-criu.sh"

# lxc-checkpoint runs whichever criu is first on PATH; the hosts code puts $HOTSPOT_PREFIX/bin first.
for tool in lxc-start lxc-checkpoint ip iptables losetup mkfs.ext4 busybox nsenter unshare; do
  command -v "$tool" >/dev/null || {
    say "error: $tool not found after install" >&2
    exit 1
  }
done
if ! ip netns add hs-install-probe 2>/dev/null; then
  say "error: cannot create a network namespace (ip netns add failed)" >&2
  exit 1
fi
ip netns del hs-install-probe
say "ok: local cloud ready in $(elapsed) s"
