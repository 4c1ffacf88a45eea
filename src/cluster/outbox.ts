// The request-path side of cluster sync: the store reports each local announce here, and
// the update is copied into a bounded ring of fixed-size records for the next sync round.
// Nothing here allocates per announce (torrent creations and completions, which are rare,
// build a hex string). When the ring is full the oldest update is overwritten and counted.
//
// Which announces are reported (the store decides, inline): see SwarmChanges. A peer that
// keeps announcing unchanged is reported once per refresh period, judged by the validUntil
// its swarm replaced, which is already at hand; a table per peer would cost a cache miss.
import type { PeerFormat } from '../swarm/peer-format.js';
import { PeerState } from '../swarm/swarm.js';
import type { FamilySwarms, SwarmChanges } from '../swarm/torrents.js';
import { FLAG_COMPLETED, FLAG_IPV6, INFO_HASH_BYTES, hex } from './records.js';

/** Record layout in the ring: the stream record's, with validUntil on the swarm clock. */
export const RECORD_SIZE = 44;
export const RECORD_FLAGS = INFO_HASH_BYTES;
export const RECORD_VALID_UNTIL = INFO_HASH_BYTES + 1;
export const RECORD_PEER = INFO_HASH_BYTES + 5;

/** What one sync round takes: `count` records of RECORD_SIZE bytes, oldest first. */
export interface TakenUpdates {
  readonly records: Uint8Array;
  readonly count: number;
  /** Hex info hashes of torrents created here since the last take. */
  readonly created: readonly string[];
}

export class ClusterOutbox implements SwarmChanges {
  private readonly ring: Uint8Array;
  private readonly view: DataView;
  /** Index of the oldest record and the number held. */
  private first = 0;
  private size = 0;
  readonly refreshMask: number;
  reportBefore = -Infinity;
  private created = new Set<string>();
  /** Downloads counted here and not yet taken, by hex info hash. */
  private completions = new Map<string, number>();
  /** Updates overwritten before a round took them (and torrent creations forgotten). */
  dropped = 0;

  /**
   * @param capacity records held at most
   * @param refreshPeriod seconds, a power of two: an unchanged peer is republished once per period
   */
  constructor(
    readonly capacity: number,
    refreshPeriod: number,
  ) {
    if (refreshPeriod < 1 || (refreshPeriod & (refreshPeriod - 1)) !== 0) throw new RangeError(`refresh period ${refreshPeriod} is not a power of two`);
    this.refreshMask = refreshPeriod - 1;
    this.ring = new Uint8Array(capacity * RECORD_SIZE);
    this.view = new DataView(this.ring.buffer);
  }

  get queued(): number {
    return this.size;
  }

  torrentCreated(view: DataView, hashAt: number): void {
    const created = this.created;
    if (created.size >= this.capacity) {
      created.delete(created.values().next().value as string);
      this.dropped++;
    }
    created.add(hex(new Uint8Array(view.buffer, view.byteOffset), hashAt));
  }

  announced<K extends number | string>(family: FamilySwarms<K>, view: DataView, hashAt: number, peer: K, state: PeerState, completed: boolean, validUntil: number): void {
    const format = family.format;
    this.push(view, hashAt, format, peer, state | (completed ? FLAG_COMPLETED : 0) | (format.size === 18 ? FLAG_IPV6 : 0), validUntil);
  }

  private push<K>(view: DataView, hashAt: number, format: PeerFormat<K>, peer: K, flags: number, validUntil: number): void {
    if (this.size === this.capacity) {
      this.forgetOldest();
      this.dropped++;
    }
    let index = this.first + this.size;
    if (index >= this.capacity) index -= this.capacity;
    const at = index * RECORD_SIZE;
    const ring = this.ring;
    for (let i = 0; i < INFO_HASH_BYTES; i++) ring[at + i] = view.getUint8(hashAt + i);
    ring[at + RECORD_FLAGS] = flags;
    this.view.setUint32(at + RECORD_VALID_UNTIL, validUntil);
    format.write(ring, at + RECORD_PEER, peer);
    this.size++;
    if ((flags & FLAG_COMPLETED) !== 0) {
      const key = hex(ring, at);
      this.completions.set(key, (this.completions.get(key) ?? 0) + 1);
    }
  }

  private forgetOldest(): void {
    const at = this.first * RECORD_SIZE;
    if ((this.ring[at + RECORD_FLAGS]! & FLAG_COMPLETED) !== 0) {
      const key = hex(this.ring, at);
      const left = (this.completions.get(key) ?? 1) - 1;
      if (left > 0) this.completions.set(key, left);
      else this.completions.delete(key);
    }
    this.first = this.first + 1 === this.capacity ? 0 : this.first + 1;
    this.size--;
  }

  /** Downloads counted here for this torrent that no round has taken yet. */
  pendingCompletions(hexInfoHash: string): number {
    return this.completions.get(hexInfoHash) ?? 0;
  }

  /** Hands every queued record (oldest first) and torrent creation to a sync round. */
  take(): TakenUpdates {
    const count = this.size;
    const records = new Uint8Array(count * RECORD_SIZE);
    const tail = Math.min(count, this.capacity - this.first);
    records.set(this.ring.subarray(this.first * RECORD_SIZE, (this.first + tail) * RECORD_SIZE), 0);
    if (tail < count) records.set(this.ring.subarray(0, (count - tail) * RECORD_SIZE), tail * RECORD_SIZE);
    this.first = 0;
    this.size = 0;
    this.completions = new Map();
    const created = [...this.created];
    this.created = new Set();
    return { records, count, created };
  }

  /**
   * Returns the records of a round that failed to the queue, in front of the newer ones,
   * as far as there is room (the oldest go first). Their completions are not counted
   * again: Redis may have counted them before the failure. Returns how many completions
   * were given up.
   */
  putBack(records: Uint8Array, count: number): number {
    const keep = Math.min(this.capacity - this.size, count);
    this.dropped += count - keep;
    let completions = 0;
    for (let r = count - 1; r >= count - keep; r--) {
      this.first = this.first === 0 ? this.capacity - 1 : this.first - 1;
      const at = this.first * RECORD_SIZE;
      this.ring.set(records.subarray(r * RECORD_SIZE, (r + 1) * RECORD_SIZE), at);
      if ((this.ring[at + RECORD_FLAGS]! & FLAG_COMPLETED) !== 0) {
        this.ring[at + RECORD_FLAGS]! &= ~FLAG_COMPLETED;
        completions++;
      }
      this.size++;
    }
    return completions;
  }

  /**
   * After Redis may have lost data (a restart): every peer last heard of before now is
   * published again at its next announce. `validUntil` is what an announce now would get.
   */
  republishPeersBefore(validUntil: number): void {
    this.reportBefore = validUntil;
  }
}
