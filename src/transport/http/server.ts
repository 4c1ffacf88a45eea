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

/**
 * Answers one GET request with the complete response bytes (status line, headers, body).
 * The transport copies them before the next call, so the handler may reuse its buffer.
 */
export type HttpHandler = (request: HttpRequest) => Uint8Array;

export interface HttpServerOptions {
  readonly host: string;
  readonly port: number;
  readonly keepAlive: boolean;
  /** Bytes allowed for a request line plus headers. */
  readonly maxRequestHeadBytes: number;
  /** Seconds a keep-alive connection may sit idle. */
  readonly idleTimeoutSeconds: number;
  /** Seconds a client has to finish sending a request it started (slowloris). */
  readonly requestTimeoutSeconds: number;
  readonly maxConnections: number;
  /** Lower-case header name whose value the handler receives (reverse proxies), or "". */
  readonly forwardedHeader: string;
  /** TLS: a secure context's options; absent for plain HTTP. */
  readonly tls?: tls.SecureContextOptions;
  /** SO_REUSEPORT-style sharing of the port between processes (cluster-free). */
  readonly exclusive?: boolean;
}

export class HttpCounters {
  connections = 0;
  requests = 0;
  /** Requests refused by the transport itself (4xx/5xx before the handler). */
  rejected = 0;
  timeouts = 0;
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
    this.server = options.tls === undefined ? net.createServer({ noDelay: true }, onConnection) : tls.createServer({ ...options.tls }, onConnection);
    this.server.maxConnections = options.maxConnections;
    // TLS handshake failures and resets are per connection: never fatal to the server.
    this.server.on('tlsClientError', (_error: Error, socket: net.Socket) => socket.destroy());
  }

  async listen(): Promise<number> {
    this.server.listen({ host: this.options.host, port: this.options.port, exclusive: this.options.exclusive ?? true });
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
    socket.setNoDelay(true);
    socket.setTimeout(this.options.idleTimeoutSeconds * 1000, () => {
      this.counters.timeouts++;
      socket.destroy();
    });
    const remoteAddress = socket.remoteAddress ?? '';
    let pending: Buffer | null = null;
    let slowTimer: NodeJS.Timeout | null = null;
    const clearSlowTimer = () => {
      if (slowTimer !== null) clearTimeout(slowTimer);
      slowTimer = null;
    };
    socket.on('data', (chunk: Buffer) => {
      let data = pending === null ? chunk : Buffer.concat([pending, chunk]);
      pending = null;
      const out: Uint8Array[] = [];
      let offset = 0;
      let close = false;
      for (;;) {
        const result = this.parseOne(data, offset, out, remoteAddress);
        if (result === NEED_MORE) break;
        if (result === CLOSE) {
          close = true;
          break;
        }
        offset = result;
        if (offset >= data.length) break;
      }
      if (out.length > 0) {
        socket.cork();
        for (const part of out) socket.write(part);
        socket.uncork();
      }
      if (close) {
        clearSlowTimer();
        socket.end();
        socket.pause();
        return;
      }
      if (offset < data.length) {
        data = data.subarray(offset);
        if (data.length > this.options.maxRequestHeadBytes) {
          this.counters.rejected++;
          clearSlowTimer();
          socket.end(plainResponse(431, false));
          socket.pause();
          return;
        }
        // Keep a copy: the chunk's memory may be a slice of a larger pooled buffer.
        pending = Buffer.from(data);
        if (slowTimer === null) {
          slowTimer = setTimeout(() => {
            this.counters.timeouts++;
            socket.end(plainResponse(408, false));
            socket.destroy();
          }, this.options.requestTimeoutSeconds * 1000);
          slowTimer.unref();
        }
      } else {
        clearSlowTimer();
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      clearSlowTimer();
      this.sockets.delete(socket);
    });
  }

  /**
   * Parses one request starting at data[offset] and appends its response to `out`.
   * Returns the offset after the request, NEED_MORE, or CLOSE (after queuing a response).
   */
  private parseOne(data: Buffer, offset: number, out: Uint8Array[], remoteAddress: string): number {
    const headEnd = data.indexOf(CRLF_CRLF, offset);
    if (headEnd < 0) {
      if (data.length - offset > this.options.maxRequestHeadBytes) {
        this.counters.rejected++;
        out.push(plainResponse(431, false));
        return CLOSE;
      }
      return NEED_MORE;
    }
    if (headEnd - offset > this.options.maxRequestHeadBytes) {
      this.counters.rejected++;
      out.push(plainResponse(431, false));
      return CLOSE;
    }
    const lineEnd = data.indexOf(13, offset); // \r of the request line
    // Request line: METHOD SP request-target SP HTTP/x.y (RFC 9112 3).
    const firstSpace = data.indexOf(32, offset);
    const secondSpace = firstSpace < 0 ? -1 : data.indexOf(32, firstSpace + 1);
    if (firstSpace < 0 || secondSpace < 0 || secondSpace > lineEnd || lineEnd - secondSpace !== 9) {
      this.counters.rejected++;
      out.push(plainResponse(400, false));
      return CLOSE;
    }
    const version = data.toString('latin1', secondSpace + 1, lineEnd);
    if (version !== 'HTTP/1.1' && version !== 'HTTP/1.0') {
      this.counters.rejected++;
      out.push(plainResponse(version.startsWith('HTTP/') ? 505 : 400, false));
      return CLOSE;
    }
    const method = data.toString('latin1', offset, firstSpace);
    // Headers: only Connection, Content-Length, Transfer-Encoding and the forwarded one matter.
    let keepAlive = version === 'HTTP/1.1';
    let contentLength = 0;
    let forwarded: string | null = null;
    const wanted = this.options.forwardedHeader;
    for (let line = lineEnd + 2; line < headEnd; ) {
      let end = data.indexOf(13, line);
      if (end < 0 || end > headEnd) end = headEnd;
      const colon = data.indexOf(58, line);
      if (colon < 0 || colon > end) {
        this.counters.rejected++;
        out.push(plainResponse(400, false));
        return CLOSE;
      }
      const name = data.toString('latin1', line, colon).toLowerCase();
      const value = data.toString('latin1', colon + 1, end).trim();
      if (name === 'connection') {
        const v = value.toLowerCase();
        if (v.includes('close')) keepAlive = false;
        else if (v.includes('keep-alive')) keepAlive = true;
      } else if (name === 'content-length') {
        contentLength = /^\d{1,9}$/.test(value) ? Number(value) : -1;
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
      out.push(plainResponse(400, false));
      return CLOSE;
    }
    const next = headEnd + 4 + contentLength;
    if (next > data.length) {
      // The body (ignored) has not arrived yet: wait for it, within the head limit.
      if (contentLength > this.options.maxRequestHeadBytes) {
        this.counters.rejected++;
        out.push(plainResponse(431, false));
        return CLOSE;
      }
      return NEED_MORE;
    }
    keepAlive &&= this.options.keepAlive;
    if (method !== 'GET') {
      this.counters.rejected++;
      out.push(plainResponse(405, keepAlive, 'Allow: GET\r\n'));
      return keepAlive ? next : CLOSE;
    }
    this.counters.requests++;
    try {
      const response = this.handler({ bytes: data, targetStart: firstSpace + 1, targetEnd: secondSpace, forwarded, remoteAddress, keepAlive });
      out.push(Buffer.from(response)); // a copy: the handler reuses its buffer
    } catch {
      out.push(plainResponse(500, false));
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
