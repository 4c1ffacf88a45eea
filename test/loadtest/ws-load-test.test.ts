// aquatic_ws_load_test: its messages are what the tracker's own decoder expects, its reader
// accepts what the tracker's encoders send and refuses what a client could not use, a
// bounded run against our tracker ends by itself with every kind of message and no errors
// (one thread, worker threads, TLS), a misbehaving tracker is counted as such, and it
// refuses to aim anywhere but this machine.
import { once } from 'node:events';
import test, { type ExecutionContext } from 'ava';
import { WebSocketServer } from 'ws';
import { loadConfig, validateConfig } from '../../src/config/load.js';
import { defaultsOf } from '../../src/config/schema.js';
import { type WsConfig, wsConfigSchema } from '../../src/config/ws.js';
import { type WsLoadTestConfig, wsLoadTestConfigSchema } from '../../src/config/ws-load-test.js';
import { isAquaticError } from '../../src/errors.js';
import { StartGate } from '../../src/loadtest/ws/connection.js';
import { startWsLoadTest } from '../../src/loadtest/ws/load-test.js';
import type { WsLoadTestSummary } from '../../src/loadtest/ws/report.js';
import { WsRequestWriter, dummySdp, offerTag, quote, wireText } from '../../src/loadtest/ws/request.js';
import { type TrackerMessage, TrackerMessageKind, createTrackerMessage, readTrackerMessage } from '../../src/loadtest/ws/response.js';
import { WsEvent } from '../../src/protocol/ws/incoming.js';
import { ScrapeResponseWriter, encodeAnnounceResponse, encodeFailure } from '../../src/protocol/ws/outgoing.js';
import { startWsTracker } from '../../src/server/ws/tracker.js';
import { quietLog } from '../helpers/tracker.js';
import { answerRelayText, decodeAsModel as decodeInMessage, offerRelayText } from '../helpers/ws-messages.js';

// The tests run concurrently in one process and every tracker listens for SIGUSR1.
process.setMaxListeners(64);

interface Overrides {
  readonly [key: string]: unknown;
}

/** `overrides` merged over `defaults`, one level of sections deep. */
function merge(defaults: object, overrides: Overrides): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(overrides)) {
    merged[key] = typeof value === 'object' && value !== null ? { ...(merged[key] as object), ...value } : value;
  }
  return merged;
}

/** A validated load test configuration: short, small and bounded. */
function loadTestConfig(serverAddress: string, overrides: Overrides = {}): WsLoadTestConfig {
  const base = merge(defaultsOf(wsLoadTestConfigSchema), {
    server_address: serverAddress,
    duration: 1,
    warmup: 0,
    log_level: 'off',
    network: { connections_per_worker: 8, connection_creation_interval_ms: 0 },
    // Few torrents, so swarms have peers to relay offers to from the first second.
    requests: { number_of_torrents: 20, weight_scrape: 1 },
  });
  return validateConfig(wsLoadTestConfigSchema, merge(base, overrides));
}

async function run(t: ExecutionContext, config: WsLoadTestConfig): Promise<WsLoadTestSummary> {
  const loadTest = await startWsLoadTest(config, quietLog, { progress: null });
  t.teardown(() => loadTest.close());
  return loadTest.finished;
}

const fixtures = new URL('../../../test/fixtures/tls/', import.meta.url);

/** Our WebTorrent tracker on 127.0.0.1 port 0, closed when the test ends; returns its address. */
async function startTracker(t: ExecutionContext, overrides: Overrides = {}): Promise<string> {
  const config: WsConfig = validateConfig(wsConfigSchema, merge(defaultsOf(wsConfigSchema), { network: { address: '127.0.0.1:0' }, ...overrides }));
  const tracker = await startWsTracker(config, quietLog);
  t.teardown(() => tracker.close());
  return `127.0.0.1:${tracker.port}`;
}

/** readTrackerMessage over a text's UTF-8. */
function readText(text: string, message: TrackerMessage): TrackerMessageKind {
  const bytes = Buffer.from(text);
  return readTrackerMessage(bytes, 0, bytes.length, message);
}

function everyKindClean(t: ExecutionContext, summary: WsLoadTestSummary, what: string): void {
  t.true(summary.announce_per_s > 0, `${what}: announce responses`);
  t.true(summary.offers_per_s > 0, `${what}: offers`);
  t.true(summary.answers_per_s > 0, `${what}: answers`);
  t.is(summary.errors, 0, `${what}: ${JSON.stringify(summary)}`);
  t.is(summary.timeouts, 0, what);
}

// Messages out: read back with the tracker's decoder.

/** Every byte value 0–255 over the test's binary strings (quotes, backslashes, controls, >= 0x80). */
const binary = (first: number) => String.fromCharCode(...Array.from({ length: 20 }, (_, i) => (first + i * 13) & 255));
const limits = { maxOffers: 100, maxScrapeTorrents: 255 };

test('announces carry N offers with numwant N, fresh ids tagged by connection, and decode with the tracker\'s reader', (t) => {
  const tag = offerTag(3, 17);
  const writer = new WsRequestWriter(10, dummySdp(47), tag);
  const seen = new Set<string>();
  for (let first = 0; first < 256; first += 32) {
    for (const seeder of [true, false]) {
      const decoded = decodeInMessage(wireText(writer.announce(quote(binary(first)), quote(binary(first + 1)), seeder)), limits);
      if (decoded.action !== 'announce') return t.fail(JSON.stringify(decoded));
      t.is(decoded.infoHash, binary(first));
      t.is(decoded.peerId, binary(first + 1));
      t.is(decoded.numwant, 10);
      t.is(decoded.seeder, seeder);
      t.is(decoded.event, seeder ? WsEvent.COMPLETED : WsEvent.STARTED);
      t.is(decoded.offers.length, 10);
      for (const offer of decoded.offers) {
        t.true(offer.offerId.startsWith(tag));
        t.is(offer.sdp, dummySdp(47));
        seen.add(offer.offerId);
      }
    }
  }
  t.is(seen.size, 8 * 2 * 10, 'offer ids never repeat');
  t.is(dummySdp(47), 'abcdefg-abcdefg-abcdefg-abcdefg-abcdefg-abcdefg');
  t.is(dummySdp(346, 'browser').length, 346);
  t.is(JSON.stringify(dummySdp(346, 'browser')).length, 374, 'wsload.mjs\'s SDP: 374 bytes as a JSON string');
  t.true(dummySdp(1000, 'browser').startsWith(`${dummySdp(346, 'browser')}v=0\r\n`));
  t.not(offerTag(0, 1), offerTag(1, 0));
});

test('answers and scrapes decode with the tracker\'s reader', (t) => {
  const writer = new WsRequestWriter(0, dummySdp(5), offerTag(0, 0));
  const answer = decodeInMessage(wireText(writer.answer(quote(binary(7)), quote(binary(8)), quote(binary(9)), quote(binary(200)))), limits);
  t.deepEqual(answer, { action: 'answer', infoHash: binary(7), peerId: binary(8), toPeerId: binary(9), offerId: binary(200), sdp: 'abcde' });
  const hashes = [binary(0), binary(128), binary(250)];
  t.deepEqual(decodeInMessage(wireText(writer.scrape(hashes.map(quote), 3)), limits), { action: 'scrape', infoHashes: hashes });
  t.deepEqual(decodeInMessage(wireText(writer.scrape(hashes.map(quote), 1)), limits), { action: 'scrape', infoHashes: hashes.slice(0, 1) });
  const noOffers = decodeInMessage(wireText(writer.announce(quote(binary(1)), quote(binary(2)), false)), limits);
  t.like(noOffers, { action: 'announce', numwant: 0, offers: [] });
});

// Messages in: what the tracker's encoders send is read; what a client cannot use is not.

test('the reader takes every message the tracker\'s encoders build', (t) => {
  const message = createTrackerMessage();
  const read = (text: string) => readText(text, message);
  t.is(read(encodeAnnounceResponse(binary(1), 120, 3, 4)), TrackerMessageKind.ANNOUNCE_RESPONSE);
  t.is(message.quotedInfoHash, quote(binary(1)));
  t.is(read(offerRelayText(binary(2), binary(3), binary(4), 'v=0')), TrackerMessageKind.OFFER);
  t.like(message, { quotedInfoHash: quote(binary(2)), quotedPeerId: quote(binary(3)), quotedOfferId: quote(binary(4)) });
  t.is(read(answerRelayText(binary(5), binary(6), binary(7), 'v=0')), TrackerMessageKind.ANSWER);
  t.like(message, { quotedInfoHash: quote(binary(5)), quotedPeerId: quote(binary(6)), quotedOfferId: quote(binary(7)) });
  const scrape = new ScrapeResponseWriter();
  t.is(read(scrape.finish()), TrackerMessageKind.SCRAPE_RESPONSE, 'an empty scrape');
  scrape.add(binary(8), 1, 2, 3);
  scrape.add(binary(9), 0, 0, 0);
  t.is(read(scrape.finish()), TrackerMessageKind.SCRAPE_RESPONSE);
  t.is(read(encodeFailure('no', 'announce', binary(10))), TrackerMessageKind.FAILURE);
  t.like(message, { action: 'announce', quotedInfoHash: quote(binary(10)) });
  t.is(read(encodeFailure('no', null, null)), TrackerMessageKind.FAILURE);
  t.like(message, { action: null, quotedInfoHash: null });
  // bittorrent-tracker's scrape leaves `downloaded` out when unknown and adds `flags`.
  t.is(read(JSON.stringify({ action: 'scrape', files: { [binary(1)]: { complete: 1, incomplete: 0 } }, flags: { min_request_interval: 5 } })), TrackerMessageKind.SCRAPE_RESPONSE);
});

test('the reader refuses what a client cannot use', (t) => {
  const message = createTrackerMessage();
  const offer = { action: 'announce', info_hash: binary(1), peer_id: binary(2), offer_id: binary(3), offer: { type: 'offer', sdp: 'v=0' } };
  const invalid = [
    'not json',
    '[1]',
    '"announce"',
    JSON.stringify({ action: 'stop' }),
    JSON.stringify({ action: 'announce', interval: 120, info_hash: binary(1).slice(1), complete: 0, incomplete: 0 }),
    JSON.stringify({ action: 'announce', interval: 120, info_hash: `${binary(1).slice(1)}\u0100`, complete: 0, incomplete: 0 }),
    JSON.stringify({ action: 'announce', info_hash: binary(1), complete: 0, incomplete: 0 }),
    JSON.stringify({ action: 'announce', interval: 120, info_hash: binary(1), complete: -1, incomplete: 0 }),
    JSON.stringify({ ...offer, offer: { type: 'answer', sdp: 'v=0' } }),
    JSON.stringify({ ...offer, offer: { type: 'offer' } }),
    JSON.stringify({ ...offer, peer_id: 'short' }),
    JSON.stringify({ ...offer, offer_id: undefined }),
    JSON.stringify({ ...offer, answer: { type: 'answer', sdp: 'v=0' } }),
    JSON.stringify({ action: 'scrape' }),
    JSON.stringify({ action: 'scrape', files: { short: { complete: 0, incomplete: 0 } } }),
    JSON.stringify({ action: 'scrape', files: { [binary(1)]: { complete: 0 } } }),
    JSON.stringify({ 'failure reason': 42 }),
    JSON.stringify({ 'failure reason': 'x', action: 'connect' }),
  ];
  for (const text of invalid) t.is(readText(text, message), TrackerMessageKind.INVALID, text);
});

// Runs.

test('a bounded run against our tracker ends by itself with announce responses, offers, answers and scrapes, and no errors', async (t) => {
  const summary = await run(t, loadTestConfig(await startTracker(t)));
  everyKindClean(t, summary, 'one thread');
  t.true(summary.scrape_per_s > 0);
  // Every offer received is answered (and no error says an answer came back to an offer not ours).
  t.is(summary.answers_sent_per_s, summary.offers_per_s);
  t.true(summary.latency_p50_us > 0 && summary.latency_p99_us >= summary.latency_p50_us);
  t.is(summary.connections_opened, 8, 'each connection opened once (warm-up 0 measures from the start)');
  t.is(summary.connections, 8);
});

test('worker threads and wss:// against our tracker', async (t) => {
  // Two threads start slower than one (worker start-up under a busy test run): measure 2 s.
  // Two offers per announce, not ten: the tracker remembers at most 256 unanswered offers per
  // connection (src/server/ws/connection.ts), and at ~10k announces/s over 16 connections a load
  // thread descheduled for a few tens of ms on a busy machine falls that far behind while the
  // tracker's thread goes on; its late answers then come back as failures.
  const threaded = await run(t, loadTestConfig(await startTracker(t), { workers: 2, duration: 2, requests: { torrent_selection: 'pareto', offers_per_request: 2 } }));
  t.is(threaded.connections, 16);
  everyKindClean(t, threaded, 'threads');
  const tls = { use_tls: true, tls_certificate_path: new URL('cert.pem', fixtures).pathname, tls_private_key_path: new URL('key.pem', fixtures).pathname };
  const secure = await run(t, loadTestConfig(await startTracker(t, { tls }), { network: { use_tls: true } }));
  t.true(secure.tls);
  everyKindClean(t, secure, 'TLS');
});

test('the ws package\'s client runs the same loop', async (t) => {
  const summary = await run(t, loadTestConfig(await startTracker(t), { network: { client: 'ws' } }));
  everyKindClean(t, summary, 'ws client');
  t.is(summary.answers_sent_per_s, summary.offers_per_s);
});

test('a bounded run against bittorrent-tracker (its key order, its announce responses) has every kind and no errors', async (t) => {
  const { Server } = await import('bittorrent-tracker');
  const server = new Server({ udp: false, http: false, ws: true, stats: false });
  server.on('error', (error) => t.fail(error.message));
  server.on('warning', () => {}); // answers to peers already gone: not ours to judge
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  // As scripts/bench-ws.sh runs it: wsload.mjs's SDP, the load held until all connections are open.
  const summary = await run(
    t,
    loadTestConfig(`127.0.0.1:${server.ws.address().port}`, {
      network: { start_after_all_open: true, connection_creation_interval_ms: 2 },
      requests: { offer_sdp: 'browser', offer_sdp_size: 346 },
    }),
  );
  everyKindClean(t, summary, 'bittorrent-tracker');
  t.is(summary.connections_opened, 8);
  t.true(summary.scrape_per_s > 0);
});

test('a tracker that sends our own offers back, answers to offers we never made, binary frames and failures is counted, and the loop goes on', async (t) => {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  server.on('connection', (socket) => {
    socket.on('message', (data: Buffer) => {
      const request = JSON.parse(data.toString()) as { action: string; info_hash: string; peer_id: string; offers: { offer_id: string }[] };
      if (request.action === 'scrape') {
        socket.send(encodeFailure('scrapes are off', 'scrape', null));
        return;
      }
      socket.send(offerRelayText(request.info_hash, request.peer_id, request.offers[0]!.offer_id, 'v=0'));
      socket.send(answerRelayText(request.info_hash, binary(99), 'z'.repeat(20), 'v=0'));
      socket.send(Buffer.from('{}'), { binary: true });
      socket.send(encodeAnnounceResponse(request.info_hash, 120, 0, 1));
      socket.send(encodeAnnounceResponse(binary(98), 120, 0, 1)); // unasked (for another torrent, so it cannot pass for the next announce's)
    });
  });
  const port = (server.address() as { port: number }).port;
  const summary = await run(t, loadTestConfig(`127.0.0.1:${port}`, { network: { connections_per_worker: 2 } }));
  t.true(summary.announce_per_s > 0);
  t.is(summary.offers_per_s, 0);
  t.is(summary.answers_per_s, 0);
  t.true(summary.failures > 0, 'scrape failures');
  // Four per announce: our offer back, a stranger's answer, a binary frame, the unasked response.
  t.true(summary.protocol_errors >= 4 * summary.announce_per_s * summary.duration_s * 0.9, JSON.stringify(summary));
  t.is(summary.errors, summary.failures + summary.protocol_errors);
  t.is(summary.timeouts, 0, 'a failure ends the request it answers');
});

test('the start gate holds first requests until every connection has passed, or until released', (t) => {
  const started: number[] = [];
  const gate = new StartGate(3);
  gate.pass(() => started.push(1));
  gate.pass(() => started.push(2));
  t.deepEqual(started, []);
  gate.pass(() => started.push(3));
  t.deepEqual(started, [1, 2, 3]);
  gate.pass(() => started.push(4));
  t.deepEqual(started, [1, 2, 3, 4], 'open from then on');
  const early = new StartGate(5);
  early.pass(() => started.push(5));
  early.release();
  early.release();
  t.deepEqual(started, [1, 2, 3, 4, 5], 'released once, by the deadline');
});

test('a refused connection is a connection error, retried without spinning', async (t) => {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const summary = await run(t, loadTestConfig(`127.0.0.1:${port}`, { network: { connections_per_worker: 2 } }));
  t.true(summary.connection_errors > 0);
  t.true(summary.connection_errors <= 2 * 11, 'at most one try per connection every 100 ms');
  t.is(summary.messages_received, 0);
});

// Configuration.

test('server_address must be loopback; the error names the key', (t) => {
  for (const address of ['192.0.2.1:3000', '0.0.0.0:3000', '[::]:3000', 'localhost:3000', '127.0.0.1:0', '10.0.0.1:3000']) {
    const error = t.throws(() => loadConfig(wsLoadTestConfigSchema, { env: { AQUATIC_SERVER_ADDRESS: address } }));
    t.true(isAquaticError(error), address);
    t.regex(error!.message, /`server_address` \(from AQUATIC_SERVER_ADDRESS\)/, address);
  }
  t.regex(t.throws(() => loadConfig(wsLoadTestConfigSchema, { env: { AQUATIC_SERVER_ADDRESS: '192.0.2.1:3000' } }))!.message, /loopback/);
  t.is(loadConfig(wsLoadTestConfigSchema, { env: { AQUATIC_SERVER_ADDRESS: '[::1]:6969' } }).config.server_address, '[::1]:6969');
});

test('aquatic_ws_load_test\'s defaults; a mix with both weights 0 is refused at start', async (t) => {
  const defaults = defaultsOf(wsLoadTestConfigSchema);
  t.like(defaults, {
    workers: 1,
    network: { connections_per_worker: 16, connection_creation_interval_ms: 10, use_tls: false, start_after_all_open: false, client: 'lean' },
    requests: { number_of_torrents: 10_000, torrent_selection: 'gamma', gamma_shape: 0.2, gamma_scale: 100, offers_per_request: 10, weight_announce: 5, weight_scrape: 0, peer_seeder_probability: 0.25, offer_sdp: 'aquatic', offer_sdp_size: 47 },
  });
  const config = loadTestConfig('127.0.0.1:9', { requests: { weight_announce: 0, weight_scrape: 0 } });
  const error = await t.throwsAsync(startWsLoadTest(config, quietLog, { progress: null }));
  t.regex(error!.message, /weight_announce/);
});
