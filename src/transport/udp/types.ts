// The one interface both UDP transports (native batched I/O and node:dgram) implement.
// A transport moves bytes; it knows nothing of BitTorrent.
import type { PacketBatch } from './batch.js';

/**
 * Called once per received batch. `rx` holds `count` datagrams (slots 0..count-1); the
 * handler writes replies into `tx` slots 0..n-1 (payload and metadata) and returns n.
 * Views into `rx` are valid only until the handler returns.
 */
export type BatchHandler = (rx: PacketBatch, count: number, tx: PacketBatch) => number;

export interface UdpTransportOptions {
  /** IP literal to bind: IPv4 ("0.0.0.0", "127.0.0.1") or IPv6 ("::", "::1"), no brackets. */
  readonly host: string;
  readonly port: number;
  /** For an IPv6 host: IPV6_V6ONLY (true) or dual stack (false). */
  readonly onlyIpv6: boolean;
  /** SO_REUSEPORT, so several socket workers can bind the same address. */
  readonly reusePort: boolean;
  /** SO_RCVBUF / SO_SNDBUF in bytes; 0 keeps the system default. */
  readonly recvBufferSize: number;
  readonly sendBufferSize: number;
  /** Datagrams per batch (rx and tx arenas hold this many slots). */
  readonly batchSize: number;
}

/** Counters a transport keeps about itself (not about the tracker). */
export interface UdpTransportCounters {
  receivedPackets: number;
  receivedBytes: number;
  sentPackets: number;
  sentBytes: number;
  /** Datagrams longer than a slot, dropped. */
  truncatedPackets: number;
  /** Replies the kernel would not take (EAGAIN/ENOBUFS/EPERM…), dropped. */
  sendErrors: number;
}

export function createTransportCounters(): UdpTransportCounters {
  return { receivedPackets: 0, receivedBytes: 0, sentPackets: 0, sentBytes: 0, truncatedPackets: 0, sendErrors: 0 };
}

export interface UdpTransport {
  readonly kind: 'native' | 'dgram';
  /** The bound port (useful after binding port 0). */
  readonly port: number;
  readonly counters: UdpTransportCounters;
  /** Start delivering batches to `handler`. */
  start(handler: BatchHandler): void;
  /**
   * Sends slots 0..count-1 of `batch` now, for replies produced outside a handler call
   * (e.g. by another thread); returns how many the kernel took.
   */
  send(batch: PacketBatch, count: number): number;
  /** Stop receiving and close the socket. Idempotent. */
  close(): Promise<void>;
}
