// Info hash -> torrent id, without a string or an object per lookup: the 20-byte keys live
// in one Uint32Array, the table is open addressing over an Int32Array, and the hash is
// HalfSipHash-1-3 with a random key so that clients cannot flood one bucket.
import { randomBytes } from 'node:crypto';
import { halfSipHash } from '../util/halfsiphash.js';

const WORDS = 5; // 20 bytes
const EMPTY = 0;
const DELETED = -1;
const MIN_CAPACITY = 1024;

export class InfoHashTable {
  /** Slot -> id + 1, or EMPTY / DELETED. */
  private slots = new Int32Array(MIN_CAPACITY);
  private mask = MIN_CAPACITY - 1;
  /** id -> its 20 bytes as 5 little-endian words. */
  private keys = new Uint32Array(MIN_CAPACITY * WORDS);
  private readonly freeIds: number[] = [];
  private nextId = 0;
  private used = 0; // live ids
  private deleted = 0; // DELETED slots
  private readonly k0: number;
  private readonly k1: number;
  private readonly message = new Uint32Array(WORDS + 1);

  constructor(key: Uint8Array = randomBytes(8)) {
    const view = new DataView(key.buffer, key.byteOffset, 8);
    this.k0 = view.getUint32(0, true);
    this.k1 = view.getUint32(4, true);
    this.message[WORDS] = 20 << 24; // HalfSipHash final block: no bytes left, length 20
  }

  /** Live torrents. */
  get size(): number {
    return this.used;
  }

  /** One past the highest id ever handed out: ids are below this. */
  get idLimit(): number {
    return this.nextId;
  }

  private hash(): number {
    return halfSipHash(this.k0, this.k1, this.message, WORDS + 1, 1, 3);
  }

  private load(view: DataView, at: number): void {
    const m = this.message;
    m[0] = view.getUint32(at, true);
    m[1] = view.getUint32(at + 4, true);
    m[2] = view.getUint32(at + 8, true);
    m[3] = view.getUint32(at + 12, true);
    m[4] = view.getUint32(at + 16, true);
  }

  private matches(id: number): boolean {
    const keys = this.keys;
    const m = this.message;
    const k = id * WORDS;
    return keys[k] === m[0] && keys[k + 1] === m[1] && keys[k + 2] === m[2] && keys[k + 3] === m[3] && keys[k + 4] === m[4];
  }

  /** The id of the 20-byte info hash at view[at], or -1. */
  find(view: DataView, at: number): number {
    this.load(view, at);
    return this.findLoaded();
  }

  private findLoaded(): number {
    const slots = this.slots;
    for (let s = this.hash() & this.mask; ; s = (s + 1) & this.mask) {
      const entry = slots[s]!;
      if (entry === EMPTY) return -1;
      if (entry !== DELETED && this.matches(entry - 1)) return entry - 1;
    }
  }

  /** The id of the info hash at view[at], added if it is new. */
  insert(view: DataView, at: number): number {
    this.load(view, at);
    const found = this.findLoaded();
    if (found >= 0) return found;
    if ((this.used + this.deleted + 1) * 2 > this.slots.length) {
      this.resize(); // uses `message` as scratch: load the key again
      this.load(view, at);
    }
    const id = this.freeIds.length > 0 ? this.freeIds.pop()! : this.nextId++;
    if ((id + 1) * WORDS > this.keys.length) {
      const keys = new Uint32Array(this.keys.length * 2);
      keys.set(this.keys);
      this.keys = keys;
    }
    this.keys.set(this.message.subarray(0, WORDS), id * WORDS);
    this.place(id);
    this.used++;
    return id;
  }

  /** Puts id (whose key is in `message`) in the first free slot of its probe sequence. */
  private place(id: number): void {
    const slots = this.slots;
    let s = this.hash() & this.mask;
    while (slots[s]! > 0) s = (s + 1) & this.mask;
    if (slots[s] === DELETED) this.deleted--;
    slots[s] = id + 1;
  }

  /** Removes a live id; the id is reused by a later insert. */
  remove(id: number): void {
    this.message.set(this.keys.subarray(id * WORDS, id * WORDS + WORDS));
    const slots = this.slots;
    for (let s = this.hash() & this.mask; ; s = (s + 1) & this.mask) {
      const entry = slots[s]!;
      if (entry === EMPTY) throw new Error(`info hash id ${id} is not in the table`);
      if (entry === id + 1) {
        slots[s] = DELETED;
        break;
      }
    }
    this.deleted++;
    this.used--;
    this.freeIds.push(id);
  }

  /** Copies the info hash of `id` into out[at] (20 bytes). */
  copyKey(id: number, out: Uint8Array, at: number): void {
    // Byte by byte (little-endian words): no DataView per call, which snapshots of millions of keys feel.
    for (let w = 0, o = at; w < WORDS; w++, o += 4) {
      const word = this.keys[id * WORDS + w]!;
      out[o] = word & 255;
      out[o + 1] = (word >>> 8) & 255;
      out[o + 2] = (word >>> 16) & 255;
      out[o + 3] = word >>> 24;
    }
  }

  /** Rebuilds the slots (dropping DELETED markers), doubling them when half full of live ids. */
  private resize(): void {
    let capacity = this.slots.length;
    while ((this.used + 1) * 2 > capacity / 2 && capacity < 2 ** 30) capacity *= 2;
    this.slots = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.deleted = 0;
    const live = new Uint8Array(this.nextId);
    live.fill(1);
    for (const id of this.freeIds) live[id] = 0;
    for (let id = 0; id < this.nextId; id++) {
      if (live[id] === 0) continue;
      this.message.set(this.keys.subarray(id * WORDS, id * WORDS + WORDS));
      this.place(id);
    }
  }
}
