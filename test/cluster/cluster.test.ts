// Several tracker nodes sharing swarms through a real redis-server: a UDP node and an HTTP
// node (and a node with swarm worker threads) in this process, one Redis started for each
// test on a free loopback port. Every wait polls with a deadline.
import type { ExecutionContext } from 'ava';
import { ACTION_ANNOUNCE, ACTION_SCRAPE, EVENT_COMPLETED } from '../../src/protocol/udp/constants.js';
import type { BencodeValue } from '../../src/protocol/http/bencode.js';
import { type SingleThreadHttpTracker, startSingleThreadHttpTracker } from '../../src/server/http/tracker.js';
import { type SingleThreadUdpTracker, type UdpTracker, startSingleThreadUdpTracker, startUdpTracker } from '../../src/server/udp/tracker.js';
import { loadNativeBinding } from '../../src/transport/udp/binding.js';
import { encodeBytes, getBencoded } from '../helpers/http-client.js';
import { pollUntil } from '../helpers/poll.js';
import { type RedisServer, redisTest, startRedis } from '../helpers/redis.js';
import { httpConfig, quietLog, udpConfig } from '../helpers/tracker.js';
import { UdpTestClient, infoHash } from '../helpers/udp-client.js';

const SYNC_MS = 50;
/** Peers reach the other node within about two rounds; the deadline leaves room for a busy machine. */
const SYNC_DEADLINE_MS = 8000;

const cluster = (redis: RedisServer, nodeId: string) => ({
  enabled: true,
  redis_url: redis.url,
  node_id: nodeId,
  sync_interval_ms: SYNC_MS,
});

async function udpNode(t: ExecutionContext, redis: RedisServer, nodeId: string, host = '127.0.0.1'): Promise<SingleThreadUdpTracker> {
  const tracker = await startSingleThreadUdpTracker(udpConfig({ cluster: cluster(redis, nodeId) }, host), quietLog);
  t.teardown(() => tracker.close());
  return tracker;
}

async function httpNode(t: ExecutionContext, redis: RedisServer, nodeId: string, host = '127.0.0.1'): Promise<SingleThreadHttpTracker> {
  const tracker = await startSingleThreadHttpTracker(httpConfig({ cluster: cluster(redis, nodeId) }, host), quietLog);
  t.teardown(() => tracker.close());
  return tracker;
}

async function udpClient(t: ExecutionContext, tracker: UdpTracker, host = '127.0.0.1'): Promise<UdpTestClient> {
  const client = await UdpTestClient.open(host, tracker.port);
  t.teardown(() => client.close());
  await client.connect();
  return client;
}

/** Announces over UDP; the ports of the peers in the reply. */
async function udpAnnounce(client: UdpTestClient, hash: Uint8Array, port: number, left = 1000, event = 0): Promise<number[]> {
  const reply = await client.announce({ infoHash: hash, port, left, event });
  if (reply.action !== ACTION_ANNOUNCE) throw new Error(`announce answered with action ${reply.action}`);
  return reply.peers.map((peer) => peer.port);
}

async function udpCompleted(client: UdpTestClient, hash: Uint8Array): Promise<number> {
  const reply = await client.scrape([hash]);
  if (reply.action !== ACTION_SCRAPE) throw new Error(`scrape answered with action ${reply.action}`);
  return reply.torrents[0]!.completed;
}

const httpBase = (tracker: SingleThreadHttpTracker) => `http://127.0.0.1:${tracker.port}`;

/** Announces over HTTP; the ports of the compact IPv4 peers in the reply. */
async function httpAnnounce(tracker: SingleThreadHttpTracker, hash: Uint8Array, port: number, extra = '&left=1000'): Promise<number[]> {
  const peerId = encodeBytes(Buffer.from(`-AQ0001-${String(port).padStart(12, '0')}`));
  const reply = await getBencoded(`${httpBase(tracker)}/announce?info_hash=${encodeBytes(hash)}&peer_id=${peerId}&port=${port}&uploaded=0&downloaded=0${extra}`);
  const peers = Buffer.from(reply.get('peers') as Uint8Array);
  const ports: number[] = [];
  for (let at = 0; at + 6 <= peers.length; at += 6) ports.push(peers.readUInt16BE(at + 4));
  return ports;
}

async function httpCompleted(tracker: SingleThreadHttpTracker, hash: Uint8Array): Promise<number> {
  const reply = await getBencoded(`${httpBase(tracker)}/scrape?info_hash=${encodeBytes(hash)}`);
  const files = reply.get('files') as Map<string, BencodeValue>;
  const entry = files.get(Buffer.from(hash).toString('latin1')) as Map<string, BencodeValue>;
  return entry.get('downloaded') as number;
}

const whenIncludes = (ports: number[], port: number) => (ports.includes(port) ? ports : undefined);

redisTest('a peer announced over UDP to node A is in node B’s HTTP announce replies, and back', async (t) => {
  const redis = await startRedis(t);
  const a = await udpNode(t, redis, 'a');
  const b = await httpNode(t, redis, 'b');
  const client = await udpClient(t, a);
  const hash = infoHash(101);
  t.deepEqual(await udpAnnounce(client, hash, 1111), []);
  // B has never seen the torrent: its first announce creates it there, and B reads the
  // torrent's peers from Redis in the next rounds.
  const onB = await pollUntil('A’s peer in B’s reply', async () => whenIncludes(await httpAnnounce(b, hash, 2222), 1111), SYNC_DEADLINE_MS);
  t.deepEqual(onB, [1111]);
  const onA = await pollUntil('B’s peer in A’s reply', async () => whenIncludes(await udpAnnounce(client, hash, 1111), 2222), SYNC_DEADLINE_MS);
  t.deepEqual(onA, [2222]);
  // A peer that stops on A leaves B too.
  await client.announce({ infoHash: hash, port: 1111, event: 3 });
  await pollUntil('the stopped peer gone from B', async () => ((await httpAnnounce(b, hash, 2222)).includes(1111) ? undefined : true), SYNC_DEADLINE_MS);
  t.is(a.cluster!.values()['clusterConnected'], 1);
  t.true(b.cluster!.values()['clusterMerged']! >= 2);
  t.is(a.cluster!.values()['clusterNodes'], 2);
});

redisTest('completed downloads are counted once in Redis and every node reports the same number', async (t) => {
  const redis = await startRedis(t);
  const a = await udpNode(t, redis, 'a');
  const b = await httpNode(t, redis, 'b');
  const client = await udpClient(t, a);
  const hash = infoHash(102);
  await udpAnnounce(client, hash, 3001);
  await httpAnnounce(b, hash, 3002);
  await udpAnnounce(client, hash, 3001, 0, EVENT_COMPLETED);
  await httpAnnounce(b, hash, 3002, '&left=0&event=completed');
  await pollUntil('both downloads on A', async () => ((await udpCompleted(client, hash)) === 2 ? true : undefined), SYNC_DEADLINE_MS);
  await pollUntil('both downloads on B', async () => ((await httpCompleted(b, hash)) === 2 ? true : undefined), SYNC_DEADLINE_MS);
  // A completed peer that announces completed again on the other node is not counted twice.
  await pollUntil('A’s seeder known to B', async () => whenIncludes(await httpAnnounce(b, hash, 3003), 3001), SYNC_DEADLINE_MS);
  t.is(await udpCompleted(client, hash), 2);
  t.is(await httpCompleted(b, hash), 2);
});

redisTest('with Redis stopped both nodes keep answering; once it is back, sync resumes', async (t) => {
  const redis = await startRedis(t);
  const a = await udpNode(t, redis, 'a');
  const b = await httpNode(t, redis, 'b');
  const client = await udpClient(t, a);
  const hash = infoHash(103);
  await udpAnnounce(client, hash, 4001);
  await pollUntil('A’s first peer on B', async () => whenIncludes(await httpAnnounce(b, hash, 4002), 4001), SYNC_DEADLINE_MS);
  await pollUntil('B’s first peer on A', async () => whenIncludes(await udpAnnounce(client, hash, 4001), 4002), SYNC_DEADLINE_MS);

  await redis.stop();
  await pollUntil('failed rounds counted on A', () => (a.cluster!.values()['clusterFailures']! > 0 ? true : undefined), SYNC_DEADLINE_MS);
  await pollUntil('failed rounds counted on B', () => (b.cluster!.values()['clusterFailures']! > 0 ? true : undefined), SYNC_DEADLINE_MS);
  // Both answer from their own swarms (B still knows A's peer); this one waits in A's outbox.
  t.deepEqual((await udpAnnounce(client, hash, 4003)).sort(), [4001, 4002]);
  t.deepEqual(await httpAnnounce(b, hash, 4002), [4001]);
  t.is(a.cluster!.values()['clusterConnected'], 0);
  t.true(a.cluster!.values()['clusterQueued']! >= 1);

  await redis.restart();
  await pollUntil('the peer announced during the outage on B', async () => whenIncludes(await httpAnnounce(b, hash, 4002), 4003), SYNC_DEADLINE_MS);
  const hashAfter = infoHash(104);
  await udpAnnounce(client, hashAfter, 4004);
  await pollUntil('a new torrent’s peer on B', async () => whenIncludes(await httpAnnounce(b, hashAfter, 4005), 4004), SYNC_DEADLINE_MS);
  t.is(a.cluster!.values()['clusterConnected'], 1);
});

redisTest('IPv6 peers travel as 18-byte compact peers into peers6', async (t) => {
  const redis = await startRedis(t);
  const a = await udpNode(t, redis, 'a6', '::1');
  const b = await httpNode(t, redis, 'b6', '::1');
  const client = await udpClient(t, a, '::1');
  const hash = infoHash(107);
  await udpAnnounce(client, hash, 6001);
  const peerId = encodeBytes(Buffer.from('-AQ0001-000000006002'));
  const peers6 = await pollUntil('A’s IPv6 peer in B’s peers6', async () => {
    const reply = await getBencoded(`http://[::1]:${b.port}/announce?info_hash=${encodeBytes(hash)}&peer_id=${peerId}&port=6002&left=5`);
    const bytes = Buffer.from(reply.get('peers6') as Uint8Array);
    return bytes.length === 18 ? bytes : undefined;
  }, SYNC_DEADLINE_MS);
  t.is(peers6.toString('hex'), '00000000000000000000000000000001' + (6001).toString(16).padStart(4, '0'));
  t.deepEqual(await pollUntil('B’s IPv6 peer on A', async () => whenIncludes(await udpAnnounce(client, hash, 6001), 6002), SYNC_DEADLINE_MS), [6002]);
});

const nativeLoaded = loadNativeBinding().binding !== null;
redisTest('a node with swarm worker threads shares its shards’ swarms', async (t) => {
  if (!nativeLoaded) {
    t.log('worker threads need the native addon, which did not load here: checking the single-thread fallback instead');
  }
  const redis = await startRedis(t);
  const pool = await startUdpTracker(udpConfig({ log_level: 'warn', swarm_workers: 2, cluster: cluster(redis, 'pool') }), quietLog);
  t.teardown(() => pool.close());
  const b = await httpNode(t, redis, 'b');
  const client = await udpClient(t, pool);
  // Hashes whose first bytes differ in parity land on different shards.
  const hashes = [infoHash(105), infoHash(106)];
  t.not(hashes[0]![0]! % 2, hashes[1]![0]! % 2);
  for (const hash of hashes) await udpAnnounce(client, hash, 5001);
  for (const hash of hashes) {
    await pollUntil('a shard’s peer on B', async () => whenIncludes(await httpAnnounce(b, hash, 5002), 5001), SYNC_DEADLINE_MS);
    await pollUntil('B’s peer in the shard', async () => whenIncludes(await udpAnnounce(client, hash, 5001), 5002), SYNC_DEADLINE_MS);
  }
  t.pass();
});
