// aquatic_ws through real WebSocket clients on loopback: announces, offer and answer relays,
// peer_id binding, scrapes, hostile input, limits, origins, /health and TLS. The swarm and
// limit tests run twice: in one thread, and with 2 socket workers x 2 swarm workers (native
// addon), where the same conversations must give the same answers.
import { readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import test, { type ExecutionContext } from 'ava';
import { validateConfig } from '../../src/config/load.js';
import { defaultsOf } from '../../src/config/schema.js';
import { type WsConfig, wsConfigSchema } from '../../src/config/ws.js';
import { WsFailure } from '../../src/server/ws/handler.js';
import { type SingleThreadWsTracker, type WsTracker, startWsTracker } from '../../src/server/ws/tracker.js';
import { loadNativeBinding } from '../../src/transport/udp/binding.js';
import { quietLog } from '../helpers/tracker.js';
import { type Json, WsTestClient, announce, binary20, offers, peerIdOf } from '../helpers/ws-client.js';

// The tests run concurrently in one process and every tracker listens for SIGUSR1.
process.setMaxListeners(64);

/** How the tracker runs: its thread counts. */
interface Mode {
  readonly name: string;
  readonly socket_workers: number;
  readonly swarm_workers: number;
}
const ONE_THREAD: Mode = { name: 'one thread', socket_workers: 1, swarm_workers: 1 };
const WORKERS: Mode = { name: '2x2 workers', socket_workers: 2, swarm_workers: 2 };
const { binding, reason } = loadNativeBinding();
const MODES = binding === null ? [ONE_THREAD] : [ONE_THREAD, WORKERS];
if (binding === null) test('ws worker threads need the native addon', (t) => t.log(`worker runs skipped: ${reason}`) ?? t.pass());

/** Registers the test once per mode. */
function inEveryMode(title: string, body: (t: ExecutionContext, mode: Mode) => Promise<void>): void {
  for (const mode of MODES) test(`${title} (${mode.name})`, (t) => body(t, mode));
}

type Sections = 'network' | 'protocol' | 'tls' | 'cleaning' | 'access_list' | 'metrics';
type Overrides = { [S in Sections]?: Partial<WsConfig[S]> };
function wsConfig(overrides: Overrides = {}, mode: Mode = ONE_THREAD): WsConfig {
  const defaults = defaultsOf(wsConfigSchema);
  return validateConfig(wsConfigSchema, {
    ...defaults,
    socket_workers: mode.socket_workers,
    swarm_workers: mode.swarm_workers,
    network: { ...defaults.network, address: '127.0.0.1:0', ...overrides.network },
    protocol: { ...defaults.protocol, ...overrides.protocol },
    tls: { ...defaults.tls, ...overrides.tls },
    cleaning: { ...defaults.cleaning, ...overrides.cleaning },
    access_list: { ...defaults.access_list, ...overrides.access_list },
    metrics: { ...defaults.metrics, ...overrides.metrics },
  });
}

async function start(t: ExecutionContext, overrides: Overrides = {}, mode: Mode = ONE_THREAD) {
  const tracker = await startWsTracker(wsConfig(overrides, mode), quietLog);
  t.teardown(() => tracker.close());
  const clients: WsTestClient[] = [];
  t.teardown(() => clients.forEach((client) => client.close()));
  const connect = async (options: Parameters<typeof WsTestClient.connect>[1] = {}) => {
    const client = await WsTestClient.connect(`ws://127.0.0.1:${tracker.port}`, options);
    clients.push(client);
    return client;
  };
  /** A counter or gauge summed over the tracker's threads. */
  const stat = async (key: string) => (await tracker.statistics())[key] ?? 0;
  return { tracker, connect, stat };
}

/** Retries `check` (each try a round trip to the tracker) until it holds, for at most 5 s. */
async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) if (await check()) return true;
  return false;
}

const HASH_A = binary20(1);
const HASH_B = binary20(2);

async function scrapeOne(client: WsTestClient, infoHash: string) {
  const reply = await client.request({ action: 'scrape', info_hash: infoHash });
  return (reply['files'] as Record<string, Json>)[infoHash];
}

inEveryMode('announce responses carry interval, counts and the info hash', async (t, mode) => {
  const { connect } = await start(t, { protocol: { peer_announce_interval: 300 } }, mode);
  const leecher = await connect();
  t.deepEqual(await leecher.request(announce(HASH_A, peerIdOf(1), { event: 'started' })), {
    action: 'announce',
    interval: 300,
    info_hash: HASH_A,
    complete: 0,
    incomplete: 1,
  });
  const seeder = await connect();
  const reply = await seeder.request(announce(HASH_A, peerIdOf(2), { left: 0 }));
  t.like(reply, { complete: 1, incomplete: 1, info_hash: HASH_A });
  // A magnet link's announce has no `left`: a leecher.
  t.like(await (await connect()).request(announce(HASH_A, peerIdOf(3), { left: undefined })), { complete: 1, incomplete: 2 });
});

inEveryMode('offers go to distinct other peers, one each, never back to the sender', async (t, mode) => {
  const { connect, stat } = await start(t, {}, mode);
  const others = [await connect(), await connect(), await connect()];
  for (const [i, client] of others.entries()) await client.request(announce(HASH_A, peerIdOf(i)));
  const sender = await connect();
  const sent = offers(5);
  t.like(await sender.request(announce(HASH_A, peerIdOf(9), { numwant: 5, offers: sent })), { action: 'announce', incomplete: 4 });
  const offerIds = new Set<unknown>();
  for (const client of others) {
    const received = await client.drain();
    t.is(received.length, 1);
    const offer = received[0]!;
    t.is(offer['peer_id'], peerIdOf(9));
    t.is(offer['info_hash'], HASH_A);
    t.is((offer['offer'] as Json)['type'], 'offer');
    const index = sent.findIndex((candidate) => candidate.offer_id === offer['offer_id']);
    t.true(index >= 0);
    t.is((offer['offer'] as Json)['sdp'], sent[index]!.offer.sdp);
    offerIds.add(offer['offer_id']);
  }
  t.is(offerIds.size, 3);
  t.deepEqual(await sender.drain(), []);
  t.is(await stat('offersRelayed'), 3);
});

inEveryMode('numwant and max_offers cap the offers relayed; seeders offer to leechers only', async (t, mode) => {
  const { connect, stat } = await start(t, { protocol: { max_offers: 2 } }, mode);
  const peers = [];
  for (let i = 0; i < 5; i++) {
    const client = await connect();
    await client.request(announce(HASH_A, peerIdOf(i), { left: i < 2 ? 0 : 100 }));
    peers.push(client);
  }
  const sender = await connect();
  await sender.request(announce(HASH_A, peerIdOf(10), { numwant: 4, offers: offers(4) }));
  t.is(await stat('offersRelayed'), 2);
  await sender.request(announce(HASH_A, peerIdOf(10), { numwant: 1, offers: offers(4, 1) }));
  t.is(await stat('offersRelayed'), 3);
  // numwant absent: as many as the offers given (within max_offers).
  await sender.request(announce(HASH_A, peerIdOf(10), { offers: offers(1, 2) }));
  t.is(await stat('offersRelayed'), 4);
  for (const peer of peers) await peer.drain();

  // A seeder's offers reach leechers only: peers 2, 3, 4 or the sender, never the seeders 0 and 1.
  const seeder = await connect();
  await seeder.request(announce(HASH_A, peerIdOf(11), { left: 0, numwant: 2, offers: offers(2, 3) }));
  await seeder.request(announce(HASH_A, peerIdOf(11), { left: 0, numwant: 2, offers: offers(2, 4) }));
  const received = await Promise.all([...peers, sender].map((peer) => peer.drain()));
  t.deepEqual(received.slice(0, 2).map((list) => list.length), [0, 0]);
  t.is(received.slice(2).reduce((sum, list) => sum + list.length, 0), 4);
});

inEveryMode('an answer reaches the offering peer; answers without an offer, from outside the swarm or to unknown peers are refused', async (t, mode) => {
  const { connect, stat } = await start(t, {}, mode);
  const offerer = await connect();
  const answerer = await connect();
  const outsider = await connect();
  await answerer.request(announce(HASH_A, peerIdOf(2)));
  await outsider.request(announce(HASH_B, peerIdOf(3)));
  const [sent] = offers(1);
  await offerer.request(announce(HASH_A, peerIdOf(1), { offers: [sent] }));
  const offer = (await answerer.drain())[0]!;
  const answer = (to: string, offerId: string, peerId = peerIdOf(2), infoHash = HASH_A) => ({
    action: 'announce',
    info_hash: infoHash,
    peer_id: peerId,
    to_peer_id: to,
    offer_id: offerId,
    answer: { type: 'answer', sdp: 'v=0 answer' },
  });
  answerer.send(answer(offer['peer_id'] as string, offer['offer_id'] as string));
  t.deepEqual(await offerer.next(), {
    action: 'announce',
    info_hash: HASH_A,
    peer_id: peerIdOf(2),
    offer_id: sent!.offer_id,
    answer: { type: 'answer', sdp: 'v=0 answer' },
  });
  // No announce response to an answer (bittorrent-tracker): the drain finds nothing else.
  t.deepEqual(await answerer.drain(), []);

  const refusals: [WsTestClient, Json, string][] = [
    [answerer, answer(peerIdOf(1), sent!.offer_id), WsFailure.NO_OFFER], // answered already
    [answerer, answer(peerIdOf(7), binary20(77)), WsFailure.NO_OFFER], // unknown peer
    [outsider, answer(peerIdOf(1), sent!.offer_id, peerIdOf(3)), WsFailure.NOT_A_PEER], // another swarm
    [outsider, answer(peerIdOf(1), sent!.offer_id, peerIdOf(3), HASH_B), WsFailure.NO_OFFER], // same swarm name, no offer
  ];
  for (const [client, message, reason] of refusals) {
    t.like(await client.request(message), { 'failure reason': reason, action: 'announce' });
  }
  t.deepEqual(await offerer.drain(), []);
  t.is(await stat('answersRelayed'), 1);
});

inEveryMode('a peer_id belongs to the connection that announced it first', async (t, mode) => {
  const { connect } = await start(t, {}, mode);
  const owner = await connect();
  const thief = await connect();
  await owner.request(announce(HASH_A, peerIdOf(1)));
  t.like(await thief.request(announce(HASH_A, peerIdOf(1), { left: 0 })), { 'failure reason': WsFailure.HIJACK, info_hash: HASH_A });
  // Nor can it stop the peer or answer as it.
  t.like(await thief.request(announce(HASH_A, peerIdOf(1), { event: 'stopped' })), { complete: 0, incomplete: 1 });
  const forged = { action: 'announce', info_hash: HASH_A, peer_id: peerIdOf(1), to_peer_id: peerIdOf(5), offer_id: binary20(9), answer: { type: 'answer', sdp: 'x' } };
  t.like(await thief.request(forged), { 'failure reason': WsFailure.NOT_A_PEER });
  // Offers from others still go to the owner.
  const other = await connect();
  await other.request(announce(HASH_A, peerIdOf(2), { offers: offers(1) }));
  t.is((await owner.drain()).length, 1);
  t.deepEqual(await thief.drain(), []);
});

inEveryMode('stopped and closing the socket remove the peer from all its swarms; completed is counted once', async (t, mode) => {
  const { connect, tracker, stat } = await start(t, {}, mode);
  const observer = await connect();
  const peer = await connect();
  await peer.request(announce(HASH_A, peerIdOf(1)));
  await peer.request(announce(HASH_B, peerIdOf(1)));
  t.like(await peer.request(announce(HASH_A, peerIdOf(1), { left: 0, event: 'completed' })), { complete: 1, incomplete: 0 });
  await peer.request(announce(HASH_A, peerIdOf(1), { left: 0, event: 'completed' }));
  t.deepEqual(await scrapeOne(observer, HASH_A), { complete: 1, incomplete: 0, downloaded: 1 });
  t.like(await peer.request(announce(HASH_A, peerIdOf(1), { event: 'stopped' })), { complete: 0, incomplete: 0 });
  t.like(await scrapeOne(observer, HASH_B), { incomplete: 1 });
  peer.close();
  t.true(await eventually(async () => (await scrapeOne(observer, HASH_B))!['incomplete'] === 0));
  t.is(await stat('peers'), 0);
  // The empty torrents stay until a cleaning sweep (with their download count).
  t.is(await stat('torrents'), 2);
  if (mode === ONE_THREAD) t.deepEqual((tracker as SingleThreadWsTracker).clean(), { peersRemoved: 0, torrentsRemoved: 2 });
});

inEveryMode('a new peer_id from the same connection replaces its old one in that torrent', async (t, mode) => {
  const { connect } = await start(t, {}, mode);
  const client = await connect();
  await client.request(announce(HASH_A, peerIdOf(1)));
  t.like(await client.request(announce(HASH_A, peerIdOf(2))), { incomplete: 1 });
  // The old id is free again for anyone.
  t.like(await (await connect()).request(announce(HASH_A, peerIdOf(1))), { incomplete: 2 });
});

inEveryMode('scrape: one hash, a list (unknown ones as zeros, capped), and full scrapes only when allowed', async (t, mode) => {
  const { connect } = await start(t, { protocol: { max_scrape_torrents: 2 } }, mode);
  const client = await connect();
  await client.request(announce(HASH_A, peerIdOf(1), { left: 0 }));
  t.deepEqual(await client.request({ action: 'scrape', info_hash: HASH_A }), {
    action: 'scrape',
    files: { [HASH_A]: { complete: 1, incomplete: 0, downloaded: 0 } },
  });
  const listed = await client.request({ action: 'scrape', info_hash: [HASH_B, HASH_A, binary20(3)] });
  t.deepEqual(listed['files'], { [HASH_B]: { complete: 0, incomplete: 0, downloaded: 0 }, [HASH_A]: { complete: 1, incomplete: 0, downloaded: 0 } });
  t.deepEqual(await client.request({ action: 'scrape' }), { 'failure reason': WsFailure.FULL_SCRAPE, action: 'scrape' });

  const full = await start(t, { protocol: { allow_full_scrape: true } }, mode);
  const other = await full.connect();
  await other.request(announce(HASH_A, peerIdOf(1)));
  await other.request(announce(HASH_B, peerIdOf(1), { left: 0 }));
  t.deepEqual((await other.request({ action: 'scrape' }))['files'], {
    [HASH_A]: { complete: 0, incomplete: 1, downloaded: 0 },
    [HASH_B]: { complete: 1, incomplete: 0, downloaded: 0 },
  });
});

inEveryMode('hostile messages get a failure reason and the connection carries on', async (t, mode) => {
  const { connect } = await start(t, {}, mode);
  const client = await connect();
  const cases: [string | Json, string][] = [
    ['{not json', 'Invalid JSON'],
    ['[1,2,3]', 'Invalid message: expected a JSON object'],
    ['null', 'Invalid message: expected a JSON object'],
    [{ action: 'dance' }, 'Unknown action'],
    [{ action: 'announce', info_hash: 'short', peer_id: peerIdOf(1) }, 'Invalid info_hash'],
    [{ action: 'announce', info_hash: '\u0100'.repeat(20), peer_id: peerIdOf(1) }, 'Invalid info_hash'],
    [announce(HASH_A, 12345 as unknown as string), 'Invalid peer_id'],
    [announce(HASH_A, peerIdOf(1), { offers: [null] }), 'Invalid offer'],
    [announce(HASH_A, peerIdOf(1), { offers: 'many' }), 'Invalid offers'],
    [announce(HASH_A, peerIdOf(1), { offers: [{ offer_id: binary20(1), offer: { type: 'answer', sdp: 'x' } }] }), 'Invalid offer'],
    [announce(HASH_A, peerIdOf(1), { event: 'constructor' }), 'Invalid event'],
    [announce(HASH_A, peerIdOf(1), { left: '0' }), 'Invalid left'],
    [announce(HASH_A, peerIdOf(1), { numwant: -1 }), 'Invalid numwant'],
    [{ action: 'scrape', info_hash: [HASH_A, 7] }, 'Invalid info_hash'],
  ];
  for (const [message, reason] of cases) {
    const reply = await client.request(typeof message === 'string' ? message : JSON.stringify(message));
    t.is(reply['failure reason'], reason, JSON.stringify(message));
  }
  client.socket.send(Buffer.from([1, 2, 3]), { binary: true });
  t.like(await client.next(), { 'failure reason': WsFailure.BINARY });
  // A huge offers array (within the message size) is cut to max_offers (10) before validation.
  const many = [...offers(10), ...Array.from({ length: 3000 }, () => null)];
  t.like(await client.request(announce(HASH_A, peerIdOf(1), { offers: many, numwant: 3000 })), { action: 'announce', incomplete: 1 });
  t.like(await client.request(announce(HASH_A, peerIdOf(1))), { action: 'announce', incomplete: 1 });
});

inEveryMode('an oversized message closes that connection with 1009; the server carries on', async (t, mode) => {
  const { connect } = await start(t, { network: { max_message_size: 4096 } }, mode);
  const big = await connect();
  big.send(announce(HASH_A, peerIdOf(1), { offers: [{ offer_id: binary20(1), offer: { type: 'offer', sdp: 'x'.repeat(5000) } }] }));
  t.is(await big.closed, 1009);
  t.like(await (await connect()).request(announce(HASH_A, peerIdOf(2))), { incomplete: 1 });
});

inEveryMode('a client that does not read is dropped once its send buffer is over the bound; the swarm\'s other peers get every offer', async (t, mode) => {
  // Room for a few offers, so that only a client that stops reading goes over it.
  const { connect, stat } = await start(t, { network: { send_buffer_limit: 256 * 1024 } }, mode);
  const reader = await connect();
  await reader.request(announce(HASH_A, peerIdOf(1)));
  const other = await connect();
  await other.request(announce(HASH_A, peerIdOf(3)));
  // Stop reading: the kernel buffers fill, then the tracker's queue for this client grows.
  (reader.socket as unknown as { _socket: { pause(): void } })._socket.pause();
  const sender = await connect();
  const sdp = 'x'.repeat(30_000); // two of them within max_message_size
  const offers = [1, 2].map((n) => ({ offer_id: binary20(n), offer: { type: 'offer', sdp } }));
  let announces = 0;
  let offersToOther = 0;
  const offersIn = (messages: Json[]) => messages.filter((message) => message['offer'] !== undefined).length;
  while ((announces % 16 !== 0 || (await stat('slowReadersDropped')) === 0) && announces < 5000) {
    await sender.request(announce(HASH_A, peerIdOf(2), { offers, numwant: 2 }));
    announces++;
    offersToOther += offersIn(await other.drain());
  }
  t.is(await stat('slowReadersDropped'), 1);
  t.log(`dropped after ${announces} announces with offers of 30 kB`);
  // Dropping the reader, in the middle of a relay to the swarm, cost the other peer nothing.
  // (With shard workers an offer may still be on its way when a drain's reply arrives.)
  await eventually(async () => (offersToOther += offersIn(await other.drain())) >= announces);
  t.is(offersToOther, announces);
  t.like(await sender.request(announce(HASH_A, peerIdOf(2))), { action: 'announce' });
});

inEveryMode('max_connections and max_swarms_per_connection are enforced', async (t, mode) => {
  const { connect } = await start(t, { network: { max_connections: 2 }, protocol: { max_swarms_per_connection: 2 } }, mode);
  const client = await connect();
  await connect();
  await t.throwsAsync(connect());
  await client.request(announce(HASH_A, peerIdOf(1)));
  await client.request(announce(HASH_B, peerIdOf(1)));
  t.like(await client.request(announce(binary20(3), peerIdOf(1))), { 'failure reason': WsFailure.TOO_MANY_SWARMS });
  // Leaving one makes room.
  await client.request(announce(HASH_B, peerIdOf(1), { event: 'stopped' }));
  t.like(await client.request(announce(binary20(3), peerIdOf(1))), { action: 'announce', incomplete: 1 });
});

test('a client that answers no pings is closed after the idle timeout', async (t) => {
  const { connect, stat } = await start(t, { network: { ping_interval: 1, idle_timeout: 2 } });
  const silent = await connect({ autoPong: false });
  await silent.closed;
  t.is(await stat('idleClosed'), 1);
});

test('Origin allow and deny lists, and deny_empty_origin', async (t) => {
  const { connect } = await start(t, { network: { deny_origins: ['https://evil.example'], deny_empty_origin: true } });
  await t.throwsAsync(connect({ origin: 'https://evil.example' }), { message: /403/ });
  await t.throwsAsync(connect(), { message: /403/ });
  await t.notThrowsAsync(connect({ origin: 'https://good.example' }));
  const allowing = await start(t, { network: { allow_origins: ['https://good.example'] } });
  await t.notThrowsAsync(allowing.connect({ origin: 'https://good.example' }));
  await t.throwsAsync(allowing.connect({ origin: 'https://other.example' }), { message: /403/ });
});

test('GET /health answers 200; other plain HTTP requests 426', async (t) => {
  const { tracker } = await start(t);
  const status = (path: string) =>
    new Promise<number>((resolve, reject) => httpGet(`http://127.0.0.1:${tracker.port}${path}`, (response) => resolve(response.resume().statusCode!)).on('error', reject));
  t.is(await status('/health'), 200);
  t.is(await status('/announce'), 426);
});

test('wss:// with PEM files, and a reload that keeps serving', async (t) => {
  const fixtures = new URL('../../../test/fixtures/tls/', import.meta.url);
  const tls = { use_tls: true, tls_certificate_path: new URL('cert.pem', fixtures).pathname, tls_private_key_path: new URL('key.pem', fixtures).pathname };
  const tracker = await startWsTracker(wsConfig({ tls }), quietLog);
  t.teardown(() => tracker.close());
  const ca = readFileSync(new URL('cert.pem', fixtures));
  const client = await WsTestClient.connect(`wss://localhost:${tracker.port}`, { ca });
  t.teardown(() => client.close());
  t.like(await client.request(announce(HASH_A, peerIdOf(1))), { incomplete: 1 });
  tracker.reload();
  const again = await WsTestClient.connect(`wss://127.0.0.1:${tracker.port}`, { ca });
  t.teardown(() => again.close());
  t.like(await again.request(announce(HASH_A, peerIdOf(2))), { incomplete: 2 });
});

inEveryMode('frames of every length class reach clients intact (7-bit, 16-bit and 64-bit lengths)', async (t, mode) => {
  const { connect } = await start(t, { network: { max_message_size: 300_000 } }, mode);
  const receiver = await connect();
  const sender = await connect();
  await receiver.request(announce(HASH_A, peerIdOf(1)));
  const sizes = [1, 125, 126, 65_535, 65_536, 200_000];
  const sent = sizes.map((size, i) => ({ offer_id: binary20(100 + i), offer: { type: 'offer', sdp: 'é'.repeat(size >> 1) + 'x'.repeat(size & 1) } }));
  // One announce per offer, all in one turn: the receiver's frames leave in one write.
  for (const offer of sent) sender.send(announce(HASH_A, peerIdOf(2), { offers: [offer] }));
  for (let i = 0; i < sent.length; i++) await sender.next();
  const received = await receiver.drain();
  t.deepEqual(
    received.map((message) => (message['offer'] as Json)['sdp']),
    sent.map((offer) => offer.offer.sdp),
  );
});

inEveryMode('an access list refuses announces with a failure reason; metrics count them', async (t, mode) => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = `${mkdtempSync(`${tmpdir()}/aquatic-ws-access-`)}/deny.txt`;
  writeFileSync(path, `${Buffer.from(HASH_B, 'latin1').toString('hex')}\n`);
  const { tracker, connect } = await start(t, { access_list: { mode: 'deny', path }, metrics: { enabled: true, address: '127.0.0.1:0', path: '/metrics' } }, mode);
  const client = await connect();
  t.like(await client.request(announce(HASH_A, peerIdOf(1))), { action: 'announce', interval: 120 });
  t.like(await client.request(announce(HASH_B, peerIdOf(1))), { 'failure reason': WsFailure.FORBIDDEN });
  const port = (tracker as unknown as { metricsPort: number }).metricsPort;
  const text = await new Promise<string>((resolve, reject) =>
    httpGet(`http://127.0.0.1:${port}/metrics`, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve(body));
    }).on('error', reject),
  );
  // One thread reports as worker "main"; with workers, each thread has its line.
  const worker = mode === ONE_THREAD ? '"main"' : '"(socket|swarm)-\\d"';
  t.regex(text, new RegExp(`aquatic_requests_total\\{type="announce",worker=${worker}\\} 1\n`));
  t.regex(text, new RegExp(`aquatic_errors_total\\{kind="failure_reply",worker=${worker}\\} 1\n`));
  t.regex(text, new RegExp(`aquatic_peers\\{worker=${worker}\\} 1\n`));
});
