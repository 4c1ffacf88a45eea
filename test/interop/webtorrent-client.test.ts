// Real WebTorrent clients (npm webtorrent; WebRTC from @roamhq/wrtc, put in place of
// webrtc-polyfill by package.json's `overrides`) through aquatic_ws. The peers can only
// meet through the tracker: no DHT, LSD, PEX or uTP, and a WebSocket tracker hands out no
// addresses, so the leecher's offer and the seeder's answer must be relayed by it before the
// data channel opens (ICE on loopback, no STUN). The leecher starts from a bare magnet link:
// it fetches the metadata and every piece over that channel.
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { Client as TrackerClient } from 'bittorrent-tracker';
import WebTorrent, { type Torrent } from 'webtorrent';
import { createWsTracker } from '../../src/index.js';

const PAYLOAD_BYTES = 1 << 20;
/** Bounds the whole exchange; on loopback it takes a few hundred milliseconds. */
const DEADLINE_MS = 20_000;

/** Rejects if `promise` has not settled within `ms`, or as soon as `failure` rejects. */
async function within<T>(promise: Promise<T>, failure: Promise<never>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, failure, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A WebTorrent client that finds peers through trackers only, destroyed when the test ends. */
function startClient(t: ExecutionContext, errors: (error: Error) => void): WebTorrent {
  const client = new WebTorrent({
    dht: false,
    lsd: false,
    utPex: false,
    utp: false,
    natUpnp: false,
    natPmp: false,
    webSeeds: false,
    tracker: { rtcConfig: { iceServers: [] } },
  });
  client.on('error', errors);
  t.teardown(() => new Promise<void>((resolve) => client.destroy(() => resolve())));
  return client;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

test('a WebTorrent leecher downloads a whole torrent from a WebTorrent seeder it met through aquatic_ws', async (t) => {
  const tracker = await createWsTracker({ log_level: 'off', network: { address: '127.0.0.1:0' } });
  t.teardown(() => tracker.close());
  const folder = await mkdtemp(join(tmpdir(), 'aquatic-webtorrent-'));
  t.teardown(() => rm(folder, { recursive: true, force: true }));
  // bittorrent-tracker shares one WebSocket per announce URL within a process, and the tracker
  // (like aquatic) holds one peer_id per torrent and connection: a path of its own gives each
  // client its own connection, as two browsers would have.
  const announceUrl = (name: string) => `ws://127.0.0.1:${tracker.port}/${name}`;
  let fail: (error: Error) => void = () => {};
  const failure = new Promise<never>((_, reject) => (fail = reject));
  const seeder = startClient(t, fail);
  const leecher = startClient(t, fail);

  const payload = randomBytes(PAYLOAD_BYTES);
  const seeding = await within(
    new Promise<Torrent>((resolve) => seeder.seed(payload, { announce: [announceUrl('seeder')], name: 'payload.bin', path: join(folder, 'seeder') }, resolve)),
    failure,
    DEADLINE_MS,
    'seeding',
  );
  const leeching = leecher.add(`magnet:?xt=urn:btih:${seeding.infoHash}`, { announce: [announceUrl('leecher')], path: join(folder, 'leecher') });
  leeching.on('error', fail);
  const wireTypes = new Set<string>();
  leeching.on('wire', (wire: { type: string }) => wireTypes.add(wire.type));

  await within(once(leeching, 'done'), failure, DEADLINE_MS, 'the download');
  // On 'done' the leecher sends its `completed` announce; the reply can only arrive in a later
  // turn of the event loop, so this listener is in place for it.
  const completedAnswered = once(leeching, 'trackerAnnounce');

  t.deepEqual([...wireTypes], ['webrtc']);
  t.is(leeching.files.length, 1);
  t.is(sha256(new Uint8Array(await leeching.files[0].arrayBuffer())), sha256(payload));
  t.is(leeching.downloaded, PAYLOAD_BYTES);
  t.true(seeding.uploaded >= PAYLOAD_BYTES, `the seeder uploaded ${seeding.uploaded} bytes`);
  const { offersRelayed = 0, answersRelayed = 0 } = await tracker.statistics();
  t.true(offersRelayed >= 1 && answersRelayed >= 1, `offers relayed ${offersRelayed}, answers relayed ${answersRelayed}`);

  // bittorrent-tracker's own scrape sees two seeders once the leecher's `completed` is in.
  await within(completedAnswered, failure, DEADLINE_MS, 'the reply to the `completed` announce');
  const scraped = await within(
    new Promise<{ complete: number; incomplete: number }>((resolve, reject) =>
      TrackerClient.scrape({ announce: announceUrl('scrape'), infoHash: seeding.infoHash }, (error, result) => (error ? reject(error) : resolve(result))),
    ),
    failure,
    DEADLINE_MS,
    'the scrape',
  );
  t.like(scraped, { complete: 2, incomplete: 0 });
});
