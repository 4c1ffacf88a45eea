// WebTorrent torrents: peer_id binding, counts, offer receivers and expiry, on an explicit clock.
import test from 'ava';
import { WsAnnounceOutcome, WsTorrents } from '../../src/swarm/ws-swarms.js';

const id = (n: number) => `-WW0001-${String(n).padStart(12, '0')}`;
const HASH = 'h'.repeat(20);

test('a peer_id is bound to its first owner; counts follow seeders and leechers', (t) => {
  const torrents = new WsTorrents<string>();
  t.is(torrents.announce(HASH, id(1), 'alice', false, false, 100), WsAnnounceOutcome.ADDED);
  t.is(torrents.announce(HASH, id(1), 'mallory', true, false, 100), WsAnnounceOutcome.OWNED_ELSEWHERE);
  t.is(torrents.announce(HASH, id(1), 'alice', true, true, 100), WsAnnounceOutcome.UPDATED);
  t.is(torrents.announce(HASH, id(1), 'alice', true, true, 100), WsAnnounceOutcome.UPDATED);
  t.deepEqual(torrents.scrape(HASH, { seeders: 0, leechers: 0, downloaded: 0 }), { seeders: 1, leechers: 0, downloaded: 1 });
  t.false(torrents.remove(HASH, id(1), 'mallory'));
  t.true(torrents.remove(HASH, id(1), 'alice'));
  t.deepEqual([torrents.peers, torrents.seeders], [0, 0]);
});

test('offer receivers: distinct, never self, leechers only for a seeder, capped', (t) => {
  const torrents = new WsTorrents<number>();
  // 100 peers so that the swarm uses its index; every 4th a seeder.
  for (let n = 0; n < 100; n++) torrents.announce(HASH, id(n), n, n % 4 === 0, false, 100);
  const swarm = torrents.get(HASH)!.peers;
  const out: string[] = [];
  for (let round = 0; round < 50; round++) {
    const count = swarm.pickPeers(out, 10, id(7), false);
    t.is(count, 10);
    const picked = out.slice(0, count);
    t.is(new Set(picked).size, 10);
    t.false(picked.includes(id(7)));
    const forSeeder = out.slice(0, swarm.pickPeers(out, 10, id(0), true));
    t.true(forSeeder.every((peer) => Number(peer.slice(8)) % 4 !== 0));
  }
  t.is(swarm.pickPeers(out, 1000, id(7), false), 99);
  t.is(swarm.pickPeers(out, 0, id(7), false), 0);
});

test('clean expires old peers, tells their owners, and drops empty torrents', (t) => {
  const torrents = new WsTorrents<string>();
  for (let n = 0; n < 40; n++) torrents.announce(HASH, id(n), `c${n}`, n % 2 === 0, false, n < 30 ? 10 : 50);
  torrents.announce('g'.repeat(20), id(1), 'c1', false, false, 10);
  const told: string[] = [];
  const result = torrents.clean(20, (owner, infoHash, peerId) => told.push(`${owner}:${infoHash === HASH}:${peerId === id(Number(owner.slice(1)))}`));
  t.deepEqual(result, { peersRemoved: 31, torrentsRemoved: 1 });
  t.is(told.length, 31);
  t.true(told.every((line) => line.endsWith(':true') || line === 'c1:false:true'));
  t.deepEqual([torrents.peers, torrents.seeders, torrents.torrentCount], [10, 5, 1]);
  // The survivors are still indexed: each can be found and removed by its owner.
  for (let n = 30; n < 40; n++) t.true(torrents.remove(HASH, id(n), `c${n}`));
});
