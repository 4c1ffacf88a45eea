// All torrents: an info hash table gives each torrent an id, and per address family an
// array of swarms by id. announce/scrape work on the info hash bytes in place (no string,
// no object per request) and write compact peers straight into the reply. Knows nothing
// of sockets or codecs beyond the compact peer format. When several nodes share swarms,
// local announces are reported to a listener and other nodes' peers come in through
// mergePeer; how they travel is not the store's business.
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

/**
 * Hears of the changes local announces make, so that they can be shared with other
 * nodes: new peers, state changes, completions and stops at once, and a peer that keeps
 * announcing unchanged once per refresh period (when a period boundary lies between its
 * previous announce and this one; periods start at a phase of their own per peer, so
 * refreshes do not come in waves). That check is made here, inline, so an unchanged
 * announce costs no call. Called on the request path: implementations only copy and return.
 */
export interface SwarmChanges {
  /** The refresh period in seconds (a power of two) minus one. */
  readonly refreshMask: number;
  /** A peer last heard of before this (its validUntil then) is reported at its next announce. */
  readonly reportBefore: number;
  /** A local announce created the torrent here (it had no swarm in either family). */
  torrentCreated(view: DataView, hashAt: number): void;
  /**
   * A local announce: the peer is now `state` (ABSENT after `stopped`); `completed` when
   * it counted a download. `validUntil` is its new expiry (for a stopped peer, when its
   * copies elsewhere would have expired).
   */
  announced<K extends number | string>(family: FamilySwarms<K>, view: DataView, hashAt: number, peer: K, state: PeerState, completed: boolean, validUntil: number): void;
}

/** A peer's own offset into refresh periods: low address and port bits, mixed. */
function phaseOf(peer: number | string): number {
  const bits = typeof peer === 'number' ? peer | 0 : (peer.charCodeAt(14) << 24) | (peer.charCodeAt(15) << 16) | (peer.charCodeAt(16) << 8) | peer.charCodeAt(17);
  return bits ^ (bits >>> 16);
}

/** IPv4 and IPv6 swarms are kept apart: a peer only ever receives peers it can reach. */
export class TorrentStore {
  readonly ipv4 = new FamilySwarms<number>(ipv4PeerFormat);
  readonly ipv6 = new FamilySwarms<string>(ipv6PeerFormat);
  private readonly infoHashes = new InfoHashTable();
  /** Completed downloads per torrent id, over both families (scrape's "downloaded"). */
  private readonly downloaded: number[] = [];
  /** Set while this store's swarms are shared with other nodes. */
  changes: SwarmChanges | null = null;
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
      const removed = swarm.remove(peer, family.format);
      family.count(removed, -1);
      if (removed !== PeerState.ABSENT && this.changes !== null) {
        this.changes.announced(family, view, hashAt, peer, PeerState.ABSENT, false, validUntil);
      }
      result.seeders = swarm.seederCount;
      result.leechers = swarm.leecherCount;
      return;
    }
    const id = this.infoHashes.insert(view, hashAt);
    let swarm = family.byId[id];
    if (swarm === undefined) {
      // No swarm in either family: the torrent is new (again), with its count if one was kept.
      if (this.ipv4.byId[id] === undefined && this.ipv6.byId[id] === undefined) {
        this.downloaded[id] = this.retained.take(view, hashAt);
        if (this.changes !== null) this.changes.torrentCreated(view, hashAt);
      }
      swarm = new Swarm<K>();
      family.byId[id] = swarm;
    }
    const seeder = left === 0;
    const before = swarm.upsert(peer, seeder, validUntil, family.format);
    const state = seeder ? PeerState.SEEDER : PeerState.LEECHER;
    family.count(before, -1);
    family.count(state, 1);
    const completed = event === AnnounceEvent.COMPLETED && before !== PeerState.SEEDER;
    if (completed) this.downloaded[id]!++;
    const changes = this.changes;
    if (changes !== null) {
      const previous = swarm.previousValidUntil;
      const mask = changes.refreshMask;
      // Unchanged, and no period boundary since its previous announce (this announce's
      // offset into its period is at least the time since): nothing to report.
      const unchanged =
        before === state && !completed && previous >= changes.reportBefore && ((validUntil + phaseOf(peer)) & mask) >= validUntil - previous;
      if (!unchanged) changes.announced(family, view, hashAt, peer, state, completed, validUntil);
    }
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
   * Applies what another node saw of a peer (LEECHER, SEEDER, or ABSENT when it stopped
   * there) to the info hash at view[hashAt], unless this store heard of the peer later.
   * Only torrents this store already holds take remote peers: returns false for others.
   */
  mergePeer<K extends number | string>(family: FamilySwarms<K>, view: DataView, hashAt: number, peer: K, state: PeerState, validUntil: number): boolean {
    const id = this.infoHashes.find(view, hashAt);
    if (id < 0) return false;
    let swarm = family.byId[id];
    if (state === PeerState.ABSENT) {
      if (swarm !== undefined) family.count(swarm.removeUnlessNewer(peer, validUntil, family.format), -1);
      return true;
    }
    if (swarm === undefined) {
      swarm = new Swarm<K>();
      family.byId[id] = swarm;
    }
    const before = swarm.merge(peer, state === PeerState.SEEDER, validUntil, family.format);
    if (before !== null) {
      family.count(before, -1);
      family.count(state, 1);
    }
    return true;
  }

  /** Sets the downloads counted for a torrent this store holds (the cluster's total); false for others. */
  setDownloaded(view: DataView, hashAt: number, downloaded: number): boolean {
    const id = this.infoHashes.find(view, hashAt);
    if (id < 0) return false;
    this.downloaded[id] = downloaded;
    return true;
  }

  /** Ids run from 0 below this; copyInfoHash tells which are in use. */
  get torrentIdLimit(): number {
    return this.infoHashes.idLimit;
  }

  /** Copies the info hash of torrent `id` to out[at]; false when no torrent has that id. */
  copyInfoHash(id: number, out: Uint8Array, at: number): boolean {
    if (this.ipv4.byId[id] === undefined && this.ipv6.byId[id] === undefined) return false;
    this.infoHashes.copyKey(id, out, at);
    return true;
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
