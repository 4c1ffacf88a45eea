#!/usr/bin/env bash
# npm run bench: aquatic_udp pinned to one core (TRACKER_CPU, default 1) under
# aquatic_udp_load_test pinned to another (LOAD_CPU, default 0) for DURATION seconds
# (default 10), then the load tester's table. Every AQUATIC_* variable passes on, e.g.
#   DURATION=30 AQUATIC_NATIVE=0 npm run bench
# For the side-by-side comparison with opentracker and bittorrent-tracker: npm run bench:compare
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[ -d dist ] || npm run --silent build
tracker_cpu=${TRACKER_CPU:-1}
load_cpu=${LOAD_CPU:-0}
duration=${DURATION:-10}
port=$(node -e "const s=require('node:net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
AQUATIC_NETWORK__ADDRESS=127.0.0.1:$port AQUATIC_LOG_LEVEL=warn \
  timeout $((duration + 30)) taskset -c "$tracker_cpu" node bin/aquatic_udp.js &
tracker=$!
trap 'kill $tracker 2>/dev/null || true' EXIT
# Wait (bounded) until the tracker answers a connect before loading it.
for _ in $(seq 1 50); do
  if node -e "
    const s=require('node:dgram').createSocket('udp4');const b=Buffer.alloc(16);b.writeUInt32BE(0x417,0);b.writeUInt32BE(0x27101980,4);
    s.on('message',()=>process.exit(0));s.send(b,$port,'127.0.0.1');setTimeout(()=>process.exit(1),200)"; then break; fi
done
AQUATIC_SERVER_ADDRESS=127.0.0.1:$port AQUATIC_DURATION=$duration \
  taskset -c "$load_cpu" node bin/aquatic_udp_load_test.js
