// Reading a tracker's answer: a minimal incremental HTTP/1.x response reader (status line,
// Content-Length, Connection; body by length or until the server closes, RFC 9112 6.3) and
// the check that the body is what BEP 3 / BEP 48 say it holds. One request is in flight per
// connection, so a response never shares its bytes with the next one.
import { BencodeError, type BencodeValue, decodeBencode } from '../../protocol/http/bencode.js';
import { PEER_SIZE_V4, PEER_SIZE_V6, ResponseKey } from '../../protocol/http/constants.js';
import { parseDecimal } from '../../protocol/http/query.js';
import { RequestKind } from './stats.js';

export const ReadStatus = {
  /** More bytes are needed (or, with no Content-Length, the end of the connection). */
  INCOMPLETE: 0,
  COMPLETE: 1,
  /** Not an HTTP/1.x response we can frame, or more bytes than the response holds. */
  MALFORMED: 2,
} as const;
export type ReadStatus = (typeof ReadStatus)[keyof typeof ReadStatus];

/** A head beyond this is not a tracker's (ours sends about 100 bytes). */
const MAX_HEAD_BYTES = 8192;
/** A body beyond this is not a tracker's either (an announce with 1000 IPv6 peers is 18 KB). */
const MAX_BODY_BYTES = 1 << 20;
const NO_CONTENT_LENGTH = -1;

const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
const CRLF = Buffer.from('\r\n', 'latin1');
const HTTP_1 = Buffer.from('HTTP/1.', 'latin1');
const CONTENT_LENGTH = Buffer.from('content-length', 'latin1');
const CONNECTION = Buffer.from('connection', 'latin1');
const TRANSFER_ENCODING = Buffer.from('transfer-encoding', 'latin1');
const CLOSE = Buffer.from('close', 'latin1');
const KEEP_ALIVE = Buffer.from('keep-alive', 'latin1');
const CHAR_0 = 0x30;
const CHAR_SPACE = 0x20;
const CHAR_TAB = 0x09;
const CHAR_COLON = 0x3a;
const CHAR_CR = 0x0d;

export class HttpResponseReader {
  /** After COMPLETE: the status code, the body, and whether the server closes the connection now. */
  status = 0;
  body: Uint8Array = new Uint8Array(0);
  closesConnection = false;

  private pending: Buffer | null = null;
  /** Bytes of the status line and headers with the blank line; 0 until they are in. */
  private headLength = 0;
  private contentLength = NO_CONTENT_LENGTH;

  /** No byte of a response has arrived since the last reset. */
  get empty(): boolean {
    return this.pending === null && this.headLength === 0;
  }

  /** Forgets everything: ready for the next response. */
  reset(): void {
    this.pending = null;
    this.headLength = 0;
    this.contentLength = NO_CONTENT_LENGTH;
    this.status = 0;
    this.closesConnection = false;
  }

  /** Takes the next bytes from the connection. */
  push(chunk: Buffer): ReadStatus {
    // Usually the whole response is one chunk, and nothing is copied.
    const data = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    if (this.headLength === 0) {
      const headEnd = data.indexOf(HEAD_END);
      if (headEnd < 0) return this.wait(data, MAX_HEAD_BYTES);
      if (!this.readHead(data, headEnd)) return ReadStatus.MALFORMED;
      this.headLength = headEnd + HEAD_END.length;
    }
    if (this.contentLength === NO_CONTENT_LENGTH) return this.wait(data, this.headLength + MAX_BODY_BYTES);
    const end = this.headLength + this.contentLength;
    if (data.length < end) return this.wait(data, end);
    // One request in flight: bytes beyond this response answer nothing.
    if (data.length > end) return ReadStatus.MALFORMED;
    return this.complete(data, end);
  }

  /** The server closed the connection: that ends a body sent without Content-Length. */
  finish(): ReadStatus {
    if (this.headLength === 0 || this.contentLength !== NO_CONTENT_LENGTH || this.pending === null) return ReadStatus.MALFORMED;
    return this.complete(this.pending, this.pending.length);
  }

  private wait(data: Buffer, limit: number): ReadStatus {
    if (data.length > limit) return ReadStatus.MALFORMED;
    this.pending = data;
    return ReadStatus.INCOMPLETE;
  }

  private complete(data: Buffer, end: number): ReadStatus {
    this.body = data.subarray(this.headLength, end);
    this.pending = null;
    return ReadStatus.COMPLETE;
  }

  /** `HTTP/1.x SSS …` then header lines; false when the head cannot be framed. */
  private readHead(data: Buffer, headEnd: number): boolean {
    if (headEnd < 12 || data.compare(HTTP_1, 0, HTTP_1.length, 0, HTTP_1.length) !== 0 || data[8] !== CHAR_SPACE) return false;
    const minor = data[7]! - CHAR_0;
    const status = parseDecimal(data, 9, 12);
    if (minor < 0 || minor > 9 || status < 100 || (data[12] !== CHAR_SPACE && data[12] !== CHAR_CR)) return false;
    this.status = status;
    // RFC 9112 9.3: HTTP/1.1 connections persist unless closed; HTTP/1.0 ones only with keep-alive.
    let close = minor === 0;
    let lineStart = data.indexOf(CRLF, 12) + CRLF.length;
    while (lineStart < headEnd + CRLF.length) {
      const lineEnd = data.indexOf(CRLF, lineStart);
      const colon = data.indexOf(CHAR_COLON, lineStart);
      if (colon < 0 || colon > lineEnd) return false;
      let valueStart = colon + 1;
      let valueEnd = lineEnd;
      while (valueStart < valueEnd && (data[valueStart] === CHAR_SPACE || data[valueStart] === CHAR_TAB)) valueStart++;
      while (valueEnd > valueStart && (data[valueEnd - 1] === CHAR_SPACE || data[valueEnd - 1] === CHAR_TAB)) valueEnd--;
      if (equalsIgnoringCase(data, lineStart, colon, CONTENT_LENGTH)) {
        this.contentLength = parseDecimal(data, valueStart, valueEnd);
        if (this.contentLength < 0 || this.contentLength > MAX_BODY_BYTES) return false;
      } else if (equalsIgnoringCase(data, lineStart, colon, CONNECTION)) {
        if (containsIgnoringCase(data, valueStart, valueEnd, CLOSE)) close = true;
        else if (containsIgnoringCase(data, valueStart, valueEnd, KEEP_ALIVE)) close = false;
      } else if (equalsIgnoringCase(data, lineStart, colon, TRANSFER_ENCODING)) {
        // Chunked bodies are beyond this reader; no tracker we load sends them.
        return false;
      }
      lineStart = lineEnd + CRLF.length;
    }
    // Without Content-Length the body runs until the server closes (RFC 9112 6.3, rule 8).
    this.closesConnection = close || this.contentLength === NO_CONTENT_LENGTH;
    return true;
  }
}

/** bytes[start, end) equals `lower` (lowercase ASCII) when ASCII letters are lowercased. */
function equalsIgnoringCase(bytes: Uint8Array, start: number, end: number, lower: Uint8Array): boolean {
  if (end - start !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) if ((bytes[start + i]! | 0x20) !== lower[i]) return false;
  return true;
}

function containsIgnoringCase(bytes: Uint8Array, start: number, end: number, lower: Uint8Array): boolean {
  for (let at = start; at + lower.length <= end; at++) if (equalsIgnoringCase(bytes, at, at + lower.length, lower)) return true;
  return false;
}

// The body.

export const BodyVerdict = {
  /** An announce with `interval` and peers, or a scrape with `files`. */
  VALID: 0,
  /** A `failure reason` (BEP 3). */
  FAILURE: 1,
  /** Not bencoding, not a dict, or without the keys the request asks for. */
  INVALID: 2,
} as const;
export type BodyVerdict = (typeof BodyVerdict)[keyof typeof BodyVerdict];

export interface BodyCheck {
  verdict: BodyVerdict;
  /** Peers in a valid announce response. */
  peers: number;
}

export function createBodyCheck(): BodyCheck {
  return { verdict: BodyVerdict.INVALID, peers: 0 };
}

/**
 * Checks a status-200 body against the request it answers. Dict keys may come in any order
 * (strict: false): a client reads them so, and this tool measures trackers, it does not lint them.
 */
export function checkTrackerBody(body: Uint8Array, kind: RequestKind, out: BodyCheck): void {
  out.verdict = BodyVerdict.INVALID;
  out.peers = 0;
  let value: BencodeValue;
  try {
    value = decodeBencode(body, { strict: false });
  } catch (error) {
    if (error instanceof BencodeError) return;
    throw error;
  }
  if (!(value instanceof Map)) return;
  if (value.has(ResponseKey.FAILURE_REASON)) {
    out.verdict = BodyVerdict.FAILURE;
    return;
  }
  if (kind === RequestKind.SCRAPE) {
    if (value.get(ResponseKey.FILES) instanceof Map) out.verdict = BodyVerdict.VALID;
    return;
  }
  const interval = value.get(ResponseKey.INTERVAL);
  if (typeof interval !== 'number' && typeof interval !== 'bigint') return;
  // BEP 23 compact `peers` (6 bytes a peer) or BEP 3's list of dicts; BEP 7 `peers6` (18 bytes).
  const peers = value.get(ResponseKey.PEERS);
  const peers6 = value.get(ResponseKey.PEERS6);
  if (peers === undefined && peers6 === undefined) return;
  let count = 0;
  if (peers instanceof Uint8Array && peers.length % PEER_SIZE_V4 === 0) count += peers.length / PEER_SIZE_V4;
  else if (Array.isArray(peers)) count += peers.length;
  else if (peers !== undefined) return;
  if (peers6 instanceof Uint8Array && peers6.length % PEER_SIZE_V6 === 0) count += peers6.length / PEER_SIZE_V6;
  else if (peers6 !== undefined) return;
  out.peers = count;
  out.verdict = BodyVerdict.VALID;
}
