// Thousands of idle WebSocket connections to aquatic_ws, bounded in count and time: each
// announces once in one of 100 torrents and then stays open doing nothing (a browser tab,
// as in `npm run bench:ws-memory`). The tracker runs in its own process; its RSS growth per
// connection stays under a bound, and a new client's announce is still answered at once.
import test from 'ava';
import { WebSocket } from 'ws';
import { openFilesLimit, startFloodTracker, until } from '../helpers/flood-tracker.js';

const CONNECTIONS = 2000;
const FD_RESERVE = 300;
/**
 * RSS growth per idle connection, after a full GC. On the native transport about 4 KiB here
 * at 2000 connections (2.7 KiB at 8000, `npm run bench:ws-memory -- 8000`: fixed costs
 * weigh less); on the `ws` package path (no addon, AQUATIC_NATIVE=0) about 11 KiB. The
 * bound leaves room for allocator and GC noise.
 */
const MAX_RSS_PER_CONNECTION = (process.env['AQUATIC_NATIVE'] === '0' ? 24 : 8) * 1024;
const MAX_ANNOUNCE_MS = 1000;

const binary20 = (n: number, tag: number) => {
  const bytes = Buffer.alloc(20, tag);
  bytes.writeUInt32BE(n, 16);
  return bytes.toString('latin1');
};

/** Opens a connection, announces once and resolves after the tracker's reply. */
function announcedClient(port: number, n: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
    socket.once('error', reject);
    socket.once('open', () => {
      socket.send(
        JSON.stringify({ action: 'announce', info_hash: binary20(n % 100, 1), peer_id: binary20(n, 2), numwant: 0, left: 0, uploaded: 0, downloaded: 0, event: 'started', offers: [] }),
      );
      socket.once('message', () => resolve(socket));
    });
  });
}

async function openClients(port: number, count: number, first: number): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let n = 0; n < count; n += 250) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(250, count - n) }, (_, k) => announcedClient(port, first + n + k)))));
  }
  return sockets;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(2)} KiB`;

test('2000 idle WebSocket connections: RSS per connection under the bound, a new announce answered at once', async (t) => {
  const tracker = await startFloodTracker('ws', { network: { address: '127.0.0.1:0', max_connections: CONNECTIONS + 100 } });
  t.teardown(() => tracker.close());
  const clientLimit = openFilesLimit();
  const count = Math.max(100, Math.min(CONNECTIONS, clientLimit - FD_RESERVE, tracker.openFilesLimit - FD_RESERVE));
  if (count < CONNECTIONS) t.log(`open-files limits (test ${clientLimit}, tracker ${tracker.openFilesLimit}): ${count} connections instead of ${CONNECTIONS}`);

  // Warm the code paths (and the torrents' tables) first, then measure from a settled baseline.
  const warm = await openClients(tracker.port, 50, 1_000_000);
  for (const socket of warm) socket.terminate();
  const before = await until('warm-up connections gone', () => tracker.sample(), (s) => s.connections === 0);

  const sockets = await openClients(tracker.port, count, 0);
  t.teardown(() => sockets.forEach((socket) => socket.terminate()));
  const during = await until('every connection open', () => tracker.sample(), (s) => s.connections === count);
  const perConnection = (during.rss - before.rss) / count;
  t.log(`${count} idle connections (each a peer in one of 100 torrents): tracker RSS ${kib(before.rss)} -> ${kib(during.rss)}, ${kib(perConnection)} per connection`);
  t.true(perConnection <= MAX_RSS_PER_CONNECTION, `${kib(perConnection)} per connection`);

  const begun = performance.now();
  const newcomer = await announcedClient(tracker.port, 2_000_000);
  const ms = performance.now() - begun;
  newcomer.terminate();
  t.log(`a new client among them: connected and answered in ${ms.toFixed(1)} ms`);
  t.true(ms < MAX_ANNOUNCE_MS, `${ms} ms`);

  for (const socket of sockets) socket.terminate();
  await until('every connection gone', () => tracker.sample(), (s) => s.connections === 0);
  t.pass();
});
