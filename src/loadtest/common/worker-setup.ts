// What every load worker (UDP, HTTP, WebSocket) decides the same way: its own random stream,
// the client address it sends from, and how often it looks for timed-out requests.
import { Random } from './random.js';

/** Each worker draws its own stream from the seed; the world they drive is the same in all of them. */
export function workerRandom(seed: number, workerIndex: number): Random {
  return new Random((seed + 0x632be5ab * (workerIndex + 1)) >>> 0);
}

/**
 * The local address of worker i's sockets. On IPv4, 127.0.0.(1 + i) like
 * aquatic_udp_load_test, so the tracker sees one client IP per worker.
 */
export function clientAddress(family: 4 | 6, multipleClientIpv4s: boolean, workerIndex: number): string {
  if (family === 6) return '::1';
  return multipleClientIpv4s ? `127.0.0.${1 + (workerIndex % 254)}` : '127.0.0.1';
}

/** Timeout sweeps per timeout period: a request is counted late by at most 1/10 of it. */
const SWEEPS_PER_TIMEOUT = 10;
const MAX_SWEEP_INTERVAL_MS = 50;

export function sweepIntervalMs(requestTimeoutMs: number): number {
  return Math.max(1, Math.min(MAX_SWEEP_INTERVAL_MS, Math.floor(requestTimeoutMs / SWEEPS_PER_TIMEOUT)));
}
