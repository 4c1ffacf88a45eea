// One WebTorrent client connection as the tracker sees it: the peer_id it holds in each
// swarm (so closing it removes them all) and the offers relayed to it that it may answer.
import type { WsTorrent } from '../../swarm/ws-swarms.js';
import type { WsLink } from '../../transport/ws/transport.js';

/**
 * Offers awaiting an answer per connection, at most. A peer in busy swarms can be sent
 * hundreds of offers in a burst before its answers come back (a load test saw over 64 in
 * flight); 256 leaves room for that while bounding memory (an entry is ~100 bytes, so at
 * most ~25 KiB per connection, and only for connections that are sent offers).
 */
const MAX_EXPECTED_ANSWERS = 256;

/** Expected answers a connection may hold before the oldest are checked for expiry. */
const CLEANED_FROM = 16;

/** An offer relayed to a connection, which may answer it until `validUntil`. */
interface ExpectedAnswer<L extends WsLink> {
  readonly infoHash: string;
  /** The torrent of infoHash when the offer was relayed: the answer's way to the offerer, without a lookup among all torrents. */
  readonly torrent: WsTorrent<WsConnection<L>>;
  readonly offererPeerId: string;
  readonly validUntil: number;
}

export class WsConnection<L extends WsLink = WsLink> {
  /** info_hash → the peer_id this connection announced in that swarm. */
  readonly swarms = new Map<string, string>();
  /**
   * Offers relayed here, by offer_id (random per offer, and a flat string as the decoder
   * builds it, so it hashes cheaply); oldest first.
   */
  private readonly expectedAnswers = new Map<string, ExpectedAnswer<L>>();

  constructor(readonly link: L) {}

  /** Records an offer relayed to this connection, which may answer it until `validUntil`. */
  expectAnswer(infoHash: string, torrent: WsTorrent<WsConnection<L>>, offererPeerId: string, offerId: string, validUntil: number, now: number): void {
    const expected = this.expectedAnswers;
    // Maps iterate in insertion order: the first entry is the oldest. Drop it when it has
    // expired (amortised cleaning) or when the connection is at its bound. A few entries
    // are left alone: answers usually come back within moments.
    if (expected.size >= CLEANED_FROM) {
      const oldest = expected.keys().next().value!;
      if (expected.size >= MAX_EXPECTED_ANSWERS || expected.get(oldest)!.validUntil < now) expected.delete(oldest);
    }
    expected.set(offerId, { infoHash, torrent, offererPeerId, validUntil });
  }

  /**
   * Consumes the offer an answer refers to and returns the torrent it was relayed in;
   * undefined when there is none, it expired, or it came from elsewhere.
   */
  takeExpectedAnswer(infoHash: string, offererPeerId: string, offerId: string, now: number): WsTorrent<WsConnection<L>> | undefined {
    const offer = this.expectedAnswers.get(offerId);
    if (offer === undefined || offer.infoHash !== infoHash || offer.offererPeerId !== offererPeerId) return undefined;
    this.expectedAnswers.delete(offerId);
    return offer.validUntil >= now ? offer.torrent : undefined;
  }
}
