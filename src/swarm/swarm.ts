// One torrent's peers in one address family. Peers live in two flat arrays of
// [key, validUntil] pairs (seeders and leechers), so a peer costs two array slots and no
// object. Small swarms are searched linearly; large ones keep an open-addressing index
// (an Int32Array of slot codes, linear probing, no tombstones) hashed by the peer format.
import type { PeerFormat } from './peer-format.js';

/** What a peer was before an upsert. */
export const PeerState = { ABSENT: 0, LEECHER: 1, SEEDER: 2 } as const;
export type PeerState = (typeof PeerState)[keyof typeof PeerState];

/** Above this many peers a swarm keeps an index; below, a scan is cheaper. */
const INDEX_THRESHOLD = 32;

// Codes for a peer's place: a leecher at array offset o is o + 2, a seeder -(o + 2);
// 0 means absent (and an empty index slot).
const ABSENT = 0;
const leecherCode = (offset: number) => offset + 2;
const seederCode = (offset: number) => -offset - 2;
const offsetOf = (code: number) => (code > 0 ? code - 2 : -code - 2);

export class Swarm<K extends number | string> {
  /** [key, validUntil, key, validUntil, ...] */
  seeders: (K | number)[] = [];
  leechers: (K | number)[] = [];
  private index: Int32Array | null = null;
  /** The validUntil the last upsert replaced (-1 for a new peer): when the peer was last heard of. */
  previousValidUntil = -1;

  get seederCount(): number {
    return this.seeders.length >> 1;
  }

  get leecherCount(): number {
    return this.leechers.length >> 1;
  }

  get peerCount(): number {
    return (this.seeders.length + this.leechers.length) >> 1;
  }

  private keyAt(code: number): K {
    return (code > 0 ? this.leechers : this.seeders)[offsetOf(code)] as K;
  }

  /** The index slot holding `key`, or the empty slot where it would go. */
  private slotOf(index: Int32Array, key: K, format: PeerFormat<K>): number {
    const mask = index.length - 1;
    let s = format.hash(key) & mask;
    for (let code = index[s]!; code !== ABSENT && this.keyAt(code) !== key; code = index[s]!) s = (s + 1) & mask;
    return s;
  }

  private find(key: K, format: PeerFormat<K>): number {
    const index = this.index;
    if (index !== null) return index[this.slotOf(index, key, format)]!;
    const leechers = this.leechers;
    for (let o = 0; o < leechers.length; o += 2) if (leechers[o] === key) return leecherCode(o);
    const seeders = this.seeders;
    for (let o = 0; o < seeders.length; o += 2) if (seeders[o] === key) return seederCode(o);
    return ABSENT;
  }

  /** Inserts or refreshes a peer; returns what it was before. */
  upsert(key: K, seeder: boolean, validUntil: number, format: PeerFormat<K>): PeerState {
    const code = this.find(key, format);
    if (code === ABSENT) {
      this.previousValidUntil = -1;
      this.append(key, seeder, validUntil, format);
      return PeerState.ABSENT;
    }
    const wasSeeder = code < 0;
    const list = wasSeeder ? this.seeders : this.leechers;
    const at = offsetOf(code) + 1;
    this.previousValidUntil = list[at] as number;
    if (wasSeeder === seeder) {
      list[at] = validUntil;
    } else {
      this.removeAt(code, format);
      this.append(key, seeder, validUntil, format);
    }
    return wasSeeder ? PeerState.SEEDER : PeerState.LEECHER;
  }

  /** Removes a peer; returns what it was. */
  remove(key: K, format: PeerFormat<K>): PeerState {
    const code = this.find(key, format);
    if (code === ABSENT) return PeerState.ABSENT;
    this.removeAt(code, format);
    return code < 0 ? PeerState.SEEDER : PeerState.LEECHER;
  }

  /** The validUntil of the peer with this code. */
  private validUntilAt(code: number): number {
    return (code > 0 ? this.leechers : this.seeders)[offsetOf(code) + 1] as number;
  }

  /**
   * A peer as another node saw it: upserted unless this swarm holds it with a later
   * validUntil (heard of here more recently). Returns its state before, or null when
   * it was left alone.
   */
  merge(key: K, seeder: boolean, validUntil: number, format: PeerFormat<K>): PeerState | null {
    const code = this.find(key, format);
    if (code !== ABSENT && this.validUntilAt(code) >= validUntil) return null;
    return this.upsert(key, seeder, validUntil, format);
  }

  /**
   * A peer that stopped on another node, whose copy there would have lasted until
   * `validUntil`: removed unless it announced here later. Returns what it was.
   */
  removeUnlessNewer(key: K, validUntil: number, format: PeerFormat<K>): PeerState {
    const code = this.find(key, format);
    if (code === ABSENT || this.validUntilAt(code) >= validUntil) return PeerState.ABSENT;
    this.removeAt(code, format);
    return code < 0 ? PeerState.SEEDER : PeerState.LEECHER;
  }

  private append(key: K, seeder: boolean, validUntil: number, format: PeerFormat<K>): void {
    const list = seeder ? this.seeders : this.leechers;
    const code = seeder ? seederCode(list.length) : leecherCode(list.length);
    list.push(key, validUntil);
    const index = this.index;
    if (index !== null && this.peerCount * 2 <= index.length) {
      index[this.slotOf(index, key, format)] = code;
    } else if (this.peerCount > INDEX_THRESHOLD) {
      this.rebuildIndex(format);
    }
  }

  /** Swap-remove: the last pair moves into the hole, so removal is O(1). */
  private removeAt(code: number, format: PeerFormat<K>): void {
    const list = code > 0 ? this.leechers : this.seeders;
    const offset = offsetOf(code);
    const last = list.length - 2;
    const index = this.index;
    if (index !== null) this.unindex(index, this.slotOf(index, list[offset] as K, format), format);
    if (offset !== last) {
      const moved = list[last] as K;
      list[offset] = moved;
      list[offset + 1] = list[last + 1]!;
      // The moved peer's code still names `last` until the list is shortened.
      if (index !== null) index[this.slotOf(index, moved, format)] = code;
    }
    list.length = last;
  }

  /** Empties slot s and shifts later entries of the probe run back (no tombstones). */
  private unindex(index: Int32Array, s: number, format: PeerFormat<K>): void {
    const mask = index.length - 1;
    let hole = s;
    index[hole] = ABSENT;
    for (let j = (hole + 1) & mask; index[j] !== ABSENT; j = (j + 1) & mask) {
      const home = format.hash(this.keyAt(index[j]!)) & mask;
      // Move j into the hole unless its home lies cyclically in (hole, j].
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (!stays) {
        index[hole] = index[j]!;
        index[j] = ABSENT;
        hole = j;
      }
    }
  }

  private rebuildIndex(format: PeerFormat<K>): void {
    let size = 64;
    while (size < this.peerCount * 4) size *= 2;
    const index = new Int32Array(size);
    this.index = index;
    for (let o = 0; o < this.leechers.length; o += 2) index[this.slotOf(index, this.leechers[o] as K, format)] = leecherCode(o);
    for (let o = 0; o < this.seeders.length; o += 2) index[this.slotOf(index, this.seeders[o] as K, format)] = seederCode(o);
  }

  /**
   * Puts up to `max` peer keys into `out` and returns how many. The peer `self` is never
   * included; a seeder asking gets leechers only (it needs no other seeders). From a large
   * swarm a random contiguous window is taken: cheap, and random enough that clients see
   * different peers each time (aquatic does the same).
   */
  pickPeers(out: K[], max: number, self: K, forSeeder: boolean): number {
    const leechers = this.leechers;
    const seeders = this.seeders;
    const leecherPairs = leechers.length >> 1;
    const total = forSeeder ? leecherPairs : leecherPairs + (seeders.length >> 1);
    if (total === 0 || max <= 0) return 0;
    let picked = 0;
    let i = total > max + 1 ? Math.floor(Math.random() * total) : 0;
    for (let visited = 0; visited < total && picked < max; visited++, i++) {
      if (i === total) i = 0;
      const key = (i < leecherPairs ? leechers[i << 1] : seeders[(i - leecherPairs) << 1]) as K;
      if (key !== self) out[picked++] = key;
    }
    return picked;
  }

  /**
   * pickPeers, written straight into out[at] as compact peers; returns how many. The same
   * walk, written out because it is the UDP/HTTP hot path: collecting keys first and writing
   * them in a second pass costs about 6% of a request (npm run bench:handler).
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
      if (key !== self) format.write(out, at + size * written++, key);
    }
    return written;
  }

  /** Drops peers whose validUntil is before `now`; returns how many went. */
  expire(now: number, format: PeerFormat<K>): number {
    const removed = compact(this.seeders, now) + compact(this.leechers, now);
    if (removed > 0 && this.index !== null) {
      if (this.peerCount > INDEX_THRESHOLD) this.rebuildIndex(format);
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
