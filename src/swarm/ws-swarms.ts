// WebTorrent torrents: by info hash (a 20-char binary string), each a Swarm of peer_ids plus
// the owner (connection) every peer_id is bound to, so offers and answers can be relayed.
// Generic over the owner type: knows nothing of sockets or of the wire format.
import { type PeerFormat, hashBinaryString } from './peer-format.js';
import { PeerState, Swarm } from './swarm.js';
import { RetainedCounts } from './retained-counts.js';
import { INFO_HASH_BYTES, STATS_STRIDE, type StoreSnapshot } from './snapshot.js';

/**
 * Peer ids as swarm keys. `write` copies the 20 chars as bytes; a WebTorrent swarm never
 * writes compact peers, but the Swarm's index needs `hash`.
 */
export const peerIdFormat: PeerFormat<string> = {
  size: 20,
  write(out, at, key) {
    for (let i = 0; i < 20; i++) out[at + i] = key.charCodeAt(i);
  },
  hash: hashBinaryString,
};


export class WsTorrent<O> {
  readonly peers = new Swarm<string>();
  /** The owner each peer_id of this swarm is bound to (the connection that announced it first). */
  readonly owners = new Map<string, O>();
  /** Completed downloads reported (scrape's "downloaded"). */
  downloaded = 0;
}

export interface WsTorrentCounts {
  seeders: number;
  leechers: number;
  downloaded: number;
}

/** What `announce` did. */
export const WsAnnounceOutcome = { ADDED: 0, UPDATED: 1, OWNED_ELSEWHERE: 2 } as const;
export type WsAnnounceOutcome = (typeof WsAnnounceOutcome)[keyof typeof WsAnnounceOutcome];

export class WsTorrents<O> {
  private readonly byInfoHash = new Map<string, WsTorrent<O>>();
  /** Peers in all swarms, kept exact as peers come and go. */
  peers = 0;
  seeders = 0;
  /** Counts of freed torrents, given back when they return. */
  readonly retained: RetainedCounts;
  /** An info hash string as bytes, for `retained`. */
  private readonly key = new Uint8Array(INFO_HASH_BYTES);
  private readonly keyView = new DataView(this.key.buffer);

  /** `maxRetained`: freed torrents whose completed counts are kept (0: none). */
  constructor(maxRetained = 0) {
    this.retained = new RetainedCounts(maxRetained);
  }

  get torrentCount(): number {
    return this.byInfoHash.size;
  }

  private keyOf(infoHash: string): DataView {
    for (let i = 0; i < INFO_HASH_BYTES; i++) this.key[i] = infoHash.charCodeAt(i);
    return this.keyView;
  }

  get(infoHash: string): WsTorrent<O> | undefined {
    return this.byInfoHash.get(infoHash);
  }

  /** Every torrent (for a full scrape). */
  entries(): IterableIterator<[string, WsTorrent<O>]> {
    return this.byInfoHash.entries();
  }

  private count(state: PeerState, delta: number): void {
    if (state === PeerState.ABSENT) return;
    this.peers += delta;
    if (state === PeerState.SEEDER) this.seeders += delta;
  }

  /**
   * Adds or refreshes `peerId` for `owner`. A peer_id bound to another owner is left alone
   * (OWNED_ELSEWHERE): nobody can take over a peer by announcing its id. `completed`
   * counts a download once per peer, when a peer that was not already a seeder reports it.
   */
  announce(infoHash: string, peerId: string, owner: O, seeder: boolean, completed: boolean, validUntil: number): WsAnnounceOutcome {
    return this.announceIn(this.torrentFor(infoHash), peerId, owner, seeder, completed, validUntil);
  }

  /** The torrent of `infoHash`, made (with the completed count kept for it, if any) when it is new. */
  torrentFor(infoHash: string): WsTorrent<O> {
    let torrent = this.byInfoHash.get(infoHash);
    if (torrent === undefined) {
      torrent = new WsTorrent<O>();
      if (this.retained.size > 0) torrent.downloaded = this.retained.take(this.keyOf(infoHash), 0);
      this.byInfoHash.set(infoHash, torrent);
    }
    return torrent;
  }

  /** `announce` in a torrent from torrentFor (one lookup among all torrents per announce). */
  announceIn(torrent: WsTorrent<O>, peerId: string, owner: O, seeder: boolean, completed: boolean, validUntil: number): WsAnnounceOutcome {
    const bound = torrent.owners.get(peerId);
    if (bound !== undefined && bound !== owner) return WsAnnounceOutcome.OWNED_ELSEWHERE;
    const before = torrent.peers.upsert(peerId, seeder, validUntil, peerIdFormat);
    this.count(before, -1);
    this.count(seeder ? PeerState.SEEDER : PeerState.LEECHER, 1);
    if (before === PeerState.ABSENT) torrent.owners.set(peerId, owner);
    if (completed && before !== PeerState.SEEDER) torrent.downloaded++;
    return before === PeerState.ABSENT ? WsAnnounceOutcome.ADDED : WsAnnounceOutcome.UPDATED;
  }

  /** Removes `peerId` if `owner` holds it; returns whether it did. Empty torrents stay until `clean` (their download count with them). */
  remove(infoHash: string, peerId: string, owner: O): boolean {
    const torrent = this.byInfoHash.get(infoHash);
    if (torrent === undefined || torrent.owners.get(peerId) !== owner) return false;
    torrent.owners.delete(peerId);
    this.count(torrent.peers.remove(peerId, peerIdFormat), -1);
    return true;
  }

  /** Counts for one torrent; zeros when unknown. */
  scrape(infoHash: string, into: WsTorrentCounts): WsTorrentCounts {
    const torrent = this.byInfoHash.get(infoHash);
    into.seeders = torrent === undefined ? 0 : torrent.peers.seederCount;
    into.leechers = torrent === undefined ? 0 : torrent.peers.leecherCount;
    if (torrent !== undefined) into.downloaded = torrent.downloaded;
    else into.downloaded = this.retained.size === 0 ? 0 : this.retained.peek(this.keyOf(infoHash), 0);
    return into;
  }

  /**
   * Removes peers whose validUntil is before `now` (telling `expired` about each, so its
   * owner can forget it) and torrents left without peers.
   */
  clean(now: number, expired: (owner: O, infoHash: string, peerId: string) => void): { peersRemoved: number; torrentsRemoved: number } {
    let peersRemoved = 0;
    let torrentsRemoved = 0;
    for (const [infoHash, torrent] of this.byInfoHash) {
      peersRemoved += this.expire(infoHash, torrent, torrent.peers.leechers, now, expired);
      peersRemoved += this.expire(infoHash, torrent, torrent.peers.seeders, now, expired);
      if (torrent.peers.peerCount === 0) {
        // Deleting the current entry while iterating a Map is safe (ECMA-262 Map iterators).
        this.byInfoHash.delete(infoHash);
        if (torrent.downloaded > 0 && this.retained.capacity > 0) this.retained.keep(this.keyOf(infoHash), 0, torrent.downloaded);
        torrentsRemoved++;
      }
    }
    return { peersRemoved, torrentsRemoved };
  }

  /** Every torrent with its counts, and the retained counts of freed ones. */
  snapshot(): StoreSnapshot {
    const hashes = new Uint8Array(this.byInfoHash.size * INFO_HASH_BYTES);
    const stats = new Float64Array(this.byInfoHash.size * STATS_STRIDE);
    let n = 0;
    for (const [infoHash, torrent] of this.byInfoHash) {
      for (let i = 0; i < INFO_HASH_BYTES; i++) hashes[n * INFO_HASH_BYTES + i] = infoHash.charCodeAt(i);
      stats[n * STATS_STRIDE] = torrent.peers.seederCount;
      stats[n * STATS_STRIDE + 1] = torrent.peers.leecherCount;
      stats[n * STATS_STRIDE + 2] = torrent.downloaded;
      n++;
    }
    return { torrents: { hashes, stats }, retained: this.retained.snapshot() };
  }

  private expire(
    infoHash: string,
    torrent: WsTorrent<O>,
    list: (string | number)[],
    now: number,
    expired: (owner: O, infoHash: string, peerId: string) => void,
  ): number {
    let removed = 0;
    // Backwards: Swarm.remove swap-removes, moving the last pair (already visited) into the hole.
    for (let o = list.length - 2; o >= 0; o -= 2) {
      if ((list[o + 1] as number) >= now) continue;
      const peerId = list[o] as string;
      const owner = torrent.owners.get(peerId)!;
      this.remove(infoHash, peerId, owner);
      expired(owner, infoHash, peerId);
      removed++;
    }
    return removed;
  }
}
