// The multi-threaded tracker (socket workers + swarm shards) gives the same answers as the
// single-thread one, across sockets and across shards.
import test from 'ava';
import { EVENT_COMPLETED, EVENT_STARTED, EVENT_STOPPED } from '../../src/protocol/udp/constants.js';
import { type UdpTracker, startUdpTracker } from '../../src/server/udp/tracker.js';
import { loadNativeBinding } from '../../src/transport/udp/binding.js';
import { quietLog, udpConfig } from '../helpers/tracker.js';
import { UdpTestClient, infoHash } from '../helpers/udp-client.js';

const { binding, reason } = loadNativeBinding();
const nativeTest = binding === null ? test.skip : test.serial;
if (binding === null) test('worker pool tests need the native addon', (t) => t.log(`skipped: ${reason}`) ?? t.pass());

async function pool(t: import('ava').ExecutionContext, sockets: number, shards: number): Promise<UdpTracker> {
  const tracker = await startUdpTracker(udpConfig({ socket_workers: sockets, swarm_workers: shards }), quietLog);
  t.teardown(() => tracker.close());
  return tracker;
}

/** A fixed conversation; returns every decoded reply (transaction IDs included). */
async function conversation(t: import('ava').ExecutionContext, port: number): Promise<unknown[]> {
  const clients = await Promise.all(['127.0.0.1', '127.0.0.2', '127.0.0.3'].map((bind) => UdpTestClient.open('127.0.0.1', port, bind)));
  t.teardown(() => clients.forEach((c) => c.close()));
  const replies: unknown[] = [];
  for (const c of clients) await c.connect();
  // Hashes 0..7 spread over both shards (first byte = seed * 31).
  for (let round = 0; round < 3; round++) {
    for (const [n, c] of clients.entries()) {
      for (let h = 0; h < 8; h++) {
        const event = round === 0 ? EVENT_STARTED : round === 2 && n === 0 ? EVENT_COMPLETED : 0;
        replies.push(await c.announce({ infoHash: infoHash(h), port: 1000 + n, left: round === 2 && n === 0 ? 0 : 10, event }));
      }
    }
  }
  replies.push(await clients[1]!.announce({ infoHash: infoHash(3), port: 1001, event: EVENT_STOPPED }));
  replies.push(await clients[2]!.scrape(Array.from({ length: 12 }, (_, h) => infoHash(h))));
  replies.push(await clients[2]!.scrape([infoHash(5)]));
  replies.push(await clients[0]!.scrape([]));
  return replies.map((r) => JSON.parse(JSON.stringify(r)) as unknown);
}

nativeTest('2 socket workers x 2 swarm workers answer exactly like one thread', async (t) => {
  const single = await startUdpTracker(udpConfig(), quietLog);
  t.teardown(() => single.close());
  const expected = await conversation(t, single.port);
  const multi = await pool(t, 2, 2);
  const actual = await conversation(t, multi.port);
  t.deepEqual(actual, expected);
  // The scrape over 12 hashes was split over both shards and merged back in order.
  const scrape = actual.at(-3) as { torrents: { leechers: number; seeders: number; completed: number }[] };
  t.is(scrape.torrents.length, 12);
  t.deepEqual(scrape.torrents[0], { seeders: 1, completed: 1, leechers: 2 });
  t.deepEqual(scrape.torrents[3], { seeders: 1, completed: 1, leechers: 1 });
  t.deepEqual(scrape.torrents[9], { seeders: 0, completed: 0, leechers: 0 });
});

nativeTest('a single socket worker with four shards, and four sockets with one shard', async (t) => {
  for (const [sockets, shards] of [[1, 4], [4, 1]] as const) {
    const tracker = await pool(t, sockets, shards);
    const c = await UdpTestClient.open('127.0.0.1', tracker.port);
    t.teardown(() => c.close());
    await c.connect();
    await c.announce({ infoHash: infoHash(1), port: 1 });
    const second = await c.announce({ infoHash: infoHash(1), port: 2 });
    t.deepEqual(second.action === 1 ? second.peers : null, [{ ip: '127.0.0.1', port: 1 }]);
    await tracker.close();
  }
});

nativeTest('socket workers drop bad connection IDs without a reply', async (t) => {
  const tracker = await pool(t, 2, 2);
  const c = await UdpTestClient.open('127.0.0.1', tracker.port);
  t.teardown(() => c.close());
  const { high, low } = await c.connect();
  const forged = c.announceBytes({ infoHash: infoHash(1), port: 1, connectionId: { high, low: (low ^ 0x80) >>> 0 } }, 500);
  t.deepEqual(await c.repliesBeforeConnect(forged), []);
  t.like(await c.announce({ infoHash: infoHash(1), port: 0 }), { action: 3, message: "Port can't be 0" });
});

nativeTest('close stops every worker and frees the port', async (t) => {
  const tracker = await pool(t, 2, 2);
  await tracker.close();
  const again = await startUdpTracker(udpConfig({ network: { address: `127.0.0.1:${tracker.port}` } }), quietLog);
  t.is(again.port, tracker.port);
  await again.close();
});
