// The UDP tracker's request logic for one batch: read each datagram, check its connection
// ID, answer connects and errors, and hand announces and scrapes to a swarm backend (the
// swarms of this thread, or the shard workers that own them). Both transports drive it
// the same way, one call per batch.
import { AccessList } from '../../access/access-list.js';
import { ReadStatus, RequestError, createUdpRequest, readRequest, type UdpRequest } from '../../protocol/udp/request.js';
import { INFO_HASH_SIZE } from '../../protocol/udp/constants.js';
import { writeConnectResponse, writeErrorResponse } from '../../protocol/udp/response.js';
import {
  META_ADDRESS,
  META_FAMILY,
  META_LENGTH,
  META_PORT,
  META_REPLY_TO,
  META_STRIDE,
  SLOT_SIZE,
  type PacketBatch,
} from '../../transport/udp/batch.js';
import { formatIp16 } from '../../util/ip.js';
import type { Logger } from '../../util/log.js';
import type { PeerClientCounts } from '../../metrics/peer-clients.js';
import { type AnnounceParams, type HookRunner, type ScrapeParams, announceEventName, hex20 } from '../hooks.js';
import type { ConnectionIdValidator } from './connection-id.js';

/** Counts of what the handler saw; read by statistics and metrics. */
export class UdpRequestCounters {
  connect = 0;
  announce = 0;
  scrape = 0;
  /** Error replies sent (port 0, full scrape, malformed but identifiable requests). */
  errors = 0;
  /** Datagrams dropped without a reply: unidentifiable, truncated or from port 0. */
  invalid = 0;
  /** Requests dropped because their connection ID was not one we issued to that address. */
  badConnectionId = 0;
  /** Replies by address family. */
  responsesIpv4 = 0;
  responsesIpv6 = 0;
  /** Announces refused by the access list or the embedder's filter. */
  forbidden = 0;
  /** Exceptions caught per datagram (a bug, never expected). */
  internalErrors = 0;
}

/**
 * Where announces and scrapes go. Each method gets the request read from rx slot i and
 * returns the size of the reply it wrote into tx at `out`, or 0 when the reply comes later
 * (from another thread) or never.
 */
export interface SwarmBackend {
  announce(rx: PacketBatch, i: number, request: UdpRequest, tx: PacketBatch, out: number): number;
  scrape(rx: PacketBatch, i: number, request: UdpRequest, tx: PacketBatch, out: number): number;
  /** Called after each batch (e.g. to publish forwarded requests at once). */
  endBatch(): void;
}

const META_INTS = META_STRIDE / 4;

export class UdpRequestHandler {
  readonly counters = new UdpRequestCounters();
  private readonly request: UdpRequest = createUdpRequest();

  /**
   * @param verifyConnectionIds false only where another thread has already checked them
   *   (shard workers behind socket workers).
   */
  constructor(
    private readonly validator: ConnectionIdValidator,
    private readonly swarms: SwarmBackend,
    private readonly log: Logger,
    private readonly verifyConnectionIds = true,
    /** Checked on announces; absent where another thread checked (shard workers). */
    private readonly access: { readonly current: AccessList } = { current: AccessList.OFF },
    /** [metrics] peer_clients; null when off (and in shard workers, behind the counting socket workers). */
    private readonly peerClients: PeerClientCounts | null = null,
    /** The embedder's hooks (single-thread tracker only); null costs one test per announce or scrape. */
    private readonly hooks: HookRunner | null = null,
  ) {}

  /** A BatchHandler: replies to rx slots [0, count) go into tx slots; returns their number. */
  readonly handleBatch = (rx: PacketBatch, count: number, tx: PacketBatch): number => {
    this.validator.tick();
    const rxMeta = rx.meta32;
    let replies = 0;
    for (let i = 0; i < count; i++) {
      const m = i * META_INTS;
      const length = rxMeta[m + META_LENGTH / 4]!;
      // Truncated datagrams are garbage; source port 0 cannot be answered.
      if (length < 0 || rxMeta[m + META_PORT / 4] === 0) {
        this.counters.invalid++;
        continue;
      }
      let size: number;
      try {
        size = this.handleOne(rx, i, length, tx, replies);
      } catch (error) {
        this.counters.internalErrors++;
        this.log.error(`request handler failed: ${(error as Error).stack ?? String(error)}`);
        continue;
      }
      if (size === 0) continue;
      addressReply(rx, i, tx, replies, size);
      if (rxMeta[m + META_FAMILY / 4] === 4) this.counters.responsesIpv4++;
      else this.counters.responsesIpv6++;
      replies++;
    }
    this.swarms.endBatch();
    return replies;
  };

  /** Counts replies made elsewhere (by the shard workers) that this thread sends: tx slots [0, count). */
  countReplies(tx: PacketBatch, count: number): void {
    for (let j = 0; j < count; j++) {
      if (tx.meta32[j * META_INTS + META_FAMILY / 4] === 4) this.counters.responsesIpv4++;
      else this.counters.responsesIpv6++;
    }
  }

  /** Handles rx slot i; writes the reply into tx slot `slot` and returns its size (0: none now). */
  private handleOne(rx: PacketBatch, i: number, length: number, tx: PacketBatch, slot: number): number {
    const request = this.request;
    const status = readRequest(rx.dataView, i * SLOT_SIZE, length, request);
    const addressAt = i * META_STRIDE + META_ADDRESS;
    const out = slot * SLOT_SIZE;
    if (status === ReadStatus.CONNECT) {
      this.counters.connect++;
      this.validator.create(rx.meta, addressAt);
      return writeConnectResponse(tx.dataView, out, request.transactionId, this.validator.high, this.validator.low);
    }
    if (status === ReadStatus.DROP) {
      this.counters.invalid++;
      return 0;
    }
    // Everything but connect must carry an ID we issued to this address; otherwise
    // silence, so a spoofed source gets nothing from us.
    if (this.verifyConnectionIds && !this.validator.isValid(request.connectionIdHigh, request.connectionIdLow, rx.meta, addressAt)) {
      this.counters.badConnectionId++;
      return 0;
    }
    if (status === ReadStatus.ANNOUNCE) {
      if (!this.access.current.allows(rx.dataView, request.infoHashOffset)) {
        this.counters.forbidden++;
        return writeErrorResponse(tx.data, tx.dataView, out, request.transactionId, RequestError.FORBIDDEN);
      }
      const hooks = this.hooks;
      const params = hooks !== null && hooks.announces ? announceParams(rx, i, request) : null;
      if (params !== null && hooks !== null) {
        const refusal = hooks.refusal(params);
        if (refusal !== null) {
          this.counters.forbidden++;
          return writeErrorResponse(tx.data, tx.dataView, out, request.transactionId, refusal);
        }
      }
      this.counters.announce++;
      if (this.peerClients !== null) this.peerClients.count(rx.data, request.peerIdOffset);
      const size = this.swarms.announce(rx, i, request, tx, out);
      if (params !== null && hooks !== null) hooks.announced(params);
      return size;
    }
    if (status === ReadStatus.SCRAPE) {
      this.counters.scrape++;
      const size = this.swarms.scrape(rx, i, request, tx, out);
      if (this.hooks !== null && this.hooks.scrapes) this.hooks.scraped(scrapeParams(rx, i, request));
      return size;
    }
    this.counters.errors++;
    return writeErrorResponse(tx.data, tx.dataView, out, request.transactionId, request.error);
  }
}

function announceParams(rx: PacketBatch, i: number, request: UdpRequest): AnnounceParams {
  return {
    protocol: 'udp',
    infoHash: hex20(rx.data, request.infoHashOffset),
    peerId: hex20(rx.data, request.peerIdOffset),
    ip: formatIp16(rx.meta, i * META_STRIDE + META_ADDRESS),
    port: request.port,
    event: announceEventName(request.event),
    seeder: request.left === 0,
    numwant: request.numWant,
    uploaded: request.uploaded,
    downloaded: request.downloaded,
    left: request.left,
  };
}

function scrapeParams(rx: PacketBatch, i: number, request: UdpRequest): ScrapeParams {
  const infoHashes = new Array<string>(request.scrapeCount);
  for (let n = 0; n < request.scrapeCount; n++) infoHashes[n] = hex20(rx.data, request.infoHashOffset + n * INFO_HASH_SIZE);
  return { protocol: 'udp', ip: formatIp16(rx.meta, i * META_STRIDE + META_ADDRESS), infoHashes };
}

/** Sets tx slot j's metadata to answer rx slot i: its length, and rx slot i's source. */
export function addressReply(rx: PacketBatch, i: number, tx: PacketBatch, j: number, size: number): void {
  copyAddress(rx.meta32, i * META_INTS, tx.meta32, j * META_INTS);
  tx.meta32[j * META_INTS + META_LENGTH / 4] = size;
  tx.meta32[j * META_INTS + META_REPLY_TO / 4] = i;
}

/** Copies port, family and address (metadata ints 1, 2, 4..7) between metadata arrays. */
export function copyAddress(from: Int32Array, f: number, to: Int32Array, t: number): void {
  to[t + META_PORT / 4] = from[f + META_PORT / 4]!;
  to[t + META_FAMILY / 4] = from[f + META_FAMILY / 4]!;
  const a = META_ADDRESS / 4;
  to[t + a] = from[f + a]!;
  to[t + a + 1] = from[f + a + 1]!;
  to[t + a + 2] = from[f + a + 2]!;
  to[t + a + 3] = from[f + a + 3]!;
}
