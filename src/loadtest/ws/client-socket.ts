// The load tester's WebSocket client: a node:net (or node:tls) socket, the upgrade done by
// hand and our own framing, so that one generator core keeps a tracker core busy. With the
// `ws` package (events, a Receiver and a Sender per socket, a write and a Buffer per
// message) and JSON.parse of every message, wsload.mjs filled its core first. Here plain TCP
// reads land in one reused buffer, every frame of a chunk is read in one pass, and every
// frame sent in that turn goes out masked in one buffer, one write.
import { randomBytes } from 'node:crypto';
import { type Socket, connect as connectTcp } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { isUtf8 } from 'node:buffer';
import { WebSocket, type ClientOptions } from 'ws';
import { Opcode } from '../../transport/ws/frames.js';
import { acceptValue, headEnd } from '../../transport/ws/handshake.js';
import { formatSocketAddress } from '../../util/address.js';
import type { Random } from '../common/random.js';
import { FrameFault, type ServerFrameSink, maskPayload, maskedControlFrame, maskedFrameLength, readServerFrames, wordsOf, writeMaskedHeader } from './client-frames.js';

/** What a client socket reports to its owner. No event follows terminate(). */
export interface ClientSocketEvents {
  onOpen(): void;
  /** A text message: valid UTF-8 at bytes[start, end), read before the call returns. */
  onText(bytes: Buffer, start: number, end: number): void;
  onBinary(): void;
  /** The connection was refused, failed to upgrade, broke the protocol, or was closed by the server. */
  onClose(): void;
}

export interface ClientSocket {
  /** Sends a text message given as a wire string (request.ts); dropped unless open. */
  send(wire: string): void;
  /** Closes at once, without the closing handshake. */
  terminate(): void;
}

export type ClientConnector = (events: ClientSocketEvents) => ClientSocket;

export interface ClientTarget {
  /** An IP literal (no brackets). */
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
}

/** A response head larger than this is not a WebSocket upgrade. */
const MAX_RESPONSE_HEAD = 16 * 1024;
/** Larger messages (or fragmented ones adding up to more) fail the connection; trackers send a few KiB. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/** RFC 6455 4.1: the key is a random 16-byte nonce, base64-encoded. */
const KEY_BYTES = 16;
/**
 * Plain TCP sockets read into this one buffer (node:net's onread), skipping the stream
 * machinery and a fresh buffer per read: every chunk is read through before the next one
 * arrives, and what must outlive it (an incomplete frame, fragments) is copied.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** The opening handshake a client sends (RFC 6455 4.1); no extension or subprotocol is offered. */
export function upgradeRequest(hostHeader: string, key: string): string {
  return `GET / HTTP/1.1\r\nHost: ${hostHeader}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
}

/**
 * Why the server's response head (latin1, blank line included) does not complete the
 * handshake for `key`, or null when it does (RFC 6455 4.1, the client's checks 1-6).
 */
export function upgradeProblem(head: string, key: string): string | null {
  const lines = head.split('\r\n');
  if (!/^HTTP\/1\.1 101\b/.test(lines[0]!)) return `status ${JSON.stringify(lines[0])}`;
  const headers = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return `header line ${JSON.stringify(line)}`;
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const tokens = (name: string): string[] => (headers.get(name) ?? '').toLowerCase().split(',').map((token) => token.trim());
  if (!tokens('upgrade').includes('websocket')) return 'no Upgrade: websocket';
  if (!tokens('connection').includes('upgrade')) return 'no Connection: Upgrade';
  if (headers.get('sec-websocket-accept') !== acceptValue(key)) return 'wrong Sec-WebSocket-Accept';
  // None was offered, so any selected is a failure.
  if (headers.has('sec-websocket-extensions')) return 'an extension nobody asked for';
  if (headers.has('sec-websocket-protocol')) return 'a subprotocol nobody asked for';
  return null;
}

const State = { HANDSHAKE: 0, OPEN: 1, CLOSING: 2, CLOSED: 3, TERMINATED: 4 } as const;
type State = (typeof State)[keyof typeof State];

export class LeanClientSocket implements ClientSocket, ServerFrameSink {
  private state: State = State.HANDSHAKE;
  private readonly socket: Socket;
  private readonly key = randomBytes(KEY_BYTES).toString('base64');
  /** Bytes of an incomplete response head or frame. */
  private rest: Buffer | null = null;
  /** Messages sent this turn, written together by flush(). */
  private readonly queue: string[] = [];
  private queued = 0;
  /** A flush is due at the end of the current chunk, or has been scheduled as a microtask. */
  private reading = false;
  private flushScheduled = false;
  /** A fragmented message being put together (RFC 6455 5.4): its parts, opcode and size. */
  private fragments: Buffer[] | null = null;
  private fragmentOpcode = 0;
  private fragmentBytes = 0;

  constructor(
    target: ClientTarget,
    private readonly events: ClientSocketEvents,
    /** Masking keys come from here. */
    private readonly random: Random,
  ) {
    const options = { host: target.host, port: target.port, noDelay: true };
    if (target.tls) {
      this.socket = connectTls({ ...options, rejectUnauthorized: false });
      this.socket.on('data', (chunk: Buffer) => this.receive(chunk, chunk.length));
    } else {
      const callback = (length: number): boolean => {
        this.receive(READ_BUFFER, length);
        return true;
      };
      this.socket = connectTcp({ ...options, onread: { buffer: READ_BUFFER, callback } });
    }
    this.socket.on('error', () => {}); // 'close' follows
    this.socket.on('close', this.onSocketClose);
    this.socket.write(upgradeRequest(formatSocketAddress(target.host, target.port), this.key));
  }

  send(wire: string): void {
    if (this.state !== State.OPEN) return;
    this.queue[this.queued++] = wire;
    if (!this.reading && !this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(this.flush);
    }
  }

  terminate(): void {
    this.state = State.TERMINATED;
    this.queued = 0;
    this.socket.destroy();
  }

  private readonly onSocketClose = (): void => {
    if (this.state === State.TERMINATED || this.state === State.CLOSED) return;
    this.state = State.CLOSED;
    this.events.onClose();
  };

  /** Bytes arrived at chunk[0, length): the response head, then frames; what they make us send goes out together. */
  private receive(chunk: Buffer, length: number): void {
    let bytes = chunk;
    let end = length;
    if (this.rest !== null) {
      bytes = Buffer.concat([this.rest, chunk.subarray(0, length)]);
      end = bytes.length;
      this.rest = null;
    }
    this.reading = true;
    const at = this.state === State.HANDSHAKE ? this.readHead(bytes, end) : 0;
    if (this.state === State.OPEN && at >= 0) {
      const stop = readServerFrames(bytes, at, end, MAX_MESSAGE_BYTES, this);
      if (stop === FrameFault.PROTOCOL || stop === FrameFault.TOO_BIG) this.fail();
      else if (this.state === State.OPEN && stop < end) this.rest = Buffer.from(bytes.subarray(stop, end));
    }
    this.reading = false;
    this.flush();
  }

  /** Where the frames begin after a complete, valid response head in bytes[0, end) (the socket is then open), else -1. */
  private readHead(bytes: Buffer, end: number): number {
    const headLength = headEnd(bytes, 0, end);
    if (headLength < 0) {
      if (end > MAX_RESPONSE_HEAD) this.fail();
      else this.rest = Buffer.from(bytes.subarray(0, end));
      return -1;
    }
    if (upgradeProblem(bytes.toString('latin1', 0, headLength), this.key) !== null) {
      this.fail();
      return -1;
    }
    this.state = State.OPEN;
    this.events.onOpen();
    return headLength;
  }

  frame(opcode: number, fin: boolean, bytes: Buffer, start: number, end: number): boolean {
    if (this.state !== State.OPEN) return false;
    switch (opcode) {
      case Opcode.TEXT:
      case Opcode.BINARY:
        if (this.fragments !== null) return this.fail(); // a new message inside a fragmented one (5.4)
        if (fin) return this.deliver(opcode, bytes, start, end);
        this.fragments = [Buffer.from(bytes.subarray(start, end))];
        this.fragmentOpcode = opcode;
        this.fragmentBytes = end - start;
        return true;
      case Opcode.CONTINUATION: {
        if (this.fragments === null) return this.fail();
        this.fragmentBytes += end - start;
        if (this.fragmentBytes > MAX_MESSAGE_BYTES) return this.fail();
        // Empty continuations add nothing: a server sending endless ones must not grow the list.
        if (end > start) this.fragments.push(Buffer.from(bytes.subarray(start, end)));
        if (!fin) return true;
        const whole = Buffer.concat(this.fragments);
        this.fragments = null;
        return this.deliver(this.fragmentOpcode, whole, 0, whole.length);
      }
      case Opcode.PING:
        this.socket.write(maskedControlFrame(Opcode.PONG, bytes.subarray(start, end), this.random.nextU32()));
        return true;
      case Opcode.PONG:
        return true;
      default: {
        // Close (5.5.1): send the status code back, then the server closes the TCP connection.
        this.flush();
        this.socket.end(maskedControlFrame(Opcode.CLOSE, bytes.subarray(start, Math.min(end, start + 2)), this.random.nextU32()));
        this.state = State.CLOSING;
        return false;
      }
    }
  }

  private deliver(opcode: number, bytes: Buffer, start: number, end: number): boolean {
    if (opcode === Opcode.BINARY) {
      this.events.onBinary();
    } else {
      // RFC 6455 8.1: text that is not UTF-8 fails the connection.
      if (!isUtf8(bytes.subarray(start, end))) return this.fail();
      this.events.onText(bytes, start, end);
    }
    return this.state === State.OPEN;
  }

  /** The server broke the protocol: drop the connection (its 'close' reports it). */
  private fail(): false {
    if (this.state === State.HANDSHAKE || this.state === State.OPEN || this.state === State.CLOSING) {
      this.state = State.CLOSING;
      this.queued = 0;
      this.socket.destroy();
    }
    return false;
  }

  /** Writes the messages queued this turn as masked text frames in one buffer. */
  private readonly flush = (): void => {
    this.flushScheduled = false;
    const count = this.queued;
    if (count === 0) return;
    this.queued = 0;
    if (this.state !== State.OPEN) return;
    const queue = this.queue;
    let total = 0;
    for (let i = 0; i < count; i++) total += maskedFrameLength(queue[i]!.length);
    const out = Buffer.allocUnsafe(total);
    const words = wordsOf(out);
    let at = 0;
    for (let i = 0; i < count; i++) {
      const length = queue[i]!.length;
      const start = writeMaskedHeader(out, at, Opcode.TEXT, length, this.random.nextU32());
      out.write(queue[i]!, start, length, 'latin1');
      queue[i] = '';
      at = start + length;
      maskPayload(out, start, at, words);
    }
    this.socket.write(out);
  };
}

/** A connector for the lean client. */
export function leanConnector(target: ClientTarget, random: Random): ClientConnector {
  return (events) => new LeanClientSocket(target, events, random);
}

/** A connector for the `ws` package's client (as wsload.mjs uses), for comparison. */
export function wsPackageConnector(url: string, options: ClientOptions): ClientConnector {
  return (events) => {
    const socket = new WebSocket(url, options);
    let live = true;
    socket.on('open', () => {
      if (live) events.onOpen();
    });
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (!live) return;
      if (isBinary) events.onBinary();
      else events.onText(data, 0, data.length);
    });
    socket.on('error', () => {}); // 'close' follows and says what happened
    socket.on('close', () => {
      if (!live) return;
      live = false;
      events.onClose();
    });
    return {
      send: (wire) => socket.send(Buffer.from(wire, 'latin1'), { binary: false }),
      terminate: () => {
        live = false;
        socket.terminate();
      },
    };
  };
}
