#!/usr/bin/env bash
# npm run soak: aquatic_udp under aquatic_udp_load_test for MINUTES (default 5), the
# tracker's RSS sampled every second; fails if RSS keeps growing after the warm-up (the
# last third of the run above the middle third by more than GROWTH_LIMIT_MIB, default 16).
# Every AQUATIC_* variable passes on (e.g. AQUATIC_SOCKET_WORKERS=2 AQUATIC_SWARM_WORKERS=2).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[ -d dist ] || npm run --silent build
minutes=${MINUTES:-5}
limit=${GROWTH_LIMIT_MIB:-16}
seconds=$((minutes * 60))
port=$(node -e "const s=require('node:net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
samples="$(mktemp)"
AQUATIC_NETWORK__ADDRESS=127.0.0.1:$port AQUATIC_LOG_LEVEL=warn \
  timeout $((seconds + 60)) taskset -c "${TRACKER_CPU:-1}" node bin/aquatic_udp.js &
tracker=$!
trap 'kill $tracker 2>/dev/null || true; rm -f "$samples"' EXIT
sleep 1
# `timeout` runs node as its child: sample the child.
node_pid=$(pgrep -P "$tracker" | head -1)
( for _ in $(seq 1 "$seconds"); do
    awk '/VmRSS/ { print $2 }' "/proc/$node_pid/status" 2>/dev/null >>"$samples" || break
    sleep 1
  done ) &
sampler=$!
AQUATIC_SERVER_ADDRESS=127.0.0.1:$port AQUATIC_DURATION=$seconds AQUATIC_LOG_LEVEL=warn \
  taskset -c "${LOAD_CPU:-0}" node bin/aquatic_udp_load_test.js | tail -3
wait $sampler 2>/dev/null || true
node -e "
  const kib = require('node:fs').readFileSync('$samples', 'utf8').trim().split('\n').map(Number);
  const third = Math.floor(kib.length / 3);
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length / 1024;
  const middle = mean(kib.slice(third, 2 * third)), last = mean(kib.slice(2 * third));
  console.log('soak: ' + kib.length + ' RSS samples; first ' + (kib[0] / 1024).toFixed(1) + ' MiB, middle third ' + middle.toFixed(1) +
    ' MiB, last third ' + last.toFixed(1) + ' MiB, max ' + (Math.max(...kib) / 1024).toFixed(1) + ' MiB');
  if (last - middle > $limit) { console.log('soak: RSS still growing after the warm-up'); process.exit(1); }
  console.log('soak: RSS flat after the warm-up');"
