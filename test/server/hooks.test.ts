// The embedding hooks (filter, onAnnounce, onScrape) through real sockets: what params they
// see per protocol, refusals and what they leave untouched, broken hooks, and the refusal of
// hooks with worker threads.
import test from 'ava';
import { EVENT_STARTED } from '../../src/protocol/udp/constants.js';
import { ErrorCode, createHttpTracker, createUdpTracker, createWsTracker, isAquaticError, type AnnounceParams, type ScrapeParams } from '../../src/index.js';
import { MAX_REFUSAL_REASON_LENGTH, hookRunnerFor, type TrackerHooks } from '../../src/server/hooks.js';
import { startSingleThreadUdpTracker } from '../../src/server/udp/tracker.js';
import { Logger } from '../../src/util/log.js';
import { encodeBytes, getBencoded } from '../helpers/http-client.js';
import { udpConfig } from '../helpers/tracker.js';
import { UdpTestClient, infoHash } from '../helpers/udp-client.js';
import { WsTestClient, announce as wsAnnounce } from '../helpers/ws-client.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const quiet = { log_level: 'off', network: { address: '127.0.0.1:0' } } as const;

/** Hooks that record what they see and admit everything but `refuse`. */
function recorder(refuse: (params: AnnounceParams) => boolean | string = () => true) {
  const filtered: AnnounceParams[] = [];
  const announced: AnnounceParams[] = [];
  const scraped: ScrapeParams[] = [];
  const hooks: TrackerHooks = {
    filter(infoHash, params) {
      if (infoHash !== params.infoHash) throw new Error('infoHash differs from params.infoHash');
      filtered.push(params);
      return refuse(params);
    },
    onAnnounce: (params) => announced.push(params),
    onScrape: (params) => scraped.push(params),
  };
  return { hooks, filtered, announced, scraped };
}

async function udpClient(t: import('ava').ExecutionContext, port: number): Promise<UdpTestClient> {
  const client = await UdpTestClient.open('127.0.0.1', port);
  t.teardown(() => client.close());
  await client.connect();
  return client;
}

test('UDP: the hooks see the announce as sent; a refusal is an error packet and leaves the swarms alone', async (t) => {
  const seen = recorder((params) => params.port !== 2000 || 'No port 2000 here');
  const tracker = await startSingleThreadUdpTracker(udpConfig(), new Logger('off', 'test'), { hooks: seen.hooks });
  t.teardown(() => tracker.close());
  const client = await udpClient(t, tracker.port);
  const peerId = Buffer.from('-qB4500-abcdefghijkl');
  t.is((await client.announce({ infoHash: infoHash(1), port: 6881, peerId, event: EVENT_STARTED, numWant: 7 })).action, 1);
  const expected: AnnounceParams = {
    protocol: 'udp',
    infoHash: hex(infoHash(1)),
    peerId: hex(peerId),
    ip: '127.0.0.1',
    port: 6881,
    event: 'started',
    seeder: false,
    numwant: 7,
    uploaded: 0,
    downloaded: 0,
    left: 1000,
  };
  t.deepEqual(seen.filtered, [expected]);
  t.deepEqual(seen.announced, [expected]);

  t.like(await client.announce({ infoHash: infoHash(2), port: 2000 }), { action: 3, message: 'No port 2000 here' });
  t.is(seen.filtered.length, 2);
  t.is(seen.announced.length, 1, 'a refused announce is not reported as applied');
  t.is(tracker.store.torrentCount, 1, 'the refused torrent was never created');
  t.is(tracker.handler.counters.forbidden, 1);

  t.is((await client.scrape([infoHash(1), infoHash(3)])).action, 2);
  t.deepEqual(seen.scraped, [{ protocol: 'udp', ip: '127.0.0.1', infoHashes: [hex(infoHash(1)), hex(infoHash(3))] }]);
});

test('refusal reasons are cut to 80 characters; UDP carries them as ASCII', async (t) => {
  const long = `Ä${'x'.repeat(200)}`;
  const tracker = await createUdpTracker(quiet, { filter: () => long });
  t.teardown(() => tracker.close());
  const client = await udpClient(t, tracker.port);
  t.like(await client.announce({ infoHash: infoHash(1), port: 1 }), { action: 3, message: `?${'x'.repeat(MAX_REFUSAL_REASON_LENGTH - 1)}` });

  const http = await createHttpTracker(quiet, { filter: () => long });
  t.teardown(() => http.close());
  const reply = await getBencoded(
    `http://127.0.0.1:${http.port}/announce?info_hash=${encodeBytes(infoHash(1))}&peer_id=${encodeBytes(infoHash(2))}&port=1&uploaded=0&downloaded=0&left=0`,
  );
  t.is(Buffer.from(reply.get('failure reason') as Uint8Array).toString(), long.slice(0, MAX_REFUSAL_REASON_LENGTH));
});

test('HTTP: params carry the query and the client address; false refuses as the access list does', async (t) => {
  const seen = recorder((params) => params.event !== 'stopped');
  const tracker = await createHttpTracker(quiet, seen.hooks);
  t.teardown(() => tracker.close());
  const base = `http://127.0.0.1:${tracker.port}`;
  const peerId = Buffer.from('-TR3000-123456789012');
  const url = (extra: string) =>
    `${base}/announce?info_hash=${encodeBytes(infoHash(4))}&peer_id=${encodeBytes(peerId)}&port=51413&uploaded=5&downloaded=6&left=0&numwant=3${extra}`;
  t.is((await getBencoded(url('&event=completed'))).get('complete'), 1);
  t.deepEqual(seen.announced, [
    {
      protocol: 'http',
      infoHash: hex(infoHash(4)),
      peerId: hex(peerId),
      ip: '127.0.0.1',
      port: 51413,
      event: 'completed',
      seeder: true,
      numwant: 3,
      uploaded: 5,
      downloaded: 6,
      left: 0,
    },
  ]);
  const refused = await getBencoded(url('&event=stopped'));
  t.is(Buffer.from(refused.get('failure reason') as Uint8Array).toString(), 'Info hash not allowed');
  t.is(seen.announced.length, 1);
  // The refused `stopped` never reached the swarm: the seeder is still there.
  t.is((await getBencoded(url(''))).get('complete'), 1);

  await getBencoded(`${base}/scrape?info_hash=${encodeBytes(infoHash(4))}&info_hash=${encodeBytes(infoHash(5))}`);
  t.deepEqual(seen.scraped, [{ protocol: 'http', ip: '127.0.0.1', infoHashes: [hex(infoHash(4)), hex(infoHash(5))] }]);
});

test('WebSocket: a refusal is a failure message for the announce; params have no port or byte counts', async (t) => {
  const seen = recorder((params) => params.infoHash !== hex(infoHash(9)) || 'Not this one');
  const tracker = await createWsTracker(quiet, seen.hooks);
  t.teardown(() => tracker.close());
  const client = await WsTestClient.connect(`ws://127.0.0.1:${tracker.port}`);
  t.teardown(() => client.close());
  const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');
  const peerId = '-WW0001-\u00ff\u0000abcdefghij';
  t.like(await client.request(wsAnnounce(latin1(infoHash(8)), peerId, { event: 'started', numwant: 2 })), { action: 'announce', incomplete: 1 });
  t.deepEqual(seen.announced, [
    {
      protocol: 'ws',
      infoHash: hex(infoHash(8)),
      peerId: Buffer.from(peerId, 'latin1').toString('hex'),
      ip: '127.0.0.1',
      port: 0,
      event: 'started',
      seeder: false,
      numwant: 2,
      uploaded: null,
      downloaded: null,
      left: null,
    },
  ]);
  t.deepEqual(await client.request(wsAnnounce(latin1(infoHash(9)), peerId)), {
    'failure reason': 'Not this one',
    action: 'announce',
    info_hash: latin1(infoHash(9)),
  });
  t.is((await tracker.statistics())['torrents'], 1);
  t.like(await client.request({ action: 'scrape', info_hash: [latin1(infoHash(8))] }), { action: 'scrape' });
  t.deepEqual(seen.scraped, [{ protocol: 'ws', ip: '127.0.0.1', infoHashes: [hex(infoHash(8))] }]);
});

test('a filter that throws or returns a Promise refuses, and the log gets one line per 10 s', async (t) => {
  const lines: string[] = [];
  const log = new Logger('error', 'test', { write: (line) => lines.push(line) });
  let calls = 0;
  const hooks: TrackerHooks = {
    filter() {
      calls++;
      if (calls === 1) return Promise.resolve(true) as unknown as boolean;
      throw new Error('database is down');
    },
    onAnnounce() {
      throw new Error('never reached');
    },
  };
  const tracker = await startSingleThreadUdpTracker(udpConfig(), log, { hooks });
  t.teardown(() => tracker.close());
  const client = await udpClient(t, tracker.port);
  for (let n = 0; n < 3; n++) t.like(await client.announce({ infoHash: infoHash(n), port: 1 }), { action: 3, message: 'Info hash not allowed' });
  t.is(calls, 3);
  t.is(lines.length, 1);
  t.regex(lines[0]!, /filter hook failed .*returned a Promise/);
  t.is(tracker.store.torrentCount, 0);
});

test('an observer that throws does not change the reply', async (t) => {
  const tracker = await createUdpTracker(quiet, {
    onAnnounce() {
      throw new Error('observer bug');
    },
  });
  t.teardown(() => tracker.close());
  const client = await udpClient(t, tracker.port);
  t.is((await client.announce({ infoHash: infoHash(1), port: 1 })).action, 1);
});

test('hooks with worker threads, or hooks that are not functions, are refused with AQUATIC_ERR_HOOKS_INVALID', async (t) => {
  const filter = () => true;
  for (const start of [
    () => createUdpTracker({ ...quiet, socket_workers: 2 }, { filter }),
    () => createUdpTracker({ ...quiet, swarm_workers: 2 }, { onScrape: () => {} }),
    () => createHttpTracker({ ...quiet, swarm_workers: 2 }, { onAnnounce: () => {} }),
    () => createWsTracker({ ...quiet, socket_workers: 2 }, { filter }),
    () => createUdpTracker(quiet, { filter: 'yes' as unknown as () => boolean }),
  ]) {
    const error = await t.throwsAsync(start());
    t.true(isAquaticError(error));
    t.is((error as { code?: string }).code, ErrorCode.HOOKS_INVALID);
  }
  const error = await t.throwsAsync(createUdpTracker({ ...quiet, socket_workers: 2 }, { filter }));
  t.regex(error!.message, /socket_workers = 1 and swarm_workers = 1 .*got socket_workers = 2, swarm_workers = 1/);
});

test('no hooks, or an empty hooks object, means no runner at all', (t) => {
  const log = new Logger('off', 'test');
  t.is(hookRunnerFor(undefined, { socket_workers: 4, swarm_workers: 4 }, log), null);
  t.is(hookRunnerFor({}, { socket_workers: 4, swarm_workers: 4 }, log), null);
  t.not(hookRunnerFor({ onScrape: () => {} }, { socket_workers: 1, swarm_workers: 1 }, log), null);
});
