// The request-path half of cluster sync, without Redis: which announces become updates,
// the bound on queued updates (oldest dropped and counted) and pending completions.
import test from 'ava';
import { ClusterOutbox, RECORD_FLAGS, RECORD_PEER, RECORD_SIZE, RECORD_VALID_UNTIL } from '../../src/cluster/outbox.js';
import { FLAG_COMPLETED, FLAG_IPV6, hex, liveScoreFloor, readScore, scoreOf } from '../../src/cluster/records.js';
import { PeerState } from '../../src/swarm/swarm.js';
import { AnnounceEvent, type AnnounceResult, TorrentStore } from '../../src/swarm/torrents.js';

const hashView = (seed: number) => new DataView(new Uint8Array(20).fill(seed).buffer);
const keyOf = (port: number) => 0x7f000001 * 65536 + port;

function storeWithOutbox(capacity = 1000, period = 64) {
  const store = new TorrentStore();
  const outbox = new ClusterOutbox(capacity, period);
  store.changes = outbox;
  const result: AnnounceResult = { peers: 0, seeders: 0, leechers: 0 };
  const out = new Uint8Array(600);
  const announce = (seed: number, port: number, left: number, event: number, validUntil: number) =>
    store.announce(store.ipv4, hashView(seed), 0, keyOf(port), left, event, validUntil, 50, out, 0, result);
  return { store, outbox, announce };
}

test('new peers, state changes, completions and stops are queued; repeats within a refresh period are not', (t) => {
  const { outbox, announce } = storeWithOutbox(1000, 64);
  announce(1, 6881, 100, AnnounceEvent.STARTED, 1000);
  // The same state again within the period (same second: periods start at a random phase per peer).
  announce(1, 6881, 100, AnnounceEvent.NONE, 1000);
  announce(1, 6881, 100, AnnounceEvent.NONE, 1000);
  announce(1, 6881, 0, AnnounceEvent.COMPLETED, 1031); // became a seeder, counted a download
  announce(1, 6881, 0, AnnounceEvent.STOPPED, 1032);
  const taken = outbox.take();
  t.is(taken.count, 3);
  t.deepEqual(taken.created, [hex(new Uint8Array(20).fill(1), 0)]);
  const view = new DataView(taken.records.buffer);
  const flags = [0, 1, 2].map((r) => taken.records[r * RECORD_SIZE + RECORD_FLAGS]!);
  t.deepEqual(flags, [PeerState.LEECHER, PeerState.SEEDER | FLAG_COMPLETED, PeerState.ABSENT]);
  t.deepEqual([0, 1, 2].map((r) => view.getUint32(r * RECORD_SIZE + RECORD_VALID_UNTIL)), [1000, 1031, 1032]);
  t.is(Buffer.from(taken.records.subarray(RECORD_PEER, RECORD_PEER + 6)).toString('hex'), '7f0000011ae1');
  t.is(outbox.take().count, 0, 'take empties the queue');
});

test('an unchanged peer is published again once per refresh period', (t) => {
  const { outbox, announce } = storeWithOutbox(1000, 8);
  for (let second = 0; second < 80; second++) announce(1, 6881, 100, AnnounceEvent.NONE, 5000 + second);
  const published = outbox.take().count;
  t.true(published >= 10 && published <= 11, `${published} publishes over 10 periods`);
  // Announcing less often than the period, every announce is published.
  for (let second = 0; second < 100; second += 9) announce(1, 6881, 100, AnnounceEvent.NONE, 6000 + second);
  t.is(outbox.take().count, 12);
  t.throws(() => new ClusterOutbox(1000, 60), { message: /power of two/ });
});

test('a full queue drops the oldest updates, counts them, and forgets their pending completions', (t) => {
  const { outbox, announce } = storeWithOutbox(1000, 64);
  announce(7, 1, 0, AnnounceEvent.COMPLETED, 100);
  t.is(outbox.pendingCompletions(hex(new Uint8Array(20).fill(7), 0)), 1);
  for (let port = 2; port <= 1500; port++) announce(8, port, 100, AnnounceEvent.STARTED, 100);
  t.is(outbox.queued, 1000);
  t.is(outbox.dropped, 500);
  t.is(outbox.pendingCompletions(hex(new Uint8Array(20).fill(7), 0)), 0);
  const taken = outbox.take();
  const view = new DataView(taken.records.buffer);
  // The newest 1000 are kept, oldest first: ports 501..1500.
  t.is(view.getUint16(RECORD_PEER + 4), 501);
  t.is(view.getUint16((taken.count - 1) * RECORD_SIZE + RECORD_PEER + 4), 1500);
});

test('IPv6 updates carry the 18-byte peer and the IPv6 flag', (t) => {
  const store = new TorrentStore();
  const outbox = new ClusterOutbox(1000, 64);
  store.changes = outbox;
  const peer = String.fromCharCode(0x20, 1, ...new Array<number>(13).fill(0), 1, 0x1a, 0xe1);
  store.announce(store.ipv6, hashView(2), 0, peer, 5, AnnounceEvent.STARTED, 10, 50, new Uint8Array(600), 0, { peers: 0, seeders: 0, leechers: 0 });
  const taken = outbox.take();
  t.is(taken.records[RECORD_FLAGS], PeerState.LEECHER | FLAG_IPV6);
  t.is(Buffer.from(taken.records.subarray(RECORD_PEER, RECORD_PEER + 18)).toString('latin1'), peer);
});

test('sorted-set scores hold expiry and state exactly', (t) => {
  const expiry = Date.UTC(2030, 0, 1) + 123;
  for (const state of [PeerState.ABSENT, PeerState.LEECHER, PeerState.SEEDER]) t.deepEqual(readScore(scoreOf(expiry, state)), { expiry, state });
  t.true(scoreOf(expiry, PeerState.SEEDER) < liveScoreFloor(expiry + 1));
  t.true(scoreOf(expiry, PeerState.ABSENT) >= liveScoreFloor(expiry));
});

test('records of a failed round go back in front of newer ones, as room allows, without their completions', (t) => {
  const { outbox, announce } = storeWithOutbox(1000, 64);
  announce(1, 1, 0, AnnounceEvent.COMPLETED, 100);
  for (let port = 2; port <= 600; port++) announce(1, port, 100, AnnounceEvent.STARTED, 100);
  const failed = outbox.take();
  for (let port = 601; port <= 1001; port++) announce(1, port, 100, AnnounceEvent.STARTED, 100);
  t.is(outbox.putBack(failed.records, failed.count), 0, 'the completion was the oldest record and found no room');
  t.is(outbox.queued, 1000);
  t.is(outbox.dropped, 1);
  const taken = outbox.take();
  const view = new DataView(taken.records.buffer);
  const ports = Array.from({ length: taken.count }, (_, r) => view.getUint16(r * RECORD_SIZE + RECORD_PEER + 4));
  t.deepEqual(ports, Array.from({ length: 1000 }, (_, k) => k + 2), 'oldest first, the failed round before the newer updates');

  announce(2, 1, 0, AnnounceEvent.COMPLETED, 100);
  const again = outbox.take();
  t.is(outbox.putBack(again.records, again.count), 1);
  t.is(outbox.take().records[RECORD_FLAGS], PeerState.SEEDER);
});

test('after Redis may have lost data, peers last heard of before then are published at their next announce', (t) => {
  const { outbox, announce } = storeWithOutbox(1000, 64);
  announce(1, 1, 100, AnnounceEvent.STARTED, 1000);
  announce(1, 2, 100, AnnounceEvent.STARTED, 1000);
  outbox.take();
  outbox.republishPeersBefore(1001);
  announce(1, 2, 100, AnnounceEvent.NONE, 1001); // heard of before: published again
  announce(1, 2, 100, AnnounceEvent.NONE, 1001); // heard of since: not again
  t.is(outbox.take().count, 1);
});
