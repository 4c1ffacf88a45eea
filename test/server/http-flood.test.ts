// HTTP floods on loopback, bounded in count and time: thousands of connections that send
// nothing or half a request line, and slowloris clients that trickle headers forever. The
// tracker runs in its own process (its RSS is measured after a full GC); it keeps answering
// a real announce at once, and the request timeout closes every flooding connection.
import net from 'node:net';
import test, { type ExecutionContext } from 'ava';
import { decodeBencode } from '../../src/protocol/http/bencode.js';
import { type FloodTracker, openFilesLimit, startFloodTracker, until } from '../helpers/flood-tracker.js';
import { encodeBytes, get } from '../helpers/http-client.js';
import { infoHash } from '../helpers/udp-client.js';

const HALF_OPEN = 2000;
const SLOWLORIS = 1000;
/** Long enough to open every connection and sample before the first times out, on a busy machine too (~0.7 s idle, ~2 s under load 12). */
const REQUEST_TIMEOUT_S = 4;
/** File descriptors kept free for everything else in a process. */
const FD_RESERVE = 300;
/**
 * RSS growth per flooding connection (a net.Socket, its buffers and our Connection), after a
 * full GC: 5-7 KiB measured for half-open ones, 7-10 KiB for slowloris ones (their partial
 * heads); the bound leaves room for allocator and GC noise.
 */
const MAX_RSS_PER_CONNECTION = 24 * 1024;
/** A real announce during a flood, answered "promptly": well inside the request timeout. */
const MAX_ANNOUNCE_MS = 1000;

const DEADLINE_MS = 10_000;
/** Timers may fire a millisecond or so early. */
const TIMER_SLACK_MS = 20;

/**
 * How many connections this machine's file-descriptor limits allow, logged when fewer than
 * wanted. Both tests run at once in this process, so each gets its share of the test's limit.
 */
function affordable(t: ExecutionContext, wanted: number, tracker: FloodTracker): number {
  const clientLimit = openFilesLimit();
  const share = Math.floor(((clientLimit - FD_RESERVE) * wanted) / (HALF_OPEN + SLOWLORIS));
  const count = Math.max(100, Math.min(wanted, share, tracker.openFilesLimit - FD_RESERVE));
  if (count < wanted) t.log(`open-files limits (test ${clientLimit}, tracker ${tracker.openFilesLimit}): ${count} connections instead of ${wanted}`);
  return count;
}

async function startTracker(t: ExecutionContext, maxConnections: number): Promise<FloodTracker> {
  const tracker = await startFloodTracker('http', {
    network: { address: '127.0.0.1:0', request_timeout: REQUEST_TIMEOUT_S, idle_timeout: 600, max_connections: maxConnections },
  });
  t.teardown(() => tracker.close());
  return tracker;
}

/** A flooding client and what the server did to it. */
interface FloodClient {
  readonly socket: net.Socket;
  /** Resolves when the server closed the connection: what it sent, and ms since the client began connecting (before the server's accept). */
  readonly closed: Promise<{ text: string; afterMs: number }>;
}

function openClient(port: number, first: string): Promise<FloodClient> {
  return new Promise((resolve, reject) => {
    const connectedAt = performance.now();
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      // A reset (the server closing while our trickled bytes are unread) ends it like a close.
      socket.on('error', () => {});
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      const closed = new Promise<{ text: string; afterMs: number }>((done) => socket.once('close', () => done({ text, afterMs: performance.now() - connectedAt })));
      if (first !== '') socket.write(first);
      resolve({ socket, closed });
    });
  });
}

/** Opens `count` clients, 500 at a time (within the listen backlog of 511). */
async function openClients(port: number, count: number, first: (n: number) => string): Promise<FloodClient[]> {
  const clients: FloodClient[] = [];
  for (let n = 0; n < count; n += 500) {
    clients.push(...(await Promise.all(Array.from({ length: Math.min(500, count - n) }, (_, k) => openClient(port, first(n + k))))));
  }
  return clients;
}

/** Every client closed by the server within the request timeout plus DEADLINE_MS. */
async function allClosed(clients: readonly FloodClient[]): Promise<{ text: string; afterMs: number }[]> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const open = clients.filter((client) => !client.socket.destroyed).length;
      reject(new Error(`${open} of ${clients.length} connections still open ${DEADLINE_MS} ms after the request timeout`));
    }, REQUEST_TIMEOUT_S * 1000 + DEADLINE_MS);
  });
  try {
    return await Promise.race([Promise.all(clients.map((client) => client.closed)), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function timedAnnounce(port: number, seed: number): Promise<{ ms: number; interval: unknown }> {
  const begun = performance.now();
  const reply = await get(
    `http://127.0.0.1:${port}/announce?info_hash=${encodeBytes(infoHash(seed))}&peer_id=${encodeBytes(infoHash(seed + 1))}&port=6881&uploaded=0&downloaded=0&left=1`,
  );
  const ms = performance.now() - begun;
  return { ms, interval: (decodeBencode(reply.body) as Map<string, unknown>).get('interval') };
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(2)} KiB`;
}

/** RSS growth per flooding connection within the bound, and a real announce answered promptly among them. */
async function memoryBoundedAndServing(t: ExecutionContext, port: number, kind: string, count: number, rssBefore: number, rssDuring: number): Promise<void> {
  const perConnection = (rssDuring - rssBefore) / count;
  t.log(`${count} ${kind} connections: tracker RSS ${kib(rssBefore)} -> ${kib(rssDuring)}, ${kib(perConnection)} per connection`);
  t.true(perConnection <= MAX_RSS_PER_CONNECTION, `${kib(perConnection)} per connection`);
  const announce = await timedAnnounce(port, 3);
  t.log(`a real announce among them: answered in ${announce.ms.toFixed(1)} ms`);
  t.is(typeof announce.interval, 'number');
  t.true(announce.ms < MAX_ANNOUNCE_MS, `${announce.ms} ms`);
}

test('2000 half-open connections (silent or half a request line): announces still answered, all closed by the request timeout', async (t) => {
  const tracker = await startTracker(t, HALF_OPEN + 100);
  const count = affordable(t, HALF_OPEN, tracker);
  await timedAnnounce(tracker.port, 1); // warm the code paths before the baseline
  const before = await tracker.sample();

  const opening = performance.now();
  const clients = await openClients(tracker.port, count, (n) => (n % 2 === 0 ? '' : 'GET /announce?info_hash=%01%02'));
  t.teardown(() => clients.forEach((client) => client.socket.destroy()));
  const during = await until('every connection accepted (before the first request timeout)', () => tracker.sample(), (s) => s.connections === count);
  t.log(`opened and sampled in ${(performance.now() - opening).toFixed(0)} ms`);
  await memoryBoundedAndServing(t, tracker.port, 'half-open', count, before.rss, during.rss);

  // Silent connections too are closed by the request timeout, not the 600 s idle timeout.
  const ends = await allClosed(clients);
  const slowest = Math.max(...ends.map((end) => end.afterMs));
  const fastest = Math.min(...ends.map((end) => end.afterMs));
  t.log(`closed by the server ${(fastest / 1000).toFixed(2)}-${(slowest / 1000).toFixed(2)} s after connecting (request_timeout ${REQUEST_TIMEOUT_S} s)`);
  t.true(ends.every((end) => end.text.startsWith('HTTP/1.1 408 ')), 'every one got 408');
  t.true(fastest >= REQUEST_TIMEOUT_S * 1000 - TIMER_SLACK_MS, `closed after ${fastest} ms`);
  const after = await until('every connection gone', () => tracker.sample(), (s) => s.connections === 0);
  t.true(after.timeouts >= count);
  t.log(`tracker RSS after they closed: ${kib(after.rss)}`);
});

test('1000 slowloris clients trickling headers: announces still answered, each cut off at the request timeout despite its progress', async (t) => {
  const tracker = await startTracker(t, SLOWLORIS + 100);
  const count = affordable(t, SLOWLORIS, tracker);
  await timedAnnounce(tracker.port, 1);
  const before = await tracker.sample();

  const clients = await openClients(tracker.port, count, (n) => `GET /announce?info_hash=${encodeBytes(infoHash(n))}&port=1 HTTP/1.1\r\n`);
  t.teardown(() => clients.forEach((client) => client.socket.destroy()));
  // One header line per client every 250 ms, forever: progress, but never the end of the head.
  let line = 0;
  const trickle = setInterval(() => {
    line++;
    for (const client of clients) if (!client.socket.destroyed) client.socket.write(`X-Slow-${line}: ${'a'.repeat(16)}\r\n`);
  }, 250);
  t.teardown(() => clearInterval(trickle));

  const during = await until('every connection accepted (before the first request timeout)', () => tracker.sample(), (s) => s.connections === count);
  await memoryBoundedAndServing(t, tracker.port, 'slowloris', count, before.rss, during.rss);

  const ends = await allClosed(clients);
  clearInterval(trickle);
  const slowest = Math.max(...ends.map((end) => end.afterMs));
  const fastest = Math.min(...ends.map((end) => end.afterMs));
  // The server answers 408 and closes at once; where trickled bytes were still unread its
  // close is a reset, which may discard the 408 on our side, so the 408 is counted, not required.
  const with408 = ends.filter((end) => end.text.startsWith('HTTP/1.1 408 ')).length;
  t.log(`cut off ${(fastest / 1000).toFixed(2)}-${(slowest / 1000).toFixed(2)} s after connecting, after ${line} trickled header lines; ${with408} of ${count} read the 408`);
  t.true(ends.every((end) => end.text === '' || end.text.startsWith('HTTP/1.1 408 ')), 'nothing but a 408');
  t.true(fastest >= REQUEST_TIMEOUT_S * 1000 - TIMER_SLACK_MS, `closed after ${fastest} ms`);
  t.true(line >= REQUEST_TIMEOUT_S * 2, 'they kept sending until cut off');
  const after = await until('every connection gone', () => tracker.sample(), (s) => s.connections === 0);
  t.true(after.timeouts >= count);
});
