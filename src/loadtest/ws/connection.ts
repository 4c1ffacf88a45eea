// One WebTorrent client connection's closed loop, as aquatic_ws_load_test's: one peer (one
// peer_id) with one announce or scrape in flight; each message the tracker sends is checked
// and acted on. An offer relayed to us is answered at once (answers get no response, so
// they do not count as in flight); the reply to the announce or scrape in flight (or its
// failure) sends the next one. A request unanswered for the timeout replaces the
// connection (a new peer_id, since the tracker may still hold the old one), and so does a
// connection the tracker closes.
import { WebSocket, type ClientOptions, type RawData } from 'ws';
import { createPeerId, pickDistinctTorrents, writePeerIndex, type Population } from '../common/population.js';
import type { Random } from '../common/random.js';
import { latencyBucket } from '../udp/stats.js';
import { WsRequestWriter, offerTag, quote } from './request.js';
import { TrackerMessageKind, createTrackerMessage, readTrackerMessage } from './response.js';
import { WsCell } from './stats.js';

/** The torrents as the protocol carries them: binary strings, and the same JSON-quoted (quoted once). */
export interface WsTorrentSet {
  readonly population: Population;
  readonly infoHashes: readonly string[];
  readonly quotedInfoHashes: readonly string[];
}

/** What every connection of a worker shares: the target, the world, the mix, the randomness. */
export interface WsLoadPlan {
  readonly url: string;
  readonly socketOptions: ClientOptions;
  readonly torrents: WsTorrentSet;
  readonly random: Random;
  /** Announce below this, scrape below totalWeight. */
  readonly announceWeight: number;
  readonly totalWeight: number;
  readonly scrapeMaxTorrents: number;
  readonly seederProbability: number;
  readonly offersPerRequest: number;
  readonly sdpSize: number;
  readonly timeoutMs: number;
  /** Connections over all workers: peer numbers step by this on every reconnect, so peer_ids stay unique. */
  readonly connectionCount: number;
}

/** A connection the tracker refused or closed waits this long before the next try, so a tracker that is down does not turn the loop into a busy spin. */
const RETRY_AFTER_CLOSE_MS = 100;

const Request = { NONE: -1, ANNOUNCE: 0, SCRAPE: 1 } as const;
type Request = (typeof Request)[keyof typeof Request];

export class WsLoadConnection {
  private socket: WebSocket | null = null;
  private connecting = false;
  private inFlight: Request = Request.NONE;
  /** The torrent of the announce in flight (its response must name it). */
  private inFlightInfoHash = '';
  /** When the request in flight was sent, or the connection opened (for its timeout). */
  private waitingSince = 0;
  /** Which peer this connection is now: connection index + connectionCount x reconnects. */
  private peerNumber: number;
  private peerId = '';
  private quotedPeerId = '';
  private retryTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  private readonly tag: string;
  private readonly writer: WsRequestWriter;
  private readonly message = createTrackerMessage();
  private readonly peerIdBytes = createPeerId();
  private readonly scrapePicks: Int32Array;
  private readonly scrapeHashes: string[] = [];

  constructor(
    private readonly plan: WsLoadPlan,
    private readonly stats: Float64Array,
    workerIndex: number,
    connectionIndex: number,
    /** Among all connections of all workers. */
    globalIndex: number,
  ) {
    this.tag = offerTag(workerIndex, connectionIndex);
    this.writer = new WsRequestWriter(plan.offersPerRequest, plan.sdpSize, this.tag);
    this.peerNumber = globalIndex;
    this.scrapePicks = new Int32Array(plan.scrapeMaxTorrents);
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
    if (socket === null || socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.terminate();
    });
  }

  /** Counts a request (or connection attempt) older than the timeout and replaces the connection. */
  sweep(now: number): void {
    if ((this.inFlight !== Request.NONE || this.connecting) && this.waitingSince < now - this.plan.timeoutMs) {
      this.stats[WsCell.TIMEOUTS]!++;
      const socket = this.socket;
      this.socket = null;
      socket?.terminate();
      this.open();
    }
  }

  private open(): void {
    this.retryTimer = null;
    if (this.stopped) return;
    this.inFlight = Request.NONE;
    this.connecting = true;
    this.waitingSince = performance.now();
    writePeerIndex(this.peerIdBytes, this.peerNumber);
    this.peerNumber += this.plan.connectionCount;
    this.peerId = Buffer.from(this.peerIdBytes).toString('latin1');
    this.quotedPeerId = quote(this.peerId);
    this.stats[WsCell.CONNECTIONS_OPENED]!++;
    const socket = new WebSocket(this.plan.url, this.plan.socketOptions);
    this.socket = socket;
    // Events of a socket this connection has already replaced are ignored.
    socket.on('open', () => {
      if (socket !== this.socket) return;
      this.connecting = false;
      this.send();
    });
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (socket === this.socket) this.onMessage(data as Buffer, isBinary);
    });
    socket.on('error', () => {}); // 'close' follows and says what happened
    socket.on('close', () => {
      if (socket !== this.socket) return;
      this.socket = null;
      this.stats[WsCell.CONNECTION_ERRORS]!++;
      this.retryTimer = setTimeout(() => this.open(), RETRY_AFTER_CLOSE_MS);
    });
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    const stats = this.stats;
    // The protocol is JSON text frames only.
    const kind = isBinary ? TrackerMessageKind.INVALID : readTrackerMessage(data.toString(), this.message);
    const message = this.message;
    switch (kind) {
      case TrackerMessageKind.ANNOUNCE_RESPONSE:
        if (this.inFlight === Request.ANNOUNCE && message.infoHash === this.inFlightInfoHash) {
          stats[WsCell.ANNOUNCE_RESPONSES]!++;
          this.complete();
        } else {
          stats[WsCell.PROTOCOL_ERRORS]!++; // a response to nothing we asked
        }
        return;
      case TrackerMessageKind.SCRAPE_RESPONSE:
        if (this.inFlight === Request.SCRAPE) {
          stats[WsCell.SCRAPE_RESPONSES]!++;
          this.complete();
        } else {
          stats[WsCell.PROTOCOL_ERRORS]!++;
        }
        return;
      case TrackerMessageKind.OFFER:
        // A tracker must never relay a peer's offer back to it.
        if (message.peerId === this.peerId) {
          stats[WsCell.PROTOCOL_ERRORS]!++;
          return;
        }
        stats[WsCell.OFFERS_RECEIVED]!++;
        this.socket!.send(this.writer.answer(message.infoHash!, this.quotedPeerId, message.peerId, message.offerId));
        stats[WsCell.ANSWERS_SENT]!++;
        return;
      case TrackerMessageKind.ANSWER:
        // It must answer an offer this connection made, from another peer.
        if (message.offerId.startsWith(this.tag) && message.peerId !== this.peerId) {
          stats[WsCell.ANSWERS_RECEIVED]!++;
        } else {
          stats[WsCell.PROTOCOL_ERRORS]!++;
        }
        return;
      case TrackerMessageKind.FAILURE:
        stats[WsCell.FAILURES]!++;
        if (this.failureAnswersRequest()) this.complete();
        return;
      case TrackerMessageKind.INVALID:
        stats[WsCell.PROTOCOL_ERRORS]!++;
        return;
    }
  }

  /**
   * Whether a failure is the reply to the request in flight rather than to an answer: its
   * action and info hash, where it gives them, are the request's. (A failed answer in the
   * torrent of the announce in flight looks the same; the real reply then arrives unasked
   * and counts as a protocol error, so the miscount only ever adds errors.)
   */
  private failureAnswersRequest(): boolean {
    const { action, infoHash } = this.message;
    if (this.inFlight === Request.SCRAPE) return action === null || action === 'scrape';
    if (this.inFlight === Request.ANNOUNCE) return (action === null || action === 'announce') && (infoHash === null || infoHash === this.inFlightInfoHash);
    return false;
  }

  /** The request in flight has its reply: record the latency and send the next one. */
  private complete(): void {
    this.stats[WsCell.LATENCY + latencyBucket((performance.now() - this.waitingSince) * 1000)]!++;
    this.inFlight = Request.NONE;
    this.send();
  }

  /** Builds the next announce or scrape of the mix and sends it. */
  private send(): void {
    const { random, torrents } = this.plan;
    let text: string;
    if (random.nextFloat() * this.plan.totalWeight < this.plan.announceWeight) {
      const torrent = torrents.population.picker.pick(random);
      text = this.writer.announce(torrents.quotedInfoHashes[torrent]!, this.quotedPeerId, random.nextFloat() < this.plan.seederProbability);
      this.inFlight = Request.ANNOUNCE;
      this.inFlightInfoHash = torrents.infoHashes[torrent]!;
      this.stats[WsCell.ANNOUNCES_SENT]!++;
    } else {
      const count = pickDistinctTorrents(torrents.population, random, 1 + random.below(this.plan.scrapeMaxTorrents), this.scrapePicks);
      for (let k = 0; k < count; k++) this.scrapeHashes[k] = torrents.quotedInfoHashes[this.scrapePicks[k]!]!;
      text = this.writer.scrape(this.scrapeHashes, count);
      this.inFlight = Request.SCRAPE;
      this.stats[WsCell.SCRAPES_SENT]!++;
    }
    this.waitingSince = performance.now();
    this.socket!.send(text);
  }
}
