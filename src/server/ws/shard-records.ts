// The records aquatic_ws's socket workers and shards exchange through their rings: decoded
// client messages in (binary, so a shard never parses JSON again) and messages out (the
// JSON text for one connection, or scrape counts). Every record starts with its kind (u8)
// and a connection id (u32) of the socket worker at the other end of the ring.
// Binary strings (info_hash, peer_id, offer_id: 20 chars 0–255) travel as 20 bytes.
import { BINARY_STRING_LENGTH, type WsAnnounce, type WsAnswer, type WsEvent, type WsOffer } from '../../protocol/ws/incoming.js';
import type { RingWriter } from '../../util/spsc-ring.js';

/** Records to a shard. */
export const ShardRecord = { ANNOUNCE: 1, ANSWER: 2, SCRAPE: 3, FULL_SCRAPE: 4, CLOSE: 5 } as const;
/** Records from a shard. */
export const SocketRecord = { TEXT: 1, SCRAPE_COUNTS: 2, FULL_SCRAPE_PART: 3 } as const;

const B = BINARY_STRING_LENGTH;
const KIND = 0;
const CONNECTION = 1;
export const RECORD_HEADER = 5;
/** Scrape counts per info hash: complete, incomplete, downloaded (u32 each). */
export const SCRAPE_ENTRY = 12;
/** Full scrape entries: the info hash, then its counts. */
export const FULL_SCRAPE_ENTRY = B + SCRAPE_ENTRY;
/** Torrents per full scrape part, so that a part is a small record whatever the tracker holds. */
export const FULL_SCRAPE_PART_ENTRIES = 1024;

// ANNOUNCE: event u8, seeder u8, numwant u16, info_hash, peer_id, offer count u8, then per
// offer its offer_id, the length (u32) of the SDP's JSON literal and the literal, as the
// client sent it.
const ANNOUNCE_FIXED = RECORD_HEADER + 4 + 2 * B + 1;
const OFFER_FIXED = B + 4;
// ANSWER: info_hash, peer_id, to_peer_id, offer_id, then the SDP's literal to the end of the record.
const ANSWER_FIXED = RECORD_HEADER + 4 * B;
// SCRAPE and FULL_SCRAPE: a tag (u32) the replies carry back; SCRAPE then lists its hashes.
// SCRAPE_COUNTS: the tag, then one entry per hash in the order asked.
// FULL_SCRAPE_PART: the tag, a last-part flag (u8), then entries.
export const SCRAPE_FIXED = RECORD_HEADER + 4;
export const FULL_SCRAPE_PART_FIXED = SCRAPE_FIXED + 1;

/** One end of a ring: where records are allocated, and the bytes to write them into (read after `alloc`). */
export interface RecordSink {
  /** Offset of a record of `length` bytes in `bytes`, or -1 when there is no room. */
  alloc(length: number): number;
  /** As `alloc`, for records that must not be lost (a connection's close), where the sink can promise that. */
  allocAlways?(length: number): number;
  readonly bytes: Buffer;
  readonly view: DataView;
}

/**
 * A socket worker's end of the ring to a shard. Records go into the ring while it has room;
 * when it is full they wait, in order, in buffers of their own (up to `maxSpilledBytes`) and
 * move into the ring as the shard frees room: a burst of messages is delayed, not lost
 * (WebSocket clients do not resend an announce). Beyond the bound `alloc` refuses.
 */
export class SpillingSink implements RecordSink {
  bytes: Buffer;
  view: DataView;
  /** Records that had to wait for room in the ring. */
  spilledRecords = 0;
  private readonly ring: { bytes: Buffer; view: DataView };
  private readonly spilled: Buffer[] = [];
  private spilledBytes = 0;

  constructor(
    private readonly writer: RingWriter,
    private readonly maxSpilledBytes: number,
  ) {
    this.ring = ringViews(writer.data);
    this.bytes = this.ring.bytes;
    this.view = this.ring.view;
  }

  alloc(length: number): number {
    return this.spilledBytes + length > this.maxSpilledBytes && this.spilled.length > 0 ? -1 : this.allocAlways(length);
  }

  allocAlways(length: number): number {
    // A record the ring can never hold would block every record after it.
    if (length > this.writer.data.length) return -1;
    if (this.spilled.length === 0) {
      const at = this.writer.alloc(length);
      if (at >= 0) {
        this.bytes = this.ring.bytes;
        this.view = this.ring.view;
        return at;
      }
    }
    const record = Buffer.allocUnsafe(length);
    this.spilled.push(record);
    this.spilledBytes += length;
    this.spilledRecords++;
    this.bytes = record;
    this.view = new DataView(record.buffer, record.byteOffset, length);
    return 0;
  }

  /** Moves waiting records into the ring while it has room; returns whether any moved. */
  unspill(): boolean {
    let moved = 0;
    for (; moved < this.spilled.length; moved++) {
      const record = this.spilled[moved]!;
      const at = this.writer.alloc(record.length);
      if (at < 0) break;
      this.ring.bytes.set(record, at);
      this.spilledBytes -= record.length;
    }
    if (moved > 0) this.spilled.splice(0, moved);
    return moved > 0;
  }
}

/** A ring's data as a Buffer (strings) and a DataView (numbers), made once per ring. */
export function ringViews(data: Uint8Array): { bytes: Buffer; view: DataView } {
  return { bytes: Buffer.from(data.buffer, data.byteOffset, data.byteLength), view: new DataView(data.buffer, data.byteOffset, data.byteLength) };
}

export function recordKind(bytes: Buffer, at: number): number {
  return bytes[at + KIND]!;
}

export function recordConnection(view: DataView, at: number): number {
  return view.getUint32(at + CONNECTION);
}

function header(sink: RecordSink, at: number, kind: number, connection: number): void {
  sink.bytes[at + KIND] = kind;
  sink.view.setUint32(at + CONNECTION, connection);
}

const binary = (bytes: Buffer, at: number) => bytes.toString('latin1', at, at + B);

export function writeAnnounce(sink: RecordSink, connection: number, message: WsAnnounce): boolean {
  const offers = message.offers;
  let length = ANNOUNCE_FIXED;
  for (let i = 0; i < offers.length; i++) length += OFFER_FIXED + offers[i]!.sdpEnd - offers[i]!.sdpStart;
  const at = sink.alloc(length);
  if (at < 0) return false;
  const { bytes, view } = sink;
  header(sink, at, ShardRecord.ANNOUNCE, connection);
  bytes[at + RECORD_HEADER] = message.event;
  bytes[at + RECORD_HEADER + 1] = message.seeder ? 1 : 0;
  view.setUint16(at + RECORD_HEADER + 2, Math.min(message.numwant, 0xffff));
  bytes.write(message.infoHash, at + RECORD_HEADER + 4, B, 'latin1');
  bytes.write(message.peerId, at + RECORD_HEADER + 4 + B, B, 'latin1');
  bytes[at + ANNOUNCE_FIXED - 1] = offers.length;
  let to = at + ANNOUNCE_FIXED;
  for (let i = 0; i < offers.length; i++) {
    const { offerId, sdpStart, sdpEnd } = offers[i]!;
    bytes.write(offerId, to, B, 'latin1');
    view.setUint32(to + B, sdpEnd - sdpStart);
    to += OFFER_FIXED + message.source.copy(bytes, to + OFFER_FIXED, sdpStart, sdpEnd);
  }
  return true;
}

export function readAnnounce(bytes: Buffer, view: DataView, at: number): WsAnnounce {
  const count = bytes[at + ANNOUNCE_FIXED - 1]!;
  const offers = new Array<WsOffer>(count);
  let from = at + ANNOUNCE_FIXED;
  for (let i = 0; i < count; i++) {
    const sdpStart = from + OFFER_FIXED;
    const sdpEnd = sdpStart + view.getUint32(from + B);
    offers[i] = { offerId: binary(bytes, from), sdpStart, sdpEnd };
    from = sdpEnd;
  }
  return {
    action: 'announce',
    event: bytes[at + RECORD_HEADER] as WsEvent,
    seeder: bytes[at + RECORD_HEADER + 1] === 1,
    numwant: view.getUint16(at + RECORD_HEADER + 2),
    infoHash: binary(bytes, at + RECORD_HEADER + 4),
    peerId: binary(bytes, at + RECORD_HEADER + 4 + B),
    offers,
    source: bytes,
  };
}

export function writeAnswer(sink: RecordSink, connection: number, message: WsAnswer): boolean {
  const sdpLength = message.sdpEnd - message.sdpStart;
  const at = sink.alloc(ANSWER_FIXED + sdpLength);
  if (at < 0) return false;
  const bytes = sink.bytes;
  header(sink, at, ShardRecord.ANSWER, connection);
  bytes.write(message.infoHash, at + RECORD_HEADER, B, 'latin1');
  bytes.write(message.peerId, at + RECORD_HEADER + B, B, 'latin1');
  bytes.write(message.toPeerId, at + RECORD_HEADER + 2 * B, B, 'latin1');
  bytes.write(message.offerId, at + RECORD_HEADER + 3 * B, B, 'latin1');
  message.source.copy(bytes, at + ANSWER_FIXED, message.sdpStart, message.sdpEnd);
  return true;
}

export function readAnswer(bytes: Buffer, at: number, length: number): WsAnswer {
  return {
    action: 'answer',
    infoHash: binary(bytes, at + RECORD_HEADER),
    peerId: binary(bytes, at + RECORD_HEADER + B),
    toPeerId: binary(bytes, at + RECORD_HEADER + 2 * B),
    offerId: binary(bytes, at + RECORD_HEADER + 3 * B),
    source: bytes,
    sdpStart: at + ANSWER_FIXED,
    sdpEnd: at + length,
  };
}

/** A scrape of infoHashes[positions[0]], infoHashes[positions[1]], … (the ones this shard owns). */
export function writeScrape(sink: RecordSink, connection: number, tag: number, infoHashes: readonly string[], positions: readonly number[]): boolean {
  const at = sink.alloc(SCRAPE_FIXED + positions.length * B);
  if (at < 0) return false;
  header(sink, at, ShardRecord.SCRAPE, connection);
  sink.view.setUint32(at + RECORD_HEADER, tag);
  for (let i = 0; i < positions.length; i++) sink.bytes.write(infoHashes[positions[i]!]!, at + SCRAPE_FIXED + i * B, B, 'latin1');
  return true;
}

/** The info hashes of a SCRAPE record of `length` bytes. */
export function readScrapeHashes(bytes: Buffer, at: number, length: number): string[] {
  const count = (length - SCRAPE_FIXED) / B;
  const infoHashes = new Array<string>(count);
  for (let i = 0; i < count; i++) infoHashes[i] = binary(bytes, at + SCRAPE_FIXED + i * B);
  return infoHashes;
}

export function writeTagged(sink: RecordSink, kind: number, connection: number, tag: number): boolean {
  const at = sink.alloc(SCRAPE_FIXED);
  if (at < 0) return false;
  header(sink, at, kind, connection);
  sink.view.setUint32(at + RECORD_HEADER, tag);
  return true;
}

export function recordTag(view: DataView, at: number): number {
  return view.getUint32(at + RECORD_HEADER);
}

export function writeClose(sink: RecordSink, connection: number): boolean {
  const at = sink.allocAlways?.(RECORD_HEADER) ?? sink.alloc(RECORD_HEADER);
  if (at < 0) return false;
  header(sink, at, ShardRecord.CLOSE, connection);
  return true;
}

/** A message for one connection, as UTF-8 JSON text. */
export function writeText(sink: RecordSink, connection: number, text: string): boolean {
  const length = Buffer.byteLength(text, 'utf8');
  const at = sink.alloc(RECORD_HEADER + length);
  if (at < 0) return false;
  header(sink, at, SocketRecord.TEXT, connection);
  sink.bytes.write(text, at + RECORD_HEADER, length, 'utf8');
  return true;
}

/** The same for a message that is UTF-8 bytes already: bytes[start, end). */
export function writeUtf8(sink: RecordSink, connection: number, bytes: Uint8Array, start: number, end: number): boolean {
  const at = sink.alloc(RECORD_HEADER + end - start);
  if (at < 0) return false;
  header(sink, at, SocketRecord.TEXT, connection);
  sink.bytes.set(bytes.subarray(start, end), at + RECORD_HEADER);
  return true;
}

/**
 * Reserves a SCRAPE_COUNTS (or, with `last` given, a FULL_SCRAPE_PART) record for `entries`
 * entries; returns the offset of its first entry, or -1.
 */
export function allocScrapeReply(sink: RecordSink, connection: number, tag: number, entries: number, last?: boolean): number {
  const full = last !== undefined;
  const fixed = full ? FULL_SCRAPE_PART_FIXED : SCRAPE_FIXED;
  const at = sink.alloc(fixed + entries * (full ? FULL_SCRAPE_ENTRY : SCRAPE_ENTRY));
  if (at < 0) return -1;
  header(sink, at, full ? SocketRecord.FULL_SCRAPE_PART : SocketRecord.SCRAPE_COUNTS, connection);
  sink.view.setUint32(at + RECORD_HEADER, tag);
  if (full) sink.bytes[at + SCRAPE_FIXED] = last ? 1 : 0;
  return at + fixed;
}
