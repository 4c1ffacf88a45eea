// Cluster sync costs nothing when off (the Redis client is never loaded), and when on never
// holds a node back: it starts and serves with Redis down, says so once, and syncs once
// Redis appears.
import { createRequire } from 'node:module';
import { sep } from 'node:path';
import test from 'ava';
import { startSingleThreadHttpTracker } from '../../src/server/http/tracker.js';
import { startSingleThreadUdpTracker } from '../../src/server/udp/tracker.js';
import { Logger } from '../../src/util/log.js';
import { pollUntil } from '../helpers/poll.js';
import { RedisServer, redisTest } from '../helpers/redis.js';
import { httpConfig, quietLog, udpConfig } from '../helpers/tracker.js';
import { UdpTestClient, infoHash } from '../helpers/udp-client.js';

// ioredis is CommonJS: once imported, its files are in the CommonJS module cache.
const redisClientLoaded = () => Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes(`${sep}ioredis${sep}`));

test.serial('with [cluster] off the Redis client is never loaded and the store has no listener', async (t) => {
  const udp = await startSingleThreadUdpTracker(udpConfig(), quietLog);
  t.teardown(() => udp.close());
  const http = await startSingleThreadHttpTracker(httpConfig(), quietLog);
  t.teardown(() => http.close());
  const client = await UdpTestClient.open('127.0.0.1', udp.port);
  t.teardown(() => client.close());
  await client.connect();
  await client.announce({ infoHash: infoHash(1), port: 1 });
  t.is(udp.cluster, null);
  t.is(http.cluster, null);
  t.is(udp.store.changes, null);
  t.false(redisClientLoaded());
});

redisTest('with Redis down at start a node serves, warns once, counts failed rounds, and syncs once Redis is up', async (t) => {
  const redis = await RedisServer.unstarted();
  t.teardown(() => redis.stop());
  const lines: string[] = [];
  const log = new Logger('warn', 'node', { write: (line) => lines.push(line) });
  const tracker = await startSingleThreadUdpTracker(udpConfig({ cluster: { enabled: true, redis_url: redis.url, sync_interval_ms: 20 } }), log);
  t.teardown(() => tracker.close());
  t.true(redisClientLoaded());
  const client = await UdpTestClient.open('127.0.0.1', tracker.port);
  t.teardown(() => client.close());
  await client.connect();
  const reply = await client.announce({ infoHash: infoHash(2), port: 7001 });
  t.is(reply.action, 1);
  await pollUntil('a few failed rounds', () => (tracker.cluster!.values()['clusterFailures']! >= 5 ? true : undefined));
  t.is(lines.filter((line) => line.includes('unavailable')).length, 1, lines.join(''));
  t.regex(lines[0]!, /WARN .*Redis redis:\/\/127\.0\.0\.1:\d+\/? unavailable .*serving from local swarms/);

  await redis.restart();
  await pollUntil('the queued update published', () => (tracker.cluster!.values()['clusterPublished']! >= 1 ? true : undefined));
  t.is(tracker.cluster!.values()['clusterConnected'], 1);
  t.is(tracker.cluster!.values()['clusterQueued'], 0);
});
