// One WebTorrent client connection's closed loop, as aquatic_ws_load_test's: one peer (one
// peer_id) with one announce or scrape in flight; each message the tracker sends is checked
// and acted on. An offer relayed to us is answered at once (answers get no response, so
// they do not count as in flight); the reply to the announce or scrape in flight (or its
// failure) sends the next one. A request unanswered for the timeout replaces the
// connection (a new peer_id, since the tracker may still hold the old one), and so does a
// connection the tracker closes.
import { createPeerId, pickDistinctTorrents, writePeerIndex, type Population } from '../common/population.js';
import type { Random } from '../common/random.js';
import { latencyBucket } from '../udp/stats.js';
import type { ClientConnector, ClientSocket, ClientSocketEvents } from './client-socket.js';
import { WsRequestWriter, offerTag, quote } from './request.js';
import { TrackerMessageKind, createTrackerMessage, readTrackerMessage } from './response.js';
import { WsCell } from './stats.js';

/** The torrents as the protocol carries them: JSON-quoted binary strings in wire form (quoted once). */
export interface WsTorrentSet {
  readonly population: Population;
  readonly quotedInfoHashes: readonly string[];
}

/** What every connection of a worker shares: the target, the world, the mix, the randomness. */
export interface WsLoadPlan {
  /** Opens a WebSocket to the tracker (the lean client or the `ws` package's). */
  readonly connect: ClientConnector;
  readonly torrents: WsTorrentSet;
  readonly random: Random;
  /** Announce below this, scrape below totalWeight. */
  readonly announceWeight: number;
  readonly totalWeight: number;
  readonly scrapeMaxTorrents: number;
  readonly seederProbability: number;
  readonly offersPerRequest: number;
  /** The SDP of every offer and answer. */
  readonly sdp: string;
  readonly timeoutMs: number;
  /** Connections over all workers: peer numbers step by this on every reconnect, so peer_ids stay unique. */
  readonly connectionCount: number;
  /** Holds first requests until the worker's connections are all open (network.start_after_all_open), or null. */
  readonly startGate: StartGate | null;
}

/** Holds the connections' first requests until each has passed (opened) or release() is called. */
export class StartGate {
  private waiting: (() => void)[] = [];
  private released = false;

  constructor(private unopened: number) {}

  /** Runs `start` now if the gate is open, else when it opens; each connection passes once. */
  pass(start: () => void): void {
    if (this.released) return start();
    this.waiting.push(start);
    if (--this.unopened === 0) this.release();
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    for (const start of this.waiting) start();
    this.waiting = [];
  }
}

/** A connection the tracker refused or closed waits this long before the next try, so a tracker that is down does not turn the loop into a busy spin. */
const RETRY_AFTER_CLOSE_MS = 100;

const Request = { NONE: -1, ANNOUNCE: 0, SCRAPE: 1 } as const;
type Request = (typeof Request)[keyof typeof Request];

export class WsLoadConnection implements ClientSocketEvents {
  private socket: ClientSocket | null = null;
  private connecting = false;
  private inFlight: Request = Request.NONE;
  /** The torrent of the announce in flight (its response must name it), quoted. */
  private inFlightQuotedInfoHash = '';
  /** When the request in flight was sent, or the connection opened (for its timeout). */
  private waitingSince = 0;
  /** Which peer this connection is now: connection index + connectionCount x reconnects. */
  private peerNumber: number;
  private quotedPeerId = '';
  private retryTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private passedStartGate = false;

  private readonly tag: string;
  /** The tag as the quoted offer ids of our offers begin. */
  private readonly quotedTag: string;
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
    this.quotedTag = `"${this.tag}`;
    this.writer = new WsRequestWriter(plan.offersPerRequest, plan.sdp, this.tag);
    this.peerNumber = globalIndex;
    this.scrapePicks = new Int32Array(plan.scrapeMaxTorrents);
  }

  start(): void {
    this.open();
  }

  /** Closes the connection for good. */
  stop(): void {
    this.stopped = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.socket?.terminate();
    this.socket = null;
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
    this.quotedPeerId = quote(Buffer.from(this.peerIdBytes).toString('latin1'));
    this.stats[WsCell.CONNECTIONS_OPENED]!++;
    // A replaced socket is terminated, and a terminated socket reports nothing more.
    this.socket = this.plan.connect(this);
  }

  onOpen(): void {
    this.connecting = false;
    const gate = this.plan.startGate;
    if (gate === null || this.passedStartGate) return this.send();
    this.passedStartGate = true;
    gate.pass(this.startLoop);
  }

  /** The gate opened: start, unless this connection has closed meanwhile (its next open starts it). */
  private readonly startLoop = (): void => {
    if (this.socket !== null && !this.connecting && this.inFlight === Request.NONE) this.send();
  };

  onClose(): void {
    this.socket = null;
    this.stats[WsCell.CONNECTION_ERRORS]!++;
    this.retryTimer = setTimeout(() => this.open(), RETRY_AFTER_CLOSE_MS);
  }

  onBinary(): void {
    this.stats[WsCell.PROTOCOL_ERRORS]!++; // the protocol is JSON text frames only
  }

  onText(bytes: Buffer, start: number, end: number): void {
    const stats = this.stats;
    const message = this.message;
    const kind = readTrackerMessage(bytes, start, end, message);
    switch (kind) {
      case TrackerMessageKind.ANNOUNCE_RESPONSE:
        if (this.inFlight === Request.ANNOUNCE && message.quotedInfoHash === this.inFlightQuotedInfoHash) {
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
        if (message.quotedPeerId === this.quotedPeerId) {
          stats[WsCell.PROTOCOL_ERRORS]!++;
          return;
        }
        stats[WsCell.OFFERS_RECEIVED]!++;
        this.socket!.send(this.writer.answer(message.quotedInfoHash!, this.quotedPeerId, message.quotedPeerId, message.quotedOfferId));
        stats[WsCell.ANSWERS_SENT]!++;
        return;
      case TrackerMessageKind.ANSWER:
        // It must answer an offer this connection made, from another peer.
        if (message.quotedOfferId.startsWith(this.quotedTag) && message.quotedPeerId !== this.quotedPeerId) {
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
    const { action, quotedInfoHash } = this.message;
    if (this.inFlight === Request.SCRAPE) return action === null || action === 'scrape';
    if (this.inFlight === Request.ANNOUNCE) return (action === null || action === 'announce') && (quotedInfoHash === null || quotedInfoHash === this.inFlightQuotedInfoHash);
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
      this.inFlightQuotedInfoHash = torrents.quotedInfoHashes[torrent]!;
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
