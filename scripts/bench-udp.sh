#!/usr/bin/env bash
# Compares aquatic_udp with opentracker and bittorrent-tracker on this machine, each pinned
# to one core with the same load (../shared/bench/udp-compare.sh). Extra arguments are
# environment assignments passed on, e.g.:
#   scripts/bench-udp.sh ROUNDS=3 TRACKERS="opentracker project"
#   scripts/bench-udp.sh AQUATIC_NATIVE=0          # the node:dgram fallback
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench="${BENCH_DIR:-$root/../shared/bench}"
if [ ! -x "$bench/udp-compare.sh" ] && [ ! -f "$bench/udp-compare.sh" ]; then
  echo "bench-udp: no udp-compare.sh in $bench (set BENCH_DIR)" >&2
  exit 1
fi
[ -d "$root/dist" ] || (cd "$root" && npm run --silent build)
command -v opentracker >/dev/null || bash "$bench/setup-anchors.sh"
native=1
for assignment in "$@"; do
  case $assignment in AQUATIC_NATIVE=0) native=0 ;; esac
done
export PROJECT_UDP_CMD="env AQUATIC_NATIVE=$native AQUATIC_NETWORK__ADDRESS=\$HOST:\$PORT AQUATIC_LOG_LEVEL=warn node $root/bin/aquatic_udp.js"
exec env TRACKERS="${TRACKERS:-opentracker bittorrent-tracker project}" "$@" bash "$bench/udp-compare.sh"
