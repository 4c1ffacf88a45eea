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
import type { HttpRequest } from '../../transport/http/server.js';
import { parseIpv4, writeIpAs16 } from '../../util/ip.js';
import { type ClientAddressPolicy, clientAddress } from './client-address.js';
import { AccessList } from '../../access/access-list.js';

export interface HttpProtocolOptions {
  readonly announceInterval: number;
  /** 0: no `min interval`. */
  readonly minAnnounceInterval: number;
  readonly maxPeers: number;
  readonly maxScrapeTorrents: number;
  readonly maxPeerAge: number;
}

export class HttpRequestCounters {
  announce = 0;
  scrape = 0;
  /** Bencoded failure replies (bad queries, proxy header problems). */
  failures = 0;
  notFound = 0;
}

const FORBIDDEN = 'Info hash not allowed';
const LANDING = 'aquatic_http: a BitTorrent tracker. Announce at /announce, scrape at /scrape.\n';
const EMPTY = new Uint8Array(0);
/** Where bodies start in the reply buffer: the head is written right before them. */
const BODY_AT = RESPONSE_HEAD_MAX;

export class HttpRequestHandler {
  readonly counters = new HttpRequestCounters();
  private readonly routes = createHttpRoutes();
  private readonly target = createHttpTarget();
  private readonly announceQuery = createHttpAnnounce();
  private readonly scrapeQuery: ReturnType<typeof createHttpScrape>;
  private readonly reply = createCompactAnnounceReply();
  private readonly result: AnnounceResult = { peers: 0, seeders: 0, leechers: 0 };
  private readonly counts: ScrapeCounts = { seeders: 0, leechers: 0, downloaded: 0 };
  private readonly stats: Float64Array;
  private readonly address16 = new Uint8Array(16);
  private readonly out: Buffer;
  private readonly landing: Record<'open' | 'close', Buffer>;

  constructor(
    private readonly store: TorrentStore,
    private readonly options: HttpProtocolOptions,
    private readonly proxy: ClientAddressPolicy,
    /** Seconds on the swarm clock (peer expiry). */
    private readonly now: () => number,
    private readonly access: { readonly current: AccessList } = { current: AccessList.OFF },
  ) {
    this.scrapeQuery = createHttpScrape(options.maxScrapeTorrents);
    this.stats = new Float64Array(options.maxScrapeTorrents * SCRAPE_STATS_STRIDE);
    const bodyMax = Math.max(
      ANNOUNCE_BODY_OVERHEAD_MAX + PEERS6_HEAD_MAX + options.maxPeers * PEER_SIZE_V6,
      ANNOUNCE_BODY_OVERHEAD_MAX + options.maxPeers * LISTED_PEER_MAX,
      scrapeResponseMaxLength(options.maxScrapeTorrents),
      FAILURE_OVERHEAD_MAX + 256,
    );
    this.out = Buffer.alloc(BODY_AT + bodyMax);
    this.landing = { open: plainResponseWith(LANDING, true), close: plainResponseWith(LANDING, false) };
  }

  /** An HttpHandler. */
  readonly handle = (request: HttpRequest): Uint8Array => {
    const bytes = request.bytes;
    const target = this.target;
    const route = routeTarget(bytes, request.targetStart, request.targetEnd, this.routes, target);
    if (route === HttpRoute.ANNOUNCE) return this.announce(request);
    if (route === HttpRoute.SCRAPE) return this.scrape(request);
    if (target.pathEnd - target.pathStart === 1 && bytes[target.pathStart] === 0x2f) {
      return request.keepAlive ? this.landing.open : this.landing.close;
    }
    this.counters.notFound++;
    return CannedResponse.NOT_FOUND;
  };

  private announce(request: HttpRequest): Uint8Array {
    const query = this.announceQuery;
    const problem = readAnnounceQuery(request.bytes, this.target.queryStart, this.target.queryEnd, query);
    if (problem !== null) return this.failure(problem, request.keepAlive);
    if (!this.access.current.allows(query.idsView, INFO_HASH_AT)) return this.failure(FORBIDDEN, request.keepAlive);
    const ip = clientAddress(this.proxy, request.remoteAddress, request.forwarded);
    if (typeof ip !== 'string') return this.failure(ip.error, request.keepAlive);
    this.counters.announce++;
    const options = this.options;
    const want = query.numWant < 0 || query.numWant > options.maxPeers ? options.maxPeers : query.numWant;
    const validUntil = this.now() + options.maxPeerAge;
    const out = this.out;
    const reply = this.reply;
    const result = this.result;
    const store = this.store;
    const v4 = parseIpv4(ip);
    let peersAt: number;
    let peerSize: number;
    if (v4 >= 0) {
      peersAt = BODY_AT + ANNOUNCE_BODY_HEAD_MAX;
      peerSize = PEER_SIZE_V4;
      const peer = ipv4PeerKey(v4, query.port);
      store.announce(store.ipv4, query.idsView, INFO_HASH_AT, peer, query.left, query.event, validUntil, want, out, peersAt, result);
      reply.peers = out;
      reply.peersStart = peersAt;
      reply.peersLength = result.peers * PEER_SIZE_V4;
      reply.peers6 = null;
    } else {
      // BEP 7: IPv6 peers go in `peers6`; `peers` stays, empty, for clients that expect it.
      peersAt = BODY_AT + ANNOUNCE_BODY_HEAD_MAX + PEERS6_HEAD_MAX;
      peerSize = PEER_SIZE_V6;
      writeIpAs16(ip, this.address16, 0);
      const peer = ipv6PeerKey(this.address16, 0, query.port);
      store.announce(store.ipv6, query.idsView, INFO_HASH_AT, peer, query.left, query.event, validUntil, want, out, peersAt, result);
      reply.peers = EMPTY;
      reply.peersStart = 0;
      reply.peersLength = 0;
      reply.peers6 = out;
      reply.peers6Start = peersAt;
      reply.peers6Length = result.peers * PEER_SIZE_V6;
    }
    reply.interval = options.announceInterval;
    reply.minInterval = options.minAnnounceInterval;
    reply.complete = result.seeders;
    reply.incomplete = result.leechers;
    let length: number;
    if (query.compact) {
      length = writeAnnounceResponse(out, BODY_AT, reply);
    } else {
      // BEP 23 makes compact advisory, but old clients ask for dicts; the swarm keeps no
      // peer ids, so the dicts carry ip and port only (as with no_peer_id).
      const peers = listedPeersFromCompact(out, peersAt, result.peers * peerSize, peerSize);
      length = writeAnnounceListResponse(out, BODY_AT, reply, peers, false);
    }
    return this.framed(length, request.keepAlive);
  }

  private scrape(request: HttpRequest): Uint8Array {
    const query = this.scrapeQuery;
    const problem = readScrapeQuery(request.bytes, this.target.queryStart, this.target.queryEnd, query);
    if (problem !== null) return this.failure(problem, request.keepAlive);
    this.counters.scrape++;
    const stats = this.stats;
    const counts = this.counts;
    for (let i = 0; i < query.count; i++) {
      this.store.scrape(query.infoHashesView, i * INFO_HASH_SIZE, counts);
      stats[i * SCRAPE_STATS_STRIDE] = counts.seeders;
      stats[i * SCRAPE_STATS_STRIDE + 1] = counts.downloaded;
      stats[i * SCRAPE_STATS_STRIDE + 2] = counts.leechers;
    }
    return this.framed(writeScrapeResponse(this.out, BODY_AT, query.infoHashes, query.count, stats), request.keepAlive);
  }

  private failure(reason: string, keepAlive: boolean): Uint8Array {
    this.counters.failures++;
    return this.framed(writeFailure(this.out, BODY_AT, reason), keepAlive);
  }

  private framed(bodyLength: number, keepAlive: boolean): Uint8Array {
    const headAt = writeResponseHeadBefore(this.out, BODY_AT, bodyLength, keepAlive);
    return this.out.subarray(headAt, BODY_AT + bodyLength);
  }
}

function plainResponseWith(text: string, keepAlive: boolean): Buffer {
  return Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n${keepAlive ? '' : 'Connection: close\r\n'}\r\n${text}`);
}
