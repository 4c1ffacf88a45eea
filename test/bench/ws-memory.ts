// Memory per idle WebSocket connection: starts aquatic_ws as its own process, opens N idle
// connections (each announced once in one torrent, as a browser tab would) and reports the
// tracker's RSS growth per connection. Run: npm run bench:ws-memory [-- N]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';

const connections = Number(process.argv[2] ?? 2000);
const root = fileURLToPath(new URL('../../../', import.meta.url));

function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
}

const tracker = spawn(process.execPath, ['--expose-gc', `${root}bin/aquatic_ws.js`], {
  env: { ...process.env, AQUATIC_NETWORK__ADDRESS: '127.0.0.1:0', AQUATIC_LOG_LEVEL: 'info', AQUATIC_NETWORK__MAX_CONNECTIONS: String(connections + 100) },
  stdio: ['ignore', 'ignore', 'pipe'],
});
const port = await new Promise<number>((resolve, reject) => {
  let text = '';
  tracker.stderr!.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    const match = /listening on ws:\/\/127\.0\.0\.1:(\d+)/.exec(text);
    if (match) resolve(Number(match[1]));
  });
  tracker.on('exit', () => reject(new Error(`tracker exited: ${text}`)));
});

const binary = (n: number) => Buffer.alloc(20, n & 255).toString('latin1');
const open = async (n: number) =>
  new Promise<WebSocket>((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
    socket.once('open', () => {
      const peerId = Buffer.alloc(20);
      peerId.writeUInt32BE(n, 16);
      socket.send(JSON.stringify({ action: 'announce', info_hash: binary(n % 100), peer_id: peerId.toString('latin1'), numwant: 0, left: 0, uploaded: 0, downloaded: 0, event: 'started', offers: [] }));
      socket.once('message', () => resolve(socket));
    });
    socket.once('error', reject);
  });

// Warm up the tracker's code paths first, then measure from a settled baseline.
const warm = await Promise.all(Array.from({ length: 50 }, (_, n) => open(1_000_000 + n)));
for (const socket of warm) socket.close();
await new Promise((resolve) => setTimeout(resolve, 500));
const before = rssKiB(tracker.pid!);
const sockets: WebSocket[] = [];
for (let n = 0; n < connections; n += 100) sockets.push(...(await Promise.all(Array.from({ length: Math.min(100, connections - n) }, (_, k) => open(n + k)))));
await new Promise((resolve) => setTimeout(resolve, 500));
const after = rssKiB(tracker.pid!);
console.log(
  `${connections} idle connections (each a peer in one of 100 torrents): tracker RSS ${before} -> ${after} KiB, ` +
    `${(((after - before) * 1024) / connections / 1024).toFixed(2)} KiB per connection`,
);
for (const socket of sockets) socket.terminate();
tracker.kill('SIGTERM');
