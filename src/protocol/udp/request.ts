// BEP 15 requests: reading them in place (tracker side) and writing them (clients, load
// tests). Pure functions over bytes; no I/O, no tracker state.
import {
  ACTION_ANNOUNCE,
  ACTION_CONNECT,
  ACTION_SCRAPE,
  ANNOUNCE_REQUEST_SIZE,
  CONNECT_REQUEST_SIZE,
  EVENT_NONE,
  INFO_HASH_SIZE,
  PEER_ID_SIZE,
  PROTOCOL_ID_HIGH,
  PROTOCOL_ID_LOW,
  REQUEST_HEADER_SIZE,
} from './constants.js';

/** What `readRequest` made of a datagram. */
export const ReadStatus = {
  CONNECT: ACTION_CONNECT,
  ANNOUNCE: ACTION_ANNOUNCE,
  SCRAPE: ACTION_SCRAPE,
  /** Not answerable: too short, or a connect without the protocol magic. */
  DROP: -1,
  /** Identifiable but invalid: answer `error` to `transactionId` if the connection ID is valid. */
  ERROR: -2,
} as const;
export type ReadStatus = (typeof ReadStatus)[keyof typeof ReadStatus];

export const RequestError = {
  PORT_ZERO: "Port can't be 0",
  FULL_SCRAPE: 'Full scrapes are not allowed',
  SHORT_ANNOUNCE: 'Announce request too short',
  BAD_SCRAPE_LENGTH: 'Scrape request length is not 16 + 20 * n bytes',
  UNKNOWN_ACTION: 'Unknown action',
  /** Not a decoding error: the tracker's access list refuses the info hash. */
  FORBIDDEN: 'Info hash not allowed',
} as const;

/**
 * A decoded request. Reused between datagrams on the hot path, so byte fields are offsets
 * into the datagram instead of copies.
 */
export interface UdpRequest {
  connectionIdHigh: number;
  connectionIdLow: number;
  transactionId: number;
  /** Announce: offset of info_hash. Scrape: offset of the first info hash. */
  infoHashOffset: number;
  /** Announce: offset of peer_id. */
  peerIdOffset: number;
  downloaded: number;
  left: number;
  uploaded: number;
  event: number;
  key: number;
  numWant: number;
  port: number;
  /** Scrape: how many info hashes follow infoHashOffset. */
  scrapeCount: number;
  /** With ReadStatus.ERROR: the message for the error reply. */
  error: string;
}

export function createUdpRequest(): UdpRequest {
  return {
    connectionIdHigh: 0,
    connectionIdLow: 0,
    transactionId: 0,
    infoHashOffset: 0,
    peerIdOffset: 0,
    downloaded: 0,
    left: 0,
    uploaded: 0,
    event: EVENT_NONE,
    key: 0,
    numWant: 0,
    port: 0,
    scrapeCount: 0,
    error: '',
  };
}

/** A u64 as a double: exact up to 2^53 bytes, far beyond any torrent. */
function readU64(view: DataView, at: number): number {
  return view.getUint32(at) * 0x1_0000_0000 + view.getUint32(at + 4);
}

/**
 * Reads the datagram at view[offset, offset + length) into `out` and says what it is.
 * Never throws for any input.
 */
export function readRequest(view: DataView, offset: number, length: number, out: UdpRequest): ReadStatus {
  if (length < REQUEST_HEADER_SIZE) return ReadStatus.DROP;
  const high = view.getUint32(offset);
  const low = view.getUint32(offset + 4);
  const action = view.getUint32(offset + 8);
  out.connectionIdHigh = high;
  out.connectionIdLow = low;
  out.transactionId = view.getUint32(offset + 12);
  if (action === ACTION_CONNECT) {
    // BEP 15: a connect request carries the protocol magic where the connection ID goes.
    return high === PROTOCOL_ID_HIGH && low === PROTOCOL_ID_LOW && length >= CONNECT_REQUEST_SIZE
      ? ReadStatus.CONNECT
      : ReadStatus.DROP;
  }
  if (action === ACTION_ANNOUNCE) {
    // BEP 41: URLData options may follow byte 98; they are tolerated and not interpreted.
    if (length < ANNOUNCE_REQUEST_SIZE) return fail(out, RequestError.SHORT_ANNOUNCE);
    out.infoHashOffset = offset + 16;
    out.peerIdOffset = offset + 36;
    out.downloaded = readU64(view, offset + 56);
    out.left = readU64(view, offset + 64);
    out.uploaded = readU64(view, offset + 72);
    out.event = view.getUint32(offset + 80);
    // offset + 84: the IP field, ignored: the datagram's source address is always used.
    out.key = view.getUint32(offset + 88);
    out.numWant = view.getInt32(offset + 92);
    out.port = view.getUint16(offset + 96);
    if (out.port === 0) return fail(out, RequestError.PORT_ZERO);
    return ReadStatus.ANNOUNCE;
  }
  if (action === ACTION_SCRAPE) {
    const hashBytes = length - REQUEST_HEADER_SIZE;
    if (hashBytes === 0) return fail(out, RequestError.FULL_SCRAPE);
    if (hashBytes % INFO_HASH_SIZE !== 0) return fail(out, RequestError.BAD_SCRAPE_LENGTH);
    out.infoHashOffset = offset + REQUEST_HEADER_SIZE;
    out.scrapeCount = hashBytes / INFO_HASH_SIZE;
    return ReadStatus.SCRAPE;
  }
  return fail(out, RequestError.UNKNOWN_ACTION);
}

function fail(out: UdpRequest, message: string): ReadStatus {
  out.error = message;
  return ReadStatus.ERROR;
}

// Client side: the load testers and the tests build requests with these.

export function writeConnectRequest(view: DataView, offset: number, transactionId: number): number {
  view.setUint32(offset, PROTOCOL_ID_HIGH);
  view.setUint32(offset + 4, PROTOCOL_ID_LOW);
  view.setUint32(offset + 8, ACTION_CONNECT);
  view.setUint32(offset + 12, transactionId);
  return CONNECT_REQUEST_SIZE;
}

export interface AnnounceFields {
  readonly connectionIdHigh: number;
  readonly connectionIdLow: number;
  readonly transactionId: number;
  readonly infoHash: Uint8Array;
  readonly peerId: Uint8Array;
  readonly downloaded: number;
  readonly left: number;
  readonly uploaded: number;
  readonly event: number;
  readonly ipAddress?: number;
  readonly key: number;
  readonly numWant: number;
  readonly port: number;
}

/** The first `size` bytes, without making a view when the array already has that size. */
function exactly(bytes: Uint8Array, size: number): Uint8Array {
  return bytes.length === size ? bytes : bytes.subarray(0, size);
}

function writeU64(view: DataView, at: number, value: number): void {
  view.setUint32(at, Math.floor(value / 0x1_0000_0000));
  view.setUint32(at + 4, value >>> 0);
}

export function writeAnnounceRequest(bytes: Uint8Array, view: DataView, offset: number, fields: AnnounceFields): number {
  view.setUint32(offset, fields.connectionIdHigh);
  view.setUint32(offset + 4, fields.connectionIdLow);
  view.setUint32(offset + 8, ACTION_ANNOUNCE);
  view.setUint32(offset + 12, fields.transactionId);
  bytes.set(exactly(fields.infoHash, INFO_HASH_SIZE), offset + 16);
  bytes.set(exactly(fields.peerId, PEER_ID_SIZE), offset + 36);
  writeU64(view, offset + 56, fields.downloaded);
  writeU64(view, offset + 64, fields.left);
  writeU64(view, offset + 72, fields.uploaded);
  view.setUint32(offset + 80, fields.event);
  view.setUint32(offset + 84, fields.ipAddress ?? 0);
  view.setUint32(offset + 88, fields.key);
  view.setInt32(offset + 92, fields.numWant);
  view.setUint16(offset + 96, fields.port);
  return ANNOUNCE_REQUEST_SIZE;
}

export function writeScrapeRequest(
  bytes: Uint8Array,
  view: DataView,
  offset: number,
  connectionIdHigh: number,
  connectionIdLow: number,
  transactionId: number,
  infoHashes: readonly Uint8Array[],
): number {
  view.setUint32(offset, connectionIdHigh);
  view.setUint32(offset + 4, connectionIdLow);
  view.setUint32(offset + 8, ACTION_SCRAPE);
  view.setUint32(offset + 12, transactionId);
  let at = offset + REQUEST_HEADER_SIZE;
  for (const hash of infoHashes) {
    bytes.set(exactly(hash, INFO_HASH_SIZE), at);
    at += INFO_HASH_SIZE;
  }
  return at - offset;
}
