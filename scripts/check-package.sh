#!/usr/bin/env bash
# Proves the npm package works for a user without a compiler: builds the N-API prebuild,
# packs the tarball, installs it into an empty directory with --ignore-scripts and with
# the compilers hidden from PATH, then
#   1. `npx aquatic_udp -P` and a UDP connect + announce round trip: the native path is used;
#   2. the same with the prebuild removed: the node:dgram fallback serves and says so.
# Run: npm run check:package   (loopback only; everything under a temporary directory)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$root"
npm run --silent build
npm run --silent prebuildify >/dev/null
tarball="$(npm pack --silent --pack-destination "$work" | tail -1)"
mkdir -p "$work/app" "$work/nobin"
# A PATH with node and npm but no compiler: the install must not need one.
for tool in node npm npx sh env timeout; do ln -s "$(command -v $tool)" "$work/nobin/$tool"; done
cd "$work/app"
echo '{"name":"app","private":true}' > package.json
PATH="$work/nobin" npm install --no-audit --no-fund --ignore-scripts "$work/$tarball" >/dev/null
PATH="$work/nobin" npx --no-install aquatic_udp -P >/dev/null
echo "check-package: aquatic_udp -P works from the installed tarball"

round_trip() {
  local expect="$1"
  local log="$work/tracker.log"
  PATH="$work/nobin" AQUATIC_NETWORK__ADDRESS=127.0.0.1:0 timeout 30 npx --no-install aquatic_udp 2>"$log" &
  local pid=$!
  for _ in $(seq 1 100); do grep -q 'listening on udp' "$log" && break; sleep 0.1; done
  local port
  port="$(sed -n 's/.*listening on udp 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -1)"
  grep -q "$expect" "$log" || { echo "check-package: expected '$expect' in:"; cat "$log"; kill $pid; exit 1; }
  node --input-type=module -e "
    import dgram from 'node:dgram';
    const s = dgram.createSocket('udp4');
    const connect = Buffer.alloc(16); connect.writeUInt32BE(0x417, 0); connect.writeUInt32BE(0x27101980, 4); connect.writeUInt32BE(1, 12);
    const timer = setTimeout(() => { console.error('no reply'); process.exit(1); }, 5000);
    s.on('message', (m) => {
      if (m.readUInt32BE(0) === 0) {
        const a = Buffer.alloc(98); m.copy(a, 0, 8, 16); a.writeUInt32BE(1, 8); a.writeUInt32BE(2, 12); a.fill(7, 16, 56); a.writeUInt16BE(6881, 96);
        s.send(a, $port, '127.0.0.1');
      } else if (m.readUInt32BE(0) === 1) { clearTimeout(timer); s.close(); }
    });
    s.send(connect, $port, '127.0.0.1');"
  kill $pid
  wait $pid 2>/dev/null || true
}

round_trip 'native transport'
echo "check-package: announce round trip on the prebuilt native addon"
rm -rf node_modules/aquatic/prebuilds
round_trip 'node:dgram'
echo "check-package: announce round trip on the node:dgram fallback, which said so"
