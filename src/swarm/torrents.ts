// All swarms of one address family, keyed by info hash (the 20 raw bytes as a latin1
// string), and the announce/scrape logic over them. Knows nothing of sockets or codecs
// beyond the compact peer format it writes.
import { type PeerFormat, ipv4PeerFormat, ipv6PeerFormat } from './peer-format.js';
import { PeerState, Swarm } from './swarm.js';

/** BEP 3 / BEP 15 events as the swarm sees them. */
export const AnnounceEvent = { NONE: 0, COMPLETED: 1, STARTED: 2, STOPPED: 3 } as const;

/** Filled by `announce`, reused across calls to avoid an allocation per request. */
export interface AnnounceResult {
  /** Compact peers written. */
  peers: number;
  seeders: number;
  leechers: number;
}

export interface ScrapeCounts {
  seeders: number;
  leechers: number;
  downloaded: number;
}

export class TorrentMap<K extends number | string> {
  readonly swarms = new Map<string, Swarm<K>>();
  /** Peers in all swarms, kept exact as peers come and go. */
  peers = 0;
  seeders = 0;

  constructor(readonly format: PeerFormat<K>) {}

  /**
   * Applies an announce and writes up to `want` peers (never the announcer) at out[at].
   * `stopped` removes the peer and returns no peers. `completed` counts a download once per
   * peer: when a peer that was not already a seeder reports it.
   */
  announce(
    infoHash: string,
    peer: K,
    left: number,
    event: number,
    validUntil: number,
    want: number,
    out: Uint8Array,
    at: number,
    result: AnnounceResult,
  ): void {
    result.peers = 0;
    if (event === AnnounceEvent.STOPPED) {
      const swarm = this.swarms.get(infoHash);
      if (swarm === undefined) {
        result.seeders = 0;
        result.leechers = 0;
        return;
      }
      this.count(swarm.remove(peer), -1);
      result.seeders = swarm.seederCount;
      result.leechers = swarm.leecherCount;
      return;
    }
    let swarm = this.swarms.get(infoHash);
    if (swarm === undefined) {
      swarm = new Swarm<K>();
      this.swarms.set(infoHash, swarm);
    }
    const seeder = left === 0;
    const before = swarm.upsert(peer, seeder, validUntil);
    this.count(before, -1);
    this.count(seeder ? PeerState.SEEDER : PeerState.LEECHER, 1);
    if (event === AnnounceEvent.COMPLETED && before !== PeerState.SEEDER) swarm.downloaded++;
    result.seeders = swarm.seederCount;
    result.leechers = swarm.leecherCount;
    result.peers = swarm.writePeers(out, at, want, peer, seeder, this.format);
  }

  private count(state: PeerState, delta: number): void {
    if (state === PeerState.ABSENT) return;
    this.peers += delta;
    if (state === PeerState.SEEDER) this.seeders += delta;
  }

  /** Adds this family's counts for one torrent to `into`. */
  scrape(infoHash: string, into: ScrapeCounts): void {
    const swarm = this.swarms.get(infoHash);
    if (swarm === undefined) return;
    into.seeders += swarm.seederCount;
    into.leechers += swarm.leecherCount;
    into.downloaded += swarm.downloaded;
  }

  /** Expires peers last seen before `now` and frees empty swarms. */
  clean(now: number): { peersRemoved: number; torrentsRemoved: number } {
    let peersRemoved = 0;
    let torrentsRemoved = 0;
    let peers = 0;
    let seeders = 0;
    for (const [infoHash, swarm] of this.swarms) {
      peersRemoved += swarm.expire(now);
      if (swarm.peerCount === 0) {
        this.swarms.delete(infoHash);
        torrentsRemoved++;
      } else {
        peers += swarm.peerCount;
        seeders += swarm.seederCount;
      }
    }
    this.peers = peers;
    this.seeders = seeders;
    return { peersRemoved, torrentsRemoved };
  }
}

/** IPv4 and IPv6 swarms are kept apart: a peer only ever receives peers it can reach. */
export class TorrentStore {
  readonly ipv4 = new TorrentMap<number>(ipv4PeerFormat);
  readonly ipv6 = new TorrentMap<string>(ipv6PeerFormat);

  /** Scrape counts over both families. */
  scrape(infoHash: string, into: ScrapeCounts): ScrapeCounts {
    into.seeders = 0;
    into.leechers = 0;
    into.downloaded = 0;
    this.ipv4.scrape(infoHash, into);
    this.ipv6.scrape(infoHash, into);
    return into;
  }

  clean(now: number): { peersRemoved: number; torrentsRemoved: number } {
    const a = this.ipv4.clean(now);
    const b = this.ipv6.clean(now);
    return { peersRemoved: a.peersRemoved + b.peersRemoved, torrentsRemoved: a.torrentsRemoved + b.torrentsRemoved };
  }

  get torrentCount(): number {
    return this.ipv4.swarms.size + this.ipv6.swarms.size;
  }
}
