// A lean HTTP/1.x server on node:net / node:tls for tracker requests: GET only, bodies
// ignored, keep-alive and pipelining (answered in order, written in one go), bounded
// request heads, idle and slow-header timeouts, a cap on connections. No header objects:
// the handler gets the request target as bytes and the one header it asked for.
// Transport only: it knows HTTP framing, nothing of BitTorrent.
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';

export interface HttpRequest {
  /** The connection's buffer; the request target (path?query) is bytes[targetStart, targetEnd). */
  readonly bytes: Buffer;
  readonly targetStart: number;
  readonly targetEnd: number;
  /** The value of the header named in options.forwardedHeader, or null if absent. */
  readonly forwarded: string | null;
  readonly remoteAddress: string;
  /** Whether the connection stays open after this reply (the reply must say so). */
  readonly keepAlive: boolean;
}

/** Lets a handler answer after it returned (e.g. when another thread owns the swarm). */
export interface DeferredReply {
  /** The complete response; call exactly once. Replies still go out in request order. */
  send(response: Uint8Array): void;
}

/**
 * Answers one GET request with the complete response bytes (status line, headers, body),
 * or returns null and answers later through `later`. The transport copies the bytes, so
 * the handler may reuse its buffer.
 */
export type HttpHandler = (request: HttpRequest, later: DeferredReply) => Uint8Array | null;

export interface HttpServerOptions {
  readonly host: string;
  readonly port: number;
  readonly keepAlive: boolean;
  /** Bytes allowed for a request line plus headers. */
  readonly maxRequestHeadBytes: number;
  /** Seconds a keep-alive connection may sit idle. */
  readonly idleTimeoutSeconds: number;
  /** Seconds a client has to finish sending a request it started (slowloris), and a new connection its first request. */
  readonly requestTimeoutSeconds: number;
  readonly maxConnections: number;
  /** Lower-case header name whose value the handler receives (reverse proxies), or "". */
  readonly forwardedHeader: string;
  /** TLS: a secure context's options; absent for plain HTTP. */
  readonly tls?: tls.SecureContextOptions;
  /** A listening socket made elsewhere (a SO_REUSEPORT one per worker thread) instead of host/port. */
  readonly fd?: number;
}

export class HttpCounters {
  connections = 0;
  requests = 0;
  /** Requests refused by the transport itself (4xx/5xx before the handler). */
  rejected = 0;
  timeouts = 0;
  /** Times a connection's reading was paused because its client was not taking replies. */
  paused = 0;
}

const CRLF_CRLF = Buffer.from('\r\n\r\n');
const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  301: 'Moved Permanently',
  302: 'Found',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  505: 'HTTP Version Not Supported',
};

/** A complete response with a short text body (errors the transport answers itself, landing pages). */
export function plainResponse(status: number, keepAlive: boolean, extraHeaders = ''): Buffer {
  const body = `${STATUS_TEXT[status] ?? 'Error'}\n`;
  return Buffer.from(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n` +
      `${extraHeaders}${keepAlive ? '' : 'Connection: close\r\n'}\r\n${body}`,
  );
}

export class HttpServer {
  readonly counters = new HttpCounters();
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    private readonly options: HttpServerOptions,
    private readonly handler: HttpHandler,
  ) {
    const onConnection = (socket: net.Socket) => this.accept(socket);
    // allowHalfOpen: a client that sends its requests and then shuts down its side still gets
    // every reply, including deferred ones (the connection ends after the last is written).
    // Not over TLS, where a half-closed session is not kept open by node's TLS layer.
    this.server =
      options.tls === undefined
        ? net.createServer({ noDelay: true, allowHalfOpen: true }, onConnection)
        : tls.createServer({ ...options.tls }, onConnection);
    this.server.maxConnections = options.maxConnections;
    // TLS handshake failures and resets are per connection: never fatal to the server.
    this.server.on('tlsClientError', (_error: Error, socket: net.Socket) => socket.destroy());
  }

  async listen(): Promise<number> {
    if (this.options.fd !== undefined) this.server.listen({ fd: this.options.fd });
    else this.server.listen({ host: this.options.host, port: this.options.port, exclusive: true });
    await Promise.race([once(this.server, 'listening'), once(this.server, 'error').then(([error]) => Promise.reject(error))]);
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Replaces the certificate for new connections (SIGUSR1 reload); the listener stays. */
  setSecureContext(options: tls.SecureContextOptions): void {
    (this.server as tls.Server).setSecureContext(options);
  }

  get connectionCount(): number {
    return this.sockets.size;
  }

  private accept(socket: net.Socket): void {
    this.counters.connections++;
    this.sockets.add(socket);
    socket.setTimeout(this.options.idleTimeoutSeconds * 1000, () => {
      this.counters.timeouts++;
      socket.destroy();
    });
    const connection = new Connection(socket);
    // The first request is due within the request timeout too, so connections that open and
    // send nothing (half-open floods) are closed then, not after the longer idle timeout.
    connection.startSlowTimer(this.options.requestTimeoutSeconds * 1000, () => this.requestTimedOut(socket));
    socket.on('data', (chunk: Buffer) => this.receive(connection, chunk));
    socket.on('end', () => connection.peerEnded());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      connection.clearSlowTimer();
      this.sockets.delete(socket);
    });
  }

  private receive(connection: Connection, chunk: Buffer): void {
    const socket = connection.socket;
    let data = connection.unparsed === null ? chunk : chunk.length === 0 ? connection.unparsed : Buffer.concat([connection.unparsed, chunk]);
    connection.unparsed = null;
    let offset = 0;
    let parsed = 0;
    let paused = false;
    connection.parsing = true;
    for (;;) {
      // Long pipelines: hand the replies that are ready to the socket as we go.
      if (connection.owedCount >= MAX_OWED_REPLIES) connection.flush();
      if (connection.congested()) {
        // The client is not reading its replies: stop reading its requests until it does,
        // so its queued replies (and our memory) stay bounded.
        if (!connection.blocked) this.counters.paused++;
        connection.block(() => this.receive(connection, EMPTY));
        paused = true;
        break;
      }
      const result = this.parseOne(data, offset, connection);
      if (result === NEED_MORE) break;
      if (result === CLOSE) {
        // Nothing more is read; the connection ends once every reply before this one is out.
        connection.parsing = false;
        connection.clearSlowTimer();
        socket.pause();
        connection.flush();
        return;
      }
      parsed++;
      offset = result;
      if (offset >= data.length) break;
    }
    connection.parsing = false;
    connection.flush();
    if (offset < data.length) {
      data = data.subarray(offset);
      if (!paused && data.length > this.options.maxRequestHeadBytes) {
        this.counters.rejected++;
        connection.reply(plainResponse(431, false), true);
        connection.clearSlowTimer();
        socket.pause();
        connection.flush();
        return;
      }
      // Keep a copy: the chunk's memory may be a slice of a larger pooled buffer.
      connection.unparsed = Buffer.from(data);
      // The timer runs from the start of the request still incomplete: progress restarts it,
      // and a pause of ours (the client not reading replies) is not the client being slow.
      if (parsed > 0 || paused) connection.clearSlowTimer();
      if (!paused) {
        connection.startSlowTimer(this.options.requestTimeoutSeconds * 1000, () => this.requestTimedOut(socket));
      }
    } else {
      connection.clearSlowTimer();
    }
  }

  private requestTimedOut(socket: net.Socket): void {
    this.counters.timeouts++;
    socket.end(plainResponse(408, false));
    socket.destroy();
  }

  /**
   * Parses one request starting at data[offset] and queues its reply on the connection.
   * Returns the offset after the request, NEED_MORE, or CLOSE (after queuing a last reply).
   */
  private parseOne(data: Buffer, offset: number, connection: Connection): number {
    const headEnd = data.indexOf(CRLF_CRLF, offset);
    if (headEnd < 0) {
      if (data.length - offset > this.options.maxRequestHeadBytes) {
        this.counters.rejected++;
        connection.reply(plainResponse(431, false), true);
        return CLOSE;
      }
      return NEED_MORE;
    }
    if (headEnd - offset > this.options.maxRequestHeadBytes) {
      this.counters.rejected++;
      connection.reply(plainResponse(431, false), true);
      return CLOSE;
    }
    const lineEnd = data.indexOf(13, offset); // \r of the request line
    // Request line: METHOD SP request-target SP HTTP/x.y (RFC 9112 3).
    const firstSpace = data.indexOf(32, offset);
    const secondSpace = firstSpace < 0 ? -1 : data.indexOf(32, firstSpace + 1);
    if (firstSpace < 0 || secondSpace < 0 || secondSpace > lineEnd || lineEnd - secondSpace !== 9) {
      this.counters.rejected++;
      connection.reply(plainResponse(400, false), true);
      return CLOSE;
    }
    const version = data.toString('latin1', secondSpace + 1, lineEnd);
    if (version !== 'HTTP/1.1' && version !== 'HTTP/1.0') {
      this.counters.rejected++;
      connection.reply(plainResponse(version.startsWith('HTTP/') ? 505 : 400, false), true);
      return CLOSE;
    }
    const method = data.toString('latin1', offset, firstSpace);
    // Headers: only Connection, Content-Length, Transfer-Encoding and the forwarded one matter.
    let keepAlive = version === 'HTTP/1.1';
    let contentLength = 0;
    let seenLength = false;
    let forwarded: string | null = null;
    const wanted = this.options.forwardedHeader;
    for (let line = lineEnd + 2; line < headEnd; ) {
      let end = data.indexOf(13, line);
      if (end < 0 || end > headEnd) end = headEnd;
      const colon = data.indexOf(58, line);
      if (colon < 0 || colon > end) {
        this.counters.rejected++;
        connection.reply(plainResponse(400, false), true);
        return CLOSE;
      }
      const name = data.toString('latin1', line, colon).toLowerCase();
      const value = data.toString('latin1', colon + 1, end).trim();
      if (name === 'connection') {
        const v = value.toLowerCase();
        if (v.includes('close')) keepAlive = false;
        else if (v.includes('keep-alive')) keepAlive = true;
      } else if (name === 'content-length') {
        // Differing repeated lengths make the message boundary ambiguous (RFC 9112 6.3).
        const length = /^\d{1,9}$/.test(value) ? Number(value) : -1;
        contentLength = seenLength && length !== contentLength ? -1 : length;
        seenLength = true;
      } else if (name === 'transfer-encoding') {
        contentLength = -1; // chunked bodies are not accepted on a tracker
      } else if (name === wanted) {
        // Several instances of the header act as one comma-separated list (RFC 9110 5.3).
        forwarded = forwarded === null ? value : `${forwarded}, ${value}`;
      }
      line = end + 2;
    }
    if (contentLength < 0) {
      this.counters.rejected++;
      connection.reply(plainResponse(400, false), true);
      return CLOSE;
    }
    const next = headEnd + 4 + contentLength;
    if (next > data.length) {
      // The body (ignored) has not arrived yet: wait for it, within the head limit.
      if (contentLength > this.options.maxRequestHeadBytes) {
        this.counters.rejected++;
        connection.reply(plainResponse(431, false), true);
        return CLOSE;
      }
      return NEED_MORE;
    }
    keepAlive &&= this.options.keepAlive;
    if (method !== 'GET') {
      this.counters.rejected++;
      connection.reply(plainResponse(405, keepAlive, 'Allow: GET\r\n'), !keepAlive);
      return keepAlive ? next : CLOSE;
    }
    this.counters.requests++;
    const request = { bytes: data, targetStart: firstSpace + 1, targetEnd: secondSpace, forwarded, remoteAddress: connection.remoteAddress, keepAlive };
    // The reply's place in line is taken now, so pipelined replies keep their order.
    const later = connection.deferred(!keepAlive);
    try {
      const response = this.handler(request, later);
      if (response !== null) later.send(response);
    } catch {
      later.fail(plainResponse(500, false));
      return CLOSE;
    }
    return keepAlive ? next : CLOSE;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

const NEED_MORE = -1;
const CLOSE = -2;
const EMPTY = Buffer.alloc(0);
/** Reply bytes queued for a client that is not reading, beyond which its requests wait. */
const MAX_UNREAD_REPLY_BYTES = 64 * 1024;
/** Replies owed to one connection (deferred ones included), beyond which its requests wait. */
const MAX_OWED_REPLIES = 64;

/**
 * One client connection: the unparsed bytes and the replies owed, in request order. A reply
 * that is not ready (deferred) holds back the ones after it.
 */
class Connection {
  readonly remoteAddress: string;
  unparsed: Buffer | null = null;
  private slowTimer: NodeJS.Timeout | null = null;
  /** Replies owed, oldest first; null while a deferred one is awaited. */
  private readonly owed: (Uint8Array | null)[] = [];
  /** Whether the connection ends after the reply at the same position. */
  private readonly last: boolean[] = [];
  private ended = false;
  /** True while requests from one chunk are being parsed (flushed together afterwards). */
  parsing = false;
  /** The client has shut down its side of the connection. */
  private peerDone = false;
  /** Reading is paused until the client takes its replies (see congested()). */
  blocked = false;
  private resumeParsing: (() => void) | null = null;
  /** Replies written so far (positions in `owed` shift as replies leave). */
  private sent = 0;

  constructor(readonly socket: net.Socket) {
    this.remoteAddress = socket.remoteAddress ?? '';
  }

  /** Queues a ready reply (copied: handlers reuse their buffers). */
  reply(response: Uint8Array, last: boolean): void {
    this.owed.push(Buffer.from(response));
    this.last.push(last);
  }

  /** Reserves the next place in line for a reply that comes later. */
  deferred(last: boolean): PendingReply {
    this.owed.push(null);
    this.last.push(last);
    return new PendingReply(this, this.owed.length - 1 + this.sent, last);
  }

  /** Fills reply number `sequence` (counted from the first request of the connection). */
  fill(sequence: number, response: Uint8Array, last: boolean): void {
    const index = sequence - this.sent;
    if (index < 0 || this.ended || this.owed[index] !== null) return;
    this.owed[index] = Buffer.from(response);
    this.last[index] = last;
    // Answered during the handler call: the caller flushes once per chunk of requests.
    if (!this.parsing) this.flush();
  }

  get owedCount(): number {
    return this.owed.length;
  }

  /** Too many replies not yet taken by the client: queued in the socket, or still owed. */
  congested(): boolean {
    return this.socket.writableLength > MAX_UNREAD_REPLY_BYTES || this.owed.length > MAX_OWED_REPLIES;
  }

  /** Stops reading until the congestion clears, then calls `resume` to parse what is left. */
  block(resume: () => void): void {
    if (this.blocked) return;
    this.blocked = true;
    this.resumeParsing = resume;
    this.socket.pause();
    this.socket.once('drain', () => this.unblock());
  }

  private unblock(): void {
    if (!this.blocked || this.congested()) return;
    this.blocked = false;
    const resume = this.resumeParsing;
    this.resumeParsing = null;
    this.socket.resume();
    resume?.();
  }

  /** The client shut down its side: end ours once every reply owed is written. */
  peerEnded(): void {
    this.peerDone = true;
    this.flush();
  }

  /** Writes every reply that is ready, in order, in one corked burst. */
  flush(): void {
    if (this.ended) return;
    if (this.owed.length === 0) {
      if (this.peerDone) {
        this.ended = true;
        this.socket.end();
      }
      return;
    }
    if (this.owed[0] === null) return;
    const socket = this.socket;
    socket.cork();
    while (this.owed.length > 0 && this.owed[0] !== null) {
      const response = this.owed.shift()!;
      const last = this.last.shift()!;
      this.sent++;
      if (last) {
        this.ended = true;
        this.owed.length = 0;
        socket.end(response);
        break;
      }
      socket.write(response);
    }
    if (!this.ended && this.owed.length === 0 && this.peerDone) {
      this.ended = true;
      socket.end();
    }
    socket.uncork();
    // Deferred replies leaving may be what clears the congestion (nothing was buffered).
    if (this.blocked && this.socket.writableLength === 0) this.unblock();
  }

  startSlowTimer(ms: number, onTimeout: () => void): void {
    if (this.slowTimer !== null) return;
    this.slowTimer = setTimeout(onTimeout, ms);
    this.slowTimer.unref();
  }

  clearSlowTimer(): void {
    if (this.slowTimer !== null) clearTimeout(this.slowTimer);
    this.slowTimer = null;
  }
}

/** A place in a connection's line of replies. */
class PendingReply implements DeferredReply {
  constructor(
    private readonly connection: Connection,
    private readonly sequence: number,
    private readonly last: boolean,
  ) {}

  send(response: Uint8Array): void {
    this.connection.fill(this.sequence, response, this.last);
  }

  /** Answers with an error and closes the connection after it. */
  fail(response: Uint8Array): void {
    this.connection.fill(this.sequence, response, true);
  }
}
