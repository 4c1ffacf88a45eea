// HTTP tracker replies: the bencoded announce, scrape and failure bodies (BEP 3 / 7 / 23 /
// 31 / 48) written in place, the HTTP/1.1 200 head around them, and canned error replies.
//
// Every writer takes (out, at, ...) and returns the bytes written. Size `out` with the *_MAX
// constants. The compact path allocates nothing when the peers sit in `out` itself, as in
// this intended layout for one reply:
//
//   out: [ RESPONSE_HEAD_MAX ][ ANNOUNCE_BODY_HEAD_MAX ][ peers written by the swarm ... ]
//          ^ head goes here,    ^ body written from      ^ the swarm writes compact peers
//            right-aligned        RESPONSE_HEAD_MAX        here; the body writer moves them
//            (writeResponseHeadBefore)                     down with copyWithin (memmove)
import {
  bencodeFragment,
  decimalLength,
  writeBencodeBytes,
  writeBencodeInteger,
  writeBencodeString,
  writeDecimal,
  writeFragment,
} from './bencode.js';
import { INFO_HASH_SIZE, PEER_ID_SIZE, PEER_SIZE_V4, ResponseKey } from './constants.js';
import { formatIpv6 } from '../../util/ip.js';

const CHAR_d = 0x64;
const CHAR_e = 0x65;
const CHAR_l = 0x6c;

/** `<length>:<key>`, ready to copy: every dict key the replies use. */
const key = (name: string): Uint8Array => bencodeFragment(`${name.length}:${name}`);
const KEY_COMPLETE = key(ResponseKey.COMPLETE);
const KEY_DOWNLOADED = key(ResponseKey.DOWNLOADED);
const KEY_FAILURE_REASON = key(ResponseKey.FAILURE_REASON);
const KEY_FILES = key(ResponseKey.FILES);
const KEY_FLAGS = key(ResponseKey.FLAGS);
const KEY_INCOMPLETE = key(ResponseKey.INCOMPLETE);
const KEY_INTERVAL = key(ResponseKey.INTERVAL);
const KEY_IP = key(ResponseKey.IP);
const KEY_MIN_INTERVAL = key(ResponseKey.MIN_INTERVAL);
const KEY_MIN_REQUEST_INTERVAL = key(ResponseKey.MIN_REQUEST_INTERVAL);
const KEY_PEER_ID = key(ResponseKey.PEER_ID);
const KEY_PEERS = key(ResponseKey.PEERS);
const KEY_PEERS6 = key(ResponseKey.PEERS6);
const KEY_PORT = key(ResponseKey.PORT);
const KEY_RETRY_IN = key(ResponseKey.RETRY_IN);
const NEVER = bencodeFragment('5:never');

/** `i-9007199254740991e`: the longest bencoded safe integer. */
const INTEGER_MAX = 19;
/** `9007199254740991:`: the longest byte-string header. */
const STRING_HEADER_MAX = 17;

// Announce.

/** The numbers every announce reply carries (BEP 3; `complete`/`incomplete` by convention). */
export interface AnnounceCounts {
  /** Seconds between regular announces (BEP 3). */
  interval: number;
  /** Seconds clients must wait at least (`min interval`); written only when > 0. */
  minInterval: number;
  /** Seeders. */
  complete: number;
  /** Leechers. */
  incomplete: number;
}

/**
 * A compact announce reply (BEP 23, BEP 7): counts plus where the compact peers are. Each
 * peer list is `source[start, start + length)`; a null source leaves the key out. Reuse one.
 */
export interface CompactAnnounceReply extends AnnounceCounts {
  /** 6-byte IPv4 peers for `peers`. Give an empty list rather than null: BEP 3 clients expect `peers`. */
  peers: Uint8Array | null;
  peersStart: number;
  peersLength: number;
  /** 18-byte IPv6 peers for `peers6` (BEP 7). */
  peers6: Uint8Array | null;
  peers6Start: number;
  peers6Length: number;
}

export function createCompactAnnounceReply(): CompactAnnounceReply {
  return {
    interval: 0,
    minInterval: 0,
    complete: 0,
    incomplete: 0,
    peers: null,
    peersStart: 0,
    peersLength: 0,
    peers6: null,
    peers6Start: 0,
    peers6Length: 0,
  };
}

/**
 * The most bytes an announce body takes before its first peer byte (sized with the longer
 * key, `6:peers6`). A swarm writing peers into `out` itself at (body start + this) never
 * has them overwritten by what precedes them.
 */
export const ANNOUNCE_BODY_HEAD_MAX =
  1 +
  KEY_COMPLETE.length +
  KEY_INCOMPLETE.length +
  KEY_INTERVAL.length +
  KEY_MIN_INTERVAL.length +
  4 * INTEGER_MAX +
  KEY_PEERS6.length +
  STRING_HEADER_MAX;

/** Most bytes of `6:peers6<n>:`. */
export const PEERS6_HEAD_MAX = KEY_PEERS6.length + STRING_HEADER_MAX;

/** Most bytes besides the peers themselves in a compact announce body (both peer keys). */
export const ANNOUNCE_BODY_OVERHEAD_MAX = ANNOUNCE_BODY_HEAD_MAX + PEERS6_HEAD_MAX + 1;

/** `d` and the integer keys, in byte order: complete < incomplete < interval < min interval < peers. */
function writeAnnounceCounts(out: Uint8Array, at: number, counts: AnnounceCounts): number {
  let position = at;
  out[position++] = CHAR_d;
  position += writeFragment(out, position, KEY_COMPLETE);
  position += writeBencodeInteger(out, position, counts.complete);
  position += writeFragment(out, position, KEY_INCOMPLETE);
  position += writeBencodeInteger(out, position, counts.incomplete);
  position += writeFragment(out, position, KEY_INTERVAL);
  position += writeBencodeInteger(out, position, counts.interval);
  if (counts.minInterval > 0) {
    position += writeFragment(out, position, KEY_MIN_INTERVAL);
    position += writeBencodeInteger(out, position, counts.minInterval);
  }
  return position - at;
}

/**
 * Writes a compact announce body: `d8:completei…e10:incompletei…e8:intervali…e` then
 * `12:min intervali…e`, `5:peers<n>:…`, `6:peers6<n>:…` as present, then `e`.
 *
 * Peer bytes may come from anywhere, `out` included (moved down with copyWithin, so no
 * copy is allocated). In `out`, `peers` must start at or after `at + ANNOUNCE_BODY_HEAD_MAX`,
 * and `peers6` at or after `at + ANNOUNCE_BODY_HEAD_MAX + PEERS6_HEAD_MAX + peersLength`
 * (peersLength counted only when `peers` is given), so nothing is overwritten before it moves.
 */
export function writeAnnounceResponse(out: Uint8Array, at: number, reply: CompactAnnounceReply): number {
  let position = at + writeAnnounceCounts(out, at, reply);
  if (reply.peers !== null) {
    position += writeFragment(out, position, KEY_PEERS);
    position += writeBencodeBytes(out, position, reply.peers, reply.peersStart, reply.peersStart + reply.peersLength);
  }
  if (reply.peers6 !== null) {
    position += writeFragment(out, position, KEY_PEERS6);
    position += writeBencodeBytes(out, position, reply.peers6, reply.peers6Start, reply.peers6Start + reply.peers6Length);
  }
  out[position++] = CHAR_e;
  return position - at;
}

/** A peer in the non-compact form (BEP 3): a dict of `ip`, `peer id`, `port`. */
export interface ListedPeer {
  readonly peerId?: Uint8Array;
  /** An IP literal (at most 45 characters): dotted quad or IPv6 text. */
  readonly ip: string;
  readonly port: number;
}

/** Most bytes one listed peer takes: `d2:ip45:…7:peer id20:…4:porti65535ee`. */
export const LISTED_PEER_MAX = 1 + KEY_IP.length + 3 + 45 + KEY_PEER_ID.length + 3 + PEER_ID_SIZE + KEY_PORT.length + 7 + 1;

/**
 * Writes a non-compact announce body (`compact=0`, BEP 3): `peers` is a list of dicts
 * with keys in byte order `ip` < `peer id` < `port`. IPv6 peers go in the same list (BEP 7
 * `peers6` is compact only). `peer id` is left out when `withPeerIds` is false
 * (`no_peer_id`) or a peer has none. Size `out` with ANNOUNCE_BODY_OVERHEAD_MAX +
 * peers.length * LISTED_PEER_MAX.
 */
export function writeAnnounceListResponse(
  out: Uint8Array,
  at: number,
  counts: AnnounceCounts,
  peers: readonly ListedPeer[],
  withPeerIds: boolean,
): number {
  let position = at + writeAnnounceCounts(out, at, counts);
  position += writeFragment(out, position, KEY_PEERS);
  out[position++] = CHAR_l;
  for (const peer of peers) {
    out[position++] = CHAR_d;
    position += writeFragment(out, position, KEY_IP);
    position += writeBencodeString(out, position, peer.ip);
    if (withPeerIds && peer.peerId !== undefined) {
      position += writeFragment(out, position, KEY_PEER_ID);
      position += writeBencodeBytes(out, position, peer.peerId, 0, peer.peerId.length);
    }
    position += writeFragment(out, position, KEY_PORT);
    position += writeBencodeInteger(out, position, peer.port);
    out[position++] = CHAR_e;
  }
  out[position++] = CHAR_e;
  out[position++] = CHAR_e;
  return position - at;
}

/**
 * Turns compact peers (6 or 18 bytes each) into listed peers without peer ids, for the
 * rare `compact=0` request (the swarm keeps addresses, not peer ids). Allocates.
 */
export function listedPeersFromCompact(bytes: Uint8Array, start: number, length: number, peerSize: number): ListedPeer[] {
  const peers: ListedPeer[] = [];
  for (let at = start; at + peerSize <= start + length; at += peerSize) {
    const ip =
      peerSize === PEER_SIZE_V4 ? `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}` : formatIpv6(bytes, at);
    peers.push({ ip, port: (bytes[at + peerSize - 2]! << 8) | bytes[at + peerSize - 1]! });
  }
  return peers;
}

// Scrape.

/** Per scraped torrent in `stats`: [complete, downloaded, incomplete], the reply's key order. */
export const SCRAPE_STATS_STRIDE = 3;

/** Most bytes one `files` entry takes. */
export const SCRAPE_ENTRY_MAX =
  3 + INFO_HASH_SIZE + 1 + KEY_COMPLETE.length + KEY_DOWNLOADED.length + KEY_INCOMPLETE.length + 3 * INTEGER_MAX + 1;

/** Most bytes of a scrape body for `count` torrents. */
export function scrapeResponseMaxLength(count: number): number {
  const flags = KEY_FLAGS.length + 1 + KEY_MIN_REQUEST_INTERVAL.length + INTEGER_MAX + 1;
  return 1 + KEY_FILES.length + 1 + count * SCRAPE_ENTRY_MAX + 1 + flags + 1;
}

/**
 * Writes a scrape body (BEP 48): `d5:filesd` then per torrent
 * `20:<hash>d8:completei…e10:downloadedi…e10:incompletei…ee`, `e`, optionally
 * `5:flagsd20:min_request_intervali…ee` (when minRequestInterval > 0), `e`.
 *
 * `hashes` holds `count` info hashes of 20 bytes from offset 0 in ascending byte order
 * without duplicates, as `readScrapeQuery` leaves them (a dict's keys must be sorted, BEP 3);
 * `stats` holds SCRAPE_STATS_STRIDE numbers per hash in the same order.
 */
export function writeScrapeResponse(
  out: Uint8Array,
  at: number,
  hashes: Uint8Array,
  count: number,
  stats: ArrayLike<number>,
  minRequestInterval = 0,
): number {
  let position = at;
  out[position++] = CHAR_d;
  position += writeFragment(out, position, KEY_FILES);
  out[position++] = CHAR_d;
  for (let i = 0; i < count; i++) {
    const hashAt = i * INFO_HASH_SIZE;
    const statsAt = i * SCRAPE_STATS_STRIDE;
    position += writeBencodeBytes(out, position, hashes, hashAt, hashAt + INFO_HASH_SIZE);
    out[position++] = CHAR_d;
    position += writeFragment(out, position, KEY_COMPLETE);
    position += writeBencodeInteger(out, position, stats[statsAt]!);
    position += writeFragment(out, position, KEY_DOWNLOADED);
    position += writeBencodeInteger(out, position, stats[statsAt + 1]!);
    position += writeFragment(out, position, KEY_INCOMPLETE);
    position += writeBencodeInteger(out, position, stats[statsAt + 2]!);
    out[position++] = CHAR_e;
  }
  out[position++] = CHAR_e;
  if (minRequestInterval > 0) {
    position += writeFragment(out, position, KEY_FLAGS);
    out[position++] = CHAR_d;
    position += writeFragment(out, position, KEY_MIN_REQUEST_INTERVAL);
    position += writeBencodeInteger(out, position, minRequestInterval);
    out[position++] = CHAR_e;
  }
  out[position++] = CHAR_e;
  return position - at;
}

// Failure.

/** Most bytes of a failure body besides the reason's own UTF-8 bytes. */
export const FAILURE_OVERHEAD_MAX = 1 + KEY_FAILURE_REASON.length + STRING_HEADER_MAX + KEY_RETRY_IN.length + INTEGER_MAX + 1;

/**
 * Writes `d14:failure reason<n>:<reason>e` (BEP 3), with BEP 31 `8:retry in` (minutes, or
 * `never`) before the `e` when given. Clients read the body of an HTTP 200 reply, so send
 * it with status 200.
 */
export function writeFailure(out: Uint8Array, at: number, reason: string, retryIn?: number | 'never'): number {
  let position = at;
  out[position++] = CHAR_d;
  position += writeFragment(out, position, KEY_FAILURE_REASON);
  position += writeBencodeString(out, position, reason);
  if (retryIn !== undefined) {
    position += writeFragment(out, position, KEY_RETRY_IN);
    position += retryIn === 'never' ? writeFragment(out, position, NEVER) : writeBencodeInteger(out, position, retryIn);
  }
  out[position++] = CHAR_e;
  return position - at;
}

// The HTTP/1.1 framing (RFC 9112).

const HEAD_START = bencodeFragment('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ');
/** HTTP/1.1 keeps connections open by default; saying so also serves HTTP/1.0 keep-alive clients. */
const HEAD_END_KEEP_ALIVE = bencodeFragment('\r\nConnection: keep-alive\r\n\r\n');
const HEAD_END_CLOSE = bencodeFragment('\r\nConnection: close\r\n\r\n');

/** Most bytes `writeResponseHead` writes. */
export const RESPONSE_HEAD_MAX = HEAD_START.length + 16 + Math.max(HEAD_END_KEEP_ALIVE.length, HEAD_END_CLOSE.length);

export function responseHeadLength(bodyLength: number, keepAlive: boolean): number {
  return HEAD_START.length + decimalLength(bodyLength) + (keepAlive ? HEAD_END_KEEP_ALIVE : HEAD_END_CLOSE).length;
}

/** Writes `HTTP/1.1 200 OK` with Content-Type, Content-Length and Connection headers. */
export function writeResponseHead(out: Uint8Array, at: number, bodyLength: number, keepAlive: boolean): number {
  let position = at + writeFragment(out, at, HEAD_START);
  position += writeDecimal(out, position, bodyLength);
  position += writeFragment(out, position, keepAlive ? HEAD_END_KEEP_ALIVE : HEAD_END_CLOSE);
  return position - at;
}

/**
 * Writes the head so that it ends exactly at `bodyAt` (the body was written first, at
 * bodyAt >= RESPONSE_HEAD_MAX). Returns where the head starts: send out[start, bodyAt + bodyLength).
 */
export function writeResponseHeadBefore(out: Uint8Array, bodyAt: number, bodyLength: number, keepAlive: boolean): number {
  const start = bodyAt - responseHeadLength(bodyLength, keepAlive);
  writeResponseHead(out, start, bodyLength, keepAlive);
  return start;
}

/** A whole reply with its own status, closing the connection. */
function cannedResponse(status: string, body: string, extraHeaders = ''): Buffer {
  return Buffer.from(
    `HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n${extraHeaders}Connection: close\r\n\r\n${body}`,
    'latin1',
  );
}

/**
 * Replies for requests that are not tracker requests at all, built once (RFC 9110 status
 * codes). Each closes the connection: after a malformed request the stream cannot be trusted.
 * Tracker-level problems (bad query) get a bencoded failure with 200 instead.
 */
export const CannedResponse = {
  /** Malformed request line or headers. */
  BAD_REQUEST: cannedResponse('400 Bad Request', 'Bad Request\n'),
  /** A path that is neither announce nor scrape. */
  NOT_FOUND: cannedResponse('404 Not Found', 'Not Found\n'),
  /** Anything but GET (RFC 9110 15.5.6: must list the allowed methods). */
  METHOD_NOT_ALLOWED: cannedResponse('405 Method Not Allowed', 'Method Not Allowed\n', 'Allow: GET\r\n'),
  /** A request body where none belongs (RFC 9110 15.5.14). */
  CONTENT_TOO_LARGE: cannedResponse('413 Content Too Large', 'Content Too Large\n'),
  /** Request line plus headers beyond the configured limit (RFC 6585 5). */
  HEADER_FIELDS_TOO_LARGE: cannedResponse('431 Request Header Fields Too Large', 'Request Header Fields Too Large\n'),
  /** Not HTTP/1.0 or HTTP/1.1. */
  HTTP_VERSION_NOT_SUPPORTED: cannedResponse('505 HTTP Version Not Supported', 'HTTP Version Not Supported\n'),
} as const;
