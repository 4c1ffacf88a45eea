// The WebTorrent tracker's message logic: decode a text frame, apply announces to the
// swarms, relay offers to other peers and answers to the offering peer, answer scrapes,
// and forget a connection's peers when it closes. Bad input gets a "failure reason" and
// never affects other messages or connections. The single-thread tracker runs it on its
// WebSocket links; each shard worker runs it on links that lead back to socket workers.
import {
  type InMessage,
  type WsAnnounce,
  type WsAnswer,
  type WsDecodeFailure,
  type WsDecodeLimits,
  type WsScrape,
  WsEvent,
  decodeInMessage,
} from '../../protocol/ws/incoming.js';
import { RelayWriter, ScrapeResponseWriter, encodeAnnounceResponse, encodeFailure } from '../../protocol/ws/outgoing.js';
import { AccessList } from '../../access/access-list.js';
import { unmapIpv4 } from '../../util/ip.js';
import { type AnnounceEvent, type AnnounceParams, FORBIDDEN_REASON, type HookRunner, hexOfBinaryString } from '../hooks.js';
import { jitteredInterval } from '../../swarm/interval.js';
import { WsAnnounceOutcome, type WsTorrentCounts, type WsTorrents } from '../../swarm/ws-swarms.js';
import type { WsHooks, WsLink } from '../../transport/ws/transport.js';
import { WsConnection } from './connection.js';
import type { PeerClientCounts } from '../../metrics/peer-clients.js';

export interface WsProtocolOptions {
  readonly announceInterval: number;
  /** Seconds of random extra per reply (0: none). */
  readonly intervalJitter: number;
  readonly maxOffers: number;
  readonly maxScrapeTorrents: number;
  readonly allowFullScrape: boolean;
  readonly maxSwarmsPerConnection: number;
  readonly maxPeerAge: number;
  readonly maxOfferAge: number;
}

export class WsMessageCounters {
  announces = 0;
  offersRelayed = 0;
  answersRelayed = 0;
  scrapes = 0;
  /** Messages answered with a "failure reason". */
  failures = 0;
}

export const WsFailure = {
  BINARY: 'Binary messages are not supported',
  HIJACK: 'This peer_id is in use by another connection',
  TOO_MANY_SWARMS: 'Too many torrents on this connection',
  NOT_A_PEER: 'Announce in this torrent before answering',
  NO_OFFER: 'Could not find the offer corresponding to your answer', // aquatic_ws's wording
  OFFERER_GONE: 'The offering peer has left',
  FULL_SCRAPE: 'Full scrapes are not allowed', // as aquatic_udp/http
  FORBIDDEN: FORBIDDEN_REASON, // as aquatic_udp/http
} as const;

/**
 * How many swarms a connection may be in (max_swarms_per_connection): counted from the
 * connection itself in one thread, in shared memory across shards.
 */
export interface SwarmQuota<L extends WsLink> {
  /** Takes a place for a swarm `connection` is not in yet; false when it is at the limit. */
  join(connection: WsConnection<L>): boolean;
  /** Gives back `count` places: the connection left that many swarms. */
  leave(connection: WsConnection<L>, count: number): void;
}

/** The quota of a tracker that holds every swarm of a connection in this thread. */
export function localSwarmQuota<L extends WsLink>(maxSwarmsPerConnection: number): SwarmQuota<L> {
  return { join: (connection) => connection.swarms.size < maxSwarmsPerConnection, leave: () => {} };
}

const idBytes = new Uint8Array(20);
const idView = new DataView(idBytes.buffer);

/** A 20-char binary string (code points 0-255, checked by the decoder) as bytes, valid until the next call. */
function binaryStringBytes(text: string): Uint8Array {
  for (let i = 0; i < 20; i++) idBytes[i] = text.charCodeAt(i);
  return idBytes;
}

const EVENT_NAMES: Readonly<Record<WsEvent, AnnounceEvent>> = {
  [WsEvent.NONE]: 'update',
  [WsEvent.STARTED]: 'started',
  [WsEvent.COMPLETED]: 'completed',
  [WsEvent.STOPPED]: 'stopped',
};

/** The same as a DataView, for the access list. */
export function binaryStringView(text: string): DataView {
  binaryStringBytes(text);
  return idView;
}

export class WsMessageHandler<L extends WsLink = WsLink> implements WsHooks<WsConnection<L>> {
  readonly counters = new WsMessageCounters();
  private readonly limits: WsDecodeLimits;
  /** Peer ids chosen to receive offers, reused across announces. */
  private readonly receivers: string[] = [];
  private readonly counts: WsTorrentCounts = { seeders: 0, leechers: 0, downloaded: 0 };
  private readonly interval: () => number;
  private readonly relays = new RelayWriter();

  constructor(
    private readonly torrents: WsTorrents<WsConnection<L>>,
    private readonly options: WsProtocolOptions,
    /** Seconds on the swarm clock (peer and offer expiry). */
    private readonly now: () => number,
    private readonly access: { readonly current: AccessList } = { current: AccessList.OFF },
    /** [metrics] peer_clients; null when off. */
    private readonly peerClients: PeerClientCounts | null = null,
    /** The embedder's hooks; null costs one test per announce or scrape. */
    private readonly hooks: HookRunner | null = null,
    private readonly quota: SwarmQuota<L> = localSwarmQuota(options.maxSwarmsPerConnection),
  ) {
    this.limits = { maxOffers: options.maxOffers, maxScrapeTorrents: options.maxScrapeTorrents };
    this.interval = jitteredInterval(options.announceInterval, options.intervalJitter);
  }

  open(link: L): WsConnection<L> {
    return new WsConnection(link);
  }

  message(connection: WsConnection<L>, bytes: Buffer, start: number, end: number): void {
    this.handle(connection, decodeInMessage(bytes, start, end, this.limits));
  }

  /** A decoded message (shards get them decoded by the socket workers). */
  handle(connection: WsConnection<L>, message: InMessage | WsDecodeFailure): void {
    switch (message.action) {
      case 'announce':
        return this.announce(connection, message);
      case 'answer':
        return this.answer(connection, message);
      case 'scrape':
        return this.scrape(connection, message);
      case 'failure':
        return this.fail(connection, message.reason, message.replyAction, message.infoHash);
    }
  }

  binary(connection: WsConnection<L>): void {
    this.fail(connection, WsFailure.BINARY, null, null);
  }

  /** The connection is gone: its peers leave every swarm at once (bittorrent-tracker synthesises "stopped"). */
  close(connection: WsConnection<L>): void {
    for (const [infoHash, peerId] of connection.swarms) this.torrents.remove(infoHash, peerId, connection);
    this.quota.leave(connection, connection.swarms.size);
    connection.swarms.clear();
  }

  /** For WsTorrents.clean: an expired peer no longer counts against its connection. */
  readonly forgetExpired = (connection: WsConnection<L>, infoHash: string, peerId: string): void => {
    if (connection.swarms.get(infoHash) !== peerId) return;
    connection.swarms.delete(infoHash);
    this.quota.leave(connection, 1);
  };

  private fail(connection: WsConnection<L>, reason: string, action: 'announce' | 'scrape' | null, infoHash: string | null): void {
    this.counters.failures++;
    connection.link.send(encodeFailure(reason, action, infoHash));
  }

  private announce(connection: WsConnection<L>, message: WsAnnounce): void {
    const { infoHash, peerId } = message;
    const hooks = this.hooks;
    const params = hooks !== null && hooks.announces ? announceParams(connection, message) : null;
    if (params !== null && hooks !== null) {
      const refusal = hooks.refusal(params);
      if (refusal !== null) return this.fail(connection, refusal, 'announce', infoHash);
    }
    const torrents = this.torrents;
    const held = connection.swarms.get(infoHash);
    if (message.event === WsEvent.STOPPED) {
      // Only the connection holding the peer_id can stop it.
      if (held === peerId) {
        torrents.remove(infoHash, peerId, connection);
        connection.swarms.delete(infoHash);
        this.quota.leave(connection, 1);
      }
      this.respond(connection, infoHash);
      if (params !== null && hooks !== null) hooks.announced(params);
      return;
    }
    const joining = held === undefined;
    if (joining && !this.quota.join(connection)) return this.fail(connection, WsFailure.TOO_MANY_SWARMS, 'announce', infoHash);
    if (this.access.current.mode !== 'off' && !this.access.current.allows(binaryStringView(infoHash), 0)) {
      if (joining) this.quota.leave(connection, 1);
      return this.fail(connection, WsFailure.FORBIDDEN, 'announce', infoHash);
    }
    const now = this.now();
    const torrent = torrents.torrentFor(infoHash);
    const outcome = torrents.announceIn(torrent, peerId, connection, message.seeder, message.event === WsEvent.COMPLETED, now + this.options.maxPeerAge);
    if (outcome === WsAnnounceOutcome.OWNED_ELSEWHERE) {
      if (joining) this.quota.leave(connection, 1);
      return this.fail(connection, WsFailure.HIJACK, 'announce', infoHash);
    }
    // A new peer_id from this connection in the same torrent (the client restarted it) replaces the old one.
    if (held !== peerId) {
      if (held !== undefined) torrents.remove(infoHash, held, connection);
      connection.swarms.set(infoHash, peerId);
    }
    this.counters.announces++;
    if (this.peerClients !== null) this.peerClients.count(binaryStringBytes(peerId), 0);
    connection.link.send(encodeAnnounceResponse(infoHash, this.interval(), torrent.peers.seederCount, torrent.peers.leecherCount));
    if (params !== null && hooks !== null) hooks.announced(params);

    const offers = message.offers;
    const want = Math.min(offers.length, message.numwant);
    if (want <= 0) return;
    const receivers = this.receivers;
    const count = torrent.peers.pickPeers(receivers, want, peerId, message.seeder);
    if (count === 0) return;
    const relays = this.relays;
    relays.beginOffers(infoHash, peerId);
    const validUntil = now + this.options.maxOfferAge;
    for (let i = 0; i < count; i++) {
      const receiver = torrent.owners.get(receivers[i]!)!;
      const offer = offers[i]!;
      receiver.expectAnswer(infoHash, torrent, peerId, offer.offerId, validUntil, now);
      const length = relays.offer(offer.offerId, message.source, offer.sdpStart, offer.sdpEnd);
      receiver.link.sendUtf8(relays.bytes, 0, length);
    }
    this.counters.offersRelayed += count;
  }

  private respond(connection: WsConnection<L>, infoHash: string): void {
    const counts = this.torrents.scrape(infoHash, this.counts);
    connection.link.send(encodeAnnounceResponse(infoHash, this.interval(), counts.seeders, counts.leechers));
  }

  /**
   * Relays an answer to the peer whose offer it answers: only from the connection that
   * holds the answering peer_id in that torrent, only for an offer relayed to it, and only
   * while the offering peer is still in the torrent.
   */
  private answer(connection: WsConnection<L>, message: WsAnswer): void {
    const { infoHash, peerId, toPeerId, offerId } = message;
    if (connection.swarms.get(infoHash) !== peerId) return this.fail(connection, WsFailure.NOT_A_PEER, 'announce', infoHash);
    const torrent = connection.takeExpectedAnswer(infoHash, toPeerId, offerId, this.now());
    if (torrent === undefined) return this.fail(connection, WsFailure.NO_OFFER, 'announce', infoHash);
    // A torrent emptied and dropped since holds no owners: the offerer is gone either way.
    const receiver = torrent.owners.get(toPeerId);
    if (receiver === undefined) return this.fail(connection, WsFailure.OFFERER_GONE, 'announce', infoHash);
    const length = this.relays.answer(infoHash, peerId, offerId, message.source, message.sdpStart, message.sdpEnd);
    receiver.link.sendUtf8(this.relays.bytes, 0, length);
    this.counters.answersRelayed++;
  }

  private scrape(connection: WsConnection<L>, message: WsScrape): void {
    const writer = new ScrapeResponseWriter();
    const add = (infoHash: string) => {
      const counts = this.torrents.scrape(infoHash, this.counts);
      writer.add(infoHash, counts.seeders, counts.leechers, counts.downloaded);
    };
    if (message.infoHashes !== null) {
      for (const infoHash of message.infoHashes) add(infoHash);
    } else if (this.options.allowFullScrape) {
      for (const [infoHash] of this.torrents.entries()) add(infoHash);
    } else {
      return this.fail(connection, WsFailure.FULL_SCRAPE, 'scrape', null);
    }
    this.counters.scrapes++;
    connection.link.send(writer.finish());
    if (this.hooks !== null && this.hooks.scrapes) {
      const infoHashes = message.infoHashes === null ? [] : message.infoHashes.map(hexOfBinaryString);
      this.hooks.scraped({ protocol: 'ws', ip: unmapIpv4(connection.link.remoteAddress), infoHashes });
    }
  }
}

function announceParams(connection: WsConnection, message: WsAnnounce): AnnounceParams {
  return {
    protocol: 'ws',
    infoHash: hexOfBinaryString(message.infoHash),
    peerId: hexOfBinaryString(message.peerId),
    ip: unmapIpv4(connection.link.remoteAddress),
    port: 0,
    event: EVENT_NAMES[message.event],
    seeder: message.seeder,
    numwant: message.numwant,
    uploaded: null,
    downloaded: null,
    left: null,
  };
}
