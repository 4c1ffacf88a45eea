// WebSocket transport for the WebTorrent tracker: a node:http(s) server whose upgrades go to
// `ws` in noServer mode (permessage-deflate off: a compression bomb costs memory and CPU),
// which reads frames; outgoing text frames are batched and written here. GET /health for
// load balancers, Origin allow/deny lists, a cap on connections and on
// message size, pings for silent clients, and a bound on what is queued for a client that
// does not read. Transport only: it hands text frames to hooks and knows nothing of torrents.
import http from 'node:http';
import https from 'node:https';
import { once } from 'node:events';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import type tls from 'node:tls';
import { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../../util/log.js';
import { FrameQueue, type QueuedLink } from './frame-queue.js';
import { FORBIDDEN_RESPONSE, NOT_A_WEBSOCKET } from './handshake.js';
import { type WsHooks, type WsLink, type WsServerOptions, type WsTransport, REQUEST_HEAD_TIMEOUT_MS, WsServerCounters, refusesOrigin, sweepSilentLinks } from './transport.js';

class Link<S> implements WsLink, QueuedLink {
  state!: S;
  /** A message or pong arrived since the last ping sweep. */
  active = true;
  /** Ping sweeps in a row without a message or pong. */
  silentSweeps = 0;
  pending: (string | Uint8Array)[] | undefined = undefined;
  pendingLength = 0;

  constructor(
    readonly socket: WebSocket,
    /** The TCP (or TLS) stream under the WebSocket: frames are written to it directly. */
    readonly stream: Duplex,
    readonly remoteAddress: string,
    private readonly server: WsServer<S>,
  ) {}

  send(text: string): void {
    this.server.send(this, text);
  }

  sendUtf8(bytes: Uint8Array, start: number, end: number): void {
    this.server.sendUtf8(this, bytes, start, end);
  }
}

export class WsServer<S> implements WsTransport {
  readonly kind = 'ws package';
  readonly counters = new WsServerCounters();
  private readonly server: http.Server | https.Server;
  private readonly wss: WebSocketServer;
  private readonly links = new Set<Link<S>>();
  private readonly frames = new FrameQueue<Link<S>>((link, bytes, encode) => this.writeFrames(link, bytes, encode));
  private readonly pingTimer: NodeJS.Timeout;

  constructor(
    private readonly options: WsServerOptions,
    private readonly hooks: WsHooks<S>,
    private readonly log: Logger,
  ) {
    const httpOptions = { noDelay: true, requestTimeout: REQUEST_HEAD_TIMEOUT_MS, headersTimeout: REQUEST_HEAD_TIMEOUT_MS };
    const onRequest = (request: http.IncomingMessage, response: http.ServerResponse) => this.answerHttp(request, response);
    this.server = options.tls === undefined ? http.createServer(httpOptions, onRequest) : https.createServer({ ...httpOptions, ...options.tls }, onRequest);
    this.server.maxConnections = options.maxConnections;
    this.server.on('upgrade', (request: http.IncomingMessage, stream: Duplex, head: Buffer) => this.upgrade(request, stream, head));
    this.server.on('clientError', (_error: Error, stream: Duplex) => stream.destroy());
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: options.maxMessageSize, clientTracking: false });
    this.pingTimer = setInterval(() => this.sweep(), options.pingIntervalSeconds * 1000);
    this.pingTimer.unref();
  }

  async listen(): Promise<number> {
    this.server.listen({ host: this.options.host, port: this.options.port, ipv6Only: this.options.ipv6Only });
    await Promise.race([once(this.server, 'listening'), once(this.server, 'error').then(([error]) => Promise.reject(error))]);
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Replaces the certificate for new connections (SIGUSR1 reload); open ones keep theirs. */
  setSecureContext(options: tls.SecureContextOptions): void {
    (this.server as https.Server).setSecureContext(options);
  }

  get connectionCount(): number {
    return this.links.size;
  }

  private answerHttp(request: http.IncomingMessage, response: http.ServerResponse): void {
    const health = request.url === '/health' && (request.method === 'GET' || request.method === 'HEAD');
    if (health) this.counters.healthChecks++;
    const body = health ? 'Ok\n' : NOT_A_WEBSOCKET;
    response.writeHead(health ? 200 : 426, { 'Content-Type': 'text/plain', 'Content-Length': body.length, ...(health ? {} : { Upgrade: 'websocket' }) });
    response.end(request.method === 'HEAD' ? undefined : body);
  }

  private upgrade(request: http.IncomingMessage, stream: Duplex, head: Buffer): void {
    if (refusesOrigin(this.options, request.headers.origin)) {
      this.counters.refusedOrigin++;
      stream.on('error', () => stream.destroy());
      stream.end(FORBIDDEN_RESPONSE);
      return;
    }
    const remoteAddress = request.socket.remoteAddress ?? '';
    this.wss.handleUpgrade(request, stream, head, (socket) => this.accept(socket, stream, remoteAddress));
  }

  private accept(socket: WebSocket, stream: Duplex, remoteAddress: string): void {
    this.counters.accepted++;
    const link = new Link<S>(socket, stream, remoteAddress, this);
    this.links.add(link);
    link.state = this.hooks.open(link);
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      link.active = true;
      try {
        if (isBinary) this.hooks.binary(link.state);
        else this.hooks.message(link.state, data, 0, data.length);
        this.hooks.batchEnd?.();
      } catch (error) {
        // A bug must not take the other connections down: drop this one and say so.
        this.log.error(`message handler failed, closing the connection: ${(error as Error).stack ?? String(error)}`);
        socket.terminate();
      }
    });
    socket.on('pong', () => (link.active = true));
    socket.on('error', (error: Error) => {
      this.counters.protocolErrors++;
      if (this.log.debugEnabled) this.log.debug(`closing a connection from ${remoteAddress}: ${error.message}`);
    });
    socket.on('close', () => {
      this.links.delete(link);
      this.hooks.close(link.state);
    });
  }

  /**
   * Queues a text frame for a link. With `ws`'s own send every frame took two stream
   * writes and a writev; the queue writes a client's frames once.
   */
  send(link: Link<S>, text: string): void {
    if (this.canQueue(link)) this.frames.push(link, text);
  }

  /** Queues a text frame of UTF-8 bytes, copied now. */
  sendUtf8(link: Link<S>, bytes: Uint8Array, start: number, end: number): void {
    if (this.canQueue(link)) this.frames.pushUtf8(link, bytes, start, end);
  }

  /**
   * Whether a frame may be queued for the link. A client whose queue is already over the
   * limit is dropped, so memory stays within limit + one message per client.
   */
  private canQueue(link: Link<S>): boolean {
    if (link.socket.readyState !== WebSocket.OPEN) return false;
    if (link.stream.writableLength + link.pendingLength > this.options.sendBufferLimit) {
      this.counters.slowReadersDropped++;
      link.socket.terminate();
      return false;
    }
    return true;
  }

  private writeFrames(link: Link<S>, bytes: number, encode: (out: Buffer, at: number) => void): void {
    // A close frame may have gone out since (ws writes it): nothing may follow it.
    if (link.socket.readyState !== WebSocket.OPEN) return;
    const out = Buffer.allocUnsafe(bytes);
    encode(out, 0);
    link.stream.write(out);
  }

  private sweep(): void {
    sweepSilentLinks(this.links, this.options, this.counters, (link) => link.socket.terminate(), (link) => link.socket.ping());
  }


  async close(): Promise<void> {
    clearInterval(this.pingTimer);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const link of this.links) link.socket.terminate();
    this.server.closeAllConnections();
    await closed;
  }
}
