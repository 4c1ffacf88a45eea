// What a WebTorrent tracker sends a client, checked as a client relies on it: one JSON object
// per text frame, an action, and binary strings (info_hash, peer_id, offer_id: 20 chars,
// code points 0–255) where the protocol has them. The connection then checks the message
// against what it asked for (see connection.ts).
//
// A message is read as a wire string (request.ts): its UTF-8 bytes one char each, a copy
// where decoding UTF-8 costs several times more (binary strings put bytes >= 0x80 in every
// message). The binary strings come out as wire tokens, JSON-quoted as quote() writes them,
// so the connection compares them with its own by === and copies them into its answers.
import { BINARY_STRING_LENGTH, isBinaryString } from '../../protocol/ws/incoming.js';
import { quote } from './request.js';

export const TrackerMessageKind = {
  /** {action:"announce", interval, info_hash, complete, incomplete} */
  ANNOUNCE_RESPONSE: 0,
  /** {action:"scrape", files:{<info_hash>:{complete, incomplete, downloaded?}}} */
  SCRAPE_RESPONSE: 1,
  /** {action:"announce", info_hash, peer_id: <offerer>, offer_id, offer:{type:"offer", sdp}} */
  OFFER: 2,
  /** {action:"announce", info_hash, peer_id: <answerer>, offer_id, answer:{type:"answer", sdp}} */
  ANSWER: 3,
  /** {"failure reason", action?, info_hash?} */
  FAILURE: 4,
  /** Anything else: not JSON, not an object, unknown action, fields missing or ill-shaped. */
  INVALID: 5,
} as const;
export type TrackerMessageKind = (typeof TrackerMessageKind)[keyof typeof TrackerMessageKind];

/** The fields of a message its receiver acts on (reused from message to message); binary strings as wire tokens. */
export interface TrackerMessage {
  kind: TrackerMessageKind;
  /** Announce responses, offers and answers: the torrent; a failure's when it names one, else null. */
  quotedInfoHash: string | null;
  /** A failure's `action` when it has one, else null. */
  action: string | null;
  /** Offers and answers: the peer that sent it, and the offer's id. */
  quotedPeerId: string;
  quotedOfferId: string;
}

export function createTrackerMessage(): TrackerMessage {
  return { kind: TrackerMessageKind.INVALID, quotedInfoHash: null, action: null, quotedPeerId: '', quotedOfferId: '' };
}

type Json = { readonly [key: string]: unknown };

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** {type, sdp: string} with the expected type. */
function isSessionDescription(value: unknown, type: 'offer' | 'answer'): boolean {
  return isObject(value) && value['type'] === type && typeof value['sdp'] === 'string';
}

/**
 * Reads one text message, UTF-8 at bytes[start, end), into `out` and returns its kind. The
 * shapes trackers send all the time (announce responses, offers, answers) are read by a scan
 * that builds no objects; it gives up on anything else (scrapes, failures, unknown keys,
 * numbers with fraction or exponent, escaped keys, duplicates, binary strings escaped other
 * than as quote() does), which JSON.parse then decides. Both give the same result.
 */
export function readTrackerMessage(bytes: Buffer, start: number, end: number, out: TrackerMessage): TrackerMessageKind {
  const kind = scanTrackerMessage(bytes, start, end, out);
  return kind === null ? parseTrackerMessage(bytes, start, end, out) : kind;
}

/** The scan alone: the kind, or null where it gives up (`out` is then to be ignored). */
export function scanTrackerMessage(bytes: Buffer, start: number, end: number, out: TrackerMessage): TrackerMessageKind | null {
  clear(out);
  const kind = scan(bytes.toString('latin1', start, end), out);
  if (kind === UNSCANNED) return null;
  out.kind = kind;
  return kind;
}

/** readTrackerMessage by JSON.parse alone: the reference the scan is tested against. */
export function parseTrackerMessage(bytes: Buffer, start: number, end: number, out: TrackerMessage): TrackerMessageKind {
  clear(out);
  out.kind = classify(bytes.toString('utf8', start, end), out);
  return out.kind;
}

function clear(out: TrackerMessage): void {
  out.quotedInfoHash = null;
  out.action = null;
  out.quotedPeerId = '';
  out.quotedOfferId = '';
}

// The scan, over a wire string. It follows the JSON grammar (RFC 8259) for what it accepts:
// whitespace anywhere between tokens, keys in any order, string escapes checked (by
// STRING_TOKEN, or by binaryTokenEnd for binary strings). A JSON string holds no unescaped
// quote, so a key that reads as one of ours up to the next quote is that key, whatever its
// place. UTF-8 is the transport's to check (RFC 6455 8.1); a binary string's own bytes are
// checked here as they are counted.

const UNSCANNED = -1;

const Key = {
  ACTION: 1,
  INFO_HASH: 2,
  PEER_ID: 4,
  OFFER_ID: 8,
  OFFER: 16,
  ANSWER: 32,
  INTERVAL: 64,
  COMPLETE: 128,
  INCOMPLETE: 256,
} as const;
const COUNTS = Key.INTERVAL | Key.COMPLETE | Key.INCOMPLETE;
const DESCRIPTIONS = Key.OFFER | Key.ANSWER;

/** A JSON string token (RFC 8259 section 7), quotes included. */
const STRING_TOKEN = /"[^"\\\u0000-\u001f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\u0000-\u001f]*)*"/y;
/**
 * A binary string (20 code points, U+0000–U+00FF) as a JSON string token in wire form, written
 * as quote() writes it: `"` and `\\` and \b \t \n \f \r escaped so, the other controls as \u00xx
 * in lowercase hex, the rest as themselves (U+0080–U+00FF in two UTF-8 bytes). Anything else,
 * valid JSON or not, goes to classify().
 */
const BINARY_TOKEN = new RegExp(
  `"(?:[\\x20\\x21\\x23-\\x5b\\x5d-\\x7f]|[\\xc2\\xc3][\\x80-\\xbf]|\\\\["\\\\bfnrt]|\\\\u00(?:0[0-7bef]|1[0-9a-f])){${BINARY_STRING_LENGTH}}"`,
  'y',
);

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const LEFT_BRACE = 0x7b;
const RIGHT_BRACE = 0x7d;
const DIGIT_ZERO = 0x30;
const DIGIT_NINE = 0x39;

function scan(s: string, out: TrackerMessage): TrackerMessageKind | typeof UNSCANNED {
  let i = skipSpace(s, 0);
  if (s.charCodeAt(i) !== LEFT_BRACE) return UNSCANNED;
  i = skipSpace(s, i + 1);
  let seen = 0;
  let infoHashAt = 0;
  let infoHashEnd = 0;
  let peerIdAt = 0;
  let peerIdEnd = 0;
  let offerIdAt = 0;
  let offerIdEnd = 0;
  for (;;) {
    const key = keyAt(s, i);
    if (key === 0 || (seen & key) !== 0) return UNSCANNED;
    seen |= key;
    i = skipSpace(s, i + KEY_TOKENS[key]!.length);
    if (s.charCodeAt(i) !== COLON) return UNSCANNED;
    const valueAt = skipSpace(s, i + 1);
    // Each value as these messages have it, or the scan gives up.
    let valueEnd: number;
    if ((key & COUNTS) !== 0) valueEnd = countEnd(s, valueAt);
    else if (key === Key.OFFER) valueEnd = sessionDescriptionEnd(s, valueAt, '"offer"');
    else if (key === Key.ANSWER) valueEnd = sessionDescriptionEnd(s, valueAt, '"answer"');
    else if (key === Key.ACTION) valueEnd = s.startsWith('"announce"', valueAt) ? valueAt + '"announce"'.length : -1;
    else valueEnd = binaryTokenEnd(s, valueAt);
    if (valueEnd < 0) return UNSCANNED;
    if (key === Key.INFO_HASH) {
      infoHashAt = valueAt;
      infoHashEnd = valueEnd;
    } else if (key === Key.PEER_ID) {
      peerIdAt = valueAt;
      peerIdEnd = valueEnd;
    } else if (key === Key.OFFER_ID) {
      offerIdAt = valueAt;
      offerIdEnd = valueEnd;
    }
    i = skipSpace(s, valueEnd);
    const next = s.charCodeAt(i);
    if (next === COMMA) {
      i = skipSpace(s, i + 1);
      continue;
    }
    if (next !== RIGHT_BRACE || skipSpace(s, i + 1) !== s.length) return UNSCANNED;
    break;
  }
  // What classify() checks, for these shapes; anything short of it goes to classify().
  if ((seen & Key.ACTION) === 0 || (seen & Key.INFO_HASH) === 0) return UNSCANNED;
  const description = seen & DESCRIPTIONS;
  if (description === 0) {
    if ((seen & COUNTS) !== COUNTS) return UNSCANNED;
    out.quotedInfoHash = s.slice(infoHashAt, infoHashEnd);
    return TrackerMessageKind.ANNOUNCE_RESPONSE;
  }
  if (description === DESCRIPTIONS || (seen & Key.PEER_ID) === 0 || (seen & Key.OFFER_ID) === 0) return UNSCANNED;
  const isOffer = description === Key.OFFER;
  out.quotedInfoHash = s.slice(infoHashAt, infoHashEnd);
  out.quotedPeerId = s.slice(peerIdAt, peerIdEnd);
  out.quotedOfferId = s.slice(offerIdAt, offerIdEnd);
  return isOffer ? TrackerMessageKind.OFFER : TrackerMessageKind.ANSWER;
}

/** Our keys as JSON string tokens, by Key. */
const KEY_TOKENS: Record<number, string> = {
  [Key.ACTION]: '"action"',
  [Key.INFO_HASH]: '"info_hash"',
  [Key.PEER_ID]: '"peer_id"',
  [Key.OFFER_ID]: '"offer_id"',
  [Key.OFFER]: '"offer"',
  [Key.ANSWER]: '"answer"',
  [Key.INTERVAL]: '"interval"',
  [Key.COMPLETE]: '"complete"',
  [Key.INCOMPLETE]: '"incomplete"',
};

/** Which of our keys the string token at s[at] is, or 0 (also when s[at] is no string). */
function keyAt(s: string, at: number): number {
  let key: number;
  switch (s.charCodeAt(at + 1)) {
    case 0x61: // a
      key = s.charCodeAt(at + 2) === 0x63 ? Key.ACTION : Key.ANSWER;
      break;
    case 0x63: // c
      key = Key.COMPLETE;
      break;
    case 0x69: // i
      key = s.charCodeAt(at + 3) === 0x66 ? Key.INFO_HASH : s.charCodeAt(at + 3) === 0x74 ? Key.INTERVAL : Key.INCOMPLETE;
      break;
    case 0x6f: // o
      key = s.charCodeAt(at + 6) === 0x22 ? Key.OFFER : Key.OFFER_ID;
      break;
    case 0x70: // p
      key = Key.PEER_ID;
      break;
    default:
      return 0;
  }
  return s.startsWith(KEY_TOKENS[key]!, at) ? key : 0;
}

/** {"type": `type`, "sdp": string} in either order and nothing else: where it ends, or -1. */
function sessionDescriptionEnd(s: string, at: number, type: string): number {
  if (s.charCodeAt(at) !== LEFT_BRACE) return -1;
  let i = skipSpace(s, at + 1);
  let seenType = false;
  let seenSdp = false;
  for (;;) {
    let valueEnd: number;
    if (s.startsWith('"type"', i) && !seenType) {
      seenType = true;
      i = skipSpace(s, i + '"type"'.length);
      if (s.charCodeAt(i) !== COLON) return -1;
      i = skipSpace(s, i + 1);
      valueEnd = s.startsWith(type, i) ? i + type.length : -1;
    } else if (s.startsWith('"sdp"', i) && !seenSdp) {
      seenSdp = true;
      i = skipSpace(s, i + '"sdp"'.length);
      if (s.charCodeAt(i) !== COLON) return -1;
      valueEnd = stringEnd(s, skipSpace(s, i + 1));
    } else {
      return -1;
    }
    if (valueEnd < 0) return -1;
    i = skipSpace(s, valueEnd);
    const next = s.charCodeAt(i);
    if (next === COMMA) {
      i = skipSpace(s, i + 1);
      continue;
    }
    return next === RIGHT_BRACE && seenType && seenSdp ? i + 1 : -1;
  }
}

/** The end of the non-negative integer at s[at] written without fraction or exponent, or -1 (others go to classify()). */
function countEnd(s: string, at: number): number {
  let i = at;
  let c = s.charCodeAt(i);
  if (c === DIGIT_ZERO) c = s.charCodeAt(++i); // a leading 0 stands alone
  else while (c >= DIGIT_ZERO && c <= DIGIT_NINE) c = s.charCodeAt(++i);
  if (i === at || (c >= DIGIT_ZERO && c <= DIGIT_NINE) || c === 0x2e || c === 0x45 || c === 0x65) return -1; // . E e
  return i;
}

/** Past the whitespace (RFC 8259 section 2) at s[i]. */
function skipSpace(s: string, i: number): number {
  let c = s.charCodeAt(i);
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = s.charCodeAt(++i);
  return i;
}

/** The end of the string token at s[at], or -1. */
function stringEnd(s: string, at: number): number {
  if (s.charCodeAt(at) !== QUOTE) return -1;
  STRING_TOKEN.lastIndex = at;
  return STRING_TOKEN.test(s) ? STRING_TOKEN.lastIndex : -1;
}

/**
 * The end of the JSON string at s[at] (a wire string) if it is a binary string written as
 * quote() writes it, else -1.
 */
function binaryTokenEnd(s: string, at: number): number {
  BINARY_TOKEN.lastIndex = at;
  return BINARY_TOKEN.test(s) ? BINARY_TOKEN.lastIndex : -1;
}

function classify(text: string, out: TrackerMessage): TrackerMessageKind {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return TrackerMessageKind.INVALID;
  }
  if (!isObject(json)) return TrackerMessageKind.INVALID;
  const action = json['action'];
  const infoHash = json['info_hash'];
  if (json['failure reason'] !== undefined) {
    if (typeof json['failure reason'] !== 'string') return TrackerMessageKind.INVALID;
    if (action !== undefined && action !== 'announce' && action !== 'scrape') return TrackerMessageKind.INVALID;
    if (infoHash !== undefined && !isBinaryString(infoHash)) return TrackerMessageKind.INVALID;
    out.action = action ?? null;
    out.quotedInfoHash = infoHash === undefined ? null : quote(infoHash);
    return TrackerMessageKind.FAILURE;
  }
  if (action === 'scrape') return isScrapeFiles(json['files']) ? TrackerMessageKind.SCRAPE_RESPONSE : TrackerMessageKind.INVALID;
  if (action !== 'announce' || !isBinaryString(infoHash)) return TrackerMessageKind.INVALID;
  out.quotedInfoHash = quote(infoHash);
  const offer = json['offer'];
  const answer = json['answer'];
  if (offer === undefined && answer === undefined) {
    return isCount(json['interval']) && isCount(json['complete']) && isCount(json['incomplete'])
      ? TrackerMessageKind.ANNOUNCE_RESPONSE
      : TrackerMessageKind.INVALID;
  }
  const peerId = json['peer_id'];
  const offerId = json['offer_id'];
  if (!isBinaryString(peerId) || !isBinaryString(offerId)) return TrackerMessageKind.INVALID;
  out.quotedPeerId = quote(peerId);
  out.quotedOfferId = quote(offerId);
  if (offer !== undefined && answer === undefined && isSessionDescription(offer, 'offer')) return TrackerMessageKind.OFFER;
  if (answer !== undefined && offer === undefined && isSessionDescription(answer, 'answer')) return TrackerMessageKind.ANSWER;
  return TrackerMessageKind.INVALID;
}

/** Scrape `files`: binary-string keys, each with complete and incomplete (and downloaded, which some trackers leave out). */
function isScrapeFiles(files: unknown): boolean {
  if (!isObject(files)) return false;
  for (const infoHash in files) {
    const counts = files[infoHash];
    if (!isBinaryString(infoHash) || !isObject(counts) || !isCount(counts['complete']) || !isCount(counts['incomplete'])) return false;
    if (counts['downloaded'] !== undefined && !isCount(counts['downloaded'])) return false;
  }
  return true;
}
