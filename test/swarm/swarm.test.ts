// Swarm bookkeeping: upsert/remove through the small (scan) and large (index) forms,
// peer selection rules and expiry.
import test from 'ava';
import { type PeerFormat, ipv4PeerFormat, ipv6PeerFormat, ipv6PeerKey } from '../../src/swarm/peer-format.js';
import { PeerState, Swarm } from '../../src/swarm/swarm.js';
import { AnnounceEvent, type AnnounceResult, TorrentStore } from '../../src/swarm/torrents.js';

const keyOf = (n: number) => 0x0a000000 * 65536 + n; // 10.0.0.0, port n
function readKeys(out: Uint8Array, count: number): number[] {
  const keys: number[] = [];
  const view = new DataView(out.buffer);
  for (let i = 0; i < count; i++) keys.push(view.getUint32(i * 6) * 65536 + view.getUint16(i * 6 + 4));
  return keys;
}

test('upsert reports the previous state and moves peers between seeders and leechers', (t) => {
  const swarm = new Swarm<number>();
  t.is(swarm.upsert(keyOf(1), false, 100, ipv4PeerFormat), PeerState.ABSENT);
  t.is(swarm.upsert(keyOf(1), false, 200, ipv4PeerFormat), PeerState.LEECHER);
  t.is(swarm.upsert(keyOf(1), true, 200, ipv4PeerFormat), PeerState.LEECHER);
  t.is(swarm.seederCount, 1);
  t.is(swarm.leecherCount, 0);
  t.is(swarm.upsert(keyOf(1), true, 300, ipv4PeerFormat), PeerState.SEEDER);
  t.is(swarm.remove(keyOf(1), ipv4PeerFormat), PeerState.SEEDER);
  t.is(swarm.remove(keyOf(1), ipv4PeerFormat), PeerState.ABSENT);
  t.is(swarm.peerCount, 0);
});

function modelTest<K extends number | string>(name: string, format: PeerFormat<K>, keyFor: (n: number) => K): void {
  test(`large swarms stay consistent through the index while peers come and go (${name})`, (t) => {
    const swarm = new Swarm<K>();
    // The model: key -> [seeder, validUntil].
    const present = new Map<K, [boolean, number]>();
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const stateOf = (key: K) => (present.has(key) ? (present.get(key)![0] ? PeerState.SEEDER : PeerState.LEECHER) : PeerState.ABSENT);
    for (let step = 0; step < 20_000; step++) {
      const key = keyFor(Math.floor(random() * 300));
      if (random() < 0.6) {
        const seeder = random() < 0.5;
        if (swarm.upsert(key, seeder, step, format) !== stateOf(key)) t.fail(`upsert state at step ${step}`);
        present.set(key, [seeder, step]);
      } else {
        if (swarm.remove(key, format) !== stateOf(key)) t.fail(`remove state at step ${step}`);
        present.delete(key);
      }
      if (step % 5000 === 4999) {
        // Expire the older peers: the index is rebuilt and must still find every survivor.
        const cutoff = step - 400;
        const expected = [...present.values()].filter(([, validUntil]) => validUntil < cutoff).length;
        t.is(swarm.expire(cutoff, format), expected);
        for (const [key, [, validUntil]] of [...present]) if (validUntil < cutoff) present.delete(key);
      }
    }
    t.is(swarm.peerCount, present.size);
    t.is(swarm.seederCount, [...present.values()].filter(([seeder]) => seeder).length);
    for (const key of present.keys()) if (swarm.remove(key, format) === PeerState.ABSENT) t.fail('a present peer was not found');
    t.is(swarm.peerCount, 0);
  });
}

modelTest('IPv4', ipv4PeerFormat, keyOf);
modelTest('IPv6', ipv6PeerFormat, (n) => ipv6PeerKey(Uint8Array.from({ length: 16 }, (_, i) => (i === 15 ? n & 255 : i === 14 ? n >> 8 : 0x20)), 0, 6881));

test('writePeers never returns the announcer, and seeders get only leechers', (t) => {
  const swarm = new Swarm<number>();
  for (let n = 1; n <= 5; n++) swarm.upsert(keyOf(n), n > 3, 100, ipv4PeerFormat); // 1..3 leechers, 4..5 seeders
  const out = new Uint8Array(600);
  const forLeecher = readKeys(out, swarm.writePeers(out, 0, 50, keyOf(2), false, ipv4PeerFormat));
  t.deepEqual(forLeecher.sort(), [keyOf(1), keyOf(3), keyOf(4), keyOf(5)]);
  const forSeeder = readKeys(out, swarm.writePeers(out, 0, 50, keyOf(4), true, ipv4PeerFormat));
  t.deepEqual(forSeeder.sort(), [keyOf(1), keyOf(2), keyOf(3)]);
});

test('writePeers from a large swarm returns max distinct peers that vary between calls', (t) => {
  const swarm = new Swarm<number>();
  for (let n = 1; n <= 500; n++) swarm.upsert(keyOf(n), false, 100, ipv4PeerFormat);
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
    for (let n = 1; n <= size; n++) swarm.upsert(keyOf(n), n % 2 === 0, n % 3 === 0 ? 50 : 150, ipv4PeerFormat);
    const stale = Math.floor(size / 3);
    t.is(swarm.expire(100, ipv4PeerFormat), stale);
    t.is(swarm.peerCount, size - stale);
    // Every survivor is still found (the index was rebuilt).
    for (let n = 1; n <= size; n++) {
      t.is(swarm.remove(keyOf(n), ipv4PeerFormat) !== PeerState.ABSENT, n % 3 !== 0);
    }
  }
});

const hashView = (seed: number) => {
  const bytes = new Uint8Array(20).fill(seed);
  return new DataView(bytes.buffer);
};

test('completed counts once per peer that was not already a seeder', (t) => {
  const store = new TorrentStore();
  const result: AnnounceResult = { peers: 0, seeders: 0, leechers: 0 };
  const out = new Uint8Array(600);
  const h = hashView(1);
  store.announce(store.ipv4, h, 0, keyOf(1), 100, AnnounceEvent.STARTED, 10, 50, out, 0, result);
  store.announce(store.ipv4, h, 0, keyOf(1), 0, AnnounceEvent.COMPLETED, 10, 50, out, 0, result);
  store.announce(store.ipv4, h, 0, keyOf(1), 0, AnnounceEvent.COMPLETED, 10, 50, out, 0, result);
  store.announce(store.ipv4, h, 0, keyOf(2), 0, AnnounceEvent.COMPLETED, 10, 50, out, 0, result);
  t.deepEqual(store.scrape(h, 0, { seeders: 0, leechers: 0, downloaded: 0 }), { seeders: 2, leechers: 0, downloaded: 2 });
  t.deepEqual(store.scrape(hashView(2), 0, { seeders: 9, leechers: 9, downloaded: 9 }), { seeders: 0, leechers: 0, downloaded: 0 });
  t.is(store.ipv4.peers, 2);
  t.is(store.ipv4.seeders, 2);
});

test('stopped removes the peer and answers no peers; clean frees empty torrents', (t) => {
  const store = new TorrentStore();
  const result: AnnounceResult = { peers: 0, seeders: 0, leechers: 0 };
  const out = new Uint8Array(600);
  const h = hashView(1);
  store.announce(store.ipv4, h, 0, keyOf(1), 100, AnnounceEvent.STARTED, 10, 50, out, 0, result);
  store.announce(store.ipv4, h, 0, keyOf(2), 100, AnnounceEvent.STARTED, 10, 50, out, 0, result);
  t.is(result.peers, 1);
  store.announce(store.ipv4, h, 0, keyOf(2), 100, AnnounceEvent.STOPPED, 10, 50, out, 0, result);
  t.deepEqual(result, { peers: 0, seeders: 0, leechers: 1 });
  t.is(store.ipv4.peers, 1);
  store.announce(store.ipv4, hashView(3), 0, keyOf(1), 100, AnnounceEvent.STOPPED, 10, 50, out, 0, result);
  t.is(store.torrentCount, 1, 'stopping in an unknown torrent creates nothing');
  t.deepEqual(store.clean(11), { peersRemoved: 1, torrentsRemoved: 1 });
  t.is(store.torrentCount, 0);
  t.is(store.ipv4.peers, 0);
});

test('the same info hash has one torrent across families and ids are reused', (t) => {
  const store = new TorrentStore();
  const result: AnnounceResult = { peers: 0, seeders: 0, leechers: 0 };
  const out = new Uint8Array(600);
  store.announce(store.ipv4, hashView(1), 0, keyOf(1), 0, AnnounceEvent.COMPLETED, 10, 50, out, 0, result);
  store.announce(store.ipv6, hashView(1), 0, 'x'.repeat(18), 5, AnnounceEvent.STARTED, 20, 50, out, 0, result);
  t.is(store.torrentCount, 1);
  t.deepEqual(store.scrape(hashView(1), 0, { seeders: 0, leechers: 0, downloaded: 0 }), { seeders: 1, leechers: 1, downloaded: 1 });
  store.clean(15); // the IPv4 peer expires, the IPv6 one stays
  t.deepEqual(store.scrape(hashView(1), 0, { seeders: 0, leechers: 0, downloaded: 0 }), { seeders: 0, leechers: 1, downloaded: 1 });
  store.clean(25);
  t.is(store.torrentCount, 0);
  store.announce(store.ipv4, hashView(2), 0, keyOf(1), 5, AnnounceEvent.STARTED, 30, 50, out, 0, result);
  t.deepEqual(store.scrape(hashView(2), 0, { seeders: 0, leechers: 0, downloaded: 0 }), { seeders: 0, leechers: 1, downloaded: 0 }, 'a reused id starts from zero');
});

test('merge takes a remote peer unless this swarm heard of it later; removeUnlessNewer likewise', (t) => {
  const swarm = new Swarm<number>();
  t.is(swarm.merge(keyOf(1), false, 100, ipv4PeerFormat), PeerState.ABSENT);
  t.is(swarm.merge(keyOf(1), true, 90, ipv4PeerFormat), null, 'an older copy changes nothing');
  t.is(swarm.merge(keyOf(1), true, 100, ipv4PeerFormat), null, 'nor does an equal one');
  t.is(swarm.seederCount, 0);
  t.is(swarm.merge(keyOf(1), true, 110, ipv4PeerFormat), PeerState.LEECHER);
  t.is(swarm.seederCount, 1);
  t.is(swarm.removeUnlessNewer(keyOf(1), 105, ipv4PeerFormat), PeerState.ABSENT, 'a stop older than the last announce here is ignored');
  t.is(swarm.peerCount, 1);
  t.is(swarm.removeUnlessNewer(keyOf(1), 120, ipv4PeerFormat), PeerState.SEEDER);
  t.is(swarm.peerCount, 0);
  t.is(swarm.removeUnlessNewer(keyOf(1), 130, ipv4PeerFormat), PeerState.ABSENT);
});

test('mergePeer reaches only torrents the store holds and keeps the family counts exact', (t) => {
  const store = new TorrentStore();
  const result: AnnounceResult = { peers: 0, seeders: 0, leechers: 0 };
  const out = new Uint8Array(600);
  t.false(store.mergePeer(store.ipv4, hashView(1), 0, keyOf(9), PeerState.LEECHER, 100), 'an unknown torrent takes no remote peers');
  t.is(store.torrentCount, 0);
  store.announce(store.ipv4, hashView(1), 0, keyOf(1), 100, AnnounceEvent.STARTED, 50, 50, out, 0, result);
  t.true(store.mergePeer(store.ipv4, hashView(1), 0, keyOf(2), PeerState.SEEDER, 100));
  t.true(store.mergePeer(store.ipv6, hashView(1), 0, 'y'.repeat(18), PeerState.LEECHER, 100));
  t.deepEqual(store.scrape(hashView(1), 0, { seeders: 0, leechers: 0, downloaded: 0 }), { seeders: 1, leechers: 2, downloaded: 0 });
  t.deepEqual([store.ipv4.peers, store.ipv4.seeders, store.ipv6.peers], [2, 1, 1]);
  // A local leecher is handed the merged seeder.
  store.announce(store.ipv4, hashView(1), 0, keyOf(1), 100, AnnounceEvent.NONE, 50, 50, out, 0, result);
  t.deepEqual(readKeys(out, result.peers), [keyOf(2)]);
  t.true(store.mergePeer(store.ipv4, hashView(1), 0, keyOf(2), PeerState.ABSENT, 101));
  t.deepEqual([store.ipv4.peers, store.ipv4.seeders], [1, 0]);
  t.true(store.setDownloaded(hashView(1), 0, 7));
  t.false(store.setDownloaded(hashView(2), 0, 7));
  t.is(store.scrape(hashView(1), 0, { seeders: 0, leechers: 0, downloaded: 0 }).downloaded, 7);
  // Merged peers expire like local ones.
  t.deepEqual(store.clean(101), { peersRemoved: 2, torrentsRemoved: 1 });
});

test('the change listener hears of new peers, state changes, completions and stops, and of an unchanged peer once per period', (t) => {
  const store = new TorrentStore();
  const heard: string[] = [];
  store.changes = {
    refreshMask: 7, // 8-second periods
    reportBefore: -Infinity,
    torrentCreated: (view, at) => heard.push(`created ${view.getUint8(at)}`),
    announced: (_family, _view, _at, peer, state, completed, validUntil) => heard.push(`${String(peer)} ${state}${completed ? ' completed' : ''} @${validUntil}`),
  };
  const result: AnnounceResult = { peers: 0, seeders: 0, leechers: 0 };
  const out = new Uint8Array(600);
  const announce = (peer: number, left: number, event: number, validUntil: number) =>
    store.announce(store.ipv4, hashView(1), 0, keyOf(peer), left, event, validUntil, 50, out, 0, result);
  announce(1, 100, AnnounceEvent.STARTED, 50);
  store.announce(store.ipv6, hashView(1), 0, 'z'.repeat(18), 100, AnnounceEvent.STARTED, 50, 50, out, 0, result);
  announce(1, 100, AnnounceEvent.NONE, 50); // unchanged, same second
  announce(1, 0, AnnounceEvent.COMPLETED, 55);
  store.mergePeer(store.ipv4, hashView(1), 0, keyOf(2), PeerState.LEECHER, 60); // not a local announce
  for (let at = 56; at < 56 + 16; at++) announce(1, 0, AnnounceEvent.NONE, at); // unchanged for two periods
  announce(1, 0, AnnounceEvent.STOPPED, 80);
  announce(3, 0, AnnounceEvent.STOPPED, 80); // was not there
  const refreshes = heard.filter((line) => /^\d+ 2 @(5[6-9]|6\d|7[01])$/.test(line));
  t.deepEqual(heard.slice(0, 4), ['created 1', `${keyOf(1)} 1 @50`, `${'z'.repeat(18)} 1 @50`, `${keyOf(1)} 2 completed @55`]);
  t.is(refreshes.length, 2, heard.join(', '));
  t.deepEqual(heard.slice(4 + refreshes.length), [`${keyOf(1)} 0 @80`]);
});
