#!/usr/bin/env bash
# Ensures $HOTSPOT_PREFIX/bin/criu is a CRIU that passes `criu check` on this kernel, on Debian 12.
# Shared by install-local-cloud.sh (the local cloud) and provision-host.sh (the image every instance
# boots). Idempotent: a second run only verifies. Prints every decision it takes.
#
# Debian 12's packaged criu 3.17 fails `criu check` on recent kernels (vDSO area bounds), so when the
# packaged one fails we build CRIU from Debian's trixie source tarball into
# $HOTSPOT_PREFIX/criu-<version>-<patches hash> (a cache keyed by version and patches) and point
# $HOTSPOT_PREFIX/bin/criu at whichever criu passed the check. scripts/criu-patches/*.patch are
# applied before building: Linux 6.16+ refuses SO_PASSCRED/SO_PASSSEC on TCP sockets and CRIU 4.1.1
# then fails to dump any process with a TCP socket (upstream checkpoint-restore/criu issues 2705, 2718).
#
# Environment: HOTSPOT_PREFIX (default /opt/hotspot), HOTSPOT_CRIU_VERSION (default 4.1.1).
set -euo pipefail

HOTSPOT_PREFIX="${HOTSPOT_PREFIX:-/opt/hotspot}"
CRIU_VERSION="${HOTSPOT_CRIU_VERSION:-4.1.1}"
PATCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/criu-patches"
# The cache key is the version plus the patches applied, so a changed patch forces a rebuild.
PATCH_KEY=$(cat "$PATCH_DIR"/*.patch 2>/dev/null | sha256sum | cut -c1-12)
CRIU_PREFIX="$HOTSPOT_PREFIX/criu-$CRIU_VERSION-$PATCH_KEY"
APT_STATE="$HOTSPOT_PREFIX/apt-trixie-src"
BIN="$HOTSPOT_PREFIX/bin"

say() { printf '[build-criu] %s\n' "$*"; }

if [ "$(id -u)" != 0 ]; then
  say "error: must run as root (found uid $(id -u))" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# What building criu needs, as Debian packages (no documentation tools: only the binary is built).
BUILD_PKGS=(build-essential pkg-config libprotobuf-dev libprotobuf-c-dev protobuf-c-compiler
  protobuf-compiler python3-protobuf libnl-3-dev libnet1-dev libcap-dev libbsd-dev libgnutls28-dev
  libaio-dev libnftables-dev uuid-dev libdrm-dev python3 xz-utils patch)

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

criu_check() {
  # `criu check` prints "Looks good." on success; anything else is a failure worth showing.
  local out
  if out=$("$1" check 2>&1) && grep -q 'Looks good' <<<"$out"; then
    return 0
  fi
  say "  $1 check failed: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
  return 1
}

link_criu() {
  mkdir -p "$BIN"
  ln -sfn "$1" "$BIN/criu"
  say "criu: $BIN/criu -> $1 ($("$1" --version | head -n 1))"
}

# Writes a deb-src line for trixie derived from the machine's first Debian "deb" URI, in a private
# apt state directory so the system's package lists are left untouched.
trixie_apt_opts() {
  local uri keyring
  uri=$(grep -hoE '^URIs: *[^ ]+/debian/?$' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1 |
    sed -E 's/^URIs: *//' || true)
  if [ -z "$uri" ]; then
    uri=$(grep -hoE '^deb +(\[[^]]*\] +)?[^ ]+/debian/? ' /etc/apt/sources.list 2>/dev/null | head -n 1 |
      awk '{print $NF}' || true)
  fi
  if [ -z "$uri" ]; then
    say "error: no Debian mirror found in /etc/apt/sources.list(.d) to derive a trixie deb-src line" >&2
    exit 1
  fi
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  mkdir -p "$APT_STATE/lists/partial" "$APT_STATE/etc/sources.list.d"
  printf 'Types: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: %s\n' "$uri" "$keyring" \
    >"$APT_STATE/etc/sources.list.d/trixie-src.sources"
  : >"$APT_STATE/etc/sources.list"
  APT_OPTS=(-o "Dir::Etc::SourceList=$APT_STATE/etc/sources.list"
    -o "Dir::Etc::SourceParts=$APT_STATE/etc/sources.list.d"
    -o "Dir::State::Lists=$APT_STATE/lists")
  say "trixie deb-src from $uri (private apt lists in $APT_STATE)"
}

build_criu() {
  local work tarball t0
  t0=$(date +%s)
  apt_install "${BUILD_PKGS[@]}"
  trixie_apt_opts
  apt-get "${APT_OPTS[@]}" update -qq
  work=$(mktemp -d /tmp/hs-criu-build.XXXXXX)
  chmod 755 "$work"
  # The mirror may lack the .dsc/.debian.tar.xz of a superseded revision; only the orig tarball is
  # needed, so apt's exit status is not decisive: the presence of the tarball is.
  (cd "$work" && apt-get "${APT_OPTS[@]}" source --download-only -qq criu >"$work/source.log" 2>&1) || true
  tarball=$(ls "$work"/criu_"$CRIU_VERSION".orig.tar.* 2>/dev/null | head -n 1 || true)
  if [ -z "$tarball" ]; then
    cat "$work/source.log" >&2
    say "error: no criu_$CRIU_VERSION.orig.tar.* from trixie; found: $(ls "$work")" >&2
    exit 1
  fi
  say "building criu $CRIU_VERSION from $(basename "$tarball") (make -j$(nproc))"
  tar -C "$work" -xf "$tarball"
  local src
  src=$(find "$work" -maxdepth 1 -mindepth 1 -type d -name 'criu*' | head -n 1)
  local patch
  for patch in "$PATCH_DIR"/*.patch; do
    [ -e "$patch" ] || continue
    say "applying $(basename "$patch")"
    patch -d "$src" -p1 -s <"$patch"
  done
  make -C "$src" -j"$(nproc)" criu >"$work/build.log" 2>&1 || {
    tail -n 40 "$work/build.log" >&2
    say "error: criu build failed (log above, full log in $work/build.log)" >&2
    exit 1
  }
  rm -rf "$CRIU_PREFIX.tmp"
  make -C "$src" PREFIX="$CRIU_PREFIX.tmp" install-criu >>"$work/build.log" 2>&1
  rm -rf "$CRIU_PREFIX"
  mv "$CRIU_PREFIX.tmp" "$CRIU_PREFIX"
  rm -rf "$work"
  say "built criu $CRIU_VERSION into $CRIU_PREFIX in $(($(date +%s) - t0)) s"
}

# The packaged criu is the first candidate, and it brings the shared libraries (protobuf-c, libnl,
# libnet, gnutls, nftables) that a cached build needs too.
apt_install criu

if [ "$(readlink -f "$BIN/criu" 2>/dev/null)" = "$CRIU_PREFIX/sbin/criu" ] && criu_check "$BIN/criu"; then
  say "criu: cached $CRIU_PREFIX passes criu check"
elif [ -x "$CRIU_PREFIX/sbin/criu" ] && criu_check "$CRIU_PREFIX/sbin/criu"; then
  say "criu: cached build $CRIU_PREFIX passes criu check"
  link_criu "$CRIU_PREFIX/sbin/criu"
elif criu_check /usr/sbin/criu; then
  say "criu: packaged $(/usr/sbin/criu --version | head -n 1) passes criu check"
  link_criu /usr/sbin/criu
else
  say "criu: packaged criu fails criu check; building $CRIU_VERSION from source"
  build_criu
  criu_check "$CRIU_PREFIX/sbin/criu" || {
    say "error: criu $CRIU_VERSION built but fails criu check on this kernel ($(uname -r))" >&2
    exit 1
  }
  link_criu "$CRIU_PREFIX/sbin/criu"
fi

# `criu check` passing is not enough: on some machines (seen on kernel 6.18.44 in a Firecracker VM) every
# dump waits forever for the hardware breakpoint CRIU sets to catch its parasite's sigreturn. CRIU's
# fault knob 130 (FI_NO_BREAKPOINTS) makes it trap that sigreturn without one; where a trial dump of a
# sleeping process needs it, $BIN/criu becomes a wrapper that sets it.
dump_probe() {
  local dir pid ok=1
  dir=$(mktemp -d)
  setsid sleep 600 </dev/null >/dev/null 2>&1 &
  pid=$!
  if env "$@" timeout -s KILL 15 "$CRIU_REAL" dump -t "$pid" -D "$dir" -o dump.log >/dev/null 2>&1; then ok=0; fi
  kill -9 "$pid" 2>/dev/null || true
  rm -rf "$dir"
  return $ok
}
CRIU_REAL=$(readlink -f "$BIN/criu")
if dump_probe CRIU_PROBE=1 2>/dev/null; then
  say "criu: a trial dump works"
elif dump_probe CRIU_FAULT=130 2>/dev/null; then
  rm -f "$BIN/criu"
  printf '#!/bin/sh\n# Written by build-criu.sh: dumps here hang on CRIU'"'"'s hardware breakpoint (kernel %s); 130 = FI_NO_BREAKPOINTS.\nCRIU_FAULT=130 exec %s "$@"\n' "$(uname -r)" "$CRIU_REAL" >"$BIN/criu"
  chmod 755 "$BIN/criu"
  say "criu: dumps hang on hardware breakpoints here ($(uname -r)); $BIN/criu runs $CRIU_REAL with CRIU_FAULT=130"
else
  say "warning: a trial dump of a sleeping process fails even without hardware breakpoints; checkpoint tests will skip" >&2
fi

