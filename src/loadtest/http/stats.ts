// What an HTTP load worker counts. The array has the UDP load tester's shape (../udp/stats.ts:
// counters, then the latency histogram at Cell.LATENCY), so the shared coordinator and the
// histogram functions serve both; HTTP names its own counters for the cells before it.
import { Cell } from '../udp/stats.js';

/** Request kinds, used as offsets from the *_SENT and VALID_* cells. */
export const RequestKind = {
  ANNOUNCE: 0,
  SCRAPE: 1,
} as const;
export type RequestKind = (typeof RequestKind)[keyof typeof RequestKind];

export const HttpCell = {
  /** + RequestKind */
  SENT: 0,
  /** + RequestKind: status 200 and a body with what BEP 3 / BEP 48 say it holds */
  VALID: 2,
  /** Status 200 with a bencoded `failure reason` (BEP 3) */
  FAILURE_RESPONSES: 4,
  /** Any status but 200 */
  BAD_STATUS: 5,
  /** Unparsable status line, headers or bencoding, keys missing, or bytes no request asked for */
  INVALID: 6,
  TIMEOUTS: 7,
  /** Peers in valid announce responses (compact: 6 bytes each, BEP 23; 18 in peers6, BEP 7) */
  PEERS_RETURNED: 8,
  /** TCP connections opened (once per request with keep_alive = false) */
  CONNECTIONS_OPENED: 9,
  /** Connections refused, reset or closed with a request in flight */
  CONNECTION_ERRORS: 10,
  /** Requests sent again because a reused connection closed before any of the answer came (RFC 9112 9.3.1) */
  RETRIED: 11,
  LATENCY: Cell.LATENCY,
} as const;

if (HttpCell.RETRIED >= HttpCell.LATENCY) throw new Error('the HTTP counters overlap the latency histogram');

export function sentRequests(stats: Float64Array): number {
  return stats[HttpCell.SENT + RequestKind.ANNOUNCE]! + stats[HttpCell.SENT + RequestKind.SCRAPE]!;
}

export function validResponses(stats: Float64Array): number {
  return stats[HttpCell.VALID + RequestKind.ANNOUNCE]! + stats[HttpCell.VALID + RequestKind.SCRAPE]!;
}

/** Every request that failed in a way the tracker is to blame for, timeouts aside. */
export function erroredRequests(stats: Float64Array): number {
  return stats[HttpCell.FAILURE_RESPONSES]! + stats[HttpCell.BAD_STATUS]! + stats[HttpCell.INVALID]! + stats[HttpCell.CONNECTION_ERRORS]!;
}
