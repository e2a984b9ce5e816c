#!/usr/bin/env bash
# `npm run image:check`: proves scripts/provision-host.sh on a clean system. Makes a fresh Debian 12
# root with debootstrap (minbase: fewer packages than a stock cloud image, so nothing the script
# forgets to install is there by luck), runs the provisioning script inside it (chroot with /proc,
# /sys and /dev mounted, always unmounted again, even on failure), runs the readiness check inside,
# runs the script a second time to show it is idempotent (no package installed, nothing rebuilt),
# and fails if any step fails. Prints the time of each phase.
#
# Cached between runs on the same machine, in $HOTSPOT_IMAGE_CHECK_CACHE (default
# /var/cache/hotspot-image-check), never the root itself: every run starts from a fresh root.
# - the debootstrap tarball of bookworm's minbase packages (--make-tarball / --unpack-tarball);
# - CRIU builds ($HOTSPOT_PREFIX/criu-<version>-<patches>, keyed as build-criu.sh keys them; the
#   script still runs `criu check` on it);
# - the .deb files apt downloaded and npm's cache (both verified by their tools' own checksums).
# A cold cache is seeded from this machine's own CRIU build and npm cache (CI's npm ci and pretest
# made both), so a fresh CI machine does not build CRIU a second time.
# `--no-cache` ignores and leaves the cache.
#
# Needs root, debootstrap (installed from Debian if missing), the built project (dist/, as `npm ci`
# leaves it) and the Debian mirror of this machine's apt sources.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
CACHE="${HOTSPOT_IMAGE_CHECK_CACHE:-/var/cache/hotspot-image-check}"
SUITE=bookworm
PREFIX=/opt/hotspot
USE_CACHE=1
START=$(date +%s)
PHASE_START=$START
PHASES=()

say() { printf '[image-check] %s\n' "$*"; }
fail() {
  say "error: $*" >&2
  exit 1
}

for arg in "$@"; do
  case "$arg" in
    --no-cache) USE_CACHE=0 ;;
    *) fail "unknown argument \"$arg\" (expected --no-cache or nothing)" ;;
  esac
done

[ "$(id -u)" = 0 ] || fail "must run as root (debootstrap and chroot), found uid $(id -u)"
[ -f "$REPO/dist/src/cli/bin.js" ] || fail "expected the built project at $REPO/dist/src/cli/bin.js (run npm ci or npm run build), found none"

phase() {
  local now
  now=$(date +%s)
  if [ "${#PHASES[@]}" -gt 0 ] || [ -n "${CURRENT:-}" ]; then
    PHASES+=("$(printf '%-34s %5d s' "$CURRENT" $((now - PHASE_START)))")
  fi
  CURRENT="$1"
  PHASE_START=$now
  [ "$1" = end ] || say "== $1"
}

# The first Debian mirror of this machine's apt sources (deb822 or one-line format).
mirror() {
  local uri
  uri=$(grep -hoE '^URIs: *[^ ]+/debian/?$' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1 |
    sed -E 's/^URIs: *//' || true)
  if [ -z "$uri" ]; then
    uri=$(grep -hoE '^deb +(\[[^]]*\] +)?[^ ]+/debian/? ' /etc/apt/sources.list 2>/dev/null | head -n 1 |
      awk '{print $NF}' || true)
  fi
  [ -n "$uri" ] || fail "no Debian mirror found in /etc/apt/sources.list(.d)"
  echo "${uri%/}"
}

WORK=$(mktemp -d /var/tmp/hs-image-check.XXXXXX)
ROOT="$WORK/root"
MOUNTS=()

mounted_under() { awk -v root="$ROOT" '$2 == root || index($2, root "/") == 1 {print $2}' /proc/mounts; }

# Saves what the run downloaded and built, also after a failure: each item is verified when used.
save_cache() {
  [ "$USE_CACHE" = 1 ] && [ -d "$ROOT/var/cache/apt/archives" ] || return 0
  local d
  mkdir -p "$CACHE/apt-archives" "$CACHE/npm" "$CACHE/criu"
  find "$ROOT/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -exec cp -an {} "$CACHE/apt-archives/" \;
  [ -d "$ROOT/root/.npm" ] && cp -a "$ROOT/root/.npm/." "$CACHE/npm/"
  for d in "$ROOT$PREFIX"/criu-*; do
    # build-criu.sh moves a build into place only once it is complete.
    [ -d "$d" ] && [ ! -d "$CACHE/criu/$(basename "$d")" ] && cp -a "$d" "$CACHE/criu/" && say "cached $(basename "$d")"
  done
  return 0
}

cleanup() {
  local status=$? m i
  [ "$status" = 0 ] || save_cache || true
  for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
    m="${MOUNTS[$i]}"
    umount "$m" 2>/dev/null || umount -R "$m" 2>/dev/null || true
  done
  # Anything still mounted under the root (e.g. by a package's postinst) is unmounted too.
  while read -r m; do
    [ -n "$m" ] && { umount -R "$m" 2>/dev/null || true; }
  done < <(mounted_under | sort -r)
  if [ -n "$(mounted_under)" ]; then
    say "error: still mounted under $ROOT, left in place: $(mounted_under | tr '\n' ' ')" >&2
    status=1
  else
    rm -rf --one-file-system "$WORK"
  fi
  if [ "$status" != 0 ]; then
    say "FAILED after $(($(date +%s) - START)) s (phase: ${CURRENT:-start})" >&2
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mount_into() {
  mkdir -p "$ROOT$2"
  mount "${@:3}" "$1" "$ROOT$2"
  MOUNTS+=("$ROOT$2")
}

in_root() { chroot "$ROOT" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

phase "host tools"
if ! command -v debootstrap >/dev/null; then
  say "apt-get install debootstrap"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi
MIRROR=$(mirror)
ARCH=$(dpkg --print-architecture)
say "debootstrap $(dpkg-query -W -f='${Version}' debootstrap), $SUITE/$ARCH from this machine's Debian mirror"

phase "debootstrap tarball"
mkdir -p "$CACHE"
TARBALL="$CACHE/debootstrap-$SUITE-$ARCH-minbase.tgz"
if [ "$USE_CACHE" = 1 ] && [ -s "$TARBALL" ]; then
  say "cached: $TARBALL ($(du -h "$TARBALL" | cut -f1))"
else
  TARBALL_WORK="$WORK/tarball"
  mkdir -p "$TARBALL_WORK"
  [ "$USE_CACHE" = 1 ] || TARBALL="$WORK/debootstrap.tgz"
  say "debootstrap --make-tarball (downloads the packages)"
  debootstrap --variant=minbase --arch="$ARCH" --make-tarball="$TARBALL.tmp" "$SUITE" "$TARBALL_WORK" "$MIRROR" \
    >"$WORK/make-tarball.log" 2>&1 || {
    tail -n 20 "$WORK/make-tarball.log" >&2
    fail "debootstrap --make-tarball failed"
  }
  mv "$TARBALL.tmp" "$TARBALL"
  rm -rf "$TARBALL_WORK"
fi

phase "debootstrap fresh root"
debootstrap --variant=minbase --arch="$ARCH" --unpack-tarball="$TARBALL" "$SUITE" "$ROOT" "$MIRROR" \
  >"$WORK/debootstrap.log" 2>&1 || {
  tail -n 20 "$WORK/debootstrap.log" >&2
  fail "debootstrap --unpack-tarball failed (log above)"
}
say "fresh Debian $(cat "$ROOT/etc/debian_version") root at $ROOT ($(du -sh --one-file-system "$ROOT" | cut -f1))"

phase "prepare chroot"
# The root must be a mount point: CRIU resolves the mount tree from the process's root.
mount --bind "$ROOT" "$ROOT"
MOUNTS+=("$ROOT")
mount_into proc /proc -t proc
mount_into /sys /sys --rbind
mount_into /dev /dev --rbind
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
# This machine's own certificate authorities (e.g. a TLS-inspecting proxy's): the root reaches the
# npm registry the way the machine does; the ca-certificates package merges them when installed.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  mkdir -p "$ROOT/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/"
  say "local CA certificates: $(cd /usr/local/share/ca-certificates && echo *.crt)"
fi
# Keep package scripts from starting daemons inside the chroot (a booted host would start them).
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod 755 "$ROOT/usr/sbin/policy-rc.d"
# The project as provision-host.sh takes it: a source directory with dist/ and the lock file.
SRC=/tmp/hotspot-src
mkdir -p "$ROOT$SRC"
cp -a "$REPO/package.json" "$REPO/package-lock.json" "$REPO/scripts" "$ROOT$SRC/"
mkdir -p "$ROOT$SRC/dist"
cp -a "$REPO/dist/src" "$ROOT$SRC/dist/"
if [ "$USE_CACHE" = 1 ]; then
  mkdir -p "$CACHE/apt-archives" "$CACHE/npm" "$CACHE/criu"
  cp -a "$CACHE/apt-archives/." "$ROOT/var/cache/apt/archives/"
  mkdir -p "$ROOT/root/.npm" "$ROOT$PREFIX"
  cp -a "$CACHE/npm/." "$ROOT/root/.npm/"
  # Seeded from this machine's own work, when the cache lacks it: its CRIU build (made by the same
  # build-criu.sh, so the same key means the same version and patches; criu check still runs on it
  # inside the root) and its npm cache (npm verifies every entry against its integrity hash).
  for d in "$PREFIX"/criu-*; do
    [ -x "$d/sbin/criu" ] && [ ! -d "$CACHE/criu/$(basename "$d")" ] && cp -a "$d" "$CACHE/criu/" &&
      say "seeded the cache with this machine's $(basename "$d")"
  done
  if [ -d "$HOME/.npm/_cacache" ] && [ ! -d "$CACHE/npm/_cacache" ]; then
    cp -a "$HOME/.npm/_cacache" "$CACHE/npm/" && say "seeded the cache with this machine's npm cache"
  fi
  cp -a "$CACHE/criu/." "$ROOT$PREFIX/"
  say "cache: $(find "$CACHE/apt-archives" -name '*.deb' | wc -l) .deb files, npm cache $(du -sh "$CACHE/npm" | cut -f1), criu builds: $(ls "$CACHE/criu" | tr '\n' ' ')"
fi

phase "provision-host.sh"
in_root /bin/bash "$SRC/scripts/provision-host.sh" "$SRC" 2>&1 | tee "$WORK/provision.log" |
  sed 's/^/  | /'
[ "${PIPESTATUS[0]}" = 0 ] || fail "provision-host.sh failed inside the fresh root (output above)"

phase "readiness check"
in_root "$PREFIX/bin/criu" check | sed 's/^/  | /'
say "criu check passed ($(in_root "$PREFIX/bin/criu" --version | head -n 1))"
say "lxc-checkpoint --version: $(in_root lxc-checkpoint --version)"
say "hotspot --version: $(in_root hotspot --version)"
say "node: $(in_root "$PREFIX/bin/node" --version)"
[ -f "$ROOT/etc/systemd/system/hotspot-live@.service" ] || fail "expected /etc/systemd/system/hotspot-live@.service in the root, found none"
if [ -d "$ROOT$PREFIX/app/node_modules/typescript" ] || [ -d "$ROOT$PREFIX/app/node_modules/vitest" ]; then
  fail "expected production dependencies only in $PREFIX/app, found development ones (typescript or vitest)"
fi
say "hotspot-live@.service present; $PREFIX/app has production dependencies only ($(ls "$ROOT$PREFIX/app/node_modules" | wc -l) top-level entries)"

phase "re-run (idempotent)"
in_root /bin/bash "$SRC/scripts/provision-host.sh" "$SRC" >"$WORK/rerun.log" 2>&1 || {
  sed 's/^/  | /' "$WORK/rerun.log" >&2
  fail "the second run of provision-host.sh failed"
}
if grep -E 'apt-get install|building criu|npm install node@|npm ci' "$WORK/rerun.log" >&2; then
  fail "the second run of provision-host.sh changed something (lines above); expected it only to verify"
fi
say "second run only verified: $(grep -c '' "$WORK/rerun.log") lines, nothing installed"

phase "save cache"
if [ "$USE_CACHE" = 1 ]; then
  save_cache
  say "cache: $CACHE ($(du -sh "$CACHE" | cut -f1))"
else
  say "--no-cache: nothing saved"
fi

phase end
say "phases:"
for line in "${PHASES[@]}"; do say "  $line"; done
say "ok: provision-host.sh turned a fresh Debian $SUITE root into a ready hotspot host in $(($(date +%s) - START)) s"
