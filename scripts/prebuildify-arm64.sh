#!/usr/bin/env bash
# Cross-builds the N-API addon for linux-arm64 (glibc) into prebuilds/linux-arm64/, offline,
# with Debian's cross toolchain (apt-get install g++-aarch64-linux-gnu). N-API headers do not
# depend on the architecture, so the Node headers installed next to this node serve (as for
# scripts/install-native.mjs). The build runs in a temporary copy of the sources, so build/
# (the addon this machine loads) is left alone. The result is checked to be an aarch64 ELF
# shared object. With ARM64_NODE set to an arm64 node command (e.g. under qemu user
# emulation, see README), aquatic_udp also runs on it from the prebuild and answers an announce.
# Run: npm run prebuildify:arm64
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
triple=aarch64-linux-gnu
if ! command -v "$triple-g++" >/dev/null; then
  echo "prebuildify:arm64: $triple-g++ not found: apt-get install g++-aarch64-linux-gnu (see README, Prebuilt binaries)" >&2
  exit 1
fi

# node-gyp: npm puts its own on PATH for npm scripts; otherwise the copy bundled with npm.
if ! command -v node-gyp >/dev/null && [ -z "${PREBUILD_NODE_GYP:-}" ]; then
  export PREBUILD_NODE_GYP="$(dirname "$(realpath "$(command -v npm)")")/node-gyp-bin/node-gyp"
fi
# Headers: npm's nodedir if configured, else those installed next to node (no download).
if [ -z "${npm_config_nodedir:-}" ]; then
  prefix="$(dirname "$(dirname "$(realpath "$(command -v node)")")")"
  if [ -f "$prefix/include/node/node_api.h" ]; then export npm_config_nodedir="$prefix"; fi
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$root/binding.gyp" "$root/native" "$root/package.json" "$work/"
ln -s "$root/node_modules" "$work/node_modules"
(
  cd "$work"
  CC="$triple-gcc" CXX="$triple-g++" LINK="$triple-g++" AR="$triple-ar" \
    "$root/node_modules/.bin/prebuildify" --napi --strip --strip-bin "$triple-strip" --tag-libc --arch arm64 --out "$root" --quiet
)

addon="$root/prebuilds/linux-arm64/aquatic.glibc.node"
kind="$(file -b "$addon")"
case "$kind" in
  "ELF 64-bit LSB shared object, ARM aarch64"*) echo "prebuildify:arm64: ${addon#"$root/"}: $kind" ;;
  *) echo "prebuildify:arm64: ${addon#"$root/"} is not an aarch64 shared object: $kind" >&2; exit 1 ;;
esac

if [ -n "${ARM64_NODE:-}" ]; then
  # PREBUILDS_ONLY: node-gyp-build skips build/Release (this machine's own addon).
  # shellcheck disable=SC2086 # ARM64_NODE is a command with arguments
  PREBUILDS_ONLY=1 "$root/scripts/udp-round-trip.sh" 'native transport' $ARM64_NODE "$root/bin/aquatic_udp.js"
  echo "prebuildify:arm64: aquatic_udp on $ARM64_NODE answered an announce on the arm64 prebuild"
fi
