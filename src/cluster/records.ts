// How peer updates look between nodes. Pure encoding, no Redis.
//
// In a torrent's sorted set: member = the compact peer (6 bytes IPv4, 18 bytes IPv6, BEP 23 /
// BEP 7 order: address then port), score = expiry * 4 + state, where expiry is in Unix
// milliseconds on Redis's clock and state is a PeerState (ABSENT marks a peer that stopped:
// a tombstone that expires like a peer). One number orders, expires and describes the
// entry, exactly (below 2^53 until the year 20000).
//
// In the update stream, each entry's `u` field is a run of records:
//   info hash (20) | flags (1) | expiry (f64, Unix ms on Redis's clock) | compact peer (6 or 18)
// flags: bits 0-1 the PeerState, bit 2 the announce counted a download, bit 3 IPv6.
import { PeerState } from '../swarm/swarm.js';

export const INFO_HASH_BYTES = 20;
export const FLAG_STATE = 3;
export const FLAG_COMPLETED = 4;
export const FLAG_IPV6 = 8;
/** Bytes before the compact peer in a stream record. */
export const STREAM_RECORD_EXPIRY = INFO_HASH_BYTES + 1;
export const STREAM_RECORD_HEAD = STREAM_RECORD_EXPIRY + 8;

export function peerBytes(flags: number): number {
  return (flags & FLAG_IPV6) !== 0 ? 18 : 6;
}

export function streamRecordSize(flags: number): number {
  return STREAM_RECORD_HEAD + peerBytes(flags);
}

export function scoreOf(expiry: number, state: PeerState): number {
  return expiry * 4 + state;
}

/** Splits a sorted-set score back into expiry and state. */
export function readScore(score: number): { expiry: number; state: PeerState } {
  const expiry = Math.floor(score / 4);
  return { expiry, state: (score - expiry * 4) as PeerState };
}

/** The lowest score of an entry that has not expired at `now` (Unix ms). */
export function liveScoreFloor(now: number): number {
  return now * 4;
}

export function isPeerState(state: number): state is PeerState {
  return state === PeerState.ABSENT || state === PeerState.LEECHER || state === PeerState.SEEDER;
}

export function hex(bytes: Uint8Array, at: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + at, INFO_HASH_BYTES).toString('hex');
}
