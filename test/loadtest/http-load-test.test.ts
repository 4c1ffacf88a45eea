// aquatic_http_load_test: its requests are what the tracker's own query readers expect, its
// response reader frames what trackers send and its checks catch bad answers, a bounded run
// against our tracker ends by itself with clean counts (keep-alive, a connection per
// request, threads, TLS), and it refuses to aim anywhere but this machine.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import test, { type ExecutionContext } from 'ava';
import { loadConfig, validateConfig } from '../../src/config/load.js';
import { defaultsOf } from '../../src/config/schema.js';
import { type HttpConfig, httpConfigSchema } from '../../src/config/http.js';
import { type HttpLoadTestConfig, httpLoadTestConfigSchema } from '../../src/config/http-load-test.js';
import { type UdpLoadTestConfig, udpLoadTestConfigSchema } from '../../src/config/udp-load-test.js';
import { isAquaticError } from '../../src/errors.js';
import {
  buildPopulation,
  clampedIndexWeights,
  gammaWeights,
  paretoWeights,
  regularizedUpperGamma,
  udploadInfoHashes,
} from '../../src/loadtest/common/population.js';
import { startHttpLoadTest } from '../../src/loadtest/http/load-test.js';
import type { HttpLoadTestSummary } from '../../src/loadtest/http/report.js';
import { type AnnounceFields, HttpRequestWriter } from '../../src/loadtest/http/request.js';
import { BodyVerdict, HttpResponseReader, ReadStatus, checkTrackerBody, createBodyCheck } from '../../src/loadtest/http/response.js';
import { RequestKind } from '../../src/loadtest/http/stats.js';
import { encodeBencode } from '../../src/protocol/http/bencode.js';
import { EVENT_NONE, EVENT_STARTED, NUMWANT_DEFAULT } from '../../src/protocol/http/constants.js';
import {
  HttpRoute,
  createHttpAnnounce,
  createHttpRoutes,
  createHttpScrape,
  createHttpTarget,
  readAnnounceQuery,
  readScrapeQuery,
  routeTarget,
} from '../../src/protocol/http/query.js';
import { startHttpTracker } from '../../src/server/http/tracker.js';
import { quietLog } from '../helpers/tracker.js';

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
function loadTestConfig(serverAddress: string, overrides: Overrides = {}): HttpLoadTestConfig {
  const base = merge(defaultsOf(httpLoadTestConfigSchema), {
    server_address: serverAddress,
    duration: 1,
    warmup: 0,
    log_level: 'off',
    network: { connections: 4 },
    requests: { number_of_torrents: 50, number_of_peers: 200, weight_scrape: 1 },
  });
  return validateConfig(httpLoadTestConfigSchema, merge(base, overrides));
}

async function run(t: ExecutionContext, config: HttpLoadTestConfig): Promise<HttpLoadTestSummary> {
  const loadTest = await startHttpLoadTest(config, quietLog, { progress: null });
  t.teardown(() => loadTest.close());
  return loadTest.finished;
}

const fixtures = new URL('../../../test/fixtures/tls/', import.meta.url);

/** Our HTTP tracker on 127.0.0.1 port 0 (or ::1), closed when the test ends. */
async function startTracker(t: ExecutionContext, overrides: Overrides = {}, host = '127.0.0.1') {
  const address = host.includes(':') ? `[${host}]:0` : `${host}:0`;
  const config: HttpConfig = validateConfig(httpConfigSchema, merge(defaultsOf(httpConfigSchema), { network: { address }, ...overrides }));
  const tracker = await startHttpTracker(config, quietLog);
  t.teardown(() => tracker.close());
  return { address: host.includes(':') ? `[${host}]:${tracker.port}` : `${host}:${tracker.port}` };
}

function cleanCounts(t: ExecutionContext, summary: HttpLoadTestSummary, what: string): void {
  t.true(summary.valid_responses > 0, what);
  t.is(summary.errors, 0, what);
  t.is(summary.timeouts, 0, what);
}

// Requests.

/** Splits a request the writer made into its target, headers, and the tracker's reading of it. */
function readRequest(bytes: Buffer) {
  const text = bytes.toString('latin1');
  const lineEnd = text.indexOf('\r\n');
  const [method, target, version] = text.slice(0, lineEnd).split(' ');
  const targetStart = method!.length + 1;
  const routed = createHttpTarget();
  const route = routeTarget(bytes, targetStart, targetStart + target!.length, createHttpRoutes('/announce', '/scrape'), routed);
  return { method, version, route, routed, headers: text.slice(lineEnd + 2), ended: text.endsWith('\r\n\r\n') };
}

const writerTarget = { host: '127.0.0.1:6969', announcePath: '/announce', scrapePath: '/scrape', keepAlive: true, maxScrapeHashes: 5 };

test('announces the writer builds read back with the tracker\'s readAnnounceQuery, every byte value intact', (t) => {
  const writer = new HttpRequestWriter(writerTarget);
  const everyByte = Uint8Array.from({ length: 256 }, (_, i) => i);
  for (let first = 0; first < 256; first += 20) {
    const fields: AnnounceFields = {
      infoHash: Uint8Array.from({ length: 20 }, (_, i) => everyByte[(first + i) % 256]!),
      peerId: Uint8Array.from({ length: 20 }, (_, i) => everyByte[(255 - first - i + 256) % 256]!),
      port: 1 + first * 200,
      downloaded: first === 0 ? 0 : 2 ** 53,
      left: first,
      started: first % 40 === 0,
      numWant: first === 20 ? -1 : first,
    };
    const length = writer.writeAnnounce(fields);
    const request = readRequest(writer.buffer.subarray(0, length));
    t.is(request.method, 'GET');
    t.is(request.version, 'HTTP/1.1');
    t.is(request.headers, 'Host: 127.0.0.1:6969\r\n\r\n');
    t.is(request.route, HttpRoute.ANNOUNCE);
    const announce = createHttpAnnounce();
    t.is(readAnnounceQuery(writer.buffer, request.routed.queryStart, request.routed.queryEnd, announce), null);
    t.deepEqual(Buffer.from(announce.infoHash), Buffer.from(fields.infoHash));
    t.deepEqual(Buffer.from(announce.peerId), Buffer.from(fields.peerId));
    t.is(announce.port, fields.port);
    t.is(announce.downloaded, fields.downloaded);
    t.is(announce.uploaded, 0);
    t.is(announce.left, fields.left);
    t.is(announce.event, fields.started ? EVENT_STARTED : EVENT_NONE);
    t.is(announce.numWant, fields.numWant < 0 ? NUMWANT_DEFAULT : fields.numWant);
    t.true(announce.compact);
  }
});

test('scrapes read back with readScrapeQuery; keep_alive = false asks for Connection: close', (t) => {
  const writer = new HttpRequestWriter({ ...writerTarget, keepAlive: false, scrapePath: '/scrape/passkey' });
  const hashes = [0xff, 0x00, 0x25, 0x7f, 0x80].map((fill) => new Uint8Array(20).fill(fill));
  const length = writer.writeScrape(hashes, hashes.length);
  const request = readRequest(writer.buffer.subarray(0, length));
  t.is(request.route, HttpRoute.SCRAPE);
  t.is(request.headers, 'Host: 127.0.0.1:6969\r\nConnection: close\r\n\r\n');
  const scrape = createHttpScrape(5);
  t.is(readScrapeQuery(writer.buffer, request.routed.queryStart, request.routed.queryEnd, scrape), null);
  t.is(scrape.count, 5);
  const read = Array.from({ length: 5 }, (_, i) => Buffer.from(scrape.infoHashes.subarray(i * 20, (i + 1) * 20)).toString('hex'));
  t.deepEqual(read, hashes.map((hash) => Buffer.from(hash).toString('hex')).sort());
});

// Responses.

const announceBody = encodeBencode(new Map<string, unknown>([['interval', 120], ['peers', new Uint8Array(12)]]) as never);

test('the response reader frames a response however it is split, by length or until close', (t) => {
  const response = Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\ncontent-LENGTH:  ${announceBody.length} \r\nContent-Type: text/plain\r\n\r\n`), announceBody]);
  for (const size of [1, 7, response.length]) {
    const reader = new HttpResponseReader();
    let status: ReadStatus = ReadStatus.INCOMPLETE;
    for (let at = 0; at < response.length; at += size) {
      t.is(status, ReadStatus.INCOMPLETE);
      status = reader.push(response.subarray(at, at + size));
    }
    t.is(status, ReadStatus.COMPLETE, `chunks of ${size}`);
    t.is(reader.status, 200);
    t.false(reader.closesConnection);
    t.deepEqual(Buffer.from(reader.body), Buffer.from(announceBody));
  }
  const reader = new HttpResponseReader();
  t.is(reader.push(Buffer.from('HTTP/1.0 200 OK\r\n\r\nd8:intervali1e')), ReadStatus.INCOMPLETE);
  t.is(reader.push(Buffer.from('5:peers0:e')), ReadStatus.INCOMPLETE);
  t.is(reader.finish(), ReadStatus.COMPLETE);
  t.true(reader.closesConnection);
  t.is(Buffer.from(reader.body).toString(), 'd8:intervali1e5:peers0:e');

  const closing = new HttpResponseReader();
  t.is(closing.push(Buffer.from('HTTP/1.1 503 Busy\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n')), ReadStatus.COMPLETE);
  t.is(closing.status, 503);
  t.true(closing.closesConnection);
  const keptAlive = new HttpResponseReader();
  t.is(keptAlive.push(Buffer.from('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n')), ReadStatus.COMPLETE);
  t.false(keptAlive.closesConnection);
});

test('the response reader refuses what it cannot frame', (t) => {
  for (const text of [
    'garbage\r\n\r\n',
    'HTTP/2 200 OK\r\n\r\n',
    'HTTP/1.1 2000 OK\r\n\r\n',
    'HTTP/1.1 200 OK\r\nno colon\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nde', // a byte more than the response holds
    `HTTP/1.1 200 OK\r\n${'X: y\r\n'.repeat(2000)}`,
  ]) {
    t.is(new HttpResponseReader().push(Buffer.from(text)), ReadStatus.MALFORMED, JSON.stringify(text.slice(0, 40)));
  }
  const cut = new HttpResponseReader();
  t.is(cut.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nd')), ReadStatus.INCOMPLETE);
  t.is(cut.finish(), ReadStatus.MALFORMED, 'a body cut short by the close');
});

test('bodies are checked against the request they answer', (t) => {
  const check = createBodyCheck();
  const verdict = (body: Uint8Array | string, kind: RequestKind) => {
    checkTrackerBody(typeof body === 'string' ? Buffer.from(body, 'latin1') : body, kind, check);
    return check.verdict;
  };
  t.is(verdict(announceBody, RequestKind.ANNOUNCE), BodyVerdict.VALID);
  t.is(check.peers, 2);
  t.is(verdict(`d8:intervali1e5:peers0:6:peers6${'18:'}${'x'.repeat(18)}e`, RequestKind.ANNOUNCE), BodyVerdict.VALID);
  t.is(check.peers, 1);
  t.is(verdict('d5:peersld2:ip1:x4:porti1eee8:intervali1ee', RequestKind.ANNOUNCE), BodyVerdict.VALID, 'keys out of order, list peers');
  t.is(check.peers, 1);
  t.is(verdict('d14:failure reason6:refusee', RequestKind.ANNOUNCE), BodyVerdict.FAILURE);
  t.is(verdict('d14:failure reason6:refusee', RequestKind.SCRAPE), BodyVerdict.FAILURE);
  t.is(verdict('d5:filesdee', RequestKind.SCRAPE), BodyVerdict.VALID);
  for (const [body, kind] of [
    ['d5:filesdee', RequestKind.ANNOUNCE],
    ['d8:intervali1ee', RequestKind.ANNOUNCE],
    ['d8:intervali1e5:peers5:abcdee', RequestKind.ANNOUNCE],
    ['d8:intervali1e5:peers0:', RequestKind.ANNOUNCE],
    ['le', RequestKind.SCRAPE],
    ['d5:filesi1ee', RequestKind.SCRAPE],
    ['<html>', RequestKind.SCRAPE],
  ] as const) {
    t.is(verdict(body, kind), BodyVerdict.INVALID, body);
  }
});

// Runs against stand-in trackers.

/**
 * A stand-in tracker: for each request head it parses with the tracker's own readers,
 * `answer` gives the bytes to send back (then closing, with thenClose), 'close' to drop
 * the connection, or null to stay silent.
 */
type FakeReply = Buffer | 'close' | { readonly thenClose: Buffer } | null;

async function fakeTracker(t: ExecutionContext, answer: (route: HttpRoute, head: Buffer) => FakeReply) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        const head = pending.subarray(0, end + 4);
        pending = pending.subarray(end + 4);
        const reply = answer(readRequest(head).route, head);
        if (reply === 'close') socket.destroy();
        else if (reply !== null && 'thenClose' in reply) socket.end(reply.thenClose);
        else if (reply !== null) socket.write(reply);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

const okResponse = (body: Uint8Array | string) =>
  Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), Buffer.from(body)]);

test('every request parses with the tracker\'s readers and carries the planned fields', async (t) => {
  const known = new Set<string>();
  const hashes = udploadInfoHashes(50);
  for (let i = 0; i < 50; i++) known.add(Buffer.from(hashes.subarray(i * 20, (i + 1) * 20)).toString('hex'));
  const seen = { failures: 0, unknownHashes: 0, scrapeCounts: new Set<number>(), events: new Map<string, number[]>(), left: new Set<number>(), numWants: new Set<number>() };
  const announce = createHttpAnnounce();
  const scrape = createHttpScrape(100);
  const target = createHttpTarget();
  const routes = createHttpRoutes();
  const address = await fakeTracker(t, (route, head) => {
    const lineEnd = head.indexOf(' HTTP/1.1\r\n');
    routeTarget(head, 4, lineEnd, routes, target);
    if (route === HttpRoute.ANNOUNCE) {
      if (readAnnounceQuery(head, target.queryStart, target.queryEnd, announce) !== null) seen.failures++;
      if (!known.has(Buffer.from(announce.infoHash).toString('hex'))) seen.unknownHashes++;
      const peer = Buffer.from(announce.peerId).toString('hex');
      seen.events.set(peer, [...(seen.events.get(peer) ?? []), announce.event]);
      seen.left.add(announce.left);
      seen.numWants.add(announce.numWant);
      return okResponse(announceBody);
    }
    if (readScrapeQuery(head, target.queryStart, target.queryEnd, scrape) !== null) seen.failures++;
    seen.scrapeCounts.add(scrape.count);
    for (let i = 0; i < scrape.count; i++) if (!known.has(Buffer.from(scrape.infoHashes.subarray(i * 20, (i + 1) * 20)).toString('hex'))) seen.unknownHashes++;
    return okResponse('d5:filesdee');
  });
  const summary = await run(t, loadTestConfig(address, { requests: { announce_peers_wanted: 33 } }));
  t.is(seen.failures, 0);
  t.is(seen.unknownHashes, 0);
  t.true([...seen.scrapeCounts].every((n) => n >= 1 && n <= 5));
  t.deepEqual(seen.numWants, new Set([33]));
  t.true(seen.left.has(0) && seen.left.size === 2, 'seeders announce left = 0, leechers more');
  for (const events of seen.events.values()) {
    t.is(events[0], EVENT_STARTED);
    t.true(events.slice(1).every((event) => event === EVENT_NONE));
  }
  cleanCounts(t, summary, 'fake tracker');
  t.true(summary.announce_per_s > 0 && summary.scrape_per_s > 0);
  t.is(summary.avg_peers_per_announce, 2);
  t.is(summary.connections_opened_per_s, 4, 'keep-alive: each connection opened once');
});

const badAnswers = {
  'failure reason': { reply: okResponse('d14:failure reason7:refusede'), counted: 'failure_responses' },
  'status 500': { reply: Buffer.from('HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n'), counted: 'bad_status' },
  garbage: { reply: Buffer.from('garbage\r\n\r\n'), counted: 'invalid_responses' },
  'a dict without peers': { reply: okResponse('d8:intervali1ee'), counted: 'invalid_responses' },
  'a dropped connection': { reply: 'close', counted: 'connection_errors' },
} as const;

for (const [name, { reply, counted }] of Object.entries(badAnswers)) {
  test(`answers with ${name} are counted, never as valid`, async (t) => {
    const address = await fakeTracker(t, () => reply);
    const summary = await run(t, loadTestConfig(address, { requests: { weight_scrape: 0 } }));
    t.is(summary.valid_responses, 0);
    t.true(summary[counted] > 0);
    t.is(summary.errors, summary[counted]);
  });
}

test('a server that closes after each answer without saying so (as opentracker) costs retries, not errors', async (t) => {
  const address = await fakeTracker(t, () => ({ thenClose: okResponse(announceBody) }));
  const summary = await run(t, loadTestConfig(address, { requests: { weight_scrape: 0 } }));
  cleanCounts(t, summary, 'silent close');
  t.true(summary.retried > 0);
  t.true(summary.requests_sent - summary.valid_responses <= 4, 'a retry is not a new request');
});

test('a tracker that never answers gives timeouts, and each costs its connection', async (t) => {
  const address = await fakeTracker(t, () => null);
  const summary = await run(t, loadTestConfig(address, { request_timeout_ms: 100 }));
  t.true(summary.timeouts >= 4);
  t.is(summary.valid_responses, 0);
  t.true(summary.connections_opened_per_s >= summary.timeouts / summary.duration_s);
});

test('a refused connection is an error, retried without spinning', async (t) => {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const summary = await run(t, loadTestConfig(`127.0.0.1:${port}`));
  t.true(summary.connection_errors > 0);
  t.true(summary.connection_errors < 4 * 20, 'at most one try per connection every 100 ms');
});

// Runs against our tracker.

for (const keepAlive of [true, false]) {
  test(`a bounded run against our tracker (keep_alive = ${keepAlive}) ends by itself with clean counts`, async (t) => {
    const tracker = await startTracker(t);
    const summary = await run(t, loadTestConfig(tracker.address, { network: { keep_alive: keepAlive } }));
    cleanCounts(t, summary, `keep_alive = ${keepAlive}`);
    t.true(summary.announce_per_s > 0 && summary.scrape_per_s > 0);
    t.true(summary.avg_peers_per_announce > 0);
    t.true(summary.latency_p50_us > 0 && summary.latency_p99_us >= summary.latency_p50_us);
    if (keepAlive) t.is(summary.connections_opened_per_s, 4);
    else t.true(summary.connections_opened_per_s >= summary.requests_per_s);
  });
}

test('worker threads (each from its own client IP) over IPv4 and IPv6, and TLS, against our tracker', async (t) => {
  for (const host of ['127.0.0.1', '::1']) {
    const tracker = await startTracker(t, {}, host);
    const threaded = await run(t, loadTestConfig(tracker.address, { workers: 2, requests: { torrent_selection: 'gamma' } }));
    t.is(threaded.workers, 2);
    t.is(threaded.connections, 8);
    cleanCounts(t, threaded, `threads over ${host}`);
  }
  const tls = { use_tls: true, tls_certificate_path: new URL('cert.pem', fixtures).pathname, tls_private_key_path: new URL('key.pem', fixtures).pathname };
  const secure = await startTracker(t, { tls });
  cleanCounts(t, await run(t, loadTestConfig(secure.address, { network: { use_tls: true } })), 'TLS');
});

// Configuration and the world.

test('server_address must be loopback; the error names the key', (t) => {
  for (const address of ['192.0.2.1:3000', '0.0.0.0:3000', '[::]:3000', 'localhost:3000', '127.0.0.1:0']) {
    const error = t.throws(() => loadConfig(httpLoadTestConfigSchema, { env: { AQUATIC_SERVER_ADDRESS: address } }));
    t.true(isAquaticError(error), address);
    t.regex(error!.message, /`server_address` \(from AQUATIC_SERVER_ADDRESS\)/, address);
  }
  t.regex(t.throws(() => loadConfig(httpLoadTestConfigSchema, { env: { AQUATIC_SERVER_ADDRESS: '10.0.0.1:3000' } }))!.message, /loopback/);
  t.is(loadConfig(httpLoadTestConfigSchema, { env: { AQUATIC_SERVER_ADDRESS: '[::1]:6969' } }).config.server_address, '[::1]:6969');
  t.regex(
    t.throws(() => loadConfig(httpLoadTestConfigSchema, { env: { AQUATIC_REQUESTS__ANNOUNCE_PATH: 'announce' } }))!.message,
    /`requests\.announce_path`/,
  );
});

test('a mix with both weights 0 is refused at start', async (t) => {
  const config = loadTestConfig('127.0.0.1:9', { requests: { weight_announce: 0, weight_scrape: 0 } });
  const error = await t.throwsAsync(startHttpLoadTest(config, quietLog, { progress: null }));
  t.regex(error!.message, /requests\.weight_announce/);
});

test('gamma popularity matches aquatic_http_load_test\'s formula (43% on torrent 0, 5% on the last)', (t) => {
  const weights = gammaWeights(10_000, 0.2, 100);
  const sum = weights.reduce((a, b) => a + b, 0);
  t.true(Math.abs(sum - 1) < 1e-9);
  t.true(Math.abs(weights[0]! - 0.434) < 0.003, String(weights[0]));
  t.true(Math.abs(weights[9999]! - 0.052) < 0.003, String(weights[9999]));
  // Q(1, x) = e^-x and Q(a, 0) = 1 check both branches of the incomplete gamma.
  for (const x of [0.1, 1, 2, 5, 30]) t.true(Math.abs(regularizedUpperGamma(1, x) - Math.exp(-x)) < 1e-12, String(x));
  t.is(regularizedUpperGamma(0.2, 0), 1);
});

test('the shared population is the world the UDP tester has always built (same seed, same load)', (t) => {
  t.deepEqual(clampedIndexWeights(1000, (x) => x ** -2), paretoWeights(1000, 2));
  // Digests of the UDP tester's own buildPopulation before the world moved to common/.
  const expected = { pareto: '4d7025ec533e8edb61ba52f810c7b445', aquatic: 'c526c5e5197405a11369cfa79c4393cb' } as const;
  for (const [selection, digest] of Object.entries(expected)) {
    const udp: UdpLoadTestConfig = validateConfig(
      udpLoadTestConfigSchema,
      merge(defaultsOf(udpLoadTestConfigSchema), { requests: { number_of_torrents: 300, number_of_peers: 2000, torrent_selection: selection } }),
    );
    const world = buildPopulation(udp);
    const hash = createHash('sha256');
    for (const part of [world.peerTorrent, world.peerSeeder, world.peerPort, world.infoHashes]) hash.update(new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
    t.is(hash.digest('hex').slice(0, 32), digest, selection);
  }
});
