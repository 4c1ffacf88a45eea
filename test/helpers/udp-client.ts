// A small BEP 15 client for tests: real UDP sockets on loopback, awaiting replies by
// transaction ID with a bounded timeout (never a sleep).
import dgram from 'node:dgram';
import { once } from 'node:events';
import { ACTION_ANNOUNCE, ACTION_CONNECT, ACTION_SCRAPE, EVENT_NONE } from '../../src/protocol/udp/constants.js';
import { writeAnnounceRequest, writeConnectRequest, writeScrapeRequest } from '../../src/protocol/udp/request.js';
import { decodeResponse, type UdpResponse } from '../../src/protocol/udp/response.js';

export const REPLY_TIMEOUT_MS = 5000;

export interface ConnectionId {
  readonly high: number;
  readonly low: number;
}

export interface AnnounceOptions {
  readonly infoHash: Uint8Array;
  readonly port: number;
  readonly left?: number;
  readonly event?: number;
  readonly numWant?: number;
  readonly peerId?: Uint8Array;
  readonly connectionId?: ConnectionId;
  /** Extra bytes after the 98-byte announce (BEP 41 options). */
  readonly trailer?: Uint8Array;
}

export class UdpTestClient {
  private nextTransaction = 1;
  private readonly received: Buffer[] = [];
  private waiters: (() => void)[] = [];
  connectionId: ConnectionId | null = null;

  private constructor(
    readonly socket: dgram.Socket,
    readonly family: 4 | 6,
    readonly host: string,
    readonly port: number,
  ) {
    socket.on('message', (message) => {
      this.received.push(message);
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    });
  }

  static async open(host: string, port: number, bindHost = host): Promise<UdpTestClient> {
    const family = host.includes(':') ? 6 : 4;
    const socket = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
    socket.bind(0, bindHost);
    await once(socket, 'listening');
    return new UdpTestClient(socket, family, host, port);
  }

  get localPort(): number {
    return this.socket.address().port;
  }

  transactionId(): number {
    return this.nextTransaction++;
  }

  send(bytes: Uint8Array): void {
    this.socket.send(bytes, this.port, this.host);
  }

  /** All datagrams received so far, in order. */
  get inbox(): readonly Buffer[] {
    return this.received;
  }

  /** The next datagram whose transaction ID (bytes 4..8) matches; fails after a timeout. */
  async reply(transactionId: number): Promise<Buffer> {
    const deadline = Date.now() + REPLY_TIMEOUT_MS;
    for (;;) {
      const index = this.received.findIndex((m) => m.length >= 8 && m.readUInt32BE(4) === transactionId);
      if (index >= 0) return this.received.splice(index, 1)[0]!;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply to transaction ${transactionId} within ${REPLY_TIMEOUT_MS} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async request(bytes: Uint8Array, transactionId: number): Promise<UdpResponse> {
    this.send(bytes);
    const response = decodeResponse(await this.reply(transactionId), this.family);
    if (response === null) throw new Error('malformed response');
    return response;
  }

  async connect(): Promise<ConnectionId> {
    const bytes = new Uint8Array(16);
    const id = this.transactionId();
    writeConnectRequest(new DataView(bytes.buffer), 0, id);
    const response = await this.request(bytes, id);
    if (response.action !== ACTION_CONNECT) throw new Error(`expected connect response, got action ${response.action}`);
    this.connectionId = { high: response.connectionIdHigh, low: response.connectionIdLow };
    return this.connectionId;
  }

  announceBytes(options: AnnounceOptions, transactionId: number): Uint8Array {
    const trailer = options.trailer ?? new Uint8Array(0);
    const bytes = new Uint8Array(98 + trailer.length);
    const connectionId = options.connectionId ?? this.connectionId;
    if (connectionId === null) throw new Error('connect first');
    writeAnnounceRequest(bytes, new DataView(bytes.buffer), 0, {
      connectionIdHigh: connectionId.high,
      connectionIdLow: connectionId.low,
      transactionId,
      infoHash: options.infoHash,
      peerId: options.peerId ?? new Uint8Array(20).fill(0x2d),
      downloaded: 0,
      left: options.left ?? 1000,
      uploaded: 0,
      event: options.event ?? EVENT_NONE,
      key: 0,
      numWant: options.numWant ?? -1,
      port: options.port,
    });
    bytes.set(trailer, 98);
    return bytes;
  }

  async announce(options: AnnounceOptions): Promise<UdpResponse> {
    const id = this.transactionId();
    return this.request(this.announceBytes(options, id), id);
  }

  async scrape(infoHashes: readonly Uint8Array[], connectionId?: ConnectionId): Promise<UdpResponse> {
    const id = this.transactionId();
    const bytes = new Uint8Array(16 + 20 * infoHashes.length);
    const cid = connectionId ?? this.connectionId;
    if (cid === null) throw new Error('connect first');
    writeScrapeRequest(bytes, new DataView(bytes.buffer), 0, cid.high, cid.low, id, infoHashes);
    return this.request(bytes, id);
  }

  /**
   * Asserts silence without sleeping: sends `bytes`, then a connect request; the tracker
   * answers a socket's datagrams in order, so if the connect reply is the only new datagram,
   * `bytes` got no reply. Returns the datagrams that arrived before the connect reply.
   */
  async repliesBeforeConnect(bytes: Uint8Array): Promise<Buffer[]> {
    const before = this.received.length;
    this.send(bytes);
    const id = this.transactionId();
    const connect = new Uint8Array(16);
    writeConnectRequest(new DataView(connect.buffer), 0, id);
    this.send(connect);
    await this.reply(id);
    return this.received.splice(before);
  }

  close(): void {
    this.socket.close();
  }
}

export function infoHash(seed: number): Uint8Array {
  const hash = new Uint8Array(20);
  for (let i = 0; i < 20; i++) hash[i] = (seed * 31 + i * 7) & 255;
  return hash;
}

export { ACTION_ANNOUNCE, ACTION_SCRAPE };
