// Completed counts that outlive a freed torrent: kept in a bounded structure that evicts the
// smallest (then oldest) count, given back when the torrent returns, seen by scrapes meanwhile;
// store snapshots and their split by shard.
import test from 'ava';
import { ipv4PeerKey, ipv6PeerKey } from '../../src/swarm/peer-format.js';
import { RetainedCounts } from '../../src/swarm/retained-counts.js';
import { completedCountsOf, countsOfShard, mergeTorrents, sortedByInfoHash } from '../../src/swarm/snapshot.js';
import { AnnounceEvent, type AnnounceResult, type ScrapeCounts, TorrentStore } from '../../src/swarm/torrents.js';
import { WsTorrents } from '../../src/swarm/ws-swarms.js';

const hashView = (seed: number) => {
  const bytes = new Uint8Array(20);
  for (let i = 0; i < 20; i++) bytes[i] = (seed * 37 + i * 11 + (seed >> 8)) & 255;
  return new DataView(bytes.buffer);
};
const hex = (view: DataView) => Buffer.from(view.buffer).toString('hex');
const out = new Uint8Array(1024);
const result: AnnounceResult = { peers: 0, seeders: 0, leechers: 0 };
const counts = (): ScrapeCounts => ({ seeders: 0, leechers: 0, downloaded: 0 });

function completeV4(store: TorrentStore, hash: DataView, peer: number, validUntil: number): void {
  store.announce(store.ipv4, hash, 0, ipv4PeerKey(0x7f000001, peer), 0, AnnounceEvent.COMPLETED, validUntil, 10, out, 0, result);
}

test('a completed count survives the torrent being freed, shows in scrapes meanwhile, and comes back with it', (t) => {
  const store = new TorrentStore(100);
  const hash = hashView(1);
  completeV4(store, hash, 1, 10);
  completeV4(store, hash, 2, 10);
  t.deepEqual(store.scrape(hash, 0, counts()), { seeders: 2, leechers: 0, downloaded: 2 });
  t.deepEqual(store.clean(20), { peersRemoved: 2, torrentsRemoved: 1 });
  t.is(store.torrentCount, 0);
  t.is(store.retained.size, 1);
  t.deepEqual(store.scrape(hash, 0, counts()), { seeders: 0, leechers: 0, downloaded: 2 });
  // Back through the other family: the count is taken out of the retained ones.
  store.announce(store.ipv6, hash, 0, ipv6PeerKey(new Uint8Array(16).fill(1), 0, 3), 0, AnnounceEvent.COMPLETED, 100, 10, out, 0, result);
  t.is(store.retained.size, 0);
  t.deepEqual(store.scrape(hash, 0, counts()), { seeders: 1, leechers: 0, downloaded: 3 });
});

test('without retention (max 0) a freed torrent loses its count, as before', (t) => {
  const store = new TorrentStore(0);
  const hash = hashView(2);
  completeV4(store, hash, 1, 10);
  store.clean(20);
  t.is(store.scrape(hash, 0, counts()).downloaded, 0);
  completeV4(store, hash, 1, 100);
  t.is(store.scrape(hash, 0, counts()).downloaded, 1);
});

test('torrents freed without a download are not retained; a forbidden torrent keeps its count', (t) => {
  const store = new TorrentStore(100);
  store.announce(store.ipv4, hashView(3), 0, ipv4PeerKey(0x7f000001, 1), 10, AnnounceEvent.STARTED, 10, 10, out, 0, result);
  completeV4(store, hashView(4), 1, 1000);
  store.clean(20, (view, at) => hex(new DataView(view.buffer, at, 20)) !== hex(hashView(4)));
  t.is(store.torrentCount, 0);
  t.is(store.retained.size, 1);
  t.is(store.scrape(hashView(4), 0, counts()).downloaded, 1);
});

test('when full the smallest count goes, of equal counts the oldest; a smaller newcomer is refused', (t) => {
  const retained = new RetainedCounts(3);
  retained.keep(hashView(1), 0, 5);
  retained.keep(hashView(2), 0, 1);
  retained.keep(hashView(3), 0, 3);
  retained.keep(hashView(4), 0, 4); // evicts 2 (count 1)
  t.is(retained.evictions, 1);
  t.deepEqual([1, 2, 3, 4].map((s) => retained.peek(hashView(s), 0)), [5, 0, 3, 4]);
  retained.keep(hashView(5), 0, 2); // smaller than every entry: refused
  t.is(retained.evictions, 2);
  t.is(retained.peek(hashView(5), 0), 0);
  retained.keep(hashView(6), 0, 3); // ties with 3 (count 3), which is older: 3 goes
  t.deepEqual([1, 3, 4, 6].map((s) => retained.peek(hashView(s), 0)), [5, 0, 4, 3]);
  t.is(retained.size, 3);
  t.is(retained.take(hashView(1), 0), 5);
  t.is(retained.take(hashView(1), 0), 0);
  t.is(retained.size, 2);
});

test('retained counts follow a model of the eviction rule through random keeps and takes', (t) => {
  const capacity = 50;
  const retained = new RetainedCounts(capacity);
  // The model: seed -> [count, keptAt]; eviction picks the smallest (count, keptAt).
  const model = new Map<number, [number, number]>();
  let evictions = 0;
  let clock = 0;
  let seed = 11;
  const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  for (let step = 0; step < 20_000; step++) {
    const key = Math.floor(random() * 200);
    if (random() < 0.6) {
      if (model.has(key)) continue; // a live torrent is never kept twice
      const count = 1 + Math.floor(random() * 20);
      if (model.size >= capacity) {
        evictions++;
        const [least, [leastCount]] = [...model].reduce((a, b) => (b[1][0] < a[1][0] || (b[1][0] === a[1][0] && b[1][1] < a[1][1]) ? b : a));
        if (count < leastCount) {
          retained.keep(hashView(key), 0, count);
          continue;
        }
        model.delete(least);
      }
      model.set(key, [count, clock++]);
      retained.keep(hashView(key), 0, count);
    } else {
      t.is(retained.take(hashView(key), 0), model.get(key)?.[0] ?? 0);
      model.delete(key);
    }
    if (retained.size !== model.size) t.fail(`size ${retained.size} != ${model.size} at step ${step}`);
  }
  t.is(retained.evictions, evictions);
  const snapshot = retained.snapshot();
  const seen = Array.from(snapshot.counts, (count, i) => `${Buffer.from(snapshot.hashes.subarray(i * 20, i * 20 + 20)).toString('hex')} ${count}`);
  t.deepEqual(seen.sort(), [...model].map(([key, [count]]) => `${hex(hashView(key))} ${count}`).sort());
});

test('WebTorrent torrents keep their count across a clean too', (t) => {
  const torrents = new WsTorrents<string>(10);
  const hash = 'w'.repeat(20);
  torrents.announce(hash, 'p'.repeat(20), 'alice', true, true, 10);
  t.deepEqual(torrents.clean(20, () => {}), { peersRemoved: 1, torrentsRemoved: 1 });
  t.is(torrents.scrape(hash, counts()).downloaded, 1);
  torrents.announce(hash, 'q'.repeat(20), 'bob', true, true, 100);
  t.deepEqual(torrents.scrape(hash, counts()), { seeders: 1, leechers: 0, downloaded: 2 });
  t.is(torrents.retained.size, 0);
});

test('snapshots list live torrents and retained counts; the counts split by info_hash[0] % shards', (t) => {
  const store = new TorrentStore(10);
  completeV4(store, hashView(1), 1, 10); // freed below: retained
  completeV4(store, hashView(2), 1, 1000);
  store.announce(store.ipv4, hashView(3), 0, ipv4PeerKey(0x7f000001, 2), 10, AnnounceEvent.STARTED, 1000, 10, out, 0, result);
  store.clean(20);
  const snapshot = store.snapshot();
  const live = mergeTorrents([snapshot]);
  t.is(live.stats.length, 6);
  const sorted = sortedByInfoHash(live);
  const rows = [0, 1].map((i) => [Buffer.from(sorted.hashes.subarray(i * 20, i * 20 + 20)).toString('hex'), ...sorted.stats.subarray(i * 3, i * 3 + 3)]);
  t.deepEqual(rows, [[hex(hashView(2)), 1, 0, 1], [hex(hashView(3)), 0, 1, 0]].sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
  const all = completedCountsOf([snapshot]);
  t.deepEqual([...all.counts], [1, 1]);
  const shards = [0, 1, 2].map((s) => countsOfShard(all, s, 3));
  t.is(shards.reduce((n, s) => n + s.counts.length, 0), 2);
  shards.forEach((part, s) => {
    for (let i = 0; i < part.counts.length; i++) t.is(part.hashes[i * 20]! % 3, s);
  });
  // Restoring into a fresh store brings back both counts.
  const fresh = new TorrentStore(10);
  fresh.retained.restore(all);
  t.is(fresh.scrape(hashView(1), 0, counts()).downloaded, 1);
  t.is(fresh.scrape(hashView(2), 0, counts()).downloaded, 1);
});
