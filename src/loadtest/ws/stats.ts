// What a WebTorrent load worker counts. The array has the UDP load tester's shape
// (../udp/stats.ts: counters, then the latency histogram at Cell.LATENCY), so the shared
// coordinator and the histogram functions serve all three testers; WebTorrent names its own
// counters for the cells before the histogram.
import { Cell } from '../udp/stats.js';

export const WsCell = {
  ANNOUNCES_SENT: 0,
  SCRAPES_SENT: 1,
  /** Answers to offers received (they get no response: the tracker relays them to the offerer) */
  ANSWERS_SENT: 2,
  /** Valid replies to our announces: interval, counts and the info hash announced */
  ANNOUNCE_RESPONSES: 3,
  /** Valid replies to our scrapes: `files` with counts per info hash */
  SCRAPE_RESPONSES: 4,
  /** Other peers' offers relayed to us (each is answered) */
  OFFERS_RECEIVED: 5,
  /** Answers to our offers relayed back to us */
  ANSWERS_RECEIVED: 6,
  /** Messages with a "failure reason" */
  FAILURES: 7,
  /** Not JSON, unknown action, missing or ill-shaped fields, our own offer sent back, an answer to an offer we never made, or a reply nothing asked for */
  PROTOCOL_ERRORS: 8,
  TIMEOUTS: 9,
  CONNECTIONS_OPENED: 10,
  /** Connections refused, failed to upgrade, or closed by the tracker */
  CONNECTION_ERRORS: 11,
  LATENCY: Cell.LATENCY,
} as const;

if (WsCell.CONNECTION_ERRORS >= WsCell.LATENCY) throw new Error('the WebTorrent counters overlap the latency histogram');

export function sentMessages(stats: Float64Array): number {
  return stats[WsCell.ANNOUNCES_SENT]! + stats[WsCell.SCRAPES_SENT]! + stats[WsCell.ANSWERS_SENT]!;
}

/** Valid messages from the tracker, of every kind (what aquatic's WebTorrent benchmark counts as responses). */
export function receivedMessages(stats: Float64Array): number {
  return stats[WsCell.ANNOUNCE_RESPONSES]! + stats[WsCell.SCRAPE_RESPONSES]! + stats[WsCell.OFFERS_RECEIVED]! + stats[WsCell.ANSWERS_RECEIVED]!;
}

/** Everything the tracker is to blame for, timeouts aside. */
export function errors(stats: Float64Array): number {
  return stats[WsCell.FAILURES]! + stats[WsCell.PROTOCOL_ERRORS]! + stats[WsCell.CONNECTION_ERRORS]!;
}
