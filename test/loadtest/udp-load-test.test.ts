// aquatic_udp_load_test: its requests are what the tracker's own parser expects, its checks
// catch bad answers, a bounded run against our tracker ends by itself with clean counts,
// and it refuses to aim anywhere but this machine.
import dgram from 'node:dgram';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { loadConfig, validateConfig } from '../../src/config/load.js';
import { defaultsOf } from '../../src/config/schema.js';
import { type UdpLoadTestConfig, udpLoadTestConfigSchema } from '../../src/config/udp-load-test.js';
import { isAquaticError } from '../../src/errors.js';
import { TorrentPicker, paretoWeights, readInfoHashes, udploadInfoHashes } from '../../src/loadtest/common/population.js';
import { Random } from '../../src/loadtest/common/random.js';
import { startUdpLoadTest } from '../../src/loadtest/udp/load-test.js';
import type { LoadTestSummary } from '../../src/loadtest/udp/report.js';
import { LATENCY_BUCKETS, bucketLatency, latencyBucket } from '../../src/loadtest/udp/stats.js';
import { ACTION_ANNOUNCE, ACTION_SCRAPE, EVENT_NONE, EVENT_STARTED, INFO_HASH_SIZE } from '../../src/protocol/udp/constants.js';
import { ReadStatus, createUdpRequest, readRequest } from '../../src/protocol/udp/request.js';
import {
  writeAnnounceResponseHeader,
  writeConnectResponse,
  writeErrorResponse,
  writeScrapeResponseEntry,
  writeScrapeResponseHeader,
} from '../../src/protocol/udp/response.js';
import { quietLog, startTestTracker } from '../helpers/tracker.js';

interface Overrides {
  readonly [key: string]: unknown;
}

/** A validated configuration: short, small and bounded, with the sections merged over the defaults. */
function loadTestConfig(serverAddress: string, overrides: Overrides = {}): UdpLoadTestConfig {
  const merged = defaultsOf(udpLoadTestConfigSchema) as unknown as Record<string, unknown>;
  const base: Overrides = {
    server_address: serverAddress,
    duration: 1,
    warmup: 0,
    log_level: 'off',
    network: { sockets_per_worker: 2, in_flight_per_socket: 8 },
    requests: { number_of_torrents: 50, number_of_peers: 200, scrape_max_torrents: 5 },
  };
  for (const [key, value] of [...Object.entries(base), ...Object.entries(overrides)]) {
    merged[key] = typeof value === 'object' && value !== null ? { ...(merged[key] as object), ...value } : value;
  }
  return validateConfig(udpLoadTestConfigSchema, merged);
}

async function run(t: ExecutionContext, config: UdpLoadTestConfig): Promise<LoadTestSummary> {
  const loadTest = await startUdpLoadTest(config, quietLog, { progress: null });
  t.teardown(() => loadTest.close());
  return loadTest.finished;
}

const CONNECTION_ID = { high: 0x0a0b0c0d, low: 0x01020304 };

type Answer = 'valid' | 'wrong-length' | 'wrong-action' | 'error' | 'drop-some';

/**
 * A stand-in tracker on loopback: parses every request with the tracker's readRequest,
 * records what it saw and answers as told (valid, or wrong in one way).
 */
async function fakeTracker(t: ExecutionContext, answer: Answer) {
  const socket = dgram.createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  t.teardown(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  const seen = {
    statuses: new Map<number, number>(),
    withoutConnectionId: 0,
    unknownInfoHashes: 0,
    scrapeCounts: new Set<number>(),
    repeatedScrapeHashes: 0,
    /** peer_id (hex) -> events in order */
    events: new Map<string, number[]>(),
    leftBySeeder: new Set<number>(),
    ports: new Set<number>(),
    numWants: new Set<number>(),
  };
  const known = new Set<string>();
  const hashes = udploadInfoHashes(50);
  for (let i = 0; i < 50; i++) known.add(Buffer.from(hashes.subarray(i * INFO_HASH_SIZE, (i + 1) * INFO_HASH_SIZE)).toString('hex'));
  const request = createUdpRequest();
  const reply = Buffer.alloc(2048);
  const out = new DataView(reply.buffer, reply.byteOffset, reply.byteLength);

  socket.on('message', (message, remote) => {
    const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
    const status = readRequest(view, 0, message.length, request);
    seen.statuses.set(status, (seen.statuses.get(status) ?? 0) + 1);
    const hex = (at: number, length: number) => message.subarray(at, at + length).toString('hex');
    const fromConnection = request.connectionIdHigh === CONNECTION_ID.high && request.connectionIdLow === CONNECTION_ID.low;
    let length = 0;
    if (status === ReadStatus.CONNECT) {
      length = writeConnectResponse(out, 0, request.transactionId, CONNECTION_ID.high, CONNECTION_ID.low);
    } else if (status === ReadStatus.ANNOUNCE) {
      if (!fromConnection) seen.withoutConnectionId++;
      if (!known.has(hex(request.infoHashOffset, INFO_HASH_SIZE))) seen.unknownInfoHashes++;
      const peer = hex(request.peerIdOffset, 20);
      seen.events.set(peer, [...(seen.events.get(peer) ?? []), request.event]);
      seen.leftBySeeder.add(request.left);
      seen.ports.add(request.port);
      seen.numWants.add(request.numWant);
      length = writeAnnounceResponseHeader(out, 0, request.transactionId, 900, 1, 1);
      length += 6 * 2; // two IPv4 peers (their bytes do not matter here)
    } else if (status === ReadStatus.SCRAPE) {
      if (!fromConnection) seen.withoutConnectionId++;
      seen.scrapeCounts.add(request.scrapeCount);
      const scraped = new Set<string>();
      for (let k = 0; k < request.scrapeCount; k++) {
        const hash = hex(request.infoHashOffset + k * INFO_HASH_SIZE, INFO_HASH_SIZE);
        if (!known.has(hash)) seen.unknownInfoHashes++;
        if (scraped.has(hash)) seen.repeatedScrapeHashes++;
        scraped.add(hash);
      }
      length = writeScrapeResponseHeader(out, 0, request.transactionId);
      for (let k = 0; k < request.scrapeCount; k++) length += writeScrapeResponseEntry(out, length, 1, 2, 3);
    } else {
      return;
    }
    if (status !== ReadStatus.CONNECT) {
      if (answer === 'drop-some' && request.transactionId % 4 === 0) return;
      if (answer === 'wrong-length') length += 1;
      if (answer === 'wrong-action') out.setUint32(0, status === ReadStatus.ANNOUNCE ? ACTION_SCRAPE : ACTION_ANNOUNCE);
      if (answer === 'error') length = writeErrorResponse(reply, out, 0, request.transactionId, 'Torrent not whitelisted');
    }
    socket.send(reply.subarray(0, length), remote.port, remote.address);
  });
  return { port: socket.address().port, seen };
}

test('every request the generator sends parses with the tracker\'s readRequest and has the planned fields', async (t) => {
  const tracker = await fakeTracker(t, 'valid');
  const summary = await run(t, loadTestConfig(`127.0.0.1:${tracker.port}`, { requests: { weight_connect: 1, announce_peers_wanted: 33 } }));
  const { seen } = tracker;
  t.deepEqual([...seen.statuses.keys()].sort(), [ReadStatus.CONNECT, ReadStatus.ANNOUNCE, ReadStatus.SCRAPE].sort());
  t.true(seen.statuses.get(ReadStatus.CONNECT)! > 2, 'connects are mixed in with weight_connect = 1');
  t.is(seen.withoutConnectionId, 0);
  t.is(seen.unknownInfoHashes, 0);
  t.is(seen.repeatedScrapeHashes, 0);
  t.true([...seen.scrapeCounts].every((n) => n >= 1 && n <= 5));
  t.deepEqual(seen.numWants, new Set([33]));
  t.true([...seen.ports].every((port) => port >= 1024));
  t.true(seen.leftBySeeder.has(0) && seen.leftBySeeder.size === 2, 'seeders announce left = 0, leechers more');
  for (const events of seen.events.values()) {
    t.is(events[0], EVENT_STARTED);
    t.true(events.slice(1).every((event) => event === EVENT_NONE));
  }
  t.true(seen.events.size <= 200);
  t.is(summary.invalid_responses, 0);
  t.is(summary.unexpected_responses, 0);
  t.is(summary.error_responses, 0);
  t.true(summary.announce_per_s > 0 && summary.scrape_per_s > 0 && summary.connect_per_s > 0);
  t.is(summary.avg_peers_per_announce, 2);
});

for (const answer of ['wrong-length', 'wrong-action', 'error'] as const) {
  test(`answers with the ${answer} are counted, never as valid`, async (t) => {
    const tracker = await fakeTracker(t, answer);
    const summary = await run(t, loadTestConfig(`127.0.0.1:${tracker.port}`));
    t.is(summary.announce_per_s + summary.scrape_per_s, 0);
    const counted = answer === 'error' ? summary.error_responses : summary.invalid_responses;
    t.true(counted > 0);
  });
}

test('requests a tracker drops are timeouts; the answered rest keeps the connection ID', async (t) => {
  const tracker = await fakeTracker(t, 'drop-some');
  // 300 ms: short enough for dropped requests to time out within the 1 s run, long enough
  // that a machine busy with other tests rarely delays a connect reply past it.
  const summary = await run(t, loadTestConfig(`127.0.0.1:${tracker.port}`, { request_timeout_ms: 300 }));
  t.true(summary.timeouts > 0);
  t.true(summary.valid_responses > summary.timeouts);
  t.is(summary.invalid_responses, 0);
  // A busy machine may still delay an answer past the timeout: each such late answer
  // belongs to a request already counted as a timeout, never to a current one.
  t.true(summary.unexpected_responses <= summary.timeouts, `${summary.unexpected_responses} late, ${summary.timeouts} timeouts`);
  t.is(tracker.seen.statuses.get(ReadStatus.CONNECT), 2, 'one connect per socket, no reconnects');
});

test('a bounded run against our tracker ends by itself with responses and clean counts', async (t) => {
  const tracker = await startTestTracker(t);
  const summary = await run(t, loadTestConfig(`127.0.0.1:${tracker.port}`));
  t.true(summary.valid_responses > 0);
  t.true(summary.announce_per_s > 0 && summary.scrape_per_s > 0);
  t.is(summary.invalid_responses, 0);
  t.is(summary.error_responses, 0);
  t.is(summary.timeouts, 0);
  t.is(summary.unexpected_responses, 0);
  t.true(summary.latency_p50_us > 0 && summary.latency_p99_us >= summary.latency_p50_us);
  t.true(summary.avg_peers_per_announce > 0);
});

test('worker threads, each from its own client IP, against our tracker over IPv6 and IPv4', async (t) => {
  for (const host of ['127.0.0.1', '::1']) {
    const tracker = await startTestTracker(t, {}, host);
    const address = host === '::1' ? `[::1]:${tracker.port}` : `127.0.0.1:${tracker.port}`;
    const summary = await run(t, loadTestConfig(address, { workers: 2 }));
    t.is(summary.workers, 2);
    t.true(summary.valid_responses > 0, host);
    t.is(summary.invalid_responses + summary.error_responses + summary.timeouts + summary.unexpected_responses, 0, host);
  }
});

test('server_address must be loopback; the error names the key', (t) => {
  for (const address of ['192.0.2.1:3000', '0.0.0.0:3000', '[2001:db8::1]:3000', '[::]:3000', 'localhost:3000', '127.0.0.1:0']) {
    const error = t.throws(() => loadConfig(udpLoadTestConfigSchema, { env: { AQUATIC_SERVER_ADDRESS: address } }));
    t.true(isAquaticError(error), address);
    t.regex(error!.message, /`server_address` \(from AQUATIC_SERVER_ADDRESS\)/, address);
  }
  t.regex(
    t.throws(() => loadConfig(udpLoadTestConfigSchema, { env: { AQUATIC_SERVER_ADDRESS: '10.0.0.1:3000' } }))!.message,
    /loopback/,
  );
  for (const address of ['127.0.0.1:3000', '127.9.8.7:1', '[::1]:6969']) {
    t.is(loadConfig(udpLoadTestConfigSchema, { env: { AQUATIC_SERVER_ADDRESS: address } }).config.server_address, address);
  }
});

test('a mix with every weight 0 is refused at start', async (t) => {
  const config = loadTestConfig('127.0.0.1:9', { requests: { weight_connect: 0, weight_announce: 0, weight_scrape: 0 } });
  const error = await t.throwsAsync(startUdpLoadTest(config, quietLog, { progress: null }));
  t.regex(error!.message, /requests\.weight_announce/);
});

test('the default info hashes are udpload\'s (`udpload -H 2`), so its whitelist fits', (t) => {
  const hashes = Buffer.from(udploadInfoHashes(2));
  t.is(hashes.subarray(0, 20).toString('hex'), '1cc152e47d174d3c7f9b63dbefc71284d048e398');
  t.is(hashes.subarray(20, 40).toString('hex'), '03317bb4875fb038dc1fe0f7d1dc60cc753b132d');
});

test('latency buckets are within 1/32 of the value and ordered', (t) => {
  let previous = -1;
  for (let us = 0; us < 5_000_000; us = us < 100 ? us + 1 : Math.ceil(us * 1.01)) {
    const bucket = latencyBucket(us);
    t.true(bucket >= previous && bucket < LATENCY_BUCKETS);
    previous = bucket;
    t.true(Math.abs(bucketLatency(bucket) - us) <= Math.max(0.5, us / 32), `${us} µs`);
  }
  t.is(latencyBucket(1e12), LATENCY_BUCKETS - 1);
});

test('the Pareto picker draws what udpload\'s formula draws', (t) => {
  const torrents = 10_000;
  const picker = new TorrentPicker(paretoWeights(torrents, 2));
  const random = new Random(7);
  const udpload = (): number => {
    // udpload's pareto_index(): p = u^(-1/shape) clamped at 101, index = (p - 1) / 100 * (torrents - 1)
    const p = Math.min((1 - random.nextFloat()) ** -0.5, 101);
    return Math.min(Math.floor(((p - 1) / 100) * (torrents - 1)), torrents - 1);
  };
  const draws = 400_000;
  const share = (draw: () => number, below: number) => {
    let hits = 0;
    for (let i = 0; i < draws; i++) if (draw() < below) hits++;
    return hits / draws;
  };
  for (const below of [1, 10, 100, 1000, torrents - 1]) {
    const expected = share(udpload, below);
    t.true(Math.abs(share(() => picker.pick(random), below) - expected) < 0.005, `index < ${below}: expected ${expected}`);
  }
});

test('the Pareto weights are udpload\'s index formula term by term: tail differences, the clamped tail on the last index', (t) => {
  const torrents = 1000;
  const tail = (x: number): number => x ** -2;
  const expected = Float64Array.from({ length: torrents }, (_, i) =>
    i === torrents - 1 ? tail(101) : tail(1 + (100 * i) / (torrents - 1)) - tail(1 + (100 * (i + 1)) / (torrents - 1)),
  );
  t.deepEqual(paretoWeights(torrents, 2), expected);
});

test('info_hashes_file: hex lines (e.g. a whitelist) become the torrents; too few is an error naming the key', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aquatic-load-'));
  const path = join(dir, 'whitelist.txt');
  writeFileSync(path, '# whitelist\n1cc152e47d174d3c7f9b63dbefc71284d048e398\n\n03317BB4875FB038DC1FE0F7D1DC60CC753B132D\n');
  t.deepEqual(readInfoHashes(path, 2), udploadInfoHashes(2));
  t.regex(t.throws(() => readInfoHashes(path, 3))!.message, /`requests\.info_hashes_file`.*fewer than `requests\.number_of_torrents` = 3/);
  writeFileSync(path, 'not hex\n');
  t.regex(t.throws(() => readInfoHashes(path, 1))!.message, /line 1 .* is not a 40-digit hex info hash/);
});
