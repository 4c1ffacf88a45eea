// The Linux UDP transport: recvmmsg/sendmmsg through the native addon, one JS call per batch.
import { isIP } from 'node:net';
import { AquaticError, ErrorCode } from '../../errors.js';
import { META_LENGTH, META_STRIDE, createPacketBatch, type PacketBatch } from './batch.js';
import type { NativeUdpBinding, NativeUdpHandle } from './binding.js';
import { type BatchHandler, type UdpTransport, type UdpTransportCounters, type UdpTransportOptions, createTransportCounters } from './types.js';

const META_INTS = META_STRIDE / 4;
const LENGTH_INT = META_LENGTH / 4;
const MAX_BATCH = 1024;
const MAX_BUFFER = 0x7fffffff;

export class NativeUdpTransport implements UdpTransport {
  readonly kind = 'native';
  readonly counters: UdpTransportCounters = createTransportCounters();
  private handler: BatchHandler | null = null;
  private closed = false;

  private constructor(
    private readonly binding: NativeUdpBinding,
    private readonly handle: NativeUdpHandle,
    readonly port: number,
    private readonly rx: PacketBatch,
    private readonly tx: PacketBatch,
  ) {}

  /** Binds the socket now (synchronously); errors are AquaticError BIND with the errno error as cause. */
  static open(options: UdpTransportOptions, binding: NativeUdpBinding): NativeUdpTransport {
    const { host, port, batchSize, recvBufferSize, sendBufferSize } = options;
    const family = isIP(host);
    if (family === 0) throw invalid(TypeError, 'ERR_INVALID_ARG_VALUE', `host must be an IP literal without brackets, got ${JSON.stringify(host)}`);
    checkInteger('port', port, 0, 65535);
    checkInteger('batchSize', batchSize, 1, MAX_BATCH);
    checkInteger('recvBufferSize', recvBufferSize, 0, MAX_BUFFER);
    checkInteger('sendBufferSize', sendBufferSize, 0, MAX_BUFFER);

    let flags = 0;
    if (options.reusePort) flags |= binding.FLAG_REUSEPORT;
    if (family === 6 && options.onlyIpv6) flags |= binding.FLAG_V6ONLY;
    let handle: NativeUdpHandle;
    try {
      handle = binding.udpOpen(host, port, flags, recvBufferSize, sendBufferSize, batchSize);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new AquaticError(ErrorCode.BIND, `cannot bind UDP ${host}:${port}: ${code}`, [], { cause: error });
    }
    // The arenas live as long as the socket: native keeps pointers into rx while receiving.
    const rx = createPacketBatch(batchSize);
    const tx = createPacketBatch(batchSize);
    return new NativeUdpTransport(binding, handle, binding.udpLocalPort(handle), rx, tx);
  }

  start(handler: BatchHandler): void {
    if (this.closed) throw invalid(Error, 'ERR_SOCKET_DGRAM_NOT_RUNNING', 'transport is closed');
    if (this.handler !== null) throw invalid(Error, 'ERR_INVALID_STATE', 'transport already started');
    this.handler = handler;
    this.binding.udpRecvStart(this.handle, this.rx.data, this.rx.meta, this.onBatch);
  }

  /** The socket buffer sizes the kernel granted (Linux reports twice the requested size). */
  bufferSizes(): { receive: number; send: number } {
    const [receive, send] = this.binding.udpBufferSizes(this.handle);
    return { receive, send };
  }

  /** recvmmsg errors other than EAGAIN, counted by native code. */
  get receiveErrors(): number {
    return this.closed ? 0 : this.binding.udpRecvErrors(this.handle);
  }

  // Native calls this once per recvmmsg batch; it may not return before the replies are sent,
  // since rx and tx are reused by the next batch.
  private readonly onBatch = (count: number): void => {
    const counters = this.counters;
    const rxMeta = this.rx.meta32;
    let truncated = 0;
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      const length = rxMeta[i * META_INTS + LENGTH_INT]!;
      if (length < 0) truncated++;
      else bytes += length;
    }
    // As in the dgram transport, a truncated datagram counts as received and as truncated.
    counters.receivedPackets += count;
    counters.receivedBytes += bytes;
    counters.truncatedPackets += truncated;

    const replies = Math.min(this.handler!(this.rx, count, this.tx), this.tx.slots);
    if (replies > 0) this.send(this.tx, replies);
  };

  send(batch: PacketBatch, count: number): number {
    if (this.closed || count <= 0) return 0;
    const counters = this.counters;
    const sent = this.binding.udpSend(this.handle, batch.data, batch.meta, count);
    counters.sentPackets += sent;
    counters.sendErrors += count - sent;
    // Native reports only how many were sent, not which: count the first `sent` replies.
    const meta = batch.meta32;
    for (let j = 0; j < sent; j++) counters.sentBytes += Math.max(0, meta[j * META_INTS + LENGTH_INT]!);
    return sent;
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      // Closes the fd now (the port is free on return); native memory goes once libuv has
      // closed the poll handle.
      this.binding.udpClose(this.handle);
    }
    return Promise.resolve();
  }
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid(RangeError, 'ERR_OUT_OF_RANGE', `${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

function invalid(Kind: ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor, code: string, message: string): Error {
  return Object.assign(new Kind(message), { code });
}
