// BEP 15 responses: writing them in place (tracker side) and decoding them (clients, load
// tests). Pure functions over bytes; no I/O, no tracker state.
import {
  ACTION_ANNOUNCE,
  ACTION_CONNECT,
  ACTION_ERROR,
  ACTION_SCRAPE,
  ANNOUNCE_RESPONSE_HEADER_SIZE,
  CONNECT_RESPONSE_SIZE,
  ERROR_RESPONSE_HEADER_SIZE,
  PEER_SIZE_V4,
  PEER_SIZE_V6,
  SCRAPE_RESPONSE_ENTRY_SIZE,
  SCRAPE_RESPONSE_HEADER_SIZE,
} from './constants.js';
import { formatIpv6 } from '../../util/ip.js';

export function writeConnectResponse(
  view: DataView,
  offset: number,
  transactionId: number,
  connectionIdHigh: number,
  connectionIdLow: number,
): number {
  view.setUint32(offset, ACTION_CONNECT);
  view.setUint32(offset + 4, transactionId);
  view.setUint32(offset + 8, connectionIdHigh);
  view.setUint32(offset + 12, connectionIdLow);
  return CONNECT_RESPONSE_SIZE;
}

/** The 20-byte announce header; compact peers follow it (6 bytes IPv4, 18 bytes IPv6). */
export function writeAnnounceResponseHeader(
  view: DataView,
  offset: number,
  transactionId: number,
  interval: number,
  leechers: number,
  seeders: number,
): number {
  view.setUint32(offset, ACTION_ANNOUNCE);
  view.setUint32(offset + 4, transactionId);
  view.setUint32(offset + 8, interval);
  view.setUint32(offset + 12, leechers);
  view.setUint32(offset + 16, seeders);
  return ANNOUNCE_RESPONSE_HEADER_SIZE;
}

export function writeScrapeResponseHeader(view: DataView, offset: number, transactionId: number): number {
  view.setUint32(offset, ACTION_SCRAPE);
  view.setUint32(offset + 4, transactionId);
  return SCRAPE_RESPONSE_HEADER_SIZE;
}

/** BEP 15 order: seeders, completed, leechers. */
export function writeScrapeResponseEntry(
  view: DataView,
  offset: number,
  seeders: number,
  completed: number,
  leechers: number,
): number {
  view.setUint32(offset, seeders);
  view.setUint32(offset + 4, completed);
  view.setUint32(offset + 8, leechers);
  return SCRAPE_RESPONSE_ENTRY_SIZE;
}

/** The message is ASCII text filling the rest of the datagram (BEP 15); other characters become '?'. */
export function writeErrorResponse(
  bytes: Uint8Array,
  view: DataView,
  offset: number,
  transactionId: number,
  message: string,
): number {
  view.setUint32(offset, ACTION_ERROR);
  view.setUint32(offset + 4, transactionId);
  const at = offset + ERROR_RESPONSE_HEADER_SIZE;
  for (let i = 0; i < message.length; i++) {
    const c = message.charCodeAt(i);
    bytes[at + i] = c < 0x80 ? c : 0x3f;
  }
  return ERROR_RESPONSE_HEADER_SIZE + message.length;
}

// Client side.

export interface ConnectResponse {
  readonly action: typeof ACTION_CONNECT;
  readonly transactionId: number;
  readonly connectionIdHigh: number;
  readonly connectionIdLow: number;
}
export interface ResponsePeer {
  readonly ip: string;
  readonly port: number;
}
export interface AnnounceResponse {
  readonly action: typeof ACTION_ANNOUNCE;
  readonly transactionId: number;
  readonly interval: number;
  readonly leechers: number;
  readonly seeders: number;
  readonly peers: readonly ResponsePeer[];
}
export interface ScrapeStats {
  readonly seeders: number;
  readonly completed: number;
  readonly leechers: number;
}
export interface ScrapeResponse {
  readonly action: typeof ACTION_SCRAPE;
  readonly transactionId: number;
  readonly torrents: readonly ScrapeStats[];
}
export interface ErrorResponse {
  readonly action: typeof ACTION_ERROR;
  readonly transactionId: number;
  readonly message: string;
}
export type UdpResponse = ConnectResponse | AnnounceResponse | ScrapeResponse | ErrorResponse;

/**
 * Decodes a response. `family` is the address family of the socket it came on: it decides
 * whether announce peers are 6 or 18 bytes (BEP 15). Returns null for a malformed datagram.
 */
export function decodeResponse(bytes: Uint8Array, family: 4 | 6): UdpResponse | null {
  if (bytes.length < 8) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const action = view.getUint32(0);
  const transactionId = view.getUint32(4);
  switch (action) {
    case ACTION_CONNECT:
      if (bytes.length !== CONNECT_RESPONSE_SIZE) return null;
      return { action, transactionId, connectionIdHigh: view.getUint32(8), connectionIdLow: view.getUint32(12) };
    case ACTION_ANNOUNCE: {
      const peerSize = family === 4 ? PEER_SIZE_V4 : PEER_SIZE_V6;
      const peerBytes = bytes.length - ANNOUNCE_RESPONSE_HEADER_SIZE;
      if (peerBytes < 0 || peerBytes % peerSize !== 0) return null;
      const peers: ResponsePeer[] = [];
      for (let at = ANNOUNCE_RESPONSE_HEADER_SIZE; at < bytes.length; at += peerSize) {
        const ip = family === 4 ? `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}` : formatIpv6(bytes, at);
        peers.push({ ip, port: view.getUint16(at + peerSize - 2) });
      }
      return {
        action,
        transactionId,
        interval: view.getUint32(8),
        leechers: view.getUint32(12),
        seeders: view.getUint32(16),
        peers,
      };
    }
    case ACTION_SCRAPE: {
      const entryBytes = bytes.length - SCRAPE_RESPONSE_HEADER_SIZE;
      if (entryBytes % SCRAPE_RESPONSE_ENTRY_SIZE !== 0) return null;
      const torrents: ScrapeStats[] = [];
      for (let at = SCRAPE_RESPONSE_HEADER_SIZE; at < bytes.length; at += SCRAPE_RESPONSE_ENTRY_SIZE) {
        torrents.push({ seeders: view.getUint32(at), completed: view.getUint32(at + 4), leechers: view.getUint32(at + 8) });
      }
      return { action, transactionId, torrents };
    }
    case ACTION_ERROR: {
      let end = bytes.length;
      if (end > ERROR_RESPONSE_HEADER_SIZE && bytes[end - 1] === 0) end--; // some trackers NUL-terminate
      const message = new TextDecoder().decode(bytes.subarray(ERROR_RESPONSE_HEADER_SIZE, end));
      return { action, transactionId, message };
    }
    default:
      return null;
  }
}
