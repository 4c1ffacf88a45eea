// The swarm backend that owns its torrents: answers announces and scrapes from a
// TorrentStore in this thread (the single-thread tracker, and each shard worker).
import {
  ANNOUNCE_RESPONSE_HEADER_SIZE,
  INFO_HASH_SIZE,
  MAX_PEERS_V6,
  PEER_SIZE_V4,
  PEER_SIZE_V6,
  SCRAPE_RESPONSE_ENTRY_SIZE,
  SCRAPE_RESPONSE_HEADER_SIZE,
} from '../../protocol/udp/constants.js';
import type { UdpRequest } from '../../protocol/udp/request.js';
import { writeAnnounceResponseHeader, writeScrapeResponseEntry, writeScrapeResponseHeader } from '../../protocol/udp/response.js';
import { ipv4PeerKey, ipv6PeerKey } from '../../swarm/peer-format.js';
import type { AnnounceResult, ScrapeCounts, TorrentStore } from '../../swarm/torrents.js';
import { META_ADDRESS, META_FAMILY, META_STRIDE, type PacketBatch } from '../../transport/udp/batch.js';
import type { UdpConfig } from '../../config/udp.js';
import type { ConnectionIdValidator } from './connection-id.js';
import type { SwarmBackend } from './handler.js';
import { jitteredInterval } from '../../swarm/interval.js';

export interface UdpProtocolOptions {
  readonly maxResponsePeers: number;
  readonly maxScrapeTorrents: number;
  readonly announceInterval: number;
  /** Seconds of random extra per reply (0: none). */
  readonly intervalJitter: number;
  readonly maxPeerAge: number;
}

export function protocolOptions(config: UdpConfig): UdpProtocolOptions {
  return {
    maxResponsePeers: config.protocol.max_response_peers,
    maxScrapeTorrents: config.protocol.max_scrape_torrents,
    announceInterval: config.protocol.peer_announce_interval,
    intervalJitter: config.protocol.interval_jitter,
    maxPeerAge: config.cleaning.max_peer_age,
  };
}

export class LocalSwarms implements SwarmBackend {
  private readonly announceResult: AnnounceResult = { peers: 0, seeders: 0, leechers: 0 };
  private readonly scrapeCounts: ScrapeCounts = { seeders: 0, leechers: 0, downloaded: 0 };
  private readonly maxPeersV6: number;
  private readonly interval: () => number;

  /** `clock` gives the current time in the validator's seconds (shared by all threads). */
  constructor(
    readonly store: TorrentStore,
    private readonly clock: ConnectionIdValidator,
    private readonly options: UdpProtocolOptions,
  ) {
    this.maxPeersV6 = Math.min(options.maxResponsePeers, MAX_PEERS_V6);
    this.interval = jitteredInterval(options.announceInterval, options.intervalJitter);
  }

  announce(rx: PacketBatch, i: number, request: UdpRequest, tx: PacketBatch, out: number): number {
    const options = this.options;
    const validUntil = this.clock.now + options.maxPeerAge;
    const result = this.announceResult;
    const peersAt = out + ANNOUNCE_RESPONSE_HEADER_SIZE;
    const store = this.store;
    let peerSize: number;
    // BEP 15: the reply's peer format follows the datagram's address family.
    if (rx.meta32[(i * META_STRIDE + META_FAMILY) / 4] === 4) {
      const ip = rx.metaView.getUint32(i * META_STRIDE + META_ADDRESS + 12);
      const want = wanted(request.numWant, options.maxResponsePeers);
      const peer = ipv4PeerKey(ip, request.port);
      store.announce(store.ipv4, rx.dataView, request.infoHashOffset, peer, request.left, request.event, validUntil, want, tx.data, peersAt, result);
      peerSize = PEER_SIZE_V4;
    } else {
      const peer = ipv6PeerKey(rx.meta, i * META_STRIDE + META_ADDRESS, request.port);
      const want = wanted(request.numWant, this.maxPeersV6);
      store.announce(store.ipv6, rx.dataView, request.infoHashOffset, peer, request.left, request.event, validUntil, want, tx.data, peersAt, result);
      peerSize = PEER_SIZE_V6;
    }
    writeAnnounceResponseHeader(tx.dataView, out, request.transactionId, this.interval(), result.leechers, result.seeders);
    return ANNOUNCE_RESPONSE_HEADER_SIZE + result.peers * peerSize;
  }

  scrape(rx: PacketBatch, _i: number, request: UdpRequest, tx: PacketBatch, out: number): number {
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

  endBatch(): void {}
}

/** BEP 15 numwant: -1 (or any value <= 0) asks for the default; never more than the cap. */
function wanted(numWant: number, cap: number): number {
  return numWant <= 0 || numWant > cap ? cap : numWant;
}
