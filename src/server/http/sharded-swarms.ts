// The swarm backend of an HTTP socket worker when shard threads own the torrents: each
// announce or scrape becomes a BEP 15 datagram for the shard that owns its info hash (the
// shards' only language), and each BEP 15 reply becomes the HTTP response it answers.
// Requests are forwarded in batches, once per event-loop turn.
import { INFO_HASH_SIZE, PEER_SIZE_V4, PEER_SIZE_V6, REQUEST_HEADER_SIZE } from '../../protocol/udp/constants.js';
import { writeAnnounceRequest, writeScrapeRequest } from '../../protocol/udp/request.js';
import type { HttpAnnounce, HttpScrape } from '../../protocol/http/query.js';
import { SCRAPE_STATS_STRIDE } from '../../protocol/http/response.js';
import { META_ADDRESS, META_FAMILY, META_LENGTH, META_PORT, META_STRIDE, SLOT_SIZE, createPacketBatch } from '../../transport/udp/batch.js';
import type { DeferredReply } from '../../transport/http/server.js';
import type { Logger } from '../../util/log.js';
import type { ConnectionIdValidator } from '../udp/connection-id.js';
import { UdpRequestHandler } from '../udp/handler.js';
import type { ShardRouter } from '../workers/shard-router.js';
import type { AnnouncePeer, HttpRequestHandler, HttpSwarms } from './handler.js';
import type { TorrentStats } from '../../swarm/snapshot.js';

/** Info hashes per forwarded scrape: what fits in one slot after the BEP 15 header. */
export const MAX_SHARDED_SCRAPE = Math.floor((SLOT_SIZE - REQUEST_HEADER_SIZE) / INFO_HASH_SIZE);
/** Seconds after which a request the shards never answered gets a failure instead. */
const REPLY_TIMEOUT = 10;
const BUSY = 'Tracker busy, try again later';

interface Pending {
  readonly later: DeferredReply;
  readonly keepAlive: boolean;
  readonly since: number;
  /** Announce: the client's family and wish for compact peers. */
  readonly ipv6: boolean;
  readonly compact: boolean;
  /** The client sent numwant=0. */
  readonly noPeers: boolean;
  /** Scrape: the (sorted) info hashes asked for. */
  readonly hashes: Uint8Array | null;
  readonly count: number;
}

const META_INTS = META_STRIDE / 4;

export class ShardedHttpSwarms implements HttpSwarms {
  private readonly rx;
  private readonly replies;
  /** Direct replies of the forwarding handler: none expected (requests are valid). */
  private readonly unused;
  private readonly forwarder: UdpRequestHandler;
  private readonly pending = new Map<number, Pending>();
  private readonly stats = new Float64Array(MAX_SHARDED_SCRAPE * SCRAPE_STATS_STRIDE);
  private filled = 0;
  private flushScheduled = false;
  private nextId = 1;

  constructor(
    private readonly router: ShardRouter,
    private readonly clock: ConnectionIdValidator,
    batchSize: number,
    log: Logger,
    /** Every shard's torrents (full scrapes), through the main thread. */
    private readonly allTorrents: () => Promise<TorrentStats | null>,
  ) {
    this.rx = createPacketBatch(batchSize);
    this.replies = createPacketBatch(batchSize);
    this.unused = createPacketBatch(batchSize);
    // Connection IDs mean nothing here: the request came over TCP.
    this.forwarder = new UdpRequestHandler(clock, router, log, false);
  }

  /** Takes the next rx slot; its metadata carries the request id (as the "port") and the client. */
  private slot(family: 4 | 6, ip16: Uint8Array | null): { at: number; id: number } {
    if (this.filled === this.rx.slots) this.flush();
    // Requests are stamped with the swarm clock (for REPLY_TIMEOUT): keep it current.
    this.clock.tick();
    const slot = this.filled++;
    const id = this.nextId;
    this.nextId = this.nextId >= 0x7fff_fffe ? 1 : this.nextId + 1;
    const m = slot * META_INTS;
    this.rx.meta32[m + META_PORT / 4] = id;
    this.rx.meta32[m + META_FAMILY / 4] = family;
    if (ip16 !== null) this.rx.meta.set(ip16, slot * META_STRIDE + META_ADDRESS);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
    return { at: slot * SLOT_SIZE, id };
  }

  private setLength(at: number, length: number): void {
    this.rx.meta32[(at / SLOT_SIZE) * META_INTS + META_LENGTH / 4] = length;
  }

  announce(_handler: HttpRequestHandler, query: HttpAnnounce, peer: AnnouncePeer, want: number, keepAlive: boolean, later: DeferredReply): null {
    const ipv6 = peer.ipv4 < 0;
    const { at, id } = this.slot(ipv6 ? 6 : 4, peer.ip16);
    const length = writeAnnounceRequest(this.rx.data, this.rx.dataView, at, {
      connectionIdHigh: 0,
      connectionIdLow: 0,
      transactionId: id,
      infoHash: query.infoHash,
      peerId: query.peerId,
      downloaded: query.downloaded,
      left: query.left,
      uploaded: query.uploaded,
      event: query.event,
      key: 0,
      // BEP 15 has no "no peers" (numwant <= 0 asks for the default): ask for one and drop it.
      numWant: want === 0 ? 1 : want,
      port: query.port,
    });
    this.setLength(at, length);
    this.pending.set(id, { later, keepAlive, since: this.clock.now, ipv6, compact: query.compact, noPeers: want === 0, hashes: null, count: 0 });
    return null;
  }

  scrape(_handler: HttpRequestHandler, query: HttpScrape, keepAlive: boolean, later: DeferredReply): null {
    const count = Math.min(query.count, MAX_SHARDED_SCRAPE);
    const { at, id } = this.slot(4, null);
    const length = writeScrapeRequest(this.rx.data, this.rx.dataView, at, 0, 0, id, []);
    this.rx.data.set(query.infoHashes.subarray(0, count * INFO_HASH_SIZE), at + length);
    this.setLength(at, length + count * INFO_HASH_SIZE);
    const hashes = query.infoHashes.slice(0, count * INFO_HASH_SIZE);
    this.pending.set(id, { later, keepAlive, since: this.clock.now, ipv6: false, compact: true, noPeers: false, hashes, count });
    return null;
  }

  fullScrape(handler: HttpRequestHandler, keepAlive: boolean, later: DeferredReply): null {
    void this.allTorrents().then((torrents) => later.send(torrents === null ? handler.failure(BUSY, keepAlive) : handler.respondFullScrape(torrents, keepAlive)));
    return null;
  }

  /** Hands this turn's requests to the shards (one ring publish and doorbell per shard). */
  private readonly flush = (): void => {
    this.flushScheduled = false;
    const n = this.filled;
    this.filled = 0;
    if (n > 0) this.forwarder.handleBatch(this.rx, n, this.unused);
  };

  /** Answers the HTTP requests whose shard replies arrived; call when the doorbell rings. */
  collect(handler: HttpRequestHandler): void {
    this.clock.tick();
    for (let n = this.router.collect(this.replies); n > 0; n = n === this.replies.slots ? this.router.collect(this.replies) : 0) {
      for (let j = 0; j < n; j++) this.answer(handler, j);
    }
    this.expire(handler);
  }

  private answer(handler: HttpRequestHandler, j: number): void {
    const meta = this.replies.meta32;
    const id = meta[j * META_INTS + META_PORT / 4]!;
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    this.pending.delete(id);
    const view = this.replies.dataView;
    const at = j * SLOT_SIZE;
    const length = meta[j * META_INTS + META_LENGTH / 4]!;
    const action = view.getUint32(at);
    let response: Uint8Array;
    if (action === 1 && pending.hashes === null) {
      // BEP 15 announce reply: interval, leechers, seeders, then compact peers.
      const peerSize = pending.ipv6 ? PEER_SIZE_V6 : PEER_SIZE_V4;
      const peerBytes = pending.noPeers ? 0 : length - 20;
      handler.out.set(this.replies.data.subarray(at + 20, at + 20 + peerBytes), handler.peersAt(pending.ipv6));
      response = handler.respondAnnounce(pending.compact, pending.ipv6, view.getUint32(at + 16), view.getUint32(at + 12), peerBytes / peerSize, pending.keepAlive);
    } else if (action === 2 && pending.hashes !== null) {
      // BEP 15 scrape reply: seeders, completed, leechers per hash, in request order.
      const stats = this.stats;
      for (let k = 0; k < pending.count; k++) {
        const entry = at + 8 + k * 12;
        stats[k * SCRAPE_STATS_STRIDE] = view.getUint32(entry);
        stats[k * SCRAPE_STATS_STRIDE + 1] = view.getUint32(entry + 4);
        stats[k * SCRAPE_STATS_STRIDE + 2] = view.getUint32(entry + 8);
      }
      response = handler.respondScrape(pending.hashes, pending.count, stats, pending.keepAlive);
    } else {
      response = handler.failure(BUSY, pending.keepAlive);
    }
    pending.later.send(response);
  }

  /** Requests a shard dropped (its ring was full) get a failure rather than silence. */
  private expire(handler: HttpRequestHandler): void {
    const now = this.clock.now;
    for (const [id, pending] of this.pending) {
      if (now - pending.since <= REPLY_TIMEOUT) break; // insertion order is age order
      this.pending.delete(id);
      pending.later.send(handler.failure(BUSY, pending.keepAlive));
    }
  }
}
