// All torrents: an info hash table gives each torrent an id, and per address family an
// array of swarms by id. announce/scrape work on the info hash bytes in place (no string,
// no object per request) and write compact peers straight into the reply. Knows nothing
// of sockets or codecs beyond the compact peer format.
import { InfoHashTable } from './info-hash-table.js';
import { type PeerFormat, ipv4PeerFormat, ipv6PeerFormat } from './peer-format.js';
import { PeerState, Swarm } from './swarm.js';
import { RetainedCounts } from './retained-counts.js';
import { INFO_HASH_BYTES, STATS_STRIDE, type StoreSnapshot } from './snapshot.js';

/** BEP 3 / BEP 15 events as the swarm sees them. */
export const AnnounceEvent = { NONE: 0, COMPLETED: 1, STARTED: 2, STOPPED: 3 } as const;

/** Filled by `announce`, reused across calls to avoid an allocation per request. */
export interface AnnounceResult {
  /** Compact peers written. */
  peers: number;
  seeders: number;
  leechers: number;
}

export interface ScrapeCounts {
  seeders: number;
  leechers: number;
  downloaded: number;
}

/** The swarms of one address family, by torrent id. */
export class FamilySwarms<K extends number | string> {
  readonly byId: (Swarm<K> | undefined)[] = [];
  /** Peers in all swarms, kept exact as peers come and go. */
  peers = 0;
  seeders = 0;

  constructor(readonly format: PeerFormat<K>) {}

  count(state: PeerState, delta: number): void {
    if (state === PeerState.ABSENT) return;
    this.peers += delta;
    if (state === PeerState.SEEDER) this.seeders += delta;
  }
}

/** IPv4 and IPv6 swarms are kept apart: a peer only ever receives peers it can reach. */
export class TorrentStore {
  readonly ipv4 = new FamilySwarms<number>(ipv4PeerFormat);
  readonly ipv6 = new FamilySwarms<string>(ipv6PeerFormat);
  private readonly infoHashes = new InfoHashTable();
  /** Completed downloads per torrent id, over both families (scrape's "downloaded"). */
  private readonly downloaded: number[] = [];
  /** Counts of freed torrents, given back when they return. */
  readonly retained: RetainedCounts;

  /** `maxRetained`: freed torrents whose completed counts are kept (0: none). */
  constructor(maxRetained = 0) {
    this.retained = new RetainedCounts(maxRetained);
  }

  get torrentCount(): number {
    return this.infoHashes.size;
  }

  /**
   * Applies an announce for the info hash at view[hashAt] and writes up to `want` peers
   * (never the announcer) at out[at]. `stopped` removes the peer and returns no peers.
   * `completed` counts a download once per peer: when a peer that was not already a
   * seeder reports it.
   */
  announce<K extends number | string>(
    family: FamilySwarms<K>,
    view: DataView,
    hashAt: number,
    peer: K,
    left: number,
    event: number,
    validUntil: number,
    want: number,
    out: Uint8Array,
    at: number,
    result: AnnounceResult,
  ): void {
    result.peers = 0;
    if (event === AnnounceEvent.STOPPED) {
      const id = this.infoHashes.find(view, hashAt);
      const swarm = id < 0 ? undefined : family.byId[id];
      if (swarm === undefined) {
        result.seeders = 0;
        result.leechers = 0;
        return;
      }
      family.count(swarm.remove(peer, family.format), -1);
      result.seeders = swarm.seederCount;
      result.leechers = swarm.leecherCount;
      return;
    }
    const id = this.infoHashes.insert(view, hashAt);
    let swarm = family.byId[id];
    if (swarm === undefined) {
      // No swarm in either family: the torrent is new (again), with its count if one was kept.
      if (this.ipv4.byId[id] === undefined && this.ipv6.byId[id] === undefined) this.downloaded[id] = this.retained.take(view, hashAt);
      swarm = new Swarm<K>();
      family.byId[id] = swarm;
    }
    const seeder = left === 0;
    const before = swarm.upsert(peer, seeder, validUntil, family.format);
    family.count(before, -1);
    family.count(seeder ? PeerState.SEEDER : PeerState.LEECHER, 1);
    if (event === AnnounceEvent.COMPLETED && before !== PeerState.SEEDER) this.downloaded[id]!++;
    result.seeders = swarm.seederCount;
    result.leechers = swarm.leecherCount;
    result.peers = swarm.writePeers(out, at, want, peer, seeder, family.format);
  }

  /** Counts for the info hash at view[hashAt] over both families; zeros when unknown. */
  scrape(view: DataView, hashAt: number, into: ScrapeCounts): ScrapeCounts {
    into.seeders = 0;
    into.leechers = 0;
    into.downloaded = 0;
    const id = this.infoHashes.find(view, hashAt);
    if (id < 0) {
      into.downloaded = this.retained.peek(view, hashAt);
      return into;
    }
    const v4 = this.ipv4.byId[id];
    const v6 = this.ipv6.byId[id];
    if (v4 !== undefined) {
      into.seeders += v4.seederCount;
      into.leechers += v4.leecherCount;
    }
    if (v6 !== undefined) {
      into.seeders += v6.seederCount;
      into.leechers += v6.leecherCount;
    }
    into.downloaded = this.downloaded[id] ?? 0;
    return into;
  }

  /**
   * Expires peers last seen before `now` and frees torrents left without peers. With
   * `keep`, torrents whose info hash it refuses (newly forbidden by an access list) go too.
   */
  clean(now: number, keep?: (view: DataView, at: number) => boolean): { peersRemoved: number; torrentsRemoved: number } {
    let peersRemoved = 0;
    let torrentsRemoved = 0;
    const key = new Uint8Array(20);
    const keyView = new DataView(key.buffer);
    for (let id = 0; id < this.infoHashes.idLimit; id++) {
      const v4 = this.ipv4.byId[id];
      const v6 = this.ipv6.byId[id];
      if (v4 === undefined && v6 === undefined) continue;
      let forbidden = false;
      if (keep !== undefined) {
        this.infoHashes.copyKey(id, key, 0);
        forbidden = !keep(keyView, 0);
      }
      // A forbidden torrent expires everything: all its peers are "older" than Infinity.
      const cutoff = forbidden ? Infinity : now;
      if (v4 !== undefined) peersRemoved += this.expire(this.ipv4, id, v4, cutoff);
      if (v6 !== undefined) peersRemoved += this.expire(this.ipv6, id, v6, cutoff);
      if (this.ipv4.byId[id] === undefined && this.ipv6.byId[id] === undefined) {
        const downloaded = this.downloaded[id]!;
        if (downloaded > 0 && this.retained.capacity > 0) {
          if (keep === undefined) this.infoHashes.copyKey(id, key, 0);
          this.retained.keep(keyView, 0, downloaded);
        }
        this.infoHashes.remove(id);
        this.downloaded[id] = 0;
        torrentsRemoved++;
      }
    }
    return { peersRemoved, torrentsRemoved };
  }

  /** Every torrent with its counts, and the retained counts of freed ones. */
  snapshot(): StoreSnapshot {
    const hashes = new Uint8Array(this.infoHashes.size * INFO_HASH_BYTES);
    const stats = new Float64Array(this.infoHashes.size * STATS_STRIDE);
    let n = 0;
    for (let id = 0; id < this.infoHashes.idLimit; id++) {
      const v4 = this.ipv4.byId[id];
      const v6 = this.ipv6.byId[id];
      if (v4 === undefined && v6 === undefined) continue;
      this.infoHashes.copyKey(id, hashes, n * INFO_HASH_BYTES);
      stats[n * STATS_STRIDE] = (v4?.seederCount ?? 0) + (v6?.seederCount ?? 0);
      stats[n * STATS_STRIDE + 1] = (v4?.leecherCount ?? 0) + (v6?.leecherCount ?? 0);
      stats[n * STATS_STRIDE + 2] = this.downloaded[id]!;
      n++;
    }
    return { torrents: { hashes, stats }, retained: this.retained.snapshot() };
  }

  private expire<K extends number | string>(family: FamilySwarms<K>, id: number, swarm: Swarm<K>, now: number): number {
    const peers = swarm.peerCount;
    const seeders = swarm.seederCount;
    const removed = swarm.expire(now, family.format);
    family.peers -= peers - swarm.peerCount;
    family.seeders -= seeders - swarm.seederCount;
    if (swarm.peerCount === 0) family.byId[id] = undefined;
    return removed;
  }
}
