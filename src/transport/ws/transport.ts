// What every WebSocket transport of the tracker shares (the `ws`-based WsServer and the
// native NativeWsServer): the hooks it calls, the link it gives, its options and counters.
// Kept apart so that the native path never loads `ws` or node:http.
import type tls from 'node:tls';

/** One client connection as the tracker sees it. */
export interface WsLink {
  /** Queues a text frame; a client whose queue is over the send buffer limit is dropped instead. */
  send(text: string): void;
  /**
   * Queues a text frame whose payload is bytes[start, end), valid UTF-8 already (copied
   * now): saves decoding and re-encoding a message that arrives as bytes. Optional.
   */
  sendUtf8?(bytes: Uint8Array, start: number, end: number): void;
}

/** What the tracker needs of a WebSocket server, whichever carries the bytes. */
export interface WsTransport {
  /** Which implementation runs, for the log. */
  readonly kind: string;
  readonly counters: WsServerCounters;
  /** Open WebSocket connections. */
  readonly connectionCount: number;
  /** Binds; resolves with the port. */
  listen(): Promise<number>;
  close(): Promise<void>;
}

/** What the tracker does with connections; `S` is its state per connection. */
export interface WsHooks<S> {
  open(link: WsLink): S;
  message(state: S, text: string): void;
  /** A binary frame (the protocol has none). */
  binary(state: S): void;
  close(state: S): void;
  /** After each batch of reads (or each message, where reads are not batched): pass on what it made. */
  batchEnd?(): void;
}

export interface WsServerOptions {
  readonly host: string;
  readonly port: number;
  readonly ipv6Only: boolean;
  /** Open TCP connections at most (upgraded or not). */
  readonly maxConnections: number;
  /** Bytes per message; beyond, `ws` closes the connection with 1009. */
  readonly maxMessageSize: number;
  readonly pingIntervalSeconds: number;
  readonly idleTimeoutSeconds: number;
  /** Bytes queued for a client before it is dropped. */
  readonly sendBufferLimit: number;
  /** Empty: every origin (but denied ones). */
  readonly allowOrigins: ReadonlySet<string>;
  readonly denyOrigins: ReadonlySet<string>;
  readonly denyEmptyOrigin: boolean;
  /** TLS: a secure context's options; absent for plain ws://. */
  readonly tls?: tls.SecureContextOptions;
}

export class WsServerCounters {
  /** WebSocket connections accepted. */
  accepted = 0;
  refusedOrigin = 0;
  slowReadersDropped = 0;
  idleClosed = 0;
  /** Connections closed by `ws` for a protocol violation (oversized message, bad UTF-8, …). */
  protocolErrors = 0;
  healthChecks = 0;
}

/** Milliseconds a client has to send a complete HTTP request head (slowloris), as aquatic_http's request_timeout. */
export const REQUEST_HEAD_TIMEOUT_MS = 10_000;

/** Whether an upgrade from `origin` is refused (wt-tracker's allowOrigins/denyOrigins/denyEmptyOrigin). */
export function refusesOrigin(options: WsServerOptions, origin: string | undefined): boolean {
  if (origin === undefined || origin === '') return options.denyEmptyOrigin || options.allowOrigins.size > 0;
  if (options.denyOrigins.has(origin)) return true;
  return options.allowOrigins.size > 0 && !options.allowOrigins.has(origin);
}
