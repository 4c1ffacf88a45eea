// The WebSocket transport on the native stream server (Linux, plain ws://): the upgrade
// handshake, framing and pings are done here on raw bytes, so a connection costs an fd and
// one small object instead of a node:net Socket, an http parser and a `ws` WebSocket. Reads
// arrive in batches from epoll and every reply made while handling a batch leaves in one
// native call. Same hooks, limits and counters as the `ws`-based WsServer (used for wss://
// and where the addon is missing).
import { isUtf8 } from 'node:buffer';
import type { NativeUdpBinding } from '../udp/binding.js';
import { Stream, StreamServer } from '../tcp/streams.js';
import type { Logger } from '../../util/log.js';
import { CloseCode, Opcode, closeFrame, controlFrame, frameHeaderLength, readFrames, writeFrameHeader } from './frames.js';
import { FrameQueue, type QueuedLink } from './frame-queue.js';
import { FORBIDDEN_RESPONSE, HEAD_TOO_LARGE_RESPONSE, headEnd, healthResponse, parseHead, upgradeResponse } from './handshake.js';
import { type WsHooks, type WsLink, type WsServerOptions, type WsTransport, REQUEST_HEAD_TIMEOUT_MS, WsServerCounters, refusesOrigin, sweepSilentLinks } from './transport.js';

/** Room for connections, taken when one is accepted and given back when it closes. */
export interface ConnectionBudget {
  take(): boolean;
  release(): void;
}

export interface NativeWsServerOptions extends WsServerOptions {
  /** SO_REUSEPORT: one listener per socket worker thread on the same port. */
  readonly reusePort?: boolean;
  /** Shared by several servers (socket workers); by default max_connections for this one. */
  readonly budget?: ConnectionBudget;
}

/** Bytes of request head accepted before a WebSocket upgrade (browsers send about 500). */
const MAX_HEAD_BYTES = 8192;
/** RFC 6455 7.4.1: 1001, the server is going away (shutdown). */
const GOING_AWAY = 1001;
const LISTEN_BACKLOG = 1024;

const Phase = { HANDSHAKE: 0, OPEN: 1 } as const;

class NativeLink<S> extends Stream implements WsLink, QueuedLink {
  state!: S;
  phase: number = Phase.HANDSHAKE;
  /**
   * Bytes of an incomplete request head or frame, kept between reads: carry[0, carryLength),
   * in a buffer that grows by doubling, so a frame trickled in byte by byte costs linear time.
   */
  carry: Buffer | undefined = undefined;
  carryLength = 0;
  /**
   * A fragmented message being assembled (RFC 6455 5.4): its bytes so far at
   * fragments[0, fragmentsLength), in one buffer that grows (up to the message size
   * limit), and its opcode.
   */
  fragments: Buffer | undefined = undefined;
  fragmentsLength = 0;
  fragmentsOpcode = 0;
  /** A message or pong arrived since the last ping sweep. */
  active = true;
  /** Ping sweeps in a row without a message or pong. */
  silentSweeps = 0;
  /** Over the send buffer limit: takes no more frames, and closes at the end of the turn. */
  dropped = false;
  /** When the connection was accepted (ms), for the request head timeout. */
  readonly acceptedAt: number;
  /** Text frames queued in this turn, written together. */
  pending: (string | Uint8Array)[] | undefined = undefined;
  pendingLength = 0;

  constructor(
    fd: number,
    readonly remoteAddress: string,
    private readonly server: NativeWsServer<S>,
  ) {
    super(fd);
    this.acceptedAt = Date.now();
  }

  send(text: string): void {
    this.server.send(this, text);
  }

  sendUtf8(bytes: Uint8Array, start: number, end: number): void {
    this.server.sendUtf8(this, bytes, start, end);
  }
}

export class NativeWsServer<S> implements WsTransport {
  readonly counters = new WsServerCounters();
  readonly kind = 'native epoll';
  private streams: StreamServer<NativeLink<S>> | undefined;
  private readonly handshaking = new Set<NativeLink<S>>();
  private readonly links = new Set<NativeLink<S>>();
  private readonly frames = new FrameQueue<NativeLink<S>>(
    (link, bytes, encode) => this.writeFrames(link, bytes, encode),
    () => this.afterFlush(),
  );
  /** Clients over the send buffer limit, closed once this turn's frames are sent. */
  private readonly slowReaders: NativeLink<S>[] = [];
  /** The link whose frames readFrames is delivering. */
  private reading: NativeLink<S> | undefined;
  /** Set by a frame that breaks the protocol: the close code to send. */
  private readError = 0;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly budget: ConnectionBudget;

  constructor(
    private readonly binding: NativeUdpBinding,
    private readonly options: NativeWsServerOptions,
    private readonly hooks: WsHooks<S>,
    private readonly log: Logger,
  ) {
    let open = 0;
    this.budget = options.budget ?? {
      take() {
        if (open >= options.maxConnections) return false;
        open++;
        return true;
      },
      release() {
        open--;
      },
    };
  }

  async listen(): Promise<number> {
    const { host, port, ipv6Only, reusePort } = this.options;
    const flags = (ipv6Only ? this.binding.FLAG_V6ONLY : 0) | (reusePort === true ? this.binding.FLAG_REUSEPORT : 0);
    const fd = this.binding.tcpListen(host, port, flags, LISTEN_BACKLOG);
    const boundPort = this.binding.tcpLocalPort(fd);
    this.streams = new StreamServer(
      this.binding,
      fd,
      {
        accept: (streamFd, address) => this.accept(streamFd, address),
        data: (link, bytes, start, end) => this.data(link, bytes, start, end),
        closed: (link) => this.closed(link),
        batchEnd: () => {
          this.hooks.batchEnd?.();
          this.frames.flush();
        },
      },
      this.log,
    );
    const ping = setInterval(() => this.sweep(), this.options.pingIntervalSeconds * 1000);
    const heads = setInterval(() => this.expireHandshakes(), Math.min(REQUEST_HEAD_TIMEOUT_MS, 1000 * this.options.pingIntervalSeconds) / 2);
    for (const timer of [ping, heads]) {
      timer.unref();
      this.timers.push(timer);
    }
    return boundPort;
  }

  get connectionCount(): number {
    return this.links.size;
  }

  /** Writes the kernel did not take whole, so that bytes waited in a backlog. */
  get deferredWrites(): number {
    return this.streams?.deferredWrites ?? 0;
  }

  private accept(fd: number, address: string): NativeLink<S> | undefined {
    if (!this.budget.take()) return undefined;
    const link = new NativeLink<S>(fd, address, this);
    this.handshaking.add(link);
    return link;
  }

  private data(link: NativeLink<S>, bytes: Buffer, start: number, end: number): void {
    let buffer = bytes;
    if (link.carry !== undefined) {
      buffer = appendCarry(link, bytes, start, end);
      start = 0;
      end = link.carryLength;
      link.carry = undefined;
      link.carryLength = 0;
    }
    if (link.phase === Phase.HANDSHAKE) {
      const headStop = headEnd(buffer, start, end);
      if (headStop < 0) {
        if (end - start > MAX_HEAD_BYTES) this.respondAndClose(link, HEAD_TOO_LARGE_RESPONSE);
        else keepCarry(link, buffer, bytes, start, end);
        return;
      }
      if (headStop - start > MAX_HEAD_BYTES || !this.handshake(link, buffer.toString('latin1', start, headStop))) return;
      start = headStop;
    }
    this.reading = link;
    this.readError = 0;
    const stop = readFrames(buffer, start, end, this.options.maxMessageSize, this);
    this.reading = undefined;
    const code = stop < 0 ? -stop : this.readError;
    if (code !== 0) {
      this.counters.protocolErrors++;
      if (this.log.debugEnabled) this.log.debug(`closing a WebSocket connection: protocol error ${code}`);
      this.closeWith(link, code);
    } else if (stop < end && link.fd >= 0 && link.phase === Phase.OPEN) {
      keepCarry(link, buffer, bytes, stop, end);
    }
  }

  /** Answers a complete request head; true when the connection is now a WebSocket. */
  private handshake(link: NativeLink<S>, head: string): boolean {
    const outcome = parseHead(head);
    if (outcome.kind === 'health') {
      this.counters.healthChecks++;
      this.respondAndClose(link, healthResponse(outcome.head));
      return false;
    }
    if (outcome.kind === 'refuse') {
      this.respondAndClose(link, outcome.response);
      return false;
    }
    if (refusesOrigin(this.options, outcome.origin)) {
      this.counters.refusedOrigin++;
      this.respondAndClose(link, FORBIDDEN_RESPONSE);
      return false;
    }
    this.writeRaw(link, Buffer.from(upgradeResponse(outcome.key), 'latin1'));
    this.handshaking.delete(link);
    link.phase = Phase.OPEN;
    this.counters.accepted++;
    this.links.add(link);
    link.state = this.hooks.open(link);
    return true;
  }

  /** FrameSink: one complete frame of the link being read. */
  frame(opcode: number, fin: boolean, bytes: Buffer, start: number, end: number): boolean {
    const link = this.reading!;
    link.active = true;
    switch (opcode) {
      case Opcode.TEXT:
      case Opcode.BINARY:
        if (link.fragments !== undefined) return this.fail(CloseCode.PROTOCOL_ERROR);
        if (fin) return this.deliver(link, opcode, bytes, start, end);
        link.fragments = Buffer.from(bytes.subarray(start, end));
        link.fragmentsLength = end - start;
        link.fragmentsOpcode = opcode;
        return true;
      case Opcode.CONTINUATION: {
        let fragments = link.fragments;
        if (fragments === undefined) return this.fail(CloseCode.PROTOCOL_ERROR);
        // One buffer, not one per fragment: many tiny or empty continuations (6 bytes each
        // on the wire) must cost neither an object each nor a sum over all of them.
        const held = link.fragmentsLength;
        const length = held + end - start;
        if (length > this.options.maxMessageSize) return this.fail(CloseCode.MESSAGE_TOO_BIG);
        if (length > fragments.length) {
          const larger = Buffer.allocUnsafe(Math.min(Math.max(length, 2 * fragments.length), this.options.maxMessageSize));
          fragments.copy(larger, 0, 0, held);
          link.fragments = fragments = larger;
        }
        bytes.copy(fragments, held, start, end);
        link.fragmentsLength = length;
        if (!fin) return true;
        link.fragments = undefined;
        return this.deliver(link, link.fragmentsOpcode, fragments, 0, length);
      }
      case Opcode.PING:
        this.writeRaw(link, controlFrame(Opcode.PONG, bytes, start, end));
        return true;
      case Opcode.PONG:
        return true;
      default: {
        // Close (RFC 6455 5.5.1): echo the status code, then close the connection.
        const code = end - start >= 2 ? bytes.readUInt16BE(start) : CloseCode.NORMAL;
        this.closeWith(link, code);
        return false;
      }
    }
  }

  private fail(code: number): boolean {
    this.readError = code;
    return false;
  }

  private deliver(link: NativeLink<S>, opcode: number, bytes: Buffer, start: number, end: number): boolean {
    if (opcode === Opcode.TEXT && !isUtf8(bytes.subarray(start, end))) return this.fail(CloseCode.INVALID_DATA);
    try {
      if (opcode === Opcode.BINARY) this.hooks.binary(link.state);
      else this.hooks.message(link.state, bytes, start, end);
    } catch (error) {
      // A bug must not take the other connections down: drop this one and say so.
      this.log.error(`message handler failed, closing the connection: ${(error as Error).stack ?? String(error)}`);
      this.streams!.close(link);
    }
    return link.fd >= 0;
  }

  /** Queues a text frame (WsLink.send). */
  send(link: NativeLink<S>, text: string): void {
    if (this.canQueue(link)) this.frames.push(link, text);
  }

  /** Queues a text frame of UTF-8 bytes, copied now (WsLink.sendUtf8). */
  sendUtf8(link: NativeLink<S>, bytes: Uint8Array, start: number, end: number): void {
    if (this.canQueue(link)) this.frames.pushUtf8(link, bytes, start, end);
  }

  /**
   * Whether a frame may be queued for the link. A client whose queue is already over the
   * limit is dropped, so memory stays within limit + one message per client. It is closed
   * after the turn, not here: the sender may be in the middle of a swarm, and a close
   * removes peers.
   */
  private canQueue(link: NativeLink<S>): boolean {
    if (link.fd < 0 || link.phase !== Phase.OPEN || link.dropped) return false;
    if (link.backlogLength + link.pendingLength > this.options.sendBufferLimit) {
      this.counters.slowReadersDropped++;
      link.dropped = true;
      this.frames.drop(link);
      this.slowReaders.push(link);
      this.frames.schedule();
      return false;
    }
    return true;
  }

  private afterFlush(): void {
    this.streams?.flush();
    const slowReaders = this.slowReaders;
    while (slowReaders.length > 0) this.streams!.close(slowReaders.pop()!);
  }

  private writeFrames(link: NativeLink<S>, bytes: number, encode: (out: Buffer, at: number) => void): void {
    if (link.fd < 0) return;
    const { arena, offset } = this.streams!.reserve(bytes);
    encode(arena, offset);
    this.streams!.commit(link, arena, offset, bytes);
  }

  /** Bytes that go out after the frames already queued for this link. */
  private writeRaw(link: NativeLink<S>, bytes: Buffer): void {
    this.frames.flushLink(link);
    const { arena, offset } = this.streams!.reserve(bytes.length);
    bytes.copy(arena, offset);
    this.streams!.commit(link, arena, offset, bytes.length);
  }

  private respondAndClose(link: NativeLink<S>, response: string): void {
    this.writeRaw(link, Buffer.from(response, 'latin1'));
    this.streams!.close(link);
  }

  /** Sends queued frames, a close frame with `code`, and closes the connection. */
  private closeWith(link: NativeLink<S>, code: number): void {
    if (link.fd < 0) return;
    this.writeRaw(link, closeFrame(code));
    this.streams!.close(link);
  }

  private closed(link: NativeLink<S>): void {
    this.budget.release();
    link.carry = undefined;
    link.carryLength = 0;
    link.fragments = undefined;
    this.frames.drop(link);
    if (link.phase === Phase.HANDSHAKE) {
      this.handshaking.delete(link);
      return;
    }
    this.links.delete(link);
    this.hooks.close(link.state);
  }

  private sweep(): void {
    const ping = controlFrame(Opcode.PING);
    sweepSilentLinks(this.links, this.options, this.counters, (link) => this.streams!.close(link), (link) => this.writeRaw(link, ping));
    this.streams!.flush();
  }

  /** Connections that have not completed their request head in time (slowloris). */
  private expireHandshakes(): void {
    const cutoff = Date.now() - REQUEST_HEAD_TIMEOUT_MS;
    for (const link of this.handshaking) if (link.acceptedAt < cutoff) this.streams!.close(link);
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    const streams = this.streams;
    if (streams === undefined) return;
    for (const link of this.links) this.closeWith(link, GOING_AWAY);
    streams.closeAll();
  }
}

/** What keeps bytes between reads (a NativeLink). */
interface Carrying {
  carry: Buffer | undefined;
  carryLength: number;
}

/** Appends bytes[start, end) to the link's carry (grown when full); returns the carry. */
function appendCarry(link: Carrying, bytes: Buffer, start: number, end: number): Buffer {
  let carry = link.carry!;
  const held = link.carryLength;
  const length = held + end - start;
  if (length > carry.length) {
    const larger = Buffer.allocUnsafe(Math.max(length, 2 * carry.length));
    carry.copy(larger, 0, 0, held);
    carry = larger;
  }
  bytes.copy(carry, held, start, end);
  link.carry = carry;
  link.carryLength = length;
  return carry;
}

/**
 * Keeps buffer[start, end) for the next read: in place when `buffer` is the link's old carry,
 * else copied out of the read arena (`arena`), which the next batch reuses (Buffer#copy
 * allows the overlap).
 */
function keepCarry(link: Carrying, buffer: Buffer, arena: Buffer, start: number, end: number): void {
  const carry = buffer === arena ? Buffer.allocUnsafe(end - start) : buffer;
  buffer.copy(carry, 0, start, end);
  link.carry = carry;
  link.carryLength = end - start;
}
