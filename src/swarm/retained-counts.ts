// Completed-download counts of torrents that lost their last peer, so that a torrent that
// comes back (or is scraped meanwhile) keeps its "downloaded" count. Bounded: when full, the
// least valuable entry goes (the smallest count; of equal counts the oldest). Touched only
// when a torrent is freed or created and on scrapes of unknown torrents, never per announce.
import { InfoHashTable } from './info-hash-table.js';
import { type CompletedCounts, INFO_HASH_BYTES } from './snapshot.js';

const INITIAL_IDS = 64;

export class RetainedCounts {
  private readonly table = new InfoHashTable();
  /** By table id: the count and when it was kept (ties in the heap go to the older). */
  private counts = new Float64Array(INITIAL_IDS);
  private keptAt = new Float64Array(INITIAL_IDS);
  /** Min-heap of ids by (count, keptAt), and each id's place in it. */
  private heap = new Int32Array(INITIAL_IDS);
  private place = new Int32Array(INITIAL_IDS);
  private sequence = 0;
  /** Entries dropped (or refused) because the structure was full. */
  evictions = 0;

  /** `capacity` 0 keeps nothing: counts go with a torrent's last peer. */
  constructor(readonly capacity: number) {}

  get size(): number {
    return this.table.size;
  }

  /** Keeps `count` for the info hash at view[at] (a torrent being freed). */
  keep(view: DataView, at: number, count: number): void {
    if (count <= 0 || this.capacity === 0) return;
    const found = this.table.find(view, at);
    if (found >= 0) {
      // Only a restore can name a hash twice: keep the larger count.
      if (count > this.counts[found]!) {
        this.counts[found] = count;
        this.siftDown(this.place[found]!);
      }
      return;
    }
    if (this.table.size >= this.capacity) {
      this.evictions++;
      const least = this.heap[0]!;
      // The newcomer is the least valuable if its count is smaller (it is the newest).
      if (count < this.counts[least]!) return;
      this.removeAt(0);
    }
    const id = this.table.insert(view, at);
    if (id >= this.counts.length) this.grow();
    this.counts[id] = count;
    this.keptAt[id] = this.sequence++;
    const slot = this.table.size - 1;
    this.heap[slot] = id;
    this.place[id] = slot;
    this.siftUp(slot);
  }

  /** The count for the info hash at view[at] (0 if none), removed: its torrent is back. */
  take(view: DataView, at: number): number {
    if (this.table.size === 0) return 0;
    const id = this.table.find(view, at);
    if (id < 0) return 0;
    const count = this.counts[id]!;
    this.removeAt(this.place[id]!);
    return count;
  }

  /** The count for the info hash at view[at], or 0, left in place (a scrape). */
  peek(view: DataView, at: number): number {
    if (this.table.size === 0) return 0;
    const id = this.table.find(view, at);
    return id < 0 ? 0 : this.counts[id]!;
  }

  /** Takes in counts saved before (at start), as counts of freed torrents. */
  restore(saved: CompletedCounts): void {
    const view = new DataView(saved.hashes.buffer, saved.hashes.byteOffset, saved.hashes.byteLength);
    for (let i = 0; i < saved.counts.length; i++) this.keep(view, i * INFO_HASH_BYTES, saved.counts[i]!);
  }

  /** Every entry, in flat arrays. */
  snapshot(): CompletedCounts {
    const size = this.table.size;
    const hashes = new Uint8Array(size * INFO_HASH_BYTES);
    const counts = new Float64Array(size);
    for (let slot = 0; slot < size; slot++) {
      const id = this.heap[slot]!;
      this.table.copyKey(id, hashes, slot * INFO_HASH_BYTES);
      counts[slot] = this.counts[id]!;
    }
    return { hashes, counts };
  }

  /** Removes the heap entry at `slot` and its info hash. */
  private removeAt(slot: number): void {
    const id = this.heap[slot]!;
    const last = this.table.size - 1;
    this.table.remove(id);
    if (slot !== last) {
      const moved = this.heap[last]!;
      this.heap[slot] = moved;
      this.place[moved] = slot;
      this.siftDown(slot);
      this.siftUp(this.place[moved]!);
    }
  }

  private less(a: number, b: number): boolean {
    const ca = this.counts[a]!;
    const cb = this.counts[b]!;
    return ca < cb || (ca === cb && this.keptAt[a]! < this.keptAt[b]!);
  }

  private swap(i: number, j: number): void {
    const heap = this.heap;
    const a = heap[i]!;
    const b = heap[j]!;
    heap[i] = b;
    heap[j] = a;
    this.place[b] = i;
    this.place[a] = j;
  }

  private siftUp(slot: number): void {
    while (slot > 0) {
      const parent = (slot - 1) >> 1;
      if (!this.less(this.heap[slot]!, this.heap[parent]!)) return;
      this.swap(slot, parent);
      slot = parent;
    }
  }

  private siftDown(slot: number): void {
    const size = this.table.size;
    for (;;) {
      const left = slot * 2 + 1;
      if (left >= size) return;
      const right = left + 1;
      const child = right < size && this.less(this.heap[right]!, this.heap[left]!) ? right : left;
      if (!this.less(this.heap[child]!, this.heap[slot]!)) return;
      this.swap(slot, child);
      slot = child;
    }
  }

  private grow(): void {
    const size = this.counts.length * 2;
    const counts = new Float64Array(size);
    const keptAt = new Float64Array(size);
    const heap = new Int32Array(size);
    const place = new Int32Array(size);
    counts.set(this.counts);
    keptAt.set(this.keptAt);
    heap.set(this.heap);
    place.set(this.place);
    this.counts = counts;
    this.keptAt = keptAt;
    this.heap = heap;
    this.place = place;
  }
}
