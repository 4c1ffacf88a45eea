// The message handling of an aquatic_ws socket worker: decodes each client message, answers
// what needs no swarm (bad messages, binary frames, refused info hashes, empty and refused
// scrapes) and sends the rest to the shard that owns the info hash, in batches through the
// rings. What the shards send back is delivered to the connections here; a scrape over
// several shards is split and its counts merged back in request order.
import { AccessList } from '../../access/access-list.js';
import { type WsAnnounce, type WsDecodeLimits, type WsScrape, WsEvent, decodeInMessage } from '../../protocol/ws/incoming.js';
import { ScrapeResponseWriter, encodeFailure } from '../../protocol/ws/outgoing.js';
import type { WsHooks, WsLink } from '../../transport/ws/transport.js';
import type { RingReader, RingWriter } from '../../util/spsc-ring.js';
import { ConnectionSlots } from './connection-slots.js';
import { WsFailure, WsMessageCounters, binaryStringView } from './handler.js';
import { expireOlderThan } from '../../util/pending.js';
import {
  FULL_SCRAPE_ENTRY,
  SCRAPE_ENTRY,
  SCRAPE_FIXED,
  ShardRecord,
  SocketRecord,
  SpillingSink,
  recordConnection,
  recordKind,
  recordTag,
  ringViews,
  writeAnnounce,
  writeAnswer,
  writeClose,
  writeScrape,
  writeTagged,
  RECORD_HEADER,
} from './shard-records.js';

/** Scrapes awaiting shards beyond this are refused by silence: memory stays bounded if a shard stalls. */
const MAX_PENDING_SCRAPES = 1 << 14;
/** Seconds after which a scrape still missing parts is forgotten (a shard dropped its reply). */
const PENDING_TIMEOUT = 10;
/** Bytes of records per shard that may wait for room in its ring before messages are dropped. */
const MAX_SPILLED_BYTES = 16 << 20;

/** A client connection as its socket worker sees it. */
export class RoutedConnection {
  /** Bit s % 32 set: shard s may hold state of this connection and must hear of its close. */
  shards = 0;
  id = 0;

  constructor(readonly link: WsLink) {}
}

interface PendingScrape {
  readonly connection: RoutedConnection;
  readonly since: number;
  parts: number;
  /** A listed scrape: its hashes in request order, which shard has each, their counts. */
  readonly infoHashes: readonly string[] | null;
  readonly positions: readonly number[][] | null;
  readonly counts: Uint32Array | null;
  /** A full scrape: entries appended as parts arrive. */
  readonly full: ScrapeResponseWriter | null;
}

export class WsRoutingCounters {
  forwarded = 0;
  /** Messages dropped because a shard was too far behind (its ring and the spill full) or too many scrapes were pending. */
  dropped = 0;
  /** Scrapes forgotten after PENDING_TIMEOUT without every part. */
  expired = 0;
}

export interface ShardedWsOptions extends WsDecodeLimits {
  readonly allowFullScrape: boolean;
}

export class ShardedWsHandler implements WsHooks<RoutedConnection> {
  /** Scrapes and failures answered here (announces and relays are counted by the shards). */
  readonly counters = new WsMessageCounters();
  readonly routing = new WsRoutingCounters();
  private readonly connections = new ConnectionSlots<RoutedConnection>();
  private readonly sinks: SpillingSink[];
  private readonly inputs: { bytes: Buffer; view: DataView }[];
  private readonly touched: boolean[];
  private readonly pending = new Map<number, PendingScrape>();
  private readonly positions: number[][];
  private nextTag = 1;
  private lastPurge = 0;
  private publishScheduled = false;

  /**
   * @param writers request ring to each shard; @param readers reply ring from each shard
   * @param wake rings a shard's doorbell after records were published to it
   * @param now the current time in seconds
   */
  constructor(
    private readonly writers: readonly RingWriter[],
    private readonly readers: readonly RingReader[],
    private readonly wake: (shard: number) => void,
    private readonly options: ShardedWsOptions,
    private readonly now: () => number,
    private readonly access: { readonly current: AccessList } = { current: AccessList.OFF },
  ) {
    this.sinks = writers.map((writer) => new SpillingSink(writer, MAX_SPILLED_BYTES));
    this.inputs = readers.map((reader) => ringViews(reader.data));
    this.touched = writers.map(() => false);
    this.positions = writers.map(() => []);
  }

  get pendingScrapes(): number {
    return this.pending.size;
  }

  /** Records that waited for room in a shard's ring. */
  get spilledRecords(): number {
    return this.sinks.reduce((sum, sink) => sum + sink.spilledRecords, 0);
  }

  open(link: WsLink): RoutedConnection {
    const connection = new RoutedConnection(link);
    connection.id = this.connections.add(connection);
    return connection;
  }

  message(connection: RoutedConnection, bytes: Buffer, start: number, end: number): void {
    const message = decodeInMessage(bytes, start, end, this.options);
    switch (message.action) {
      case 'announce':
        return this.announce(connection, message);
      case 'answer': {
        const shard = this.shardOf(message.infoHash);
        return this.forwarded(connection, shard, writeAnswer(this.sinks[shard]!, connection.id, message));
      }
      case 'scrape':
        return this.scrape(connection, message);
      case 'failure':
        return this.fail(connection, message.reason, message.replyAction, message.infoHash);
    }
  }

  binary(connection: RoutedConnection): void {
    this.fail(connection, WsFailure.BINARY, null, null);
  }

  /**
   * Every shard that may hold the connection's peers or offers hears of its close. Closes
   * also happen outside read batches (idle sweeps, slow readers, shutdown): they are
   * published at the end of this turn of the event loop at the latest.
   */
  close(connection: RoutedConnection): void {
    this.connections.remove(connection.id);
    if (connection.shards === 0) return;
    for (let shard = 0; shard < this.writers.length; shard++) {
      if ((connection.shards & (1 << shard % 32)) === 0) continue;
      writeClose(this.sinks[shard]!, connection.id);
      this.touched[shard] = true;
    }
    if (!this.publishScheduled) {
      this.publishScheduled = true;
      setImmediate(this.publishLater);
    }
  }

  private readonly publishLater = () => {
    this.publishScheduled = false;
    this.batchEnd();
  };

  /** After a batch of reads: publishes its records and wakes the shards that got some. */
  batchEnd(): void {
    for (let shard = 0; shard < this.writers.length; shard++) {
      if (this.sinks[shard]!.unspill()) this.touched[shard] = true;
      if (!this.touched[shard]) continue;
      this.touched[shard] = false;
      this.writers[shard]!.publish();
      this.wake(shard);
    }
  }

  /** Delivers what the shards sent (call when a doorbell rang) and moves records that waited into the rings. */
  collect(): void {
    for (let shard = 0; shard < this.readers.length; shard++) {
      const reader = this.readers[shard]!;
      const { bytes, view } = this.inputs[shard]!;
      for (let at = reader.next(); at >= 0; at = reader.next()) {
        const kind = recordKind(bytes, at);
        if (kind === SocketRecord.TEXT) {
          this.connections.get(recordConnection(view, at))?.link.sendUtf8(bytes, at + RECORD_HEADER, at + reader.length);
        } else {
          this.scraped(shard, kind, bytes, view, at, reader.length);
        }
      }
      reader.release();
    }
    this.batchEnd();
    this.purge();
  }

  private shardOf(infoHash: string): number {
    return infoHash.charCodeAt(0) % this.writers.length;
  }

  /** Counts a record written for `shard` (`written` false: its ring was full) and remembers that the connection reached it. */
  private forwarded(connection: RoutedConnection, shard: number, written: boolean): void {
    if (!written) {
      this.routing.dropped++;
      return;
    }
    connection.shards |= 1 << shard % 32;
    this.touched[shard] = true;
    this.routing.forwarded++;
  }

  /**
   * Replies made here must not overtake what the shards already sent this client (a
   * client that reads a relay's effect elsewhere and then asks here sees the relay first):
   * deliver those first.
   */
  private fail(connection: RoutedConnection, reason: string, action: 'announce' | 'scrape' | null, infoHash: string | null): void {
    this.counters.failures++;
    this.collect();
    connection.link.send(encodeFailure(reason, action, infoHash));
  }

  private announce(connection: RoutedConnection, message: WsAnnounce): void {
    const access = this.access.current;
    if (message.event !== WsEvent.STOPPED && access.mode !== 'off' && !access.allows(binaryStringView(message.infoHash), 0)) {
      return this.fail(connection, WsFailure.FORBIDDEN, 'announce', message.infoHash);
    }
    const shard = this.shardOf(message.infoHash);
    this.forwarded(connection, shard, writeAnnounce(this.sinks[shard]!, connection.id, message));
  }

  private scrape(connection: RoutedConnection, message: WsScrape): void {
    const infoHashes = message.infoHashes;
    if (infoHashes === null && !this.options.allowFullScrape) return this.fail(connection, WsFailure.FULL_SCRAPE, 'scrape', null);
    if (infoHashes !== null && infoHashes.length === 0) {
      this.counters.scrapes++;
      this.collect();
      return connection.link.send(new ScrapeResponseWriter().finish());
    }
    if (this.pending.size >= MAX_PENDING_SCRAPES) {
      this.routing.dropped++;
      return;
    }
    const tag = this.nextTag;
    this.nextTag = (this.nextTag + 1) >>> 0 || 1;
    const shards = this.writers.length;
    let parts = 0;
    let positions: number[][] | null = null;
    if (infoHashes === null) {
      for (let shard = 0; shard < shards; shard++) {
        if (!writeTagged(this.sinks[shard]!, ShardRecord.FULL_SCRAPE, connection.id, tag)) {
          this.routing.dropped++;
          return;
        }
        this.touched[shard] = true;
        parts++;
      }
    } else {
      const lists = this.positions;
      for (const list of lists) list.length = 0;
      for (let i = 0; i < infoHashes.length; i++) lists[this.shardOf(infoHashes[i]!)]!.push(i);
      positions = lists.map((list) => list.slice());
      for (let shard = 0; shard < shards; shard++) {
        if (positions[shard]!.length === 0) continue;
        if (!writeScrape(this.sinks[shard]!, connection.id, tag, infoHashes, positions[shard]!)) {
          // Parts already sent find no pending scrape and are ignored.
          this.routing.dropped++;
          return;
        }
        this.touched[shard] = true;
        parts++;
      }
    }
    this.counters.scrapes++;
    this.routing.forwarded++;
    this.pending.set(tag, {
      connection,
      since: this.now(),
      parts,
      infoHashes,
      positions,
      counts: infoHashes === null ? null : new Uint32Array(3 * infoHashes.length),
      full: infoHashes === null ? new ScrapeResponseWriter() : null,
    });
  }

  /** A shard's part of a scrape: its counts go where the request had their hashes. */
  private scraped(shard: number, kind: number, bytes: Buffer, view: DataView, at: number, length: number): void {
    const tag = recordTag(view, at);
    const pending = this.pending.get(tag);
    if (pending === undefined) return;
    let last = true;
    if (kind === SocketRecord.SCRAPE_COUNTS && pending.counts !== null) {
      const list = pending.positions![shard]!;
      for (let e = 0, from = at + SCRAPE_FIXED; e < list.length && from + SCRAPE_ENTRY <= at + length; e++, from += SCRAPE_ENTRY) {
        const to = 3 * list[e]!;
        pending.counts[to] = view.getUint32(from);
        pending.counts[to + 1] = view.getUint32(from + 4);
        pending.counts[to + 2] = view.getUint32(from + 8);
      }
    } else if (kind === SocketRecord.FULL_SCRAPE_PART && pending.full !== null) {
      last = bytes[at + SCRAPE_FIXED] === 1;
      for (let from = at + SCRAPE_FIXED + 1; from + FULL_SCRAPE_ENTRY <= at + length; from += FULL_SCRAPE_ENTRY) {
        const counts = from + 20;
        pending.full.add(bytes.toString('latin1', from, counts), view.getUint32(counts), view.getUint32(counts + 4), view.getUint32(counts + 8));
      }
    } else {
      return;
    }
    if (!last || --pending.parts > 0) return;
    this.pending.delete(tag);
    let writer = pending.full;
    if (writer === null) {
      writer = new ScrapeResponseWriter();
      const counts = pending.counts!;
      pending.infoHashes!.forEach((infoHash, i) => writer!.add(infoHash, counts[3 * i]!, counts[3 * i + 1]!, counts[3 * i + 2]!));
    }
    pending.connection.link.send(writer.finish());
  }

  /** Forgets scrapes whose parts never all came (a shard dropped a reply). */
  private purge(): void {
    const now = this.now();
    if (now === this.lastPurge) return;
    this.lastPurge = now;
    this.routing.expired += expireOlderThan(this.pending, now, PENDING_TIMEOUT);
  }
}
