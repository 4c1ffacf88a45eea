// Cluster sync measured against a real redis-server (npm run bench:cluster):
//  1. sync latency: two aquatic_udp processes share one Redis; a peer announces to node A
//     and node B's replies are polled (every 2 ms) until they hold it. Two cases: both
//     nodes already serve the torrent (the update stream), and B meets the torrent only
//     now (its snapshot).
//  2. Redis memory per peer: INFO memory before and after a node published N peers, with
//     few large swarms and many small ones, with and without the update stream.
// Environment: SAMPLES (default 30), SYNC_INTERVALS (ms, default "1000 100"), PEERS (100000).
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { startSingleThreadUdpTracker } from '../../src/server/udp/tracker.js';
import { ACTION_ANNOUNCE } from '../../src/protocol/udp/constants.js';
import { pollUntil } from '../helpers/poll.js';
import { RedisServer, freePort } from '../helpers/redis-server.js';
import { startBin, waitForStderr } from '../helpers/spawn.js';
import { quietLog, udpConfig } from '../helpers/tracker.js';
import { UdpTestClient } from '../helpers/udp-client.js';

const SAMPLES = Number(process.env['SAMPLES'] ?? 30);
const SYNC_INTERVALS = (process.env['SYNC_INTERVALS'] ?? '1000 100').split(/\s+/).map(Number);
const PEERS = Number(process.env['PEERS'] ?? 100_000);

/** Distinct info hashes for any number of torrents (the test helper's repeat every 256). */
function torrentHash(k: number): Uint8Array {
  const hash = new Uint8Array(20).fill(0xa5);
  new DataView(hash.buffer).setUint32(0, k);
  return hash;
}

async function startNode(redis: RedisServer, nodeId: string, syncMs: number): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = startBin('aquatic_udp', [], {
    AQUATIC_NETWORK__ADDRESS: `127.0.0.1:${port}`,
    AQUATIC_LOG_LEVEL: 'info',
    AQUATIC_CLUSTER__ENABLED: 'true',
    AQUATIC_CLUSTER__REDIS_URL: redis.url,
    AQUATIC_CLUSTER__NODE_ID: nodeId,
    AQUATIC_CLUSTER__SYNC_INTERVAL_MS: String(syncMs),
  });
  child.stdout!.resume();
  await waitForStderr(child, /sharing swarms through Redis/);
  return { child, port };
}

async function ports(client: UdpTestClient, hash: Uint8Array, port: number): Promise<number[]> {
  const reply = await client.announce({ infoHash: hash, port });
  if (reply.action !== ACTION_ANNOUNCE) throw new Error(`announce answered with action ${reply.action}`);
  return reply.peers.map((peer) => peer.port);
}

/** Milliseconds from A's reply to the announce of `peer` until B's replies hold it. */
async function latency(a: UdpTestClient, b: UdpTestClient, hash: Uint8Array, peer: number, bPeer: number): Promise<number> {
  await ports(a, hash, peer);
  const start = performance.now();
  await pollUntil('the peer on B', async () => ((await ports(b, hash, bPeer)).includes(peer) ? true : undefined), 30_000, 2);
  return performance.now() - start;
}

function summary(values: number[]): string {
  const sorted = [...values].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(0);
  return `median ${at(0.5)} ms, p90 ${at(0.9)} ms, min ${sorted[0]!.toFixed(0)} ms, max ${sorted[sorted.length - 1]!.toFixed(0)} ms (${sorted.length} samples)`;
}

async function measureLatency(syncMs: number): Promise<void> {
  const redis = await RedisServer.start();
  const inspect = new Redis(redis.url);
  const nodes = [await startNode(redis, 'a', syncMs), await startNode(redis, 'b', syncMs)];
  const [a, b] = await Promise.all(nodes.map((node) => UdpTestClient.open('127.0.0.1', node.port)));
  try {
    await a!.connect();
    await b!.connect();
    const stream: number[] = [];
    const snapshot: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      // Both serve the torrent (and know each other's first peer): the new peer comes through the stream.
      const shared = torrentHash(10_000 + i);
      await ports(b!, shared, 2000);
      await pollUntil('the torrent shared', async () => ((await ports(a!, shared, 3000)).includes(2000) ? true : undefined), 30_000, 2);
      stream.push(await latency(a!, b!, shared, 4000 + i, 2000));
      // B meets a torrent that A published earlier: from B's first announce until B's
      // replies hold A's peer (B reads the torrent's sorted set).
      const fresh = torrentHash(20_000 + i);
      await ports(a!, fresh, 5000);
      const key = `aquatic:peers:${Buffer.from(fresh).toString('hex')}`;
      await pollUntil('A’s peer in Redis', async () => ((await inspect.exists(key)) === 1 ? true : undefined), 30_000, 2);
      const start = performance.now();
      await pollUntil('A’s peer on B', async () => ((await ports(b!, fresh, 6000)).includes(5000) ? true : undefined), 30_000, 2);
      snapshot.push(performance.now() - start);
    }
    console.log(`sync_interval_ms ${syncMs}: new peer of a torrent both nodes serve: ${summary(stream)}`);
    console.log(`sync_interval_ms ${syncMs}: torrent new to a node, its peers from Redis: ${summary(snapshot)}`);
  } finally {
    a!.close();
    b!.close();
    inspect.disconnect();
    for (const node of nodes) node.child.kill('SIGTERM');
    await redis.stop();
  }
}

function usedMemory(info: string): number {
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

/** Announces `peers` peers spread over `torrents` torrents to one node and reads Redis's memory. */
async function measureMemory(torrents: number, peers: number): Promise<void> {
  const redis = await RedisServer.start();
  const client = new Redis(redis.url);
  const tracker = await startSingleThreadUdpTracker(
    udpConfig({ cluster: { enabled: true, redis_url: redis.url, node_id: 'memory', sync_interval_ms: 100, max_queued_updates: peers } }),
    quietLog,
  );
  const udp = await UdpTestClient.open('127.0.0.1', tracker.port);
  try {
    await pollUntil('the node connected', () => (tracker.cluster!.values()['clusterConnected'] === 1 ? true : undefined), 10_000);
    const before = usedMemory(await client.info('memory'));
    await udp.connect();
    const hashes = Array.from({ length: torrents }, (_, k) => torrentHash(100_000 + k));
    const WINDOW = 64;
    for (let start = 0; start < peers; start += WINDOW) {
      const ids: number[] = [];
      for (let p = start; p < Math.min(peers, start + WINDOW); p++) {
        const id = udp.transactionId();
        // Peer p: torrent p % torrents, port 1 + p / torrents (distinct within its torrent).
        udp.send(udp.announceBytes({ infoHash: hashes[p % torrents]!, port: 1 + Math.floor(p / torrents), left: p % 4 === 0 ? 0 : 1000 }, id));
        ids.push(id);
      }
      for (const id of ids) await udp.reply(id);
    }
    await pollUntil('every peer published', () => {
      const values = tracker.cluster!.values();
      return values['clusterPublished']! >= peers && values['clusterQueued'] === 0 ? true : undefined;
    }, 60_000);
    const withStream = usedMemory(await client.info('memory'));
    await client.del('aquatic:updates');
    const setsOnly = usedMemory(await client.info('memory'));
    const perPeer = (bytes: number) => (bytes / peers).toFixed(1);
    console.log(
      `${peers} peers in ${torrents} torrents (${peers / torrents} per torrent): ` +
        `${perPeer(setsOnly - before)} bytes/peer in the sorted sets, ${perPeer(withStream - before)} with the update stream still holding them ` +
        `(used_memory ${before} -> ${withStream} -> ${setsOnly} after DEL updates)`,
    );
  } finally {
    udp.close();
    await tracker.close();
    client.disconnect();
    await redis.stop();
  }
}

for (const syncMs of SYNC_INTERVALS) await measureLatency(syncMs);
await measureMemory(PEERS / 10, PEERS); // 10 peers per torrent: small sets (listpack)
await measureMemory(PEERS / 1000, PEERS); // 1000 per torrent: large sets (skiplist)
