// What a load worker counts, laid out in one Float64Array so a worker thread can share it
// with the coordinator (SharedArrayBuffer) and the hot path only increments array cells.
// Totals only grow; rates come from differences between two snapshots.
import { ACTION_ANNOUNCE, ACTION_CONNECT, ACTION_SCRAPE } from '../../protocol/udp/constants.js';

/** Cell indexes. Requests sent and valid responses are indexed by BEP 15 action. */
export const Cell = {
  /** + action (0 connect, 1 announce, 2 scrape) */
  SENT: 0,
  /** + action: responses whose action, transaction ID and length matched the request */
  VALID: 3,
  /** BEP 15 error responses (action 3) to a request in flight */
  ERROR_RESPONSES: 6,
  /** Responses to a request in flight with the wrong action or a bad length */
  INVALID: 7,
  /** Datagrams matching no request in flight: too short, unknown transaction ID, or late (after a timeout) */
  UNEXPECTED: 8,
  TIMEOUTS: 9,
  /** Peers in valid announce responses */
  PEERS_RETURNED: 10,
  /** Requests the kernel would not take (their slots are freed at once) */
  SEND_FAILURES: 11,
  /** Start of the latency histogram (see latencyBucket) */
  LATENCY: 12,
} as const;

// Latency histogram, in microseconds, log-linear: exact below 64 µs, then 32 buckets per
// power of two (each within 1/32 ≈ 3% of its value), up to 2^26 µs (67 s).
const SUB_BUCKET_BITS = 5;
const MAX_LATENCY_US = 2 ** 26 - 1;
export const LATENCY_BUCKETS = (26 - SUB_BUCKET_BITS + 1) << SUB_BUCKET_BITS;
export const STATS_CELLS = Cell.LATENCY + LATENCY_BUCKETS;

/** The histogram bucket of a latency: exact below 64 µs, then index = 32e + (µs >> e). */
export function latencyBucket(microseconds: number): number {
  const v = Math.min(Math.max(Math.round(microseconds), 0), MAX_LATENCY_US);
  if (v < 2 << SUB_BUCKET_BITS) return v;
  const shift = 31 - Math.clz32(v) - SUB_BUCKET_BITS;
  return (shift << SUB_BUCKET_BITS) + (v >>> shift);
}

/** A representative latency for a bucket: the middle of its range. */
export function bucketLatency(bucket: number): number {
  if (bucket < 2 << SUB_BUCKET_BITS) return bucket;
  const shift = (bucket >>> SUB_BUCKET_BITS) - 1;
  const mantissa = bucket - (shift << SUB_BUCKET_BITS);
  return mantissa * 2 ** shift + (2 ** shift - 1) / 2;
}

export function createStats(shared: boolean): Float64Array {
  const bytes = STATS_CELLS * Float64Array.BYTES_PER_ELEMENT;
  return new Float64Array(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
}

/** into += from, cell by cell (sums workers). */
export function addStats(into: Float64Array, from: Float64Array): void {
  for (let i = 0; i < STATS_CELLS; i++) into[i]! += from[i]!;
}

/** later - earlier, cell by cell (the counts of a time window). */
export function statsBetween(earlier: Float64Array, later: Float64Array): Float64Array {
  const out = createStats(false);
  for (let i = 0; i < STATS_CELLS; i++) out[i] = later[i]! - earlier[i]!;
  return out;
}

/** The latency below which `fraction` of the recorded responses fall, in µs (0 when none). */
export function latencyPercentile(stats: Float64Array, fraction: number): number {
  let total = 0;
  for (let b = 0; b < LATENCY_BUCKETS; b++) total += stats[Cell.LATENCY + b]!;
  if (total === 0) return 0;
  const rank = Math.max(1, Math.ceil(total * fraction));
  let seen = 0;
  for (let b = 0; b < LATENCY_BUCKETS; b++) {
    seen += stats[Cell.LATENCY + b]!;
    if (seen >= rank) return bucketLatency(b);
  }
  return bucketLatency(LATENCY_BUCKETS - 1);
}

export function sentRequests(stats: Float64Array): number {
  return stats[Cell.SENT + ACTION_CONNECT]! + stats[Cell.SENT + ACTION_ANNOUNCE]! + stats[Cell.SENT + ACTION_SCRAPE]!;
}

export function validResponses(stats: Float64Array): number {
  return stats[Cell.VALID + ACTION_CONNECT]! + stats[Cell.VALID + ACTION_ANNOUNCE]! + stats[Cell.VALID + ACTION_SCRAPE]!;
}

/** The latency percentiles every load-test summary reports, in microseconds. */
export function latencySummary(stats: Float64Array): { latency_p50_us: number; latency_p99_us: number; latency_p999_us: number } {
  const us = (q: number) => Math.round(latencyPercentile(stats, q));
  return { latency_p50_us: us(0.5), latency_p99_us: us(0.99), latency_p999_us: us(0.999) };
}
