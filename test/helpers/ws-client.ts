// A WebTorrent test client over a real `ws` WebSocket: queued JSON messages, awaited one at a
// time, and a round trip that proves everything the tracker sent before it has arrived.
import { WebSocket, type ClientOptions } from 'ws';

export type Json = { [key: string]: unknown };

/** A 20-char binary string; its control chars, quotes and chars >= 0x80 exercise the JSON/UTF-8 path. */
export function binary20(seed: number): string {
  let text = '';
  for (let i = 0; i < 20; i++) text += String.fromCharCode((seed * 97 + i * 13) & 255);
  return text;
}

export const peerIdOf = (n: number) => `-WW0001-${binary20(n + 1000).slice(8)}`;

export class WsTestClient {
  private readonly queue: Json[] = [];
  private readonly waiters: ((message: Json) => void)[] = [];
  /** Resolves with the close code once the connection is closed (by either side). */
  readonly closed: Promise<number>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as Json;
      const waiter = this.waiters.shift();
      if (waiter !== undefined) waiter(message);
      else this.queue.push(message);
    });
    this.closed = new Promise((resolve) => socket.on('close', (code: number) => resolve(code)));
  }

  static connect(url: string, options: ClientOptions = {}): Promise<WsTestClient> {
    const socket = new WebSocket(url, { perMessageDeflate: false, ...options });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new WsTestClient(socket)));
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) => reject(new Error(`Unexpected server response: ${response.statusCode}`)));
    });
  }

  send(message: Json | string): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next message from the tracker. */
  next(): Promise<Json> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Sends and awaits the next message. */
  async request(message: Json | string): Promise<Json> {
    this.send(message);
    return this.next();
  }

  /**
   * Every message received so far, after a scrape round trip: the tracker handles a
   * connection's messages in order and sends synchronously, so whatever it sent this client
   * because of earlier messages (from any connection whose round trip completed) is here.
   */
  async drain(): Promise<Json[]> {
    this.send({ action: 'scrape', info_hash: [] });
    const received: Json[] = [];
    for (;;) {
      const message = await this.next();
      if (message['action'] === 'scrape' && message['failure reason'] === undefined && Object.keys(message['files'] as object).length === 0) {
        return received;
      }
      received.push(message);
    }
  }

  close(): void {
    this.socket.terminate();
  }
}

export const announce = (infoHash: string, peerId: string, extra: Json = {}): Json => ({
  action: 'announce',
  info_hash: infoHash,
  peer_id: peerId,
  uploaded: 0,
  downloaded: 0,
  left: 1000,
  ...extra,
});

export const offers = (count: number, seed = 0) =>
  Array.from({ length: count }, (_, i) => ({ offer_id: binary20(5000 + seed * 100 + i), offer: { type: 'offer', sdp: `v=0 offer ${seed}/${i}` } }));
