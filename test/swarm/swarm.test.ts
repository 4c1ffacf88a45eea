// Swarm bookkeeping: upsert/remove through the small (scan) and large (index) forms,
// peer selection rules and expiry.
import test from 'ava';
import { ipv4PeerFormat } from '../../src/swarm/peer-format.js';
import { PeerState, Swarm } from '../../src/swarm/swarm.js';
import { AnnounceEvent, type AnnounceResult, TorrentMap, TorrentStore } from '../../src/swarm/torrents.js';

const keyOf = (n: number) => 0x0a000000 * 65536 + n; // 10.0.0.0, port n
function readKeys(out: Uint8Array, count: number): number[] {
  const keys: number[] = [];
  const view = new DataView(out.buffer);
  for (let i = 0; i < count; i++) keys.push(view.getUint32(i * 6) * 65536 + view.getUint16(i * 6 + 4));
  return keys;
}

test('upsert reports the previous state and moves peers between seeders and leechers', (t) => {
  const swarm = new Swarm<number>();
  t.is(swarm.upsert(keyOf(1), false, 100), PeerState.ABSENT);
  t.is(swarm.upsert(keyOf(1), false, 200), PeerState.LEECHER);
  t.is(swarm.upsert(keyOf(1), true, 200), PeerState.LEECHER);
  t.is(swarm.seederCount, 1);
  t.is(swarm.leecherCount, 0);
  t.is(swarm.upsert(keyOf(1), true, 300), PeerState.SEEDER);
  t.is(swarm.remove(keyOf(1)), PeerState.SEEDER);
  t.is(swarm.remove(keyOf(1)), PeerState.ABSENT);
  t.is(swarm.peerCount, 0);
});

test('large swarms stay consistent through the index while peers come and go', (t) => {
  const swarm = new Swarm<number>();
  const present = new Map<number, boolean>();
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  for (let step = 0; step < 5000; step++) {
    const key = keyOf(Math.floor(random() * 300));
    const r = random();
    if (r < 0.6) {
      const seeder = random() < 0.5;
      const before = swarm.upsert(key, seeder, 1000);
      const expected = present.has(key) ? (present.get(key) ? PeerState.SEEDER : PeerState.LEECHER) : PeerState.ABSENT;
      t.is(before, expected);
      present.set(key, seeder);
    } else {
      const before = swarm.remove(key);
      const expected = present.has(key) ? (present.get(key) ? PeerState.SEEDER : PeerState.LEECHER) : PeerState.ABSENT;
      t.is(before, expected);
      present.delete(key);
    }
  }
  t.is(swarm.peerCount, present.size);
  t.is(swarm.seederCount, [...present.values()].filter(Boolean).length);
});

test('writePeers never returns the announcer, and seeders get only leechers', (t) => {
  const swarm = new Swarm<number>();
  for (let n = 1; n <= 5; n++) swarm.upsert(keyOf(n), n > 3, 100); // 1..3 leechers, 4..5 seeders
  const out = new Uint8Array(600);
  const forLeecher = readKeys(out, swarm.writePeers(out, 0, 50, keyOf(2), false, ipv4PeerFormat));
  t.deepEqual(forLeecher.sort(), [keyOf(1), keyOf(3), keyOf(4), keyOf(5)]);
  const forSeeder = readKeys(out, swarm.writePeers(out, 0, 50, keyOf(4), true, ipv4PeerFormat));
  t.deepEqual(forSeeder.sort(), [keyOf(1), keyOf(2), keyOf(3)]);
});

test('writePeers from a large swarm returns max distinct peers that vary between calls', (t) => {
  const swarm = new Swarm<number>();
  for (let n = 1; n <= 500; n++) swarm.upsert(keyOf(n), false, 100);
  const out = new Uint8Array(6 * 30);
  const seen = new Set<number>();
  for (let call = 0; call < 20; call++) {
    const keys = readKeys(out, swarm.writePeers(out, 0, 30, keyOf(1), false, ipv4PeerFormat));
    t.is(keys.length, 30);
    t.is(new Set(keys).size, 30);
    t.false(keys.includes(keyOf(1)));
    for (const key of keys) seen.add(key);
  }
  t.true(seen.size > 100, `only ${seen.size} distinct peers over 20 calls`);
});

test('expire drops peers last seen before now, in both forms', (t) => {
  for (const size of [5, 100]) {
    const swarm = new Swarm<number>();
    for (let n = 1; n <= size; n++) swarm.upsert(keyOf(n), n % 2 === 0, n % 3 === 0 ? 50 : 150);
    const stale = Math.floor(size / 3);
    t.is(swarm.expire(100), stale);
    t.is(swarm.peerCount, size - stale);
    // Every survivor is still found (the index was rebuilt).
    for (let n = 1; n <= size; n++) {
      t.is(swarm.remove(keyOf(n)) !== PeerState.ABSENT, n % 3 !== 0);
    }
  }
});

test('completed counts once per peer that was not already a seeder', (t) => {
  const torrents = new TorrentMap<number>(ipv4PeerFormat);
  const result: AnnounceResult = { peers: 0, seeders: 0, leechers: 0 };
  const out = new Uint8Array(600);
  torrents.announce('h', keyOf(1), 100, AnnounceEvent.STARTED, 10, 50, out, 0, result);
  torrents.announce('h', keyOf(1), 0, AnnounceEvent.COMPLETED, 10, 50, out, 0, result);
  torrents.announce('h', keyOf(1), 0, AnnounceEvent.COMPLETED, 10, 50, out, 0, result);
  torrents.announce('h', keyOf(2), 0, AnnounceEvent.COMPLETED, 10, 50, out, 0, result);
  const counts = new TorrentStore().scrape('h', { seeders: 0, leechers: 0, downloaded: 0 });
  t.is(counts.downloaded, 0, 'another store knows nothing');
  t.is(torrents.swarms.get('h')!.downloaded, 2);
  t.is(torrents.peers, 2);
  t.is(torrents.seeders, 2);
});

test('stopped removes the peer and answers no peers; clean frees empty torrents', (t) => {
  const torrents = new TorrentMap<number>(ipv4PeerFormat);
  const result: AnnounceResult = { peers: 0, seeders: 0, leechers: 0 };
  const out = new Uint8Array(600);
  torrents.announce('h', keyOf(1), 100, AnnounceEvent.STARTED, 10, 50, out, 0, result);
  torrents.announce('h', keyOf(2), 100, AnnounceEvent.STARTED, 10, 50, out, 0, result);
  t.is(result.peers, 1);
  torrents.announce('h', keyOf(2), 100, AnnounceEvent.STOPPED, 10, 50, out, 0, result);
  t.deepEqual(result, { peers: 0, seeders: 0, leechers: 1 });
  t.is(torrents.peers, 1);
  torrents.announce('other', keyOf(1), 100, AnnounceEvent.STOPPED, 10, 50, out, 0, result);
  t.false(torrents.swarms.has('other'), 'stopping in an unknown torrent creates nothing');
  t.deepEqual(torrents.clean(11), { peersRemoved: 1, torrentsRemoved: 1 });
  t.is(torrents.swarms.size, 0);
  t.is(torrents.peers, 0);
});
