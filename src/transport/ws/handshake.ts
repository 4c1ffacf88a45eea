// The HTTP side of a WebSocket server as pure functions: parse a request head, decide
// between an upgrade (RFC 6455 4.2.1), the /health check and a refusal, and write the
// responses. No I/O.
import { createHash } from 'node:crypto';

/** RFC 6455 1.3: appended to Sec-WebSocket-Key before hashing. */
const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** RFC 6455 4.1: a base64-encoded 16-byte nonce is 24 characters. */
const KEY_PATTERN = /^[A-Za-z0-9+/]{22}==$/;

export type HeadOutcome =
  | { readonly kind: 'upgrade'; readonly key: string; readonly origin: string | undefined }
  | { readonly kind: 'health'; readonly head: boolean }
  | { readonly kind: 'refuse'; readonly response: string };

export const NOT_A_WEBSOCKET = 'aquatic_ws: a WebTorrent tracker; connect with a WebSocket client.\n';

/** Where the head ends (just past the blank line), or -1 if it has not all arrived. */
export function headEnd(bytes: Buffer, start: number, end: number): number {
  const at = bytes.indexOf('\r\n\r\n', start, 'latin1');
  return at < 0 || at + 4 > end ? -1 : at + 4;
}

/** Decides what to do with a complete request head (latin1 text, blank line included). */
export function parseHead(head: string): HeadOutcome {
  const lines = head.split('\r\n');
  const request = /^([A-Z]+) (\S+) HTTP\/1\.([01])$/.exec(lines[0]!);
  if (request === null) return { kind: 'refuse', response: plainResponse('400 Bad Request', 'Bad request\n') };
  const [, method, target, minor] = request;
  if (target === '/health' && (method === 'GET' || method === 'HEAD')) return { kind: 'health', head: method === 'HEAD' };
  const headers = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return { kind: 'refuse', response: plainResponse('400 Bad Request', 'Bad request\n') };
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    // Repeated headers are joined, as RFC 9110 5.3 allows for list-valued ones.
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  const upgrade = headers.get('upgrade')?.toLowerCase() ?? '';
  const connection = headers.get('connection')?.toLowerCase() ?? '';
  const isUpgrade = method === 'GET' && minor === '1' && upgrade.split(',').some((token) => token.trim() === 'websocket') &&
    connection.split(',').some((token) => token.trim() === 'upgrade');
  if (!isUpgrade) {
    return { kind: 'refuse', response: plainResponse('426 Upgrade Required', NOT_A_WEBSOCKET, 'Upgrade: websocket\r\n') };
  }
  if (headers.get('sec-websocket-version') !== '13') {
    return { kind: 'refuse', response: plainResponse('426 Upgrade Required', 'Unsupported WebSocket version\n', 'Sec-WebSocket-Version: 13\r\n') };
  }
  const key = headers.get('sec-websocket-key') ?? '';
  if (!KEY_PATTERN.test(key)) return { kind: 'refuse', response: plainResponse('400 Bad Request', 'Missing or invalid Sec-WebSocket-Key\n') };
  return { kind: 'upgrade', key, origin: headers.get('origin') };
}

/** The Sec-WebSocket-Accept value for a key (RFC 6455 4.2.2). */
export function acceptValue(key: string): string {
  return createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
}

/** 101 Switching Protocols; no extension or subprotocol is ever selected. */
export function upgradeResponse(key: string): string {
  return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptValue(key)}\r\n\r\n`;
}

export function healthResponse(headOnly: boolean): string {
  return plainResponse('200 OK', 'Ok\n', '', headOnly);
}

export const FORBIDDEN_RESPONSE = plainResponse('403 Forbidden', 'Origin not allowed');
export const HEAD_TOO_LARGE_RESPONSE = plainResponse('431 Request Header Fields Too Large', 'Request head too large\n');

/** A complete response after which the connection closes. */
function plainResponse(status: string, body: string, extraHeaders = '', headOnly = false): string {
  return `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n${extraHeaders}\r\n${headOnly ? '' : body}`;
}
