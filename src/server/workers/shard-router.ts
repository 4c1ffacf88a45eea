// The swarm backend of a socket worker: forwards announces and scrapes to the shard
// workers that own their info hashes (info_hash[0] % shards), through shared-memory rings,
// and turns the shards' replies back into datagrams. A scrape whose hashes live in several
// shards is split into one sub-scrape per shard and its replies merged in request order.
import {
  INFO_HASH_SIZE,
  REQUEST_HEADER_SIZE,
  SCRAPE_RESPONSE_ENTRY_SIZE,
  SCRAPE_RESPONSE_HEADER_SIZE,
} from '../../protocol/udp/constants.js';
import type { UdpRequest } from '../../protocol/udp/request.js';
import { writeScrapeResponseHeader } from '../../protocol/udp/response.js';
import { META_LENGTH, META_STRIDE, SLOT_SIZE, type PacketBatch } from '../../transport/udp/batch.js';
import type { RingReader, RingWriter } from '../../util/spsc-ring.js';
import { copyAddress, type SwarmBackend } from '../udp/handler.js';
import { expireOlderThan } from '../../util/pending.js';

/** Request records: tag (u32), the datagram's metadata, the datagram. */
export const REQUEST_RECORD_HEADER = 4 + META_STRIDE;
/** Reply records: tag (u32), the reply datagram. */
export const REPLY_RECORD_HEADER = 4;
/** Requests awaiting shards beyond this are dropped: memory stays bounded if a shard stalls. */
const MAX_PENDING = 1 << 16;
/** Seconds after which an unanswered request is forgotten (its reply was dropped). */
const PENDING_TIMEOUT = 10;

interface Pending {
  /** The requester's metadata (port, family, address). */
  readonly meta: Int32Array;
  readonly since: number;
  parts: number;
  /** Scrapes split over shards: the merged reply and, per shard, where its entries go. */
  readonly merged: Uint8Array | null;
  readonly positions: number[][] | null;
}

export class ShardRouterCounters {
  forwarded = 0;
  /** Dropped because a ring was full or too many requests were pending. */
  dropped = 0;
  /** Forgotten after PENDING_TIMEOUT without a reply. */
  expired = 0;
}

export class ShardRouter implements SwarmBackend {
  readonly counters = new ShardRouterCounters();
  private readonly pending = new Map<number, Pending>();
  private readonly writerViews: DataView[];
  private readonly readerViews: DataView[];
  private readonly touched: boolean[];
  private readonly positions: number[][];
  private nextTag = 1;
  private lastPurge = 0;

  /**
   * @param writers request ring to each shard; @param readers reply ring from each shard
   * @param wake rings a shard's doorbell after requests were published to it
   * @param now the current time in seconds
   */
  constructor(
    private readonly writers: readonly RingWriter[],
    private readonly readers: readonly RingReader[],
    private readonly wake: (shard: number) => void,
    private readonly maxScrapeTorrents: number,
    private readonly now: () => number,
  ) {
    this.writerViews = writers.map((w) => new DataView(w.data.buffer, w.data.byteOffset, w.data.byteLength));
    this.readerViews = readers.map((r) => new DataView(r.data.buffer, r.data.byteOffset, r.data.byteLength));
    this.touched = writers.map(() => false);
    this.positions = writers.map(() => []);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  private shardOf(bytes: Uint8Array, hashAt: number): number {
    return bytes[hashAt]! % this.writers.length;
  }

  /** Copies rx slot i's metadata and `length` bytes from rx.data[from] into a request record. */
  private forward(shard: number, tag: number, rx: PacketBatch, i: number, parts: readonly [number, number][]): boolean {
    let length = 0;
    for (const [, size] of parts) length += size;
    const writer = this.writers[shard]!;
    const at = writer.alloc(REQUEST_RECORD_HEADER + length);
    if (at < 0) return false;
    this.writerViews[shard]!.setUint32(at, tag);
    const data = writer.data;
    data.set(rx.meta.subarray(i * META_STRIDE, (i + 1) * META_STRIDE), at + 4);
    let to = at + REQUEST_RECORD_HEADER;
    for (const [from, size] of parts) {
      data.set(rx.data.subarray(from, from + size), to);
      to += size;
    }
    this.touched[shard] = true;
    return true;
  }

  private track(tag: number, rx: PacketBatch, i: number, parts: number, merged: Uint8Array | null, positions: number[][] | null): void {
    const meta = new Int32Array(META_STRIDE / 4);
    copyAddress(rx.meta32, (i * META_STRIDE) / 4, meta, 0);
    this.pending.set(tag, { meta, since: this.now(), parts, merged, positions });
  }

  private takeTag(): number {
    const tag = this.nextTag;
    this.nextTag = (this.nextTag + 1) >>> 0 || 1;
    return tag;
  }

  announce(rx: PacketBatch, i: number, request: UdpRequest): number {
    if (this.pending.size >= MAX_PENDING) {
      this.counters.dropped++;
      return 0;
    }
    const tag = this.takeTag();
    const length = rx.meta32[(i * META_STRIDE + META_LENGTH) / 4]!;
    if (!this.forward(this.shardOf(rx.data, request.infoHashOffset), tag, rx, i, [[i * SLOT_SIZE, length]])) {
      this.counters.dropped++;
      return 0;
    }
    this.counters.forwarded++;
    this.track(tag, rx, i, 1, null, null);
    return 0;
  }

  scrape(rx: PacketBatch, i: number, request: UdpRequest): number {
    if (this.pending.size >= MAX_PENDING) {
      this.counters.dropped++;
      return 0;
    }
    // Beyond the cap hashes are ignored rather than refused, as aquatic does.
    const count = Math.min(request.scrapeCount, this.maxScrapeTorrents);
    const positions = this.positions;
    for (const list of positions) list.length = 0;
    for (let k = 0; k < count; k++) positions[this.shardOf(rx.data, request.infoHashOffset + k * INFO_HASH_SIZE)]!.push(k);
    const shards = positions.filter((list) => list.length > 0).length;
    const tag = this.takeTag();
    const start = i * SLOT_SIZE;
    if (shards === 1) {
      const shard = positions.findIndex((list) => list.length > 0);
      if (!this.forward(shard, tag, rx, i, [[start, REQUEST_HEADER_SIZE + count * INFO_HASH_SIZE]])) {
        this.counters.dropped++;
        return 0;
      }
      this.counters.forwarded++;
      this.track(tag, rx, i, 1, null, null);
      return 0;
    }
    // One sub-scrape per shard: the original header, then that shard's hashes.
    for (let shard = 0; shard < positions.length; shard++) {
      const list = positions[shard]!;
      if (list.length === 0) continue;
      const parts: [number, number][] = [[start, REQUEST_HEADER_SIZE]];
      for (const k of list) parts.push([request.infoHashOffset + k * INFO_HASH_SIZE, INFO_HASH_SIZE]);
      if (!this.forward(shard, tag, rx, i, parts)) {
        // Parts already sent will find no pending entry and be ignored.
        this.counters.dropped++;
        return 0;
      }
    }
    this.counters.forwarded++;
    const merged = new Uint8Array(SCRAPE_RESPONSE_HEADER_SIZE + count * SCRAPE_RESPONSE_ENTRY_SIZE);
    writeScrapeResponseHeader(new DataView(merged.buffer), 0, request.transactionId);
    this.track(tag, rx, i, shards, merged, positions.map((list) => list.slice()));
    return 0;
  }

  /** Publishes this batch's requests and wakes the shards that got some. */
  endBatch(): void {
    for (let shard = 0; shard < this.writers.length; shard++) {
      if (!this.touched[shard]) continue;
      this.touched[shard] = false;
      this.writers[shard]!.publish();
      this.wake(shard);
    }
  }

  /** Moves shard replies into tx slots (at most tx.slots) and returns how many are ready. */
  collect(tx: PacketBatch): number {
    let ready = 0;
    for (let shard = 0; shard < this.readers.length && ready < tx.slots; shard++) {
      const reader = this.readers[shard]!;
      const view = this.readerViews[shard]!;
      while (ready < tx.slots) {
        const at = reader.next();
        if (at < 0) break;
        const pending = this.pending.get(view.getUint32(at));
        if (pending === undefined) continue; // expired, or a part of a dropped scrape
        const payload = at + REPLY_RECORD_HEADER;
        const size = reader.length - REPLY_RECORD_HEADER;
        if (pending.merged === null) {
          tx.data.set(reader.data.subarray(payload, payload + size), ready * SLOT_SIZE);
          this.pending.delete(view.getUint32(at));
          this.emit(tx, ready++, pending.meta, size);
          continue;
        }
        const list = pending.positions![shard]!;
        for (let e = 0; e < list.length && SCRAPE_RESPONSE_HEADER_SIZE + (e + 1) * SCRAPE_RESPONSE_ENTRY_SIZE <= size; e++) {
          const from = payload + SCRAPE_RESPONSE_HEADER_SIZE + e * SCRAPE_RESPONSE_ENTRY_SIZE;
          pending.merged.set(reader.data.subarray(from, from + SCRAPE_RESPONSE_ENTRY_SIZE), SCRAPE_RESPONSE_HEADER_SIZE + list[e]! * SCRAPE_RESPONSE_ENTRY_SIZE);
        }
        if (--pending.parts === 0) {
          this.pending.delete(view.getUint32(at));
          tx.data.set(pending.merged, ready * SLOT_SIZE);
          this.emit(tx, ready++, pending.meta, pending.merged.length);
        }
      }
      reader.release();
    }
    this.purge();
    return ready;
  }

  private emit(tx: PacketBatch, j: number, meta: Int32Array, size: number): void {
    copyAddress(meta, 0, tx.meta32, (j * META_STRIDE) / 4);
    tx.meta32[(j * META_STRIDE + META_LENGTH) / 4] = size;
  }

  /** Forgets requests whose replies never came (a shard dropped them when its ring was full). */
  private purge(): void {
    const now = this.now();
    if (now === this.lastPurge) return;
    this.lastPurge = now;
    this.counters.expired += expireOlderThan(this.pending, now, PENDING_TIMEOUT);
  }
}
