#!/usr/bin/env bash
# Starts a UDP tracker command on 127.0.0.1 (a port of the kernel's choice), checks that its
# log says EXPECTED (e.g. "native transport"), then does a BEP 15 connect + announce round
# trip against it with this machine's node and stops it. Used by check-package.sh and
# prebuildify-arm64.sh.
# Usage: scripts/udp-round-trip.sh EXPECTED COMMAND [ARGS...]
set -euo pipefail
expected="$1"
shift
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
AQUATIC_NETWORK__ADDRESS=127.0.0.1:0 timeout 120 "$@" 2>"$log" &
pid=$!
# Up to 60 s: under qemu user emulation node takes seconds to start.
for _ in $(seq 1 600); do grep -q 'listening on udp' "$log" && break; kill -0 $pid 2>/dev/null || break; sleep 0.1; done
port="$(sed -n 's/.*listening on udp 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -1)"
if [ -z "$port" ] || ! grep -q "$expected" "$log"; then
  echo "udp-round-trip: expected 'listening on udp' and '$expected' from $*; got:" >&2
  cat "$log" >&2
  kill $pid 2>/dev/null || true
  exit 1
fi
node --input-type=module -e "
  import dgram from 'node:dgram';
  const socket = dgram.createSocket('udp4');
  // BEP 15: connect (protocol magic 0x41727101980, action 0), then announce (action 1) with the ID.
  const connect = Buffer.alloc(16); connect.writeUInt32BE(0x417, 0); connect.writeUInt32BE(0x27101980, 4); connect.writeUInt32BE(1, 12);
  const timer = setTimeout(() => { console.error('udp-round-trip: no reply'); process.exit(1); }, 10000);
  socket.on('message', (message) => {
    if (message.readUInt32BE(0) === 0) {
      const announce = Buffer.alloc(98); message.copy(announce, 0, 8, 16); announce.writeUInt32BE(1, 8); announce.writeUInt32BE(2, 12);
      announce.fill(7, 16, 56); announce.writeUInt16BE(6881, 96);
      socket.send(announce, $port, '127.0.0.1');
    } else if (message.readUInt32BE(0) === 1) { clearTimeout(timer); socket.close(); }
    else { console.error('udp-round-trip: unexpected reply', message); process.exit(1); }
  });
  socket.send(connect, $port, '127.0.0.1');"
kill $pid
wait $pid 2>/dev/null || true
