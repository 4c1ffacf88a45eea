// The node:dgram fallback transport, for platforms without the native addon. Datagrams
// that arrive in one event-loop turn are gathered into a batch (flushed on setImmediate or
// when the batch is full), so the handler sees the same batches as on the native path.
import dgram from 'node:dgram';
import { once } from 'node:events';
import { AquaticError, ErrorCode } from '../../errors.js';
import { formatIp16, writeIpAs16 } from '../../util/ip.js';
import {
  META_ADDRESS,
  META_FAMILY,
  META_LENGTH,
  META_PORT,
  META_REPLY_TO,
  META_STRIDE,
  SLOT_SIZE,
  createPacketBatch,
  type PacketBatch,
} from './batch.js';
import { type BatchHandler, type UdpTransport, type UdpTransportCounters, type UdpTransportOptions, createTransportCounters } from './types.js';

const META_INTS = META_STRIDE / 4;

export class DgramUdpTransport implements UdpTransport {
  readonly kind = 'dgram';
  readonly counters: UdpTransportCounters = createTransportCounters();
  private readonly rx: PacketBatch;
  private readonly tx: PacketBatch;
  /** Source address text per rx slot, reused for the reply (no formatting per packet). */
  private readonly sources: string[];
  private pending = 0;
  private flushScheduled = false;
  private handler: BatchHandler | null = null;
  private closed = false;

  private constructor(
    private readonly socket: dgram.Socket,
    readonly port: number,
    batchSize: number,
  ) {
    this.rx = createPacketBatch(batchSize);
    this.tx = createPacketBatch(batchSize);
    this.sources = new Array<string>(batchSize).fill('');
  }

  static async open(options: UdpTransportOptions): Promise<DgramUdpTransport> {
    const ipv6 = options.host.includes(':');
    const socket = dgram.createSocket({ type: ipv6 ? 'udp6' : 'udp4', ipv6Only: ipv6 && options.onlyIpv6 });
    try {
      socket.bind({ address: options.host, port: options.port, exclusive: true });
      await Promise.race([once(socket, 'listening'), once(socket, 'error').then(([error]) => Promise.reject(error))]);
    } catch (error) {
      socket.close();
      const err = error as NodeJS.ErrnoException;
      throw new AquaticError(ErrorCode.BIND, `cannot bind UDP ${options.host}:${options.port}: ${err.code ?? err.message}`, [], { cause: error });
    }
    if (options.recvBufferSize > 0) socket.setRecvBufferSize(options.recvBufferSize);
    if (options.sendBufferSize > 0) socket.setSendBufferSize(options.sendBufferSize);
    return new DgramUdpTransport(socket, socket.address().port, options.batchSize);
  }

  start(handler: BatchHandler): void {
    this.handler = handler;
    this.socket.on('message', this.onMessage);
    // Errors on an unconnected UDP socket (e.g. ICMP unreachable) are per-datagram: carry on.
    this.socket.on('error', () => {
      this.counters.sendErrors++;
    });
  }

  private readonly onMessage = (message: Buffer, remote: dgram.RemoteInfo): void => {
    const slot = this.pending++;
    const m = slot * META_INTS;
    const meta = this.rx.meta32;
    this.counters.receivedPackets++;
    this.counters.receivedBytes += message.length;
    if (message.length > SLOT_SIZE) {
      this.counters.truncatedPackets++;
      meta[m + META_LENGTH / 4] = -1;
    } else {
      message.copy(this.rx.dataBuffer, slot * SLOT_SIZE);
      meta[m + META_LENGTH / 4] = message.length;
    }
    meta[m + META_PORT / 4] = remote.port;
    const family = writeIpAs16(remote.address, this.rx.meta, slot * META_STRIDE + META_ADDRESS);
    meta[m + META_FAMILY / 4] = family;
    if (family === 0) meta[m + META_LENGTH / 4] = -1;
    this.sources[slot] = remote.address;
    if (this.pending === this.rx.slots) {
      this.flush();
    } else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
  };

  private readonly flush = (): void => {
    this.flushScheduled = false;
    const count = this.pending;
    this.pending = 0;
    if (count === 0 || this.closed || this.handler === null) return;
    const replies = this.handler(this.rx, count, this.tx);
    // Replies to this batch go back to the source text dgram gave us (no formatting).
    this.sendSlots(this.tx, replies, (m) => this.sources[this.tx.meta32[m + META_REPLY_TO / 4]!]!);
  };

  send(batch: PacketBatch, count: number): number {
    if (this.closed) return 0;
    return this.sendSlots(batch, count, (m) => formatIp16(batch.meta, m * 4 + META_ADDRESS));
  }

  private sendSlots(batch: PacketBatch, count: number, addressOf: (metaInt: number) => string): number {
    const meta = batch.meta32;
    for (let j = 0; j < count; j++) {
      const m = j * META_INTS;
      const length = meta[m + META_LENGTH / 4]!;
      const start = j * SLOT_SIZE;
      // dgram may queue the send, so the reply is copied out of the reused arena.
      const payload = Buffer.from(batch.dataBuffer.subarray(start, start + length));
      this.socket.send(payload, meta[m + META_PORT / 4]!, addressOf(m), this.onSent);
      this.counters.sentPackets++;
      this.counters.sentBytes += length;
    }
    return count;
  }

  private readonly onSent = (error: Error | null): void => {
    if (error !== null) this.counters.sendErrors++;
  };

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}
