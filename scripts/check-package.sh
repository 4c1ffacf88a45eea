#!/usr/bin/env bash
# Proves the npm package works for a user without a compiler: builds the N-API prebuild,
# packs the tarball, installs it into an empty directory with --ignore-scripts and with
# the compilers hidden from PATH, then
#   1. `npx aquatic_udp -P` and a UDP connect + announce round trip: the native path is used;
#   2. the same with the prebuild removed: the node:dgram fallback serves and says so.
# Every prebuild in prebuilds/ (linux-x64; linux-arm64 where aarch64-linux-gnu-g++ is
# installed, see prebuildify-arm64.sh) must be in the tarball.
# Run: npm run check:package   (loopback only; everything under a temporary directory)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$root"
npm run --silent build
npm run --silent prebuildify >/dev/null
# linux-arm64 too where the cross compiler is installed; a prebuild present is shipped.
if command -v aarch64-linux-gnu-g++ >/dev/null; then npm run --silent prebuildify:arm64 >/dev/null; fi
tarball="$(npm pack --silent --pack-destination "$work" | tail -1)"
packed="$(tar -tzf "$work/$tarball")"
for prebuild in prebuilds/*/*.node; do
  grep -qx "package/$prebuild" <<<"$packed" || { echo "check-package: $prebuild is missing from the tarball"; exit 1; }
  echo "check-package: the tarball ships $prebuild ($(file -b "$prebuild" | cut -d, -f1,2))"
done
mkdir -p "$work/app" "$work/nobin"
# A PATH with node and npm but no compiler: the install must not need one.
for tool in node npm npx sh env timeout; do ln -s "$(command -v $tool)" "$work/nobin/$tool"; done
cd "$work/app"
echo '{"name":"app","private":true}' > package.json
PATH="$work/nobin" npm install --no-audit --no-fund --ignore-scripts "$work/$tarball" >/dev/null
PATH="$work/nobin" npx --no-install aquatic_udp -P >/dev/null
echo "check-package: aquatic_udp -P works from the installed tarball"

round_trip() {
  "$root/scripts/udp-round-trip.sh" "$1" env PATH="$work/nobin" npx --no-install aquatic_udp
}

round_trip 'native transport'
echo "check-package: announce round trip on the prebuilt native addon"
rm -rf node_modules/aquatic/prebuilds
round_trip 'node:dgram'
echo "check-package: announce round trip on the node:dgram fallback, which said so"
