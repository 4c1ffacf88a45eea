// The UDP tracker's request logic for one batch: read each datagram, check its connection
// ID, apply it to the swarms, and write the reply into a transmit slot. Both transports
// (native batched I/O and node:dgram) drive it the same way, one call per batch.
import {
  ANNOUNCE_RESPONSE_HEADER_SIZE,
  INFO_HASH_SIZE,
  MAX_PEERS_V6,
  PEER_SIZE_V4,
  PEER_SIZE_V6,
  SCRAPE_RESPONSE_ENTRY_SIZE,
  SCRAPE_RESPONSE_HEADER_SIZE,
} from '../../protocol/udp/constants.js';
import { ReadStatus, createUdpRequest, readRequest, type UdpRequest } from '../../protocol/udp/request.js';
import {
  writeAnnounceResponseHeader,
  writeConnectResponse,
  writeErrorResponse,
  writeScrapeResponseEntry,
  writeScrapeResponseHeader,
} from '../../protocol/udp/response.js';
import { ipv4PeerKey, ipv6PeerKey } from '../../swarm/peer-format.js';
import type { AnnounceResult, ScrapeCounts, TorrentStore } from '../../swarm/torrents.js';
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
import type { Logger } from '../../util/log.js';
import type { ConnectionIdValidator } from './connection-id.js';

export interface UdpProtocolOptions {
  readonly maxResponsePeers: number;
  readonly maxScrapeTorrents: number;
  readonly announceInterval: number;
  readonly maxPeerAge: number;
}

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
  /** Exceptions caught per datagram (a bug, never expected). */
  internalErrors = 0;
}

const META_INTS = META_STRIDE / 4;

export class UdpRequestHandler {
  readonly counters = new UdpRequestCounters();
  private readonly request: UdpRequest = createUdpRequest();
  private readonly announceResult: AnnounceResult = { peers: 0, seeders: 0, leechers: 0 };
  private readonly scrapeCounts: ScrapeCounts = { seeders: 0, leechers: 0, downloaded: 0 };
  private readonly maxPeersV6: number;

  constructor(
    private readonly store: TorrentStore,
    private readonly validator: ConnectionIdValidator,
    private readonly options: UdpProtocolOptions,
    private readonly log: Logger,
  ) {
    this.maxPeersV6 = Math.min(options.maxResponsePeers, MAX_PEERS_V6);
  }

  /** A BatchHandler: replies to rx slots [0, count) go into tx slots; returns their number. */
  readonly handleBatch = (rx: PacketBatch, count: number, tx: PacketBatch): number => {
    this.validator.tick();
    const rxMeta = rx.meta32;
    const txMeta = tx.meta32;
    let replies = 0;
    for (let i = 0; i < count; i++) {
      const m = i * META_INTS;
      const length = rxMeta[m + META_LENGTH / 4]!;
      const port = rxMeta[m + META_PORT / 4]!;
      // Truncated datagrams are garbage; source port 0 cannot be answered.
      if (length < 0 || port === 0) {
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
      const t = replies * META_INTS;
      txMeta[t + META_LENGTH / 4] = size;
      txMeta[t + META_PORT / 4] = port;
      txMeta[t + META_FAMILY / 4] = rxMeta[m + META_FAMILY / 4]!;
      txMeta[t + META_REPLY_TO / 4] = i;
      const a = META_ADDRESS / 4;
      txMeta[t + a] = rxMeta[m + a]!;
      txMeta[t + a + 1] = rxMeta[m + a + 1]!;
      txMeta[t + a + 2] = rxMeta[m + a + 2]!;
      txMeta[t + a + 3] = rxMeta[m + a + 3]!;
      if (rxMeta[m + META_FAMILY / 4] === 4) this.counters.responsesIpv4++;
      else this.counters.responsesIpv6++;
      replies++;
    }
    return replies;
  };

  /** Handles rx slot i; writes the reply into tx slot `slot` and returns its size (0: none). */
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
    if (!this.validator.isValid(request.connectionIdHigh, request.connectionIdLow, rx.meta, addressAt)) {
      this.counters.badConnectionId++;
      return 0;
    }
    if (status === ReadStatus.ANNOUNCE) {
      this.counters.announce++;
      return this.announce(rx, i, tx, out);
    }
    if (status === ReadStatus.SCRAPE) {
      this.counters.scrape++;
      return this.scrape(rx, tx, out);
    }
    this.counters.errors++;
    return writeErrorResponse(tx.data, tx.dataView, out, request.transactionId, request.error);
  }

  private announce(rx: PacketBatch, i: number, tx: PacketBatch, out: number): number {
    const request = this.request;
    const options = this.options;
    const validUntil = this.validator.now + options.maxPeerAge;
    const result = this.announceResult;
    const peersAt = out + ANNOUNCE_RESPONSE_HEADER_SIZE;
    let peerSize: number;
    // BEP 15: the reply's peer format follows the datagram's address family.
    if (rx.meta32[i * META_INTS + META_FAMILY / 4] === 4) {
      const ip = rx.metaView.getUint32(i * META_STRIDE + META_ADDRESS + 12);
      const want = wanted(request.numWant, options.maxResponsePeers);
      this.store.announce(this.store.ipv4, rx.dataView, request.infoHashOffset, ipv4PeerKey(ip, request.port), request.left, request.event, validUntil, want, tx.data, peersAt, result);
      peerSize = PEER_SIZE_V4;
    } else {
      const peer = ipv6PeerKey(rx.meta, i * META_STRIDE + META_ADDRESS, request.port);
      const want = wanted(request.numWant, this.maxPeersV6);
      this.store.announce(this.store.ipv6, rx.dataView, request.infoHashOffset, peer, request.left, request.event, validUntil, want, tx.data, peersAt, result);
      peerSize = PEER_SIZE_V6;
    }
    writeAnnounceResponseHeader(tx.dataView, out, request.transactionId, options.announceInterval, result.leechers, result.seeders);
    return ANNOUNCE_RESPONSE_HEADER_SIZE + result.peers * peerSize;
  }

  private scrape(rx: PacketBatch, tx: PacketBatch, out: number): number {
    const request = this.request;
    // Beyond the cap hashes are ignored rather than refused, as aquatic does.
    const count = Math.min(request.scrapeCount, this.options.maxScrapeTorrents);
    const counts = this.scrapeCounts;
    let at = out + writeScrapeResponseHeader(tx.dataView, out, request.transactionId);
    for (let k = 0, hashAt = request.infoHashOffset; k < count; k++, hashAt += INFO_HASH_SIZE) {
      this.store.scrape(rx.dataView, hashAt, counts);
      at += writeScrapeResponseEntry(tx.dataView, at, counts.seeders, counts.downloaded, counts.leechers);
    }
    return SCRAPE_RESPONSE_HEADER_SIZE + count * SCRAPE_RESPONSE_ENTRY_SIZE;
  }
}

/** BEP 15 numwant: -1 (or any value <= 0) asks for the default; never more than the cap. */
function wanted(numWant: number, cap: number): number {
  return numWant <= 0 || numWant > cap ? cap : numWant;
}
