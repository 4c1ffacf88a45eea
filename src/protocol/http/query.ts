// HTTP tracker requests (BEP 3 / 23 / 48): routing a request target and reading announce and
// scrape query strings straight from the raw bytes into reusable result objects. Pure
// functions: no I/O, no strings or objects built per parameter, and no input makes them throw.
import {
  AnnounceKey,
  DEFAULT_ANNOUNCE_PATH,
  DEFAULT_SCRAPE_PATH,
  EVENT_COMPLETED,
  EVENT_NONE,
  EVENT_STARTED,
  EVENT_STOPPED,
  EventName,
  INFO_HASH_SIZE,
  MAX_BYTE_COUNT,
  MAX_PORT,
  NUMWANT_DEFAULT,
  PEER_ID_SIZE,
} from './constants.js';

const CHAR_PERCENT = 0x25;
const CHAR_AMPERSAND = 0x26;
const CHAR_EQUALS = 0x3d;
const CHAR_QUESTION = 0x3f;
const CHAR_SLASH = 0x2f;
const CHAR_MINUS = 0x2d;
const CHAR_0 = 0x30;

/** Failure reasons, sent as a bencoded `failure reason` with HTTP 200 (BEP 3). */
export const QueryError = {
  MISSING_INFO_HASH: 'Missing info_hash',
  BAD_INFO_HASH: 'info_hash must be 20 bytes',
  MISSING_PEER_ID: 'Missing peer_id',
  BAD_PEER_ID: 'peer_id must be 20 bytes',
  BAD_PERCENT_ENCODING: 'Invalid percent-encoding',
  MISSING_PORT: 'Missing port',
  BAD_PORT: 'Invalid port',
  PORT_ZERO: "Port can't be 0",
  MISSING_LEFT: 'Missing left',
  BAD_LEFT: 'Invalid left',
  BAD_UPLOADED: 'Invalid uploaded',
  BAD_DOWNLOADED: 'Invalid downloaded',
  BAD_NUMWANT: 'Invalid numwant',
  FULL_SCRAPE: 'Full scrapes are not allowed',
} as const;

// Percent-encoding (RFC 3986 2.1), byte by byte: info_hash and peer_id are binary.

/** Hex digit value by byte, -1 for anything else; both cases (RFC 3986 2.1: %ab = %AB). */
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[CHAR_0 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX_VALUE[0x41 + i] = 10 + i;
  HEX_VALUE[0x61 + i] = 10 + i;
}

/**
 * Decodes bytes[start, end) into out[at], writing at most `max` bytes. Returns the decoded
 * length (which may exceed `max`: only the first `max` bytes are written), or -1 when a `%`
 * is not followed by two hex digits. Every other byte is taken literally: unreserved
 * characters need no escaping, clients leave some sub-delims raw, and in a query string `+`
 * is not a space for binary fields (it stands for itself, as in libtorrent).
 */
export function percentDecode(bytes: Uint8Array, start: number, end: number, out: Uint8Array, at: number, max: number): number {
  let length = 0;
  for (let i = start; i < end; i++) {
    let value = bytes[i]!;
    if (value === CHAR_PERCENT) {
      if (i + 2 >= end) return -1;
      const high = HEX_VALUE[bytes[i + 1]!]!;
      const low = HEX_VALUE[bytes[i + 2]!]!;
      if ((high | low) < 0) return -1;
      value = (high << 4) | low;
      i += 2;
    }
    if (length < max) out[at + length] = value;
    length++;
  }
  return length;
}

/** RFC 3986 2.3 unreserved characters: ALPHA / DIGIT / "-" / "." / "_" / "~". */
const UNRESERVED = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const isAlnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  UNRESERVED[c] = isAlnum || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e ? 1 : 0;
}
const HEX_DIGITS = Buffer.from('0123456789ABCDEF', 'latin1');

/**
 * Client side (load testers, tests): percent-encodes bytes[start, end) into out[at], leaving
 * unreserved characters literal. Returns the bytes written (at most 3 per input byte).
 */
export function percentEncode(bytes: Uint8Array, start: number, end: number, out: Uint8Array, at: number): number {
  let position = at;
  for (let i = start; i < end; i++) {
    const value = bytes[i]!;
    if (UNRESERVED[value] === 1) {
      out[position++] = value;
    } else {
      out[position++] = CHAR_PERCENT;
      out[position++] = HEX_DIGITS[value >>> 4]!;
      out[position++] = HEX_DIGITS[value & 15]!;
    }
  }
  return position - at;
}

// Query strings: `key=value` pairs split by `&`.

/**
 * Called once per non-empty key with the byte ranges of key and value (empty when there is
 * no `=`). Returns null to go on, or a failure reason to stop.
 */
type ParameterVisitor<S> = (
  bytes: Uint8Array,
  keyStart: number,
  keyEnd: number,
  valueStart: number,
  valueEnd: number,
  state: S,
) => string | null;

/** Walks the pairs of bytes[start, end). The value runs from the first `=` to the next `&`. */
function visitParameters<S>(bytes: Uint8Array, start: number, end: number, state: S, visit: ParameterVisitor<S>): string | null {
  let i = start;
  while (i < end) {
    let pairEnd = i;
    let equals = -1;
    while (pairEnd < end) {
      const c = bytes[pairEnd]!;
      if (c === CHAR_AMPERSAND) break;
      if (c === CHAR_EQUALS && equals < 0) equals = pairEnd;
      pairEnd++;
    }
    const keyEnd = equals < 0 ? pairEnd : equals;
    if (keyEnd > i) {
      const error = visit(bytes, i, keyEnd, equals < 0 ? pairEnd : equals + 1, pairEnd, state);
      if (error !== null) return error;
    }
    i = pairEnd + 1;
  }
  return null;
}

const asciiBytes = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));

function rangeEquals(bytes: Uint8Array, start: number, end: number, expected: Uint8Array): boolean {
  if (end - start !== expected.length) return false;
  for (let i = 0; i < expected.length; i++) if (bytes[start + i] !== expected[i]) return false;
  return true;
}

/**
 * A non-negative decimal in bytes[start, end), at most 2^53 (exact in a double), or -1 for
 * an empty value, a sign, any non-digit, or a larger value. Leading zeros are fine.
 */
export function parseDecimal(bytes: Uint8Array, start: number, end: number): number {
  if (start >= end) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = bytes[i]! - CHAR_0;
    if (digit < 0 || digit > 9) return -1;
    // Checked before the step, so no rounding above 2^53 can sneak a value back under it.
    if (value > (MAX_BYTE_COUNT - digit) / 10) return -1;
    value = value * 10 + digit;
  }
  return value;
}

// Announce.

/** Where info_hash and peer_id sit in `HttpAnnounce.ids` / `.idsView`. */
export const INFO_HASH_AT = 0;
export const PEER_ID_AT = INFO_HASH_AT + INFO_HASH_SIZE;

/** A decoded announce (BEP 3). Reused between requests: create once per connection or worker. */
export interface HttpAnnounce {
  /** info_hash at INFO_HASH_AT then peer_id at PEER_ID_AT, decoded from percent-encoding. */
  readonly ids: Uint8Array;
  /** Over `ids`, for the swarm layer's (view, offset) lookups. */
  readonly idsView: DataView;
  /** Views of `ids`: the 20-byte info hash and peer id. */
  readonly infoHash: Uint8Array;
  readonly peerId: Uint8Array;
  port: number;
  uploaded: number;
  downloaded: number;
  left: number;
  /** EVENT_NONE / EVENT_STARTED / EVENT_COMPLETED / EVENT_STOPPED (BEP 15 numbering). */
  event: number;
  /** Peers wanted, or NUMWANT_DEFAULT (-1) when absent or negative. Capping is the tracker's job. */
  numWant: number;
  /** BEP 23: compact peer strings wanted (the default); false only for `compact=0`. */
  compact: boolean;
  /** Leave `peer id` out of non-compact peer dicts. */
  noPeerId: boolean;
  /** Bit per required field seen (internal to `readAnnounceQuery`). */
  seen: number;
}

export function createHttpAnnounce(): HttpAnnounce {
  const ids = new Uint8Array(INFO_HASH_SIZE + PEER_ID_SIZE);
  return {
    ids,
    idsView: new DataView(ids.buffer, ids.byteOffset, ids.byteLength),
    infoHash: ids.subarray(INFO_HASH_AT, INFO_HASH_AT + INFO_HASH_SIZE),
    peerId: ids.subarray(PEER_ID_AT, PEER_ID_AT + PEER_ID_SIZE),
    port: 0,
    uploaded: 0,
    downloaded: 0,
    left: 0,
    event: EVENT_NONE,
    numWant: NUMWANT_DEFAULT,
    compact: true,
    noPeerId: false,
    seen: 0,
  };
}

const SEEN_INFO_HASH = 1;
const SEEN_PEER_ID = 2;
const SEEN_PORT = 4;
const SEEN_LEFT = 8;

const KEY_INFO_HASH = asciiBytes(AnnounceKey.INFO_HASH);
const KEY_PEER_ID = asciiBytes(AnnounceKey.PEER_ID);
const KEY_PORT = asciiBytes(AnnounceKey.PORT);
const KEY_UPLOADED = asciiBytes(AnnounceKey.UPLOADED);
const KEY_DOWNLOADED = asciiBytes(AnnounceKey.DOWNLOADED);
const KEY_LEFT = asciiBytes(AnnounceKey.LEFT);
const KEY_EVENT = asciiBytes(AnnounceKey.EVENT);
const KEY_NUMWANT = asciiBytes(AnnounceKey.NUMWANT);
const KEY_COMPACT = asciiBytes(AnnounceKey.COMPACT);
const KEY_NO_PEER_ID = asciiBytes(AnnounceKey.NO_PEER_ID);
const EVENT_STARTED_NAME = asciiBytes(EventName.STARTED);
const EVENT_COMPLETED_NAME = asciiBytes(EventName.COMPLETED);
const EVENT_STOPPED_NAME = asciiBytes(EventName.STOPPED);

/** A value of exactly "0": the only way to turn `compact` or `no_peer_id` off. */
function isZero(bytes: Uint8Array, start: number, end: number): boolean {
  return end - start === 1 && bytes[start] === CHAR_0;
}

/**
 * Decodes one 20-byte id (info_hash or peer_id) into out[at]. BEP 3: exactly 20 raw bytes;
 * never interpreted as text.
 */
function readId(bytes: Uint8Array, start: number, end: number, out: Uint8Array, at: number, size: number, wrongLength: string): string | null {
  const length = percentDecode(bytes, start, end, out, at, size);
  if (length < 0) return QueryError.BAD_PERCENT_ENCODING;
  return length === size ? null : wrongLength;
}

function visitAnnounceParameter(
  bytes: Uint8Array,
  keyStart: number,
  keyEnd: number,
  valueStart: number,
  valueEnd: number,
  out: HttpAnnounce,
): string | null {
  // Dispatch on the first byte, then confirm the whole key: one comparison per parameter.
  switch (bytes[keyStart]) {
    case 0x69: // i
      if (!rangeEquals(bytes, keyStart, keyEnd, KEY_INFO_HASH)) return null;
      out.seen |= SEEN_INFO_HASH;
      return readId(bytes, valueStart, valueEnd, out.ids, INFO_HASH_AT, INFO_HASH_SIZE, QueryError.BAD_INFO_HASH);
    case 0x70: // p
      if (rangeEquals(bytes, keyStart, keyEnd, KEY_PEER_ID)) {
        out.seen |= SEEN_PEER_ID;
        return readId(bytes, valueStart, valueEnd, out.ids, PEER_ID_AT, PEER_ID_SIZE, QueryError.BAD_PEER_ID);
      }
      if (!rangeEquals(bytes, keyStart, keyEnd, KEY_PORT)) return null;
      out.seen |= SEEN_PORT;
      out.port = parseDecimal(bytes, valueStart, valueEnd);
      if (out.port === 0) return QueryError.PORT_ZERO;
      return out.port < 0 || out.port > MAX_PORT ? QueryError.BAD_PORT : null;
    case 0x6c: // l
      if (!rangeEquals(bytes, keyStart, keyEnd, KEY_LEFT)) return null;
      out.seen |= SEEN_LEFT;
      out.left = parseDecimal(bytes, valueStart, valueEnd);
      return out.left < 0 ? QueryError.BAD_LEFT : null;
    case 0x75: // u
      if (!rangeEquals(bytes, keyStart, keyEnd, KEY_UPLOADED)) return null;
      out.uploaded = parseDecimal(bytes, valueStart, valueEnd);
      return out.uploaded < 0 ? QueryError.BAD_UPLOADED : null;
    case 0x64: // d
      if (!rangeEquals(bytes, keyStart, keyEnd, KEY_DOWNLOADED)) return null;
      out.downloaded = parseDecimal(bytes, valueStart, valueEnd);
      return out.downloaded < 0 ? QueryError.BAD_DOWNLOADED : null;
    case 0x65: // e
      if (!rangeEquals(bytes, keyStart, keyEnd, KEY_EVENT)) return null;
      out.event = readEvent(bytes, valueStart, valueEnd);
      return null;
    case 0x6e: // n
      if (rangeEquals(bytes, keyStart, keyEnd, KEY_NO_PEER_ID)) {
        out.noPeerId = !isZero(bytes, valueStart, valueEnd);
        return null;
      }
      if (!rangeEquals(bytes, keyStart, keyEnd, KEY_NUMWANT)) return null;
      return readNumWant(bytes, valueStart, valueEnd, out);
    case 0x63: // c
      if (rangeEquals(bytes, keyStart, keyEnd, KEY_COMPACT)) out.compact = !isZero(bytes, valueStart, valueEnd);
      return null;
    default:
      // BEP 3 leaves room for extensions (key, trackerid, supportcrypto, ip, ...): ignored.
      // ip/ipv4/ipv6 in particular: the socket address is used, as BEP 7 now advises.
      return null;
  }
}

/**
 * BEP 3 events. Absent, `empty`, BEP 21 `paused` and any unknown value all mean a regular
 * update (as opentracker does): an event is advice about the peer's state, and refusing
 * the whole announce over one would cost the client its peer list for nothing.
 */
function readEvent(bytes: Uint8Array, start: number, end: number): number {
  if (rangeEquals(bytes, start, end, EVENT_STARTED_NAME)) return EVENT_STARTED;
  if (rangeEquals(bytes, start, end, EVENT_COMPLETED_NAME)) return EVENT_COMPLETED;
  if (rangeEquals(bytes, start, end, EVENT_STOPPED_NAME)) return EVENT_STOPPED;
  return EVENT_NONE;
}

/** `numwant`: a decimal, or a negative one meaning "the default" (some clients send -1). */
function readNumWant(bytes: Uint8Array, start: number, end: number, out: HttpAnnounce): string | null {
  const negative = start < end && bytes[start] === CHAR_MINUS;
  const value = parseDecimal(bytes, negative ? start + 1 : start, end);
  if (value < 0) return QueryError.BAD_NUMWANT;
  out.numWant = negative && value > 0 ? NUMWANT_DEFAULT : value;
  return null;
}

/**
 * Reads the announce query bytes[start, end) (after the `?`) into `out`. Returns null when
 * the announce is valid, else the failure reason to send. Never throws.
 *
 * Required: info_hash, peer_id (20 bytes each), port (1..65535) and left (it decides seeder
 * or leecher). uploaded/downloaded are checked when present and 0 when absent: the tracker
 * does not use them. A repeated key: the last one wins. Unknown keys are ignored.
 */
export function readAnnounceQuery(bytes: Uint8Array, start: number, end: number, out: HttpAnnounce): string | null {
  out.port = 0;
  out.uploaded = 0;
  out.downloaded = 0;
  out.left = 0;
  out.event = EVENT_NONE;
  out.numWant = NUMWANT_DEFAULT;
  out.compact = true;
  out.noPeerId = false;
  out.seen = 0;
  const error = visitParameters(bytes, start, end, out, visitAnnounceParameter);
  if (error !== null) return error;
  if ((out.seen & SEEN_INFO_HASH) === 0) return QueryError.MISSING_INFO_HASH;
  if ((out.seen & SEEN_PEER_ID) === 0) return QueryError.MISSING_PEER_ID;
  if ((out.seen & SEEN_PORT) === 0) return QueryError.MISSING_PORT;
  if ((out.seen & SEEN_LEFT) === 0) return QueryError.MISSING_LEFT;
  return null;
}

// Scrape.

/** A decoded scrape (BEP 48). Reused between requests. */
export interface HttpScrape {
  /** Most hashes kept per request; further ones are ignored unread (aquatic does the same). */
  readonly maxHashes: number;
  /**
   * `count` distinct info hashes, 20 bytes each from offset 0, in ascending byte order: the
   * order the reply's `files` dict needs (BEP 3), so duplicates are dropped here. One
   * spare slot after the last is scratch space for decoding.
   */
  readonly infoHashes: Uint8Array;
  readonly infoHashesView: DataView;
  count: number;
}

export function createHttpScrape(maxHashes: number): HttpScrape {
  if (!Number.isSafeInteger(maxHashes) || maxHashes < 1) throw new RangeError(`maxHashes must be a positive integer, got ${maxHashes}`);
  const infoHashes = new Uint8Array((maxHashes + 1) * INFO_HASH_SIZE);
  return {
    maxHashes,
    infoHashes,
    infoHashesView: new DataView(infoHashes.buffer, infoHashes.byteOffset, infoHashes.byteLength),
    count: 0,
  };
}

/** Negative, zero or positive as hashes[a] sorts before, with or after hashes[b]. */
function compareHashes(hashes: Uint8Array, a: number, b: number): number {
  for (let i = 0; i < INFO_HASH_SIZE; i++) {
    const difference = hashes[a + i]! - hashes[b + i]!;
    if (difference !== 0) return difference;
  }
  return 0;
}

function visitScrapeParameter(
  bytes: Uint8Array,
  keyStart: number,
  keyEnd: number,
  valueStart: number,
  valueEnd: number,
  out: HttpScrape,
): string | null {
  if (out.count >= out.maxHashes || !rangeEquals(bytes, keyStart, keyEnd, KEY_INFO_HASH)) return null;
  const hashes = out.infoHashes;
  const scratch = out.maxHashes * INFO_HASH_SIZE;
  const error = readId(bytes, valueStart, valueEnd, hashes, scratch, INFO_HASH_SIZE, QueryError.BAD_INFO_HASH);
  if (error !== null) return error;
  // Insertion into the sorted list: at most maxHashes (~100) rows, so a linear scan is fine.
  let row = 0;
  let order = 1;
  while (row < out.count && (order = compareHashes(hashes, row * INFO_HASH_SIZE, scratch)) < 0) row++;
  if (row < out.count && order === 0) return null;
  const at = row * INFO_HASH_SIZE;
  hashes.copyWithin(at + INFO_HASH_SIZE, at, out.count * INFO_HASH_SIZE);
  hashes.copyWithin(at, scratch, scratch + INFO_HASH_SIZE);
  out.count++;
  return null;
}

/**
 * Reads the scrape query bytes[start, end) into `out`: every `info_hash` value (BEP 48),
 * up to `out.maxHashes` distinct ones. Returns null when at least one was read, else the
 * failure reason. A malformed info_hash fails the whole request. Never throws.
 */
export function readScrapeQuery(bytes: Uint8Array, start: number, end: number, out: HttpScrape): string | null {
  out.count = 0;
  const error = visitParameters(bytes, start, end, out, visitScrapeParameter);
  if (error !== null) return error;
  // Full scrapes (no info_hash) would list every torrent: refused, as aquatic does.
  return out.count === 0 ? QueryError.FULL_SCRAPE : null;
}

// Routing.

/** Where a request target leads. */
export const HttpRoute = {
  OTHER: 0,
  ANNOUNCE: 1,
  SCRAPE: 2,
} as const;
export type HttpRoute = (typeof HttpRoute)[keyof typeof HttpRoute];

/** The configured announce and scrape paths, as bytes. Build once with `createHttpRoutes`. */
export interface HttpRoutes {
  readonly announcePath: Uint8Array;
  readonly scrapePath: Uint8Array;
}

function checkPath(name: string, path: string): void {
  // Printable ASCII only, from "/", and no "?" or "#" (those end a path, RFC 3986 3.3).
  if (!/^\/[!-~]*$/.test(path) || path.endsWith('/') || /[?#]/.test(path)) {
    throw new RangeError(`${name} must start with "/", not end with "/", and hold no "?", "#", spaces or non-ASCII: ${JSON.stringify(path)}`);
  }
}

export function createHttpRoutes(announcePath: string = DEFAULT_ANNOUNCE_PATH, scrapePath: string = DEFAULT_SCRAPE_PATH): HttpRoutes {
  checkPath('announcePath', announcePath);
  checkPath('scrapePath', scrapePath);
  if (announcePath === scrapePath) throw new RangeError(`announcePath and scrapePath must differ: ${JSON.stringify(announcePath)}`);
  return { announcePath: asciiBytes(announcePath), scrapePath: asciiBytes(scrapePath) };
}

/** Where the parts of a request target are, as offsets into the bytes given to `routeTarget`. */
export interface HttpTarget {
  route: HttpRoute;
  /** The path, without any query. */
  pathStart: number;
  pathEnd: number;
  /**
   * After `/announce/` or `/scrape/` (a passkey-style suffix, e.g. `/announce/abc` gives
   * `abc`); empty when the path is exactly the configured one.
   */
  suffixStart: number;
  suffixEnd: number;
  /** The query after `?` runs from here to queryEnd; empty when there is no `?`. */
  queryStart: number;
  queryEnd: number;
}

export function createHttpTarget(): HttpTarget {
  return { route: HttpRoute.OTHER, pathStart: 0, pathEnd: 0, suffixStart: 0, suffixEnd: 0, queryStart: 0, queryEnd: 0 };
}

/** `bytes[start, end)` is exactly `path`, or `path/` followed by anything: returns where the suffix starts, else -1. */
function matchPath(bytes: Uint8Array, start: number, end: number, path: Uint8Array): number {
  const length = path.length;
  if (end - start < length) return -1;
  for (let i = 0; i < length; i++) if (bytes[start + i] !== path[i]) return -1;
  if (end - start === length) return end;
  return bytes[start + length] === CHAR_SLASH ? start + length + 1 : -1;
}

const SCHEME_HTTP = asciiBytes('http');

/** Length of an absolute-form prefix `http://authority` or `https://authority`, else 0. */
function absoluteFormPrefix(bytes: Uint8Array, start: number, end: number): number {
  // "http" then an optional "s", case-insensitively (RFC 3986 3.1: schemes are case-insensitive).
  if (end - start < SCHEME_HTTP.length) return 0;
  for (let i = 0; i < SCHEME_HTTP.length; i++) if ((bytes[start + i]! | 0x20) !== SCHEME_HTTP[i]) return 0;
  let i = start + SCHEME_HTTP.length;
  if (i < end && (bytes[i]! | 0x20) === 0x73) i++;
  if (end - i < 3 || bytes[i] !== 0x3a || bytes[i + 1] !== CHAR_SLASH || bytes[i + 2] !== CHAR_SLASH) return 0;
  i += 3;
  while (i < end && bytes[i] !== CHAR_SLASH && bytes[i] !== CHAR_QUESTION) i++;
  return i - start;
}

/**
 * Splits the request target bytes[start, end) (`/path?query`, as in the request line) and
 * routes it: the configured announce or scrape path, exactly or followed by `/anything`
 * (the remainder is recorded as the suffix). Absolute-form targets (`http://host/announce?…`,
 * which RFC 9112 3.2.2 says servers must accept) are routed by their path. Never throws.
 */
export function routeTarget(bytes: Uint8Array, start: number, end: number, routes: HttpRoutes, out: HttpTarget): HttpRoute {
  const pathStart = bytes[start] === CHAR_SLASH ? start : start + absoluteFormPrefix(bytes, start, end);
  let pathEnd = pathStart;
  while (pathEnd < end && bytes[pathEnd] !== CHAR_QUESTION) pathEnd++;
  out.pathStart = pathStart;
  out.pathEnd = pathEnd;
  out.queryStart = pathEnd < end ? pathEnd + 1 : end;
  out.queryEnd = end;
  out.route = HttpRoute.OTHER;
  out.suffixStart = pathEnd;
  let suffixStart = matchPath(bytes, pathStart, pathEnd, routes.announcePath);
  if (suffixStart >= 0) {
    out.route = HttpRoute.ANNOUNCE;
  } else if ((suffixStart = matchPath(bytes, pathStart, pathEnd, routes.scrapePath)) >= 0) {
    out.route = HttpRoute.SCRAPE;
  }
  if (suffixStart >= 0) out.suffixStart = suffixStart;
  out.suffixEnd = pathEnd;
  return out.route;
}
