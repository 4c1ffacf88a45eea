// TCP streams served by the native addon through one epoll set: the addon accepts, reads
// into a JS-owned arena and sends; this class owns that memory and the connection table.
// Reads arrive as batches of records (one JS call per batch, not per read), and writes made
// during a batch or a turn of the event loop go out together in one native call. A stream
// costs an fd, a small object and, only while the kernel refuses bytes, a backlog buffer:
// no node:net Socket, no stream state machine.
import type { NativeUdpBinding, NativeStreamsHandle } from '../udp/binding.js';
import type { Logger } from '../../util/log.js';
import { formatIp16 } from '../../util/ip.js';

/** Record layout, as native/src/sockets.h writes it. */
export const STREAM_STRIDE = 32;
const KIND = 0;
const OFFSET = 4; // data offset, or port of an accepted stream
const LENGTH = 8; // data length, errno, or family (4 or 6) of an accepted stream
const FD = 12;
const ADDRESS = 16; // 16 bytes, IPv4 mapped, in accepted records
const ACCEPTED = 1;
const DATA = 2;
const END = 3;
const ERROR = 4;
const WRITABLE = 5;
const ACCEPT_PAUSED = 6;

/** Write requests: fd, offset, length in; bytes sent or -errno out. */
export const WRITE_STRIDE = 16;

const READ_ARENA_BYTES = 1 << 20;
const RECORD_SLOTS = 1024;
const WRITE_ARENA_BYTES = 1 << 20;
const WRITE_REQUESTS = 4096;
/** How long accepting pauses after EMFILE and the like, so the listener does not spin. */
const ACCEPT_PAUSE_MS = 100;

/** One accepted connection; subclasses add the protocol's state (one object per connection). */
export class Stream {
  /** -1 once closed. */
  fd: number;
  /** Bytes the kernel did not take yet, in order; sent when the stream is writable again. */
  backlog: Buffer | undefined = undefined;

  constructor(fd: number) {
    this.fd = fd;
  }

  /** Bytes waiting in this process for the client (not counting the kernel's buffer). */
  get backlogLength(): number {
    return this.backlog === undefined ? 0 : this.backlog.length;
  }
}

/** What a protocol does with streams. */
export interface StreamHooks<S extends Stream> {
  /** A new connection from `address` (IPv6 text, IPv4 as dotted quad); undefined refuses it (closed at once). */
  accept(fd: number, address: string): S | undefined;
  /** Bytes read, valid only during the call (the arena is reused). */
  data(stream: S, bytes: Buffer, start: number, end: number): void;
  /** The connection is gone (client closed, reset, or `close` was called); called once. */
  closed(stream: S): void;
  /** After each batch of reads, before its writes are sent: the moment to commit replies. */
  batchEnd?(): void;
}

export class StreamServer<S extends Stream> {
  private readonly handle: NativeStreamsHandle;
  private readonly readArena = Buffer.allocUnsafe(READ_ARENA_BYTES);
  private readonly records = new Uint8Array(RECORD_SLOTS * STREAM_STRIDE);
  private readonly records32 = new Int32Array(this.records.buffer);
  private readonly writeArena = Buffer.allocUnsafe(WRITE_ARENA_BYTES);
  private readonly requests = new Uint8Array(WRITE_REQUESTS * WRITE_STRIDE);
  private readonly requests32 = new Int32Array(this.requests.buffer);
  /** Streams of the requests, by request index. */
  private readonly requestStreams: (S | undefined)[] = [];
  private requestCount = 0;
  private writeUsed = 0;
  private flushScheduled = false;
  private inBatch = false;
  /** Open streams by fd. */
  private readonly byFd: (S | undefined)[] = [];
  private open = 0;
  private closedServer = false;
  /** accept() failures that paused accepting (EMFILE and the like). */
  acceptPauses = 0;
  /** Writes the kernel did not take whole (a client reading slower than we send). */
  deferredWrites = 0;

  constructor(
    private readonly binding: NativeUdpBinding,
    listenFd: number,
    private readonly hooks: StreamHooks<S>,
    private readonly log: Logger,
  ) {
    this.handle = binding.tcpServe(listenFd, this.readArena, this.records, this.onBatch);
  }

  get connectionCount(): number {
    return this.open;
  }

  /** Every open stream (for sweeps and shutdown). */
  *streams(): IterableIterator<S> {
    for (const stream of this.byFd) if (stream !== undefined) yield stream;
  }

  /**
   * Room for `length` bytes to `stream` in the write arena: write them at the returned
   * offset of `arena`, then `commit`. Bytes for one stream in one turn should be reserved
   * together, so they leave in one send.
   */
  reserve(length: number): { arena: Buffer; offset: number } {
    if (length > WRITE_ARENA_BYTES) return { arena: Buffer.allocUnsafe(length), offset: 0 };
    if (this.writeUsed + length > WRITE_ARENA_BYTES || this.requestCount === WRITE_REQUESTS) this.flush();
    return { arena: this.writeArena, offset: this.writeUsed };
  }

  /** Queues bytes written at `offset` of the arena `reserve` gave. */
  commit(stream: S, arena: Buffer, offset: number, length: number): void {
    if (stream.fd < 0 || length === 0) return;
    if (stream.backlog !== undefined) {
      // Order: nothing may overtake bytes the kernel refused earlier.
      stream.backlog = Buffer.concat([stream.backlog, arena.subarray(offset, offset + length)]);
      return;
    }
    if (arena !== this.writeArena) {
      this.sendNow(stream, arena.subarray(offset, offset + length));
      return;
    }
    // Bytes right after the previous request's, for the same stream: one send for both.
    const last = (this.requestCount - 1) * (WRITE_STRIDE / 4);
    if (this.requestCount > 0 && this.requestStreams[this.requestCount - 1] === stream && this.requests32[last + 1]! + this.requests32[last + 2]! === offset) {
      this.requests32[last + 2] += length;
      this.writeUsed += length;
      return;
    }
    const at = this.requestCount++ * (WRITE_STRIDE / 4);
    this.requests32[at] = stream.fd;
    this.requests32[at + 1] = offset;
    this.requests32[at + 2] = length;
    this.requestStreams[this.requestCount - 1] = stream;
    this.writeUsed += length;
    if (!this.inBatch && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushLater);
    }
  }

  /** Sends every committed write now; bytes the kernel refuses wait in the stream's backlog. */
  flush(): void {
    const count = this.requestCount;
    if (count === 0) return;
    this.binding.tcpWrite(this.handle, this.writeArena, this.requests, count);
    this.requestCount = 0;
    this.writeUsed = 0;
    // Closing calls hooks that may commit again: only after the requests have been read.
    let broken: S[] | undefined;
    for (let i = 0; i < count; i++) {
      const stream = this.requestStreams[i]!;
      this.requestStreams[i] = undefined;
      const at = i * (WRITE_STRIDE / 4);
      const sent = this.requests32[at + 3]!;
      const length = this.requests32[at + 2]!;
      if (sent === length || stream.fd < 0) continue;
      const offset = this.requests32[at + 1]!;
      if (sent < 0 || !this.keepBacklog(stream, this.writeArena.subarray(offset + sent, offset + length))) (broken ??= []).push(stream);
    }
    if (broken !== undefined) for (const stream of broken) this.close(stream);
  }

  /** Closes the connection (after sending what was committed); `closed` follows at once. */
  close(stream: S): void {
    if (stream.fd < 0) return;
    if (this.requestCount > 0) this.flush();
    const fd = stream.fd;
    if (fd < 0) return; // the flush found it broken and closed it
    stream.fd = -1;
    stream.backlog = undefined;
    this.byFd[fd] = undefined;
    this.open--;
    this.binding.tcpCloseStream(this.handle, fd);
    this.hooks.closed(stream);
  }

  /** Closes every stream and the listener. */
  closeAll(): void {
    if (this.closedServer) return;
    this.closedServer = true;
    for (const stream of this.streams()) this.close(stream);
    this.binding.tcpServeClose(this.handle);
  }

  private readonly flushLater = () => {
    this.flushScheduled = false;
    this.flush();
  };

  /** One write outside the arena (oversized, or a backlog); the queue goes first to keep order. */
  private sendNow(stream: S, bytes: Buffer): void {
    this.flush();
    if (stream.fd < 0) return;
    this.requests32[0] = stream.fd;
    this.requests32[1] = 0;
    this.requests32[2] = bytes.length;
    this.binding.tcpWrite(this.handle, bytes, this.requests, 1);
    const sent = this.requests32[3]!;
    if (sent < 0 || (sent < bytes.length && !this.keepBacklog(stream, bytes.subarray(sent)))) this.close(stream);
  }

  /** Keeps what the kernel refused and asks to hear when it takes more; false if it cannot. */
  private keepBacklog(stream: S, rest: Buffer): boolean {
    this.deferredWrites++;
    stream.backlog = Buffer.from(rest);
    return this.binding.tcpWatchWritable(this.handle, stream.fd, true) === 0;
  }

  private drainBacklog(stream: S): void {
    const backlog = stream.backlog;
    if (backlog === undefined || stream.fd < 0) return;
    stream.backlog = undefined;
    this.binding.tcpWatchWritable(this.handle, stream.fd, false);
    this.sendNow(stream, backlog);
  }

  private readonly onBatch = (count: number) => {
    this.inBatch = true;
    const r = this.records32;
    try {
      for (let i = 0; i < count; i++) {
        const at = i * (STREAM_STRIDE / 4);
        const kind = r[at + KIND / 4]!;
        const fd = r[at + FD / 4]!;
        if (kind === ACCEPTED) {
          this.accepted(fd, formatIp16(this.records, i * STREAM_STRIDE + ADDRESS));
          continue;
        }
        if (kind === ACCEPT_PAUSED) {
          this.pauseAccepting(r[at + LENGTH / 4]!);
          continue;
        }
        const stream = this.byFd[fd];
        if (stream === undefined) continue; // closed earlier in this batch
        if (kind === DATA) {
          const offset = r[at + OFFSET / 4]!;
          this.hooks.data(stream, this.readArena, offset, offset + r[at + LENGTH / 4]!);
        } else if (kind === WRITABLE) {
          this.drainBacklog(stream);
        } else if (kind === END || kind === ERROR) {
          this.close(stream);
        }
      }
    } finally {
      this.inBatch = false;
      this.hooks.batchEnd?.();
      this.flush();
    }
  };

  private accepted(fd: number, address: string): void {
    const stream = this.closedServer ? undefined : this.hooks.accept(fd, address);
    if (stream === undefined) {
      this.binding.tcpCloseStream(this.handle, fd);
      return;
    }
    this.byFd[fd] = stream;
    this.open++;
  }

  private pauseAccepting(errno: number): void {
    this.acceptPauses++;
    if (this.acceptPauses === 1 || this.log.debugEnabled) {
      this.log.warn(`accept failed (errno ${errno}, e.g. out of file descriptors: raise LimitNOFILE); pausing accepts for ${ACCEPT_PAUSE_MS} ms`);
    }
    const timer = setTimeout(() => {
      if (!this.closedServer) this.binding.tcpResumeAccept(this.handle);
    }, ACCEPT_PAUSE_MS);
    timer.unref();
  }
}
