// What every WebSocket transport of the tracker shares (the `ws`-based WsServer and the
// native NativeWsServer): the hooks it calls, the link it gives, its options, counters and
// ping sweep. Kept apart so that the native path never loads `ws` or node:http.
import type tls from 'node:tls';

/** One client connection as the tracker sees it. */
export interface WsLink {
  /** Queues a text frame; a client whose queue is over the send buffer limit is dropped instead. */
  send(text: string): void;
  /** The client's IP address as the socket sees it (IPv4 may be IPv4-mapped). */
  readonly remoteAddress: string;
  /**
   * Queues a text frame whose payload is bytes[start, end), valid UTF-8 already (copied
   * now): saves decoding and re-encoding a message that arrives as bytes.
   */
  sendUtf8(bytes: Uint8Array, start: number, end: number): void;
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
  /** A text frame: bytes[start, end), valid UTF-8 (RFC 6455 8.1), valid only during the call. */
  message(state: S, bytes: Buffer, start: number, end: number): void;
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

/** What a ping sweep keeps per link. */
export interface SweptLink {
  /** A message or pong arrived since the last ping sweep. */
  active: boolean;
  /** Ping sweeps in a row without a message or pong. */
  silentSweeps: number;
}

/** Every ping interval: ping links that were silent, close those silent for the idle timeout. */
export function sweepSilentLinks<L extends SweptLink>(
  links: Iterable<L>,
  options: WsServerOptions,
  counters: WsServerCounters,
  close: (link: L) => void,
  ping: (link: L) => void,
): void {
  const { pingIntervalSeconds, idleTimeoutSeconds } = options;
  for (const link of links) {
    if (link.active) {
      link.active = false;
      link.silentSweeps = 0;
      continue;
    }
    link.silentSweeps++;
    if (link.silentSweeps * pingIntervalSeconds >= idleTimeoutSeconds) {
      counters.idleClosed++;
      close(link);
    } else {
      ping(link);
    }
  }
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
