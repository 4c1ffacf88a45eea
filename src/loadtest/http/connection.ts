// One client connection's closed loop: send a request, read its response, check it, send
// the next one — on the same TCP connection with keep-alive, on a new one otherwise (or
// when the server says it closes). A request unanswered for the timeout, a malformed
// response or a dropped connection costs the connection: a byte stream cannot be
// resynchronised, so it is replaced at once. A reused connection the server closes before
// answering is retried once on a new one, as HTTP clients do (RFC 9112 9.3.1).
import type net from 'node:net';
import { type Population, LEECHER_LEFT, createPeerId, pickDistinctTorrents, writePeerIndex } from '../common/population.js';
import type { Random } from '../common/random.js';
import { latencyBucket } from '../udp/stats.js';
import { type AnnounceFields, HttpRequestWriter, type HttpRequestTarget } from './request.js';
import { BodyVerdict, HttpResponseReader, ReadStatus, checkTrackerBody, createBodyCheck } from './response.js';
import { HttpCell, RequestKind } from './stats.js';

/** Opens a connection (plain or TLS) to the tracker; `onReady` runs once it can carry a request. */
export type SocketOpener = (onReady: () => void) => net.Socket;

/** What every connection of a worker shares: the world, the mix, the randomness. */
export interface HttpRequestPlan {
  readonly population: Population;
  /** Per peer: 1 after its first announce (event=started), so later ones send no event. */
  readonly peerStarted: Uint8Array;
  readonly random: Random;
  /** Announce below this, scrape below totalWeight. */
  readonly announceWeight: number;
  readonly totalWeight: number;
  readonly scrapeMaxTorrents: number;
  readonly numWant: number;
  readonly timeoutMs: number;
  readonly target: HttpRequestTarget;
  readonly open: SocketOpener;
}

/** A connection that failed before it ever connected waits this long before the next try, so a tracker that is down does not turn the loop into a busy spin. */
const RETRY_AFTER_CONNECT_FAILURE_MS = 100;

const NO_REQUEST = -1;

export class LoadConnection {
  private socket: net.Socket | null = null;
  /** The socket has not connected yet. */
  private connecting = false;
  /** RequestKind in flight, or NO_REQUEST. */
  private inFlight: number = NO_REQUEST;
  /** When the request was sent, or the connection opened (for its timeout). */
  private waitingSince = 0;
  /** The request in writer.buffer[0, requestLength), kept for a retry. */
  private requestLength = 0;
  /** The socket has carried a response, so the server may close it as idle at any time. */
  private reused = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  private readonly writer: HttpRequestWriter;
  private readonly reader = new HttpResponseReader();
  private readonly check = createBodyCheck();
  private readonly announce: AnnounceFields;
  private readonly scrapeHashes: Uint8Array[] = [];
  private readonly scrapePicks: Int32Array;
  /** This connection announces for peers j with j % connectionCount === connectionIndex. */
  private readonly peersOwned: number;

  constructor(
    private readonly plan: HttpRequestPlan,
    private readonly stats: Float64Array,
    private readonly connectionIndex: number,
    private readonly connectionCount: number,
  ) {
    this.writer = new HttpRequestWriter(plan.target);
    this.announce = {
      infoHash: new Uint8Array(0),
      peerId: createPeerId(),
      port: 0,
      downloaded: 0,
      left: 0,
      started: false,
      numWant: plan.numWant,
    };
    this.scrapePicks = new Int32Array(plan.scrapeMaxTorrents);
    const peers = plan.population.peerCount;
    this.peersOwned = connectionIndex < peers ? Math.ceil((peers - connectionIndex) / connectionCount) : 0;
  }

  start(): void {
    this.open();
  }

  /** Closes the connection for good; resolves once the socket is closed. */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.socket = null;
    if (socket === null || socket.closed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }

  /** Counts a request (or connection attempt) older than the timeout and replaces the connection. */
  sweep(now: number): void {
    if ((this.inFlight !== NO_REQUEST || this.connecting) && this.waitingSince < now - this.plan.timeoutMs) {
      this.stats[HttpCell.TIMEOUTS]!++;
      this.reopen();
    }
  }

  /** Opens a new socket and sends a new request on it, or the one in flight again when `retry` names its kind. */
  private open(retry: number = NO_REQUEST): void {
    this.retryTimer = null;
    if (this.stopped) return;
    this.reader.reset();
    this.inFlight = NO_REQUEST;
    this.reused = false;
    this.connecting = true;
    this.waitingSince = performance.now();
    this.stats[HttpCell.CONNECTIONS_OPENED]!++;
    const socket = this.plan.open(() => {
      if (socket !== this.socket) return;
      this.connecting = false;
      if (retry === NO_REQUEST) this.send();
      else this.write(retry as RequestKind);
    });
    this.socket = socket;
    // Events of a socket this connection has already replaced are ignored.
    socket.on('data', (chunk: Buffer) => {
      if (socket === this.socket) this.onData(chunk);
    });
    socket.on('end', () => {
      if (socket === this.socket && this.inFlight !== NO_REQUEST && this.reader.finish() === ReadStatus.COMPLETE) this.onResponse();
    });
    socket.on('error', () => {}); // 'close' follows and says what happened
    socket.on('close', () => {
      if (socket === this.socket) this.onClose();
    });
  }

  /** Drops the current socket (without waiting for it) and opens the next one. */
  private reopen(): void {
    const socket = this.socket;
    this.socket = null;
    socket?.destroy();
    this.open();
  }

  private onClose(): void {
    this.socket = null;
    if (this.connecting) {
      this.stats[HttpCell.CONNECTION_ERRORS]!++;
      this.retryTimer = setTimeout(() => this.open(), RETRY_AFTER_CONNECT_FAILURE_MS);
    } else if (this.inFlight !== NO_REQUEST && this.reused && this.reader.empty) {
      // A server may close a persistent connection as our next request crosses its close
      // (opentracker closes after every response without saying so): no byte of an answer
      // came, so the GET, being idempotent, goes again on a new connection (RFC 9112 9.3.1).
      this.stats[HttpCell.RETRIED]!++;
      this.open(this.inFlight);
    } else {
      // Closed while idle (the server's idle timeout, or its close after a response) is no error.
      if (this.inFlight !== NO_REQUEST) this.stats[HttpCell.CONNECTION_ERRORS]!++;
      this.open();
    }
  }

  private onData(chunk: Buffer): void {
    if (this.inFlight === NO_REQUEST) {
      this.stats[HttpCell.INVALID]!++; // bytes no request asked for
      this.reopen();
      return;
    }
    const status = this.reader.push(chunk);
    if (status === ReadStatus.COMPLETE) {
      this.onResponse();
    } else if (status === ReadStatus.MALFORMED) {
      this.stats[HttpCell.INVALID]!++;
      this.inFlight = NO_REQUEST;
      this.reopen();
    }
  }

  private onResponse(): void {
    const stats = this.stats;
    const kind = this.inFlight as RequestKind;
    this.inFlight = NO_REQUEST;
    stats[HttpCell.LATENCY + latencyBucket((performance.now() - this.waitingSince) * 1000)]!++;
    if (this.reader.status !== 200) {
      stats[HttpCell.BAD_STATUS]!++;
    } else {
      checkTrackerBody(this.reader.body, kind, this.check);
      if (this.check.verdict === BodyVerdict.VALID) {
        stats[HttpCell.VALID + kind]!++;
        stats[HttpCell.PEERS_RETURNED]! += this.check.peers;
      } else {
        stats[this.check.verdict === BodyVerdict.FAILURE ? HttpCell.FAILURE_RESPONSES : HttpCell.INVALID]!++;
      }
    }
    const reuse = this.plan.target.keepAlive && !this.reader.closesConnection;
    this.reader.reset();
    if (reuse) {
      this.reused = true;
      this.send();
    } else {
      this.reopen();
    }
  }

  /** Builds the next request of the mix and sends it. */
  private send(): void {
    const plan = this.plan;
    const kind = plan.random.nextFloat() * plan.totalWeight < plan.announceWeight ? RequestKind.ANNOUNCE : RequestKind.SCRAPE;
    this.requestLength = kind === RequestKind.ANNOUNCE ? this.writeAnnounce() : this.writeScrape();
    this.stats[HttpCell.SENT + kind]!++;
    this.write(kind);
  }

  /** Sends the request in the writer's buffer. */
  private write(kind: RequestKind): void {
    this.inFlight = kind;
    this.waitingSince = performance.now();
    this.socket!.write(this.writer.buffer.subarray(0, this.requestLength));
  }

  private writeAnnounce(): number {
    const { population, peerStarted, random } = this.plan;
    const peer =
      this.peersOwned > 0 ? random.below(this.peersOwned) * this.connectionCount + this.connectionIndex : this.connectionIndex % population.peerCount;
    const seeder = population.peerSeeder[peer] === 1;
    const fields = this.announce;
    fields.infoHash = population.infoHashViews[population.peerTorrent[peer]!]!;
    writePeerIndex(fields.peerId, peer);
    fields.port = population.peerPort[peer]!;
    fields.downloaded = seeder ? LEECHER_LEFT : 0;
    fields.left = seeder ? 0 : LEECHER_LEFT;
    fields.started = peerStarted[peer] !== 1;
    peerStarted[peer] = 1;
    return this.writer.writeAnnounce(fields);
  }

  private writeScrape(): number {
    const { population, random, scrapeMaxTorrents } = this.plan;
    const count = pickDistinctTorrents(population, random, 1 + random.below(scrapeMaxTorrents), this.scrapePicks);
    const hashes = this.scrapeHashes;
    for (let k = 0; k < count; k++) hashes[k] = population.infoHashViews[this.scrapePicks[k]!]!;
    return this.writer.writeScrape(hashes, count);
  }
}
