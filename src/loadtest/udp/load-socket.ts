// One client socket's closed loop: keep `window` requests in flight, check every response
// against the request it answers (action, transaction ID, length), and replace it at once.
// This is the hot path: no allocation per request or response, one clock read per batch.
import {
  ACTION_ANNOUNCE,
  ACTION_CONNECT,
  ACTION_ERROR,
  ACTION_SCRAPE,
  ANNOUNCE_RESPONSE_HEADER_SIZE,
  CONNECT_RESPONSE_SIZE,
  ERROR_RESPONSE_HEADER_SIZE,
  EVENT_NONE,
  EVENT_STARTED,
  SCRAPE_RESPONSE_ENTRY_SIZE,
  SCRAPE_RESPONSE_HEADER_SIZE,
} from '../../protocol/udp/constants.js';
import { writeAnnounceRequest, writeConnectRequest, writeScrapeRequest } from '../../protocol/udp/request.js';
import {
  META_ADDRESS,
  META_FAMILY,
  META_LENGTH,
  META_PORT,
  META_REPLY_TO,
  META_STRIDE,
  SLOT_SIZE,
  createPacketBatch,
  type PacketBatch,
} from '../../transport/udp/batch.js';
import type { UdpTransport } from '../../transport/udp/types.js';
import { LEECHER_LEFT, type Population, createPeerId, mix32, pickDistinctTorrents, writePeerIndex } from '../common/population.js';
import type { Random } from '../common/random.js';
import { Cell, latencyBucket } from './stats.js';

/**
 * Transaction ID = generation << SLOT_BITS | slot: the slot finds the request in O(1), the
 * generation (never 0, so 0 is "free") tells a late answer to a reused slot from the current one.
 */
const SLOT_BITS = 10;
const SLOT_MASK = (1 << SLOT_BITS) - 1;
const GENERATION_MASK = (1 << (32 - SLOT_BITS)) - 1;

/** BEP 15 says a client may use a connection ID for one minute; ask for a fresh one then. */
const CONNECTION_REFRESH_MS = 60_000;
const NO_SLOT = -1;

const META_INTS = META_STRIDE / 4;

/** What every socket of a worker shares: the world, the mix, the randomness. */
export interface RequestPlan {
  readonly population: Population;
  /** Per peer: 1 after its first announce (event=started), so later ones send event=none. */
  readonly peerStarted: Uint8Array;
  readonly random: Random;
  /** Cumulative weights: connect below the first, announce below the second, scrape below the total. */
  readonly connectBelow: number;
  readonly announceBelow: number;
  readonly totalWeight: number;
  readonly scrapeMaxTorrents: number;
  readonly numWant: number;
  readonly timeoutMs: number;
  /** 6 for IPv4 peers in announce replies, 18 for IPv6 (BEP 15). */
  readonly peerSize: number;
}

/** Where requests go, as the transports' slot metadata wants it. */
export interface Destination {
  readonly port: number;
  readonly family: 4 | 6;
  /** 16 bytes, IPv4 as ::ffff:a.b.c.d. */
  readonly address16: Uint8Array;
}

export class LoadSocket {
  /** Transaction ID in flight per slot; 0 when the slot is free. */
  private readonly slotTid: Uint32Array;
  private readonly slotGeneration: Uint32Array;
  private readonly slotAction: Uint8Array;
  private readonly slotScrapeCount: Uint8Array;
  private readonly slotSentAt: Float64Array;
  private readonly freeSlots: Int32Array;
  private freeCount: number;
  /** For requests sent outside a receive callback (start, after timeouts). */
  private readonly ownTx: PacketBatch;
  /** The last tx batch whose destinations were filled in (the transport reuses one). */
  private preparedTx: PacketBatch | null = null;

  private connectionIdHigh = 0;
  private connectionIdLow = 0;
  private hasConnection = false;
  private connectedAt = 0;
  /** The connect this socket waits on (first or refresh); others are part of the mix. */
  private connectSlot = NO_SLOT;
  /** When the last answer came: a whole timeout without one drops the connection ID. */
  private lastAnswerAt = 0;

  // Reused request fields (the encoders take an object; one per socket, never reallocated).
  private readonly peerId = createPeerId();
  private readonly announce = {
    connectionIdHigh: 0,
    connectionIdLow: 0,
    transactionId: 0,
    infoHash: new Uint8Array(0) as Uint8Array,
    peerId: this.peerId,
    downloaded: 0,
    left: 0,
    uploaded: 0,
    event: EVENT_NONE,
    key: 0,
    numWant: 0,
    port: 0,
  };
  private readonly scrapeHashes: Uint8Array[] = [];
  private readonly scrapePicks: Int32Array;

  /** This socket announces for peers j with j % socketCount === socketIndex. */
  private readonly peersOwned: number;

  constructor(
    private readonly transport: UdpTransport,
    private readonly plan: RequestPlan,
    private readonly stats: Float64Array,
    private readonly destination: Destination,
    private readonly window: number,
    private readonly socketIndex: number,
    private readonly socketCount: number,
  ) {
    this.slotTid = new Uint32Array(window);
    this.slotGeneration = new Uint32Array(window);
    this.slotAction = new Uint8Array(window);
    this.slotScrapeCount = new Uint8Array(window);
    this.slotSentAt = new Float64Array(window);
    this.freeSlots = new Int32Array(window);
    // Hand out low slots first (pop from the end).
    for (let i = 0; i < window; i++) this.freeSlots[i] = window - 1 - i;
    this.freeCount = window;
    this.ownTx = createPacketBatch(window);
    prepareDestinations(this.ownTx, destination);
    this.scrapePicks = new Int32Array(plan.scrapeMaxTorrents);
    this.announce.numWant = plan.numWant;
    const peers = plan.population.peerCount;
    this.peersOwned = socketIndex < peers ? Math.ceil((peers - socketIndex) / socketCount) : 0;
  }

  get kind(): 'native' | 'dgram' {
    return this.transport.kind;
  }

  get sendFailures(): number {
    return this.transport.counters.sendErrors;
  }

  /** Starts receiving and sends the first request (a connect). */
  start(): void {
    this.transport.start(this.onBatch);
    this.fill(performance.now());
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  /**
   * Frees requests unanswered for longer than the timeout (counted), then fills the window
   * again. Called from the worker's timer.
   */
  sweep(now: number): void {
    const deadline = now - this.plan.timeoutMs;
    const slotTid = this.slotTid;
    let expired = 0;
    for (let slot = 0; slot < this.window; slot++) {
      if (slotTid[slot] !== 0 && this.slotSentAt[slot]! < deadline) {
        this.release(slot);
        expired++;
      }
    }
    if (expired > 0) {
      this.stats[Cell.TIMEOUTS]! += expired;
      // No answer for a whole timeout: the tracker may have forgotten our connection ID
      // (trackers do not answer unknown ones), so get a new one first. (A tracker that
      // merely drops some requests still answers others.)
      if (this.lastAnswerAt < deadline) this.hasConnection = false;
    }
    this.fill(now);
  }

  private fill(now: number): void {
    const count = this.writeRequests(this.ownTx, this.ownTx.slots, now);
    if (count > 0) this.transport.send(this.ownTx, count);
  }

  private readonly onBatch = (rx: PacketBatch, count: number, tx: PacketBatch): number => {
    const now = performance.now();
    this.readResponses(rx, count, now);
    if (tx !== this.preparedTx) {
      prepareDestinations(tx, this.destination);
      this.preparedTx = tx;
    }
    return this.writeRequests(tx, tx.slots, now);
  };

  private readResponses(rx: PacketBatch, count: number, now: number): void {
    const stats = this.stats;
    const view = rx.dataView;
    const meta = rx.meta32;
    const slotTid = this.slotTid;
    for (let i = 0; i < count; i++) {
      const length = meta[i * META_INTS + META_LENGTH / 4]!;
      const at = i * SLOT_SIZE;
      if (length < ERROR_RESPONSE_HEADER_SIZE) {
        stats[Cell.UNEXPECTED]!++;
        continue;
      }
      const transactionId = view.getUint32(at + 4);
      const slot = transactionId & SLOT_MASK;
      if (slot >= this.window || slotTid[slot] === 0 || slotTid[slot] !== transactionId) {
        stats[Cell.UNEXPECTED]!++;
        continue;
      }
      const expected = this.slotAction[slot]!;
      const scrapeCount = this.slotScrapeCount[slot]!;
      stats[Cell.LATENCY + latencyBucket((now - this.slotSentAt[slot]!) * 1000)]!++;
      this.release(slot);
      this.lastAnswerAt = now;

      const action = view.getUint32(at);
      if (action === ACTION_ERROR) {
        stats[Cell.ERROR_RESPONSES]!++;
        if (mentionsConnection(rx.dataBuffer, at + ERROR_RESPONSE_HEADER_SIZE, at + length)) this.hasConnection = false;
        continue;
      }
      if (action !== expected) {
        stats[Cell.INVALID]!++;
        continue;
      }
      if (expected === ACTION_ANNOUNCE) {
        const peerBytes = length - ANNOUNCE_RESPONSE_HEADER_SIZE;
        if (peerBytes < 0 || peerBytes % this.plan.peerSize !== 0) {
          stats[Cell.INVALID]!++;
          continue;
        }
        stats[Cell.PEERS_RETURNED]! += peerBytes / this.plan.peerSize;
      } else if (expected === ACTION_SCRAPE) {
        if (length !== SCRAPE_RESPONSE_HEADER_SIZE + SCRAPE_RESPONSE_ENTRY_SIZE * scrapeCount) {
          stats[Cell.INVALID]!++;
          continue;
        }
      } else {
        if (length !== CONNECT_RESPONSE_SIZE) {
          stats[Cell.INVALID]!++;
          continue;
        }
        this.connectionIdHigh = view.getUint32(at + 8);
        this.connectionIdLow = view.getUint32(at + 12);
        this.hasConnection = true;
        this.connectedAt = now;
      }
      stats[Cell.VALID + expected]!++;
    }
  }

  /** Writes up to `max` requests into tx slots 0.. and returns how many. */
  private writeRequests(tx: PacketBatch, max: number, now: number): number {
    const plan = this.plan;
    const stats = this.stats;
    const meta = tx.meta32;
    let n = 0;
    while (n < max && this.freeCount > 0) {
      let action: number;
      if (this.connectSlot === NO_SLOT && (!this.hasConnection || now - this.connectedAt > CONNECTION_REFRESH_MS)) {
        action = ACTION_CONNECT;
      } else if (!this.hasConnection) {
        break; // waiting for the connect: every other request would be refused
      } else {
        const r = plan.random.nextFloat() * plan.totalWeight;
        action = r < plan.connectBelow ? ACTION_CONNECT : r < plan.announceBelow ? ACTION_ANNOUNCE : ACTION_SCRAPE;
      }
      const slot = this.claim(action, now);
      const transactionId = this.slotTid[slot]!;
      const at = n * SLOT_SIZE;
      let length: number;
      if (action === ACTION_ANNOUNCE) {
        length = this.writeAnnounce(tx, at, transactionId);
      } else if (action === ACTION_SCRAPE) {
        length = this.writeScrape(tx, at, slot, transactionId);
      } else {
        if (this.connectSlot === NO_SLOT) this.connectSlot = slot;
        length = writeConnectRequest(tx.dataView, at, transactionId);
      }
      meta[n * META_INTS + META_LENGTH / 4] = length;
      stats[Cell.SENT + action]!++;
      n++;
    }
    return n;
  }

  private claim(action: number, now: number): number {
    const slot = this.freeSlots[--this.freeCount]!;
    let generation = this.slotGeneration[slot]! + 1;
    if (generation > GENERATION_MASK) generation = 1;
    this.slotGeneration[slot] = generation;
    this.slotTid[slot] = ((generation << SLOT_BITS) | slot) >>> 0;
    this.slotAction[slot] = action;
    this.slotSentAt[slot] = now;
    return slot;
  }

  private release(slot: number): void {
    if (slot === this.connectSlot) this.connectSlot = NO_SLOT;
    this.slotTid[slot] = 0;
    this.freeSlots[this.freeCount++] = slot;
  }

  private writeAnnounce(tx: PacketBatch, at: number, transactionId: number): number {
    const { population, peerStarted, random } = this.plan;
    const peer = this.peersOwned > 0 ? random.below(this.peersOwned) * this.socketCount + this.socketIndex : this.socketIndex % population.peerCount;
    const seeder = population.peerSeeder[peer] === 1;
    const fields = this.announce;
    fields.connectionIdHigh = this.connectionIdHigh;
    fields.connectionIdLow = this.connectionIdLow;
    fields.transactionId = transactionId;
    fields.infoHash = population.infoHashViews[population.peerTorrent[peer]!]!;
    writePeerIndex(this.peerId, peer);
    fields.downloaded = seeder ? LEECHER_LEFT : 0;
    fields.left = seeder ? 0 : LEECHER_LEFT;
    fields.event = peerStarted[peer] === 1 ? EVENT_NONE : EVENT_STARTED;
    peerStarted[peer] = 1;
    fields.key = mix32(peer);
    fields.port = population.peerPort[peer]!;
    return writeAnnounceRequest(tx.data, tx.dataView, at, fields);
  }

  private writeScrape(tx: PacketBatch, at: number, slot: number, transactionId: number): number {
    const { population, random } = this.plan;
    const wanted = 1 + random.below(this.plan.scrapeMaxTorrents);
    const count = pickDistinctTorrents(population, random, wanted, this.scrapePicks);
    const hashes = this.scrapeHashes;
    hashes.length = 0;
    for (let k = 0; k < count; k++) hashes.push(population.infoHashViews[this.scrapePicks[k]!]!);
    this.slotScrapeCount[slot] = count;
    return writeScrapeRequest(tx.data, tx.dataView, at, this.connectionIdHigh, this.connectionIdLow, transactionId, hashes);
  }
}

/** Fills every slot's destination once; per request only the length changes. */
function prepareDestinations(batch: PacketBatch, destination: Destination): void {
  for (let slot = 0; slot < batch.slots; slot++) {
    const m = slot * META_INTS;
    batch.meta32[m + META_PORT / 4] = destination.port;
    batch.meta32[m + META_FAMILY / 4] = destination.family;
    // The dgram transport sends handler output to the source of the rx slot named here:
    // every response comes from the tracker, so slot 0 is the tracker.
    batch.meta32[m + META_REPLY_TO / 4] = 0;
    batch.meta.set(destination.address16, slot * META_STRIDE + META_ADDRESS);
  }
}

const CONNECTION = Buffer.from('onnection', 'latin1');

/** Whether an error message is about the connection ID ("Connection ID missmatch", "invalid connection id", …). */
function mentionsConnection(data: Buffer, start: number, end: number): boolean {
  return data.subarray(start, end).includes(CONNECTION);
}
