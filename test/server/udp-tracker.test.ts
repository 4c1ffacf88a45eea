// aquatic_udp through real sockets on loopback: the flows real clients use, and the
// hostile input they must survive.
import test from 'ava';
import { EVENT_COMPLETED, EVENT_STARTED, EVENT_STOPPED } from '../../src/protocol/udp/constants.js';
import { startTestTracker } from '../helpers/tracker.js';
import { UdpTestClient, infoHash } from '../helpers/udp-client.js';

async function client(t: import('ava').ExecutionContext, port: number, host = '127.0.0.1', bindHost = host) {
  const c = await UdpTestClient.open(host, port, bindHost);
  t.teardown(() => c.close());
  return c;
}

test('connect, announce and see the other peers of the swarm', async (t) => {
  const tracker = await startTestTracker(t, { protocol: { peer_announce_interval: 1234 } });
  const c = await client(t, tracker.port);
  await c.connect();
  const hash = infoHash(1);
  const first = await c.announce({ infoHash: hash, port: 6001, event: EVENT_STARTED });
  t.like(first, { action: 1, interval: 1234, seeders: 0, leechers: 1, peers: [] });
  const second = await c.announce({ infoHash: hash, port: 6002, left: 0, event: EVENT_STARTED });
  t.like(second, { action: 1, seeders: 1, leechers: 1 });
  t.deepEqual(second.action === 1 ? second.peers : null, [{ ip: '127.0.0.1', port: 6001 }]);
  // A re-announce does not duplicate the peer or return it to itself.
  const again = await c.announce({ infoHash: hash, port: 6001 });
  t.deepEqual(again.action === 1 ? again.peers : null, [{ ip: '127.0.0.1', port: 6002 }]);
  t.like(again, { seeders: 1, leechers: 1 });
});

test('the IP field of an announce is ignored: the source address is used', async (t) => {
  const tracker = await startTestTracker(t);
  const c = await client(t, tracker.port);
  await c.connect();
  const hash = infoHash(2);
  const id = c.transactionId();
  const bytes = c.announceBytes({ infoHash: hash, port: 7000 }, id);
  new DataView(bytes.buffer).setUint32(84, 0x08080808); // claims 8.8.8.8
  c.send(bytes);
  await c.reply(id);
  const seen = await c.announce({ infoHash: hash, port: 7001 });
  t.deepEqual(seen.action === 1 ? seen.peers : null, [{ ip: '127.0.0.1', port: 7000 }]);
});

test('completed is counted in scrape once per peer; stopped removes the peer', async (t) => {
  const tracker = await startTestTracker(t);
  const c = await client(t, tracker.port);
  await c.connect();
  const hash = infoHash(3);
  await c.announce({ infoHash: hash, port: 6001, event: EVENT_STARTED });
  await c.announce({ infoHash: hash, port: 6002, event: EVENT_STARTED });
  await c.announce({ infoHash: hash, port: 6001, left: 0, event: EVENT_COMPLETED });
  await c.announce({ infoHash: hash, port: 6001, left: 0, event: EVENT_COMPLETED }); // a repeat
  t.like(await c.scrape([hash]), { action: 2, torrents: [{ seeders: 1, completed: 1, leechers: 1 }] });
  const stopped = await c.announce({ infoHash: hash, port: 6002, event: EVENT_STOPPED });
  t.like(stopped, { seeders: 1, leechers: 0, peers: [] });
  const after = await c.announce({ infoHash: hash, port: 6003 });
  t.deepEqual(after.action === 1 ? after.peers : null, [{ ip: '127.0.0.1', port: 6001 }]);
});

test('numwant: <= 0 means max_response_peers, larger values are capped', async (t) => {
  const tracker = await startTestTracker(t, { protocol: { max_response_peers: 20 } });
  const c = await client(t, tracker.port);
  await c.connect();
  const hash = infoHash(4);
  for (let port = 1; port <= 40; port++) await c.announce({ infoHash: hash, port });
  const count = async (numWant: number) => {
    const r = await c.announce({ infoHash: hash, port: 41, numWant });
    return r.action === 1 ? r.peers.length : -1;
  };
  t.is(await count(-1), 20);
  t.is(await count(0), 20);
  t.is(await count(7), 7);
  t.is(await count(1000), 20);
  const peers = await c.announce({ infoHash: hash, port: 41, numWant: 20 });
  t.is(new Set(peers.action === 1 ? peers.peers.map((p) => p.port) : []).size, 20, 'distinct peers');
});

test('scrape: unknown hashes are zeros, order kept, beyond max_scrape_torrents ignored', async (t) => {
  const tracker = await startTestTracker(t, { protocol: { max_scrape_torrents: 5 } });
  const c = await client(t, tracker.port);
  await c.connect();
  await c.announce({ infoHash: infoHash(10), port: 1, left: 0 });
  await c.announce({ infoHash: infoHash(12), port: 1 });
  const hashes = Array.from({ length: 8 }, (_, i) => infoHash(10 + i));
  const reply = await c.scrape(hashes);
  t.is(reply.action, 2);
  const torrents = reply.action === 2 ? reply.torrents : [];
  t.is(torrents.length, 5);
  t.deepEqual(torrents[0], { seeders: 1, completed: 0, leechers: 0 });
  t.deepEqual(torrents[1], { seeders: 0, completed: 0, leechers: 0 });
  t.deepEqual(torrents[2], { seeders: 0, completed: 0, leechers: 1 });
});

test('a full scrape (no hashes) gets an error reply', async (t) => {
  const tracker = await startTestTracker(t);
  const c = await client(t, tracker.port);
  await c.connect();
  t.like(await c.scrape([]), { action: 3, message: 'Full scrapes are not allowed' });
});

test('port 0 gets an error reply; BEP 41 options after the announce are tolerated', async (t) => {
  const tracker = await startTestTracker(t);
  const c = await client(t, tracker.port);
  await c.connect();
  t.like(await c.announce({ infoHash: infoHash(5), port: 0 }), { action: 3, message: "Port can't be 0" });
  const withOptions = await c.announce({ infoHash: infoHash(5), port: 1, trailer: Uint8Array.from([2, 3, 0x2f, 0x61, 0x62, 1, 0]) });
  t.is(withOptions.action, 1);
});

test('requests with a bad connection ID get no reply at all', async (t) => {
  const tracker = await startTestTracker(t);
  const c = await client(t, tracker.port);
  const { high, low } = await c.connect();
  const forged = { high, low: (low ^ 1) >>> 0 };
  const announce = c.announceBytes({ infoHash: infoHash(6), port: 1, connectionId: forged }, 99);
  t.deepEqual(await c.repliesBeforeConnect(announce), []);
  // An identifiable but invalid request is only answered with a valid ID.
  const portZero = c.announceBytes({ infoHash: infoHash(6), port: 0, connectionId: forged }, 98);
  t.deepEqual(await c.repliesBeforeConnect(portZero), []);
  t.is(tracker.handler.counters.badConnectionId, 2);
  t.is(tracker.store.torrentCount, 0);
});

test('a connection ID issued to one address is refused from another', async (t) => {
  const tracker = await startTestTracker(t);
  const a = await client(t, tracker.port, '127.0.0.1');
  const b = await client(t, tracker.port, '127.0.0.1', '127.0.0.2');
  const id = await a.connect();
  const stolen = b.announceBytes({ infoHash: infoHash(7), port: 1, connectionId: id }, 77);
  t.deepEqual(await b.repliesBeforeConnect(stolen), []);
  t.is((await a.announce({ infoHash: infoHash(7), port: 1 })).action, 1, 'the owner can still use it');
});

test('garbage, truncated and oversized datagrams do not stop the server', async (t) => {
  const tracker = await startTestTracker(t);
  const c = await client(t, tracker.port);
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 255;
  for (let i = 0; i < 300; i++) {
    const length = i === 0 ? 0 : i === 1 ? 4000 : random() * 2 + (i % 120);
    const bytes = new Uint8Array(length);
    for (let j = 0; j < length; j++) bytes[j] = random();
    c.send(bytes);
  }
  await c.connect(); // answered after all of the above
  const r = await c.announce({ infoHash: infoHash(8), port: 9 });
  t.is(r.action, 1);
  t.is(tracker.handler.counters.internalErrors, 0);
});

test('IPv6: on ::1 announce replies carry 18-byte peers', async (t) => {
  const tracker = await startTestTracker(t, {}, '::1');
  const c = await client(t, tracker.port, '::1');
  await c.connect();
  const hash = infoHash(9);
  await c.announce({ infoHash: hash, port: 6881 });
  const reply = await c.announce({ infoHash: hash, port: 6882 });
  t.deepEqual(reply.action === 1 ? reply.peers : null, [{ ip: '::1', port: 6881 }]);
  t.is(tracker.store.ipv6.peers, 2);
  t.is(tracker.store.ipv4.peers, 0);
});

test('interval_jitter spreads the announce interval over [interval, interval + jitter]', async (t) => {
  const tracker = await startTestTracker(t, { protocol: { peer_announce_interval: 100, interval_jitter: 20 } });
  const c = await client(t, tracker.port);
  await c.connect();
  const intervals = new Set<number>();
  for (let n = 0; n < 60; n++) {
    const reply = await c.announce({ infoHash: infoHash(30), port: 1 });
    if (reply.action === 1) intervals.add(reply.interval);
  }
  t.true([...intervals].every((i) => i >= 100 && i <= 120));
  t.true(intervals.size > 5, `only ${intervals.size} distinct intervals`);
});
