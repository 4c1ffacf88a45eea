// One torrent's peers in one address family. Peers live in two flat arrays of
// [key, validUntil] pairs (seeders and leechers), so a peer costs two array slots and no
// object; small swarms are searched linearly, large ones through a key -> slot index.
import type { PeerFormat } from './peer-format.js';

/** What a peer was before an upsert. */
export const PeerState = { ABSENT: 0, LEECHER: 1, SEEDER: 2 } as const;
export type PeerState = (typeof PeerState)[keyof typeof PeerState];

/** Above this many peers a swarm keeps an index Map; below, a scan is cheaper. */
const INDEX_THRESHOLD = 32;
/** Slot codes in the index: a leecher at array offset o is o, a seeder is -o - 1. */
const NOT_FOUND = 0x7fff_ffff;

export class Swarm<K extends number | string> {
  /** [key, validUntil, key, validUntil, ...] */
  seeders: (K | number)[] = [];
  leechers: (K | number)[] = [];
  /** Completed downloads reported here (BEP 48 "downloaded"). */
  downloaded = 0;
  private index: Map<K, number> | null = null;

  get seederCount(): number {
    return this.seeders.length >> 1;
  }

  get leecherCount(): number {
    return this.leechers.length >> 1;
  }

  get peerCount(): number {
    return (this.seeders.length + this.leechers.length) >> 1;
  }

  private find(key: K): number {
    if (this.index !== null) return this.index.get(key) ?? NOT_FOUND;
    const leechers = this.leechers;
    for (let o = 0; o < leechers.length; o += 2) if (leechers[o] === key) return o;
    const seeders = this.seeders;
    for (let o = 0; o < seeders.length; o += 2) if (seeders[o] === key) return -o - 1;
    return NOT_FOUND;
  }

  /** Inserts or refreshes a peer; returns what it was before. */
  upsert(key: K, seeder: boolean, validUntil: number): PeerState {
    const slot = this.find(key);
    if (slot === NOT_FOUND) {
      this.append(key, seeder, validUntil);
      return PeerState.ABSENT;
    }
    const wasSeeder = slot < 0;
    const offset = wasSeeder ? -slot - 1 : slot;
    if (wasSeeder === seeder) {
      (seeder ? this.seeders : this.leechers)[offset + 1] = validUntil;
    } else {
      this.removeAt(wasSeeder ? this.seeders : this.leechers, offset);
      this.append(key, seeder, validUntil);
    }
    return wasSeeder ? PeerState.SEEDER : PeerState.LEECHER;
  }

  /** Removes a peer; returns what it was. */
  remove(key: K): PeerState {
    const slot = this.find(key);
    if (slot === NOT_FOUND) return PeerState.ABSENT;
    if (slot < 0) {
      this.removeAt(this.seeders, -slot - 1);
      return PeerState.SEEDER;
    }
    this.removeAt(this.leechers, slot);
    return PeerState.LEECHER;
  }

  private append(key: K, seeder: boolean, validUntil: number): void {
    const list = seeder ? this.seeders : this.leechers;
    const offset = list.length;
    list.push(key, validUntil);
    if (this.index !== null) {
      this.index.set(key, seeder ? -offset - 1 : offset);
    } else if (this.peerCount > INDEX_THRESHOLD) {
      this.rebuildIndex();
    }
  }

  /** Swap-remove: the last pair moves into the hole, so removal is O(1). */
  private removeAt(list: (K | number)[], offset: number): void {
    const last = list.length - 2;
    const index = this.index;
    if (index !== null) index.delete(list[offset] as K);
    if (offset !== last) {
      const moved = list[last] as K;
      list[offset] = moved;
      list[offset + 1] = list[last + 1]!;
      if (index !== null) index.set(moved, list === this.seeders ? -offset - 1 : offset);
    }
    list.length = last;
  }

  private rebuildIndex(): void {
    const index = new Map<K, number>();
    for (let o = 0; o < this.leechers.length; o += 2) index.set(this.leechers[o] as K, o);
    for (let o = 0; o < this.seeders.length; o += 2) index.set(this.seeders[o] as K, -o - 1);
    this.index = index;
  }

  /**
   * Writes up to `max` compact peers at out[at] and returns how many. The peer `self` is
   * never included; a seeder asking gets leechers only (it needs no other seeders). From a
   * large swarm a random contiguous window is taken: cheap, and random enough that
   * clients see different peers each time (aquatic does the same).
   */
  writePeers(out: Uint8Array, at: number, max: number, self: K, forSeeder: boolean, format: PeerFormat<K>): number {
    const leechers = this.leechers;
    const seeders = this.seeders;
    const leecherPairs = leechers.length >> 1;
    const total = forSeeder ? leecherPairs : leecherPairs + (seeders.length >> 1);
    if (total === 0 || max <= 0) return 0;
    const size = format.size;
    let written = 0;
    let i = total > max + 1 ? Math.floor(Math.random() * total) : 0;
    for (let visited = 0; visited < total && written < max; visited++, i++) {
      if (i === total) i = 0;
      const key = (i < leecherPairs ? leechers[i << 1] : seeders[(i - leecherPairs) << 1]) as K;
      if (key === self) continue;
      format.write(out, at + written * size, key);
      written++;
    }
    return written;
  }

  /** Drops peers whose validUntil is before `now`; returns how many went. */
  expire(now: number): number {
    const removed = compact(this.seeders, now) + compact(this.leechers, now);
    if (removed > 0 && this.index !== null) {
      if (this.peerCount > INDEX_THRESHOLD / 2) this.rebuildIndex();
      else this.index = null;
    }
    return removed;
  }
}

function compact<T>(list: (T | number)[], now: number): number {
  let kept = 0;
  for (let o = 0; o < list.length; o += 2) {
    if ((list[o + 1] as number) < now) continue;
    if (kept !== o) {
      list[kept] = list[o]!;
      list[kept + 1] = list[o + 1]!;
    }
    kept += 2;
  }
  const removed = (list.length - kept) >> 1;
  list.length = kept;
  return removed;
}
