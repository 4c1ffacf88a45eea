// The HTTP tracker's request logic: route the target, read the announce or scrape query
// from its bytes, apply it to the swarms and write the whole response (head and bencoded
// body) into one reused buffer. Query problems are bencoded failures with status 200,
// which clients read (BEP 3); only non-tracker paths get a 404.
import {
  ANNOUNCE_BODY_HEAD_MAX,
  ANNOUNCE_BODY_OVERHEAD_MAX,
  CannedResponse,
  FAILURE_OVERHEAD_MAX,
  LISTED_PEER_MAX,
  PEERS6_HEAD_MAX,
  RESPONSE_HEAD_MAX,
  SCRAPE_STATS_STRIDE,
  createCompactAnnounceReply,
  listedPeersFromCompact,
  scrapeResponseMaxLength,
  writeAnnounceListResponse,
  writeAnnounceResponse,
  writeFailure,
  writeResponseHeadBefore,
  writeScrapeResponse,
} from '../../protocol/http/response.js';
import {
  HttpRoute,
  INFO_HASH_AT,
  QueryError,
  type HttpAnnounce,
  type HttpScrape,
  createHttpAnnounce,
  createHttpRoutes,
  createHttpScrape,
  createHttpTarget,
  readAnnounceQuery,
  readScrapeQuery,
  routeTarget,
} from '../../protocol/http/query.js';
import { INFO_HASH_SIZE, PEER_SIZE_V4, PEER_SIZE_V6 } from '../../protocol/http/constants.js';
import { ipv4PeerKey, ipv6PeerKey } from '../../swarm/peer-format.js';
import type { AnnounceResult, ScrapeCounts, TorrentStore } from '../../swarm/torrents.js';
import type { DeferredReply, HttpRequest, HttpServer } from '../../transport/http/server.js';
import { parseIpv4, writeIpAs16 } from '../../util/ip.js';
import { type ClientAddressPolicy, clientAddress } from './client-address.js';
import { AccessList } from '../../access/access-list.js';
import { jitteredInterval } from '../../swarm/interval.js';
import type { PeerClientCounts } from '../../metrics/peer-clients.js';
import { STATS_STRIDE, type TorrentStats, sortedByInfoHash } from '../../swarm/snapshot.js';
import { type AnnounceParams, FORBIDDEN_REASON, type HookRunner, announceEventName, hex20 } from '../hooks.js';

export interface HttpProtocolOptions {
  readonly announceInterval: number;
  /** Seconds of random extra per reply (0: none). */
  readonly intervalJitter: number;
  /** 0: no `min interval`. */
  readonly minAnnounceInterval: number;
  readonly maxPeers: number;
  readonly maxScrapeTorrents: number;
  /** Answer a scrape without info_hash with every torrent. */
  readonly allowFullScrape: boolean;
}

export class HttpRequestCounters {
  announce = 0;
  scrape = 0;
  /** Bencoded failure replies (bad queries, proxy header problems). */
  failures = 0;
  notFound = 0;
}

const LANDING = 'aquatic_http: a BitTorrent tracker. Announce at /announce, scrape at /scrape.\n';
const EMPTY = new Uint8Array(0);
/** Where bodies start in the reply buffer: the head is written right before them. */
const BODY_AT = RESPONSE_HEAD_MAX;

/** The client of an announce: IPv4 as a u32 (and IPv4-mapped in `ip16`), else IPv6 in `ip16`. */
export interface AnnouncePeer {
  ipv4: number;
  readonly ip16: Uint8Array;
}

/**
 * Where announces and scrapes are applied: the swarms of this thread, or shard threads.
 * Each answers now (the response bytes, from the handler's respond* methods) or returns
 * null and answers through `later`.
 */
export interface HttpSwarms {
  announce(handler: HttpRequestHandler, query: HttpAnnounce, peer: AnnouncePeer, want: number, keepAlive: boolean, later: DeferredReply): Uint8Array | null;
  scrape(handler: HttpRequestHandler, query: HttpScrape, keepAlive: boolean, later: DeferredReply): Uint8Array | null;
  /** Every torrent (with [protocol] allow_full_scrape). */
  fullScrape(handler: HttpRequestHandler, keepAlive: boolean, later: DeferredReply): Uint8Array | null;
}

export class HttpRequestHandler {
  readonly counters = new HttpRequestCounters();
  /** Where responses are written; peers go at peersAt() before respondAnnounce. */
  readonly out: Buffer;
  private readonly routes = createHttpRoutes();
  private readonly target = createHttpTarget();
  private readonly announceQuery = createHttpAnnounce();
  private readonly scrapeQuery: HttpScrape;
  private readonly reply = createCompactAnnounceReply();
  private readonly peer: AnnouncePeer = { ipv4: -1, ip16: new Uint8Array(16) };
  private readonly landing: Record<'open' | 'close', Buffer>;
  private readonly interval: () => number;

  constructor(
    private readonly swarms: HttpSwarms,
    private readonly options: HttpProtocolOptions,
    private readonly proxy: ClientAddressPolicy,
    private readonly access: { readonly current: AccessList } = { current: AccessList.OFF },
    /** [metrics] peer_clients; null when off. */
    private readonly peerClients: PeerClientCounts | null = null,
    /** The embedder's hooks (single-thread tracker only); null costs one test per announce or scrape. */
    private readonly hooks: HookRunner | null = null,
  ) {
    this.scrapeQuery = createHttpScrape(options.maxScrapeTorrents);
    const bodyMax = Math.max(
      ANNOUNCE_BODY_OVERHEAD_MAX + PEERS6_HEAD_MAX + options.maxPeers * PEER_SIZE_V6,
      ANNOUNCE_BODY_OVERHEAD_MAX + options.maxPeers * LISTED_PEER_MAX,
      scrapeResponseMaxLength(options.maxScrapeTorrents),
      FAILURE_OVERHEAD_MAX + 256,
    );
    this.out = Buffer.alloc(BODY_AT + bodyMax);
    this.landing = { open: plainResponseWith(LANDING, true), close: plainResponseWith(LANDING, false) };
    this.interval = jitteredInterval(options.announceInterval, options.intervalJitter);
  }

  /** An HttpHandler. */
  readonly handle = (request: HttpRequest, later: DeferredReply): Uint8Array | null => {
    const bytes = request.bytes;
    const target = this.target;
    const route = routeTarget(bytes, request.targetStart, request.targetEnd, this.routes, target);
    if (route === HttpRoute.ANNOUNCE) return this.announce(request, later);
    if (route === HttpRoute.SCRAPE) return this.scrape(request, later);
    if (target.pathEnd - target.pathStart === 1 && bytes[target.pathStart] === 0x2f) {
      return request.keepAlive ? this.landing.open : this.landing.close;
    }
    this.counters.notFound++;
    return CannedResponse.NOT_FOUND;
  };

  private announce(request: HttpRequest, later: DeferredReply): Uint8Array | null {
    const query = this.announceQuery;
    const problem = readAnnounceQuery(request.bytes, this.target.queryStart, this.target.queryEnd, query);
    if (problem !== null) return this.failure(problem, request.keepAlive);
    if (!this.access.current.allows(query.idsView, INFO_HASH_AT)) return this.failure(FORBIDDEN_REASON, request.keepAlive);
    const ip = clientAddress(this.proxy, request.remoteAddress, request.forwarded);
    if (typeof ip !== 'string') return this.failure(ip.error, request.keepAlive);
    const hooks = this.hooks;
    const params = hooks !== null && hooks.announces ? announceParams(query, ip) : null;
    if (params !== null && hooks !== null) {
      const refusal = hooks.refusal(params);
      if (refusal !== null) return this.failure(refusal, request.keepAlive);
    }
    this.counters.announce++;
    if (this.peerClients !== null) this.peerClients.count(query.peerId, 0);
    const peer = this.peer;
    peer.ipv4 = parseIpv4(ip);
    writeIpAs16(ip, peer.ip16, 0);
    const max = this.options.maxPeers;
    const want = query.numWant < 0 || query.numWant > max ? max : query.numWant;
    const reply = this.swarms.announce(this, query, peer, want, request.keepAlive, later);
    if (params !== null && hooks !== null) hooks.announced(params);
    return reply;
  }

  private scrape(request: HttpRequest, later: DeferredReply): Uint8Array | null {
    const query = this.scrapeQuery;
    const problem = readScrapeQuery(request.bytes, this.target.queryStart, this.target.queryEnd, query);
    if (problem === QueryError.FULL_SCRAPE && this.options.allowFullScrape) {
      this.counters.scrape++;
      return this.swarms.fullScrape(this, request.keepAlive, later);
    }
    if (problem !== null) return this.failure(problem, request.keepAlive);
    this.counters.scrape++;
    const reply = this.swarms.scrape(this, query, request.keepAlive, later);
    if (this.hooks !== null && this.hooks.scrapes) {
      const infoHashes = new Array<string>(query.count);
      for (let i = 0; i < query.count; i++) infoHashes[i] = hex20(query.infoHashes, i * INFO_HASH_SIZE);
      // Scrapes never needed the client's address; where the proxy header is wrong it is left empty.
      const ip = clientAddress(this.proxy, request.remoteAddress, request.forwarded);
      this.hooks.scraped({ protocol: 'http', ip: typeof ip === 'string' ? ip : '', infoHashes });
    }
    return reply;
  }

  /** Where the swarm writes compact peers for respondAnnounce (BEP 7: IPv6 ones in peers6). */
  peersAt(ipv6: boolean): number {
    return BODY_AT + ANNOUNCE_BODY_HEAD_MAX + (ipv6 ? PEERS6_HEAD_MAX : 0);
  }

  /** The announce response, with `peerCount` compact peers already at out[peersAt(ipv6)]. */
  respondAnnounce(compact: boolean, ipv6: boolean, seeders: number, leechers: number, peerCount: number, keepAlive: boolean): Uint8Array {
    const out = this.out;
    const reply = this.reply;
    const peersAt = this.peersAt(ipv6);
    const peerSize = ipv6 ? PEER_SIZE_V6 : PEER_SIZE_V4;
    if (ipv6) {
      // `peers` stays, empty, for clients that expect it.
      reply.peers = EMPTY;
      reply.peersStart = 0;
      reply.peersLength = 0;
      reply.peers6 = out;
      reply.peers6Start = peersAt;
      reply.peers6Length = peerCount * PEER_SIZE_V6;
    } else {
      reply.peers = out;
      reply.peersStart = peersAt;
      reply.peersLength = peerCount * PEER_SIZE_V4;
      reply.peers6 = null;
    }
    reply.interval = this.interval();
    reply.minInterval = this.options.minAnnounceInterval;
    reply.complete = seeders;
    reply.incomplete = leechers;
    let length: number;
    if (compact) {
      length = writeAnnounceResponse(out, BODY_AT, reply);
    } else {
      // BEP 23 makes compact advisory, but old clients ask for dicts; the swarm keeps no
      // peer ids, so the dicts carry ip and port only (as with no_peer_id).
      const peers = listedPeersFromCompact(out, peersAt, peerCount * peerSize, peerSize);
      length = writeAnnounceListResponse(out, BODY_AT, reply, peers, false);
    }
    return this.framed(length, keepAlive);
  }

  /** The scrape response: `stats` holds [complete, downloaded, incomplete] per hash. */
  respondScrape(hashes: Uint8Array, count: number, stats: ArrayLike<number>, keepAlive: boolean): Uint8Array {
    return this.framed(writeScrapeResponse(this.out, BODY_AT, hashes, count, stats), keepAlive);
  }

  /** A full scrape: every torrent, in a response of its own (it may be far larger than `out`). */
  respondFullScrape(torrents: TorrentStats, keepAlive: boolean): Uint8Array {
    const sorted = sortedByInfoHash(torrents);
    const count = sorted.stats.length / STATS_STRIDE;
    const stats = new Float64Array(count * SCRAPE_STATS_STRIDE);
    for (let t = 0; t < count; t++) {
      stats[t * SCRAPE_STATS_STRIDE] = sorted.stats[t * STATS_STRIDE]!;
      stats[t * SCRAPE_STATS_STRIDE + 1] = sorted.stats[t * STATS_STRIDE + 2]!;
      stats[t * SCRAPE_STATS_STRIDE + 2] = sorted.stats[t * STATS_STRIDE + 1]!;
    }
    const out = Buffer.allocUnsafe(BODY_AT + scrapeResponseMaxLength(count));
    const length = writeScrapeResponse(out, BODY_AT, sorted.hashes, count, stats);
    return out.subarray(writeResponseHeadBefore(out, BODY_AT, length, keepAlive), BODY_AT + length);
  }

  failure(reason: string, keepAlive: boolean): Uint8Array {
    this.counters.failures++;
    return this.framed(writeFailure(this.out, BODY_AT, reason), keepAlive);
  }

  private framed(bodyLength: number, keepAlive: boolean): Uint8Array {
    const headAt = writeResponseHeadBefore(this.out, BODY_AT, bodyLength, keepAlive);
    return this.out.subarray(headAt, BODY_AT + bodyLength);
  }
}

/** The swarms of this thread (single-threaded aquatic_http). */
export class LocalHttpSwarms implements HttpSwarms {
  private readonly result: AnnounceResult = { peers: 0, seeders: 0, leechers: 0 };
  private readonly counts: ScrapeCounts = { seeders: 0, leechers: 0, downloaded: 0 };
  private readonly stats: Float64Array;

  constructor(
    readonly store: TorrentStore,
    private readonly maxPeerAge: number,
    /** Seconds on the swarm clock (peer expiry). */
    private readonly now: () => number,
    maxScrapeTorrents: number,
  ) {
    this.stats = new Float64Array(maxScrapeTorrents * SCRAPE_STATS_STRIDE);
  }

  announce(handler: HttpRequestHandler, query: HttpAnnounce, peer: AnnouncePeer, want: number, keepAlive: boolean): Uint8Array {
    const store = this.store;
    const result = this.result;
    const validUntil = this.now() + this.maxPeerAge;
    const ipv6 = peer.ipv4 < 0;
    const at = handler.peersAt(ipv6);
    if (ipv6) {
      const key = ipv6PeerKey(peer.ip16, 0, query.port);
      store.announce(store.ipv6, query.idsView, INFO_HASH_AT, key, query.left, query.event, validUntil, want, handler.out, at, result);
    } else {
      const key = ipv4PeerKey(peer.ipv4, query.port);
      store.announce(store.ipv4, query.idsView, INFO_HASH_AT, key, query.left, query.event, validUntil, want, handler.out, at, result);
    }
    return handler.respondAnnounce(query.compact, ipv6, result.seeders, result.leechers, result.peers, keepAlive);
  }

  scrape(handler: HttpRequestHandler, query: HttpScrape, keepAlive: boolean): Uint8Array {
    const stats = this.stats;
    const counts = this.counts;
    for (let i = 0; i < query.count; i++) {
      this.store.scrape(query.infoHashesView, i * INFO_HASH_SIZE, counts);
      stats[i * SCRAPE_STATS_STRIDE] = counts.seeders;
      stats[i * SCRAPE_STATS_STRIDE + 1] = counts.downloaded;
      stats[i * SCRAPE_STATS_STRIDE + 2] = counts.leechers;
    }
    return handler.respondScrape(query.infoHashes, query.count, stats, keepAlive);
  }

  fullScrape(handler: HttpRequestHandler, keepAlive: boolean): Uint8Array {
    return handler.respondFullScrape(this.store.snapshot().torrents, keepAlive);
  }
}

function announceParams(query: HttpAnnounce, ip: string): AnnounceParams {
  return {
    protocol: 'http',
    infoHash: hex20(query.infoHash, 0),
    peerId: hex20(query.peerId, 0),
    ip,
    port: query.port,
    event: announceEventName(query.event),
    seeder: query.left === 0,
    numwant: query.numWant,
    uploaded: query.uploaded,
    downloaded: query.downloaded,
    left: query.left,
  };
}

function plainResponseWith(text: string, keepAlive: boolean): Buffer {
  return Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n${keepAlive ? '' : 'Connection: close\r\n'}\r\n${text}`);
}

/** The transport's numbers for statistics and metrics. */
export function httpServerValues(server: HttpServer): Readonly<Record<string, number>> {
  const c = server.counters;
  return { connections: server.connectionCount, connectionsAccepted: c.connections, rejected: c.rejected, timeouts: c.timeouts };
}
