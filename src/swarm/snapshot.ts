// A store's torrents at one moment, in flat typed arrays: cheap to build, and sent from shard
// threads to the main thread without copying (the buffers are transferred). The full-scrape
// export, the completed-counts file and the HTTP full scrape are built from these.

export const INFO_HASH_BYTES = 20;
/** Numbers per torrent in TorrentStats.stats: seeders, leechers, downloaded. */
export const STATS_STRIDE = 3;

/** Torrents with a swarm: info hashes (20 bytes each) and their STATS_STRIDE numbers. */
export interface TorrentStats {
  readonly hashes: Uint8Array;
  readonly stats: Float64Array;
}

/** Completed-download counts by info hash (20 bytes each, one count each). */
export interface CompletedCounts {
  readonly hashes: Uint8Array;
  readonly counts: Float64Array;
}

export interface StoreSnapshot {
  readonly torrents: TorrentStats;
  /** Counts kept for torrents that lost their last peer. */
  readonly retained: CompletedCounts;
}

/** Copies info hash number `from` of `source` to place `to` of `target` (a byte loop: cheaper than a subarray each). */
function copyHash(source: Uint8Array, from: number, target: Uint8Array, to: number): void {
  for (let b = 0; b < INFO_HASH_BYTES; b++) target[to * INFO_HASH_BYTES + b] = source[from * INFO_HASH_BYTES + b]!;
}

export const NO_COUNTS: CompletedCounts = { hashes: new Uint8Array(0), counts: new Float64Array(0) };

/** The buffers to transfer when posting a snapshot to another thread. */
export function snapshotBuffers(snapshot: StoreSnapshot): ArrayBuffer[] {
  const { torrents, retained } = snapshot;
  return [torrents.hashes.buffer, torrents.stats.buffer, retained.hashes.buffer, retained.counts.buffer] as ArrayBuffer[];
}

/** The torrents of several snapshots (shards own disjoint torrents) as one table. */
export function mergeTorrents(snapshots: readonly StoreSnapshot[]): TorrentStats {
  if (snapshots.length === 1) return snapshots[0]!.torrents;
  const count = snapshots.reduce((n, s) => n + s.torrents.stats.length / STATS_STRIDE, 0);
  const hashes = new Uint8Array(count * INFO_HASH_BYTES);
  const stats = new Float64Array(count * STATS_STRIDE);
  let at = 0;
  for (const { torrents } of snapshots) {
    hashes.set(torrents.hashes, at * INFO_HASH_BYTES);
    stats.set(torrents.stats, at * STATS_STRIDE);
    at += torrents.stats.length / STATS_STRIDE;
  }
  return { hashes, stats };
}

/** The same torrents in ascending byte order of info hash (bencoded dict keys must be sorted, BEP 3). */
export function sortedByInfoHash(torrents: TorrentStats): TorrentStats {
  const count = torrents.stats.length / STATS_STRIDE;
  const bytes = Buffer.from(torrents.hashes.buffer, torrents.hashes.byteOffset, torrents.hashes.byteLength);
  // Latin-1 strings compare as their bytes do.
  const keys = Array.from({ length: count }, (_, t) => bytes.toString('latin1', t * INFO_HASH_BYTES, (t + 1) * INFO_HASH_BYTES));
  const order = Array.from({ length: count }, (_, t) => t).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
  const hashes = new Uint8Array(torrents.hashes.length);
  const stats = new Float64Array(torrents.stats.length);
  order.forEach((t, n) => {
    copyHash(torrents.hashes, t, hashes, n);
    stats.set(torrents.stats.subarray(t * STATS_STRIDE, (t + 1) * STATS_STRIDE), n * STATS_STRIDE);
  });
  return { hashes, stats };
}

/** Every count worth keeping: live torrents with at least one download, and retained ones. */
export function completedCountsOf(snapshots: readonly StoreSnapshot[]): CompletedCounts {
  let count = 0;
  for (const { torrents, retained } of snapshots) {
    for (let i = 2; i < torrents.stats.length; i += STATS_STRIDE) if (torrents.stats[i]! > 0) count++;
    count += retained.counts.length;
  }
  const hashes = new Uint8Array(count * INFO_HASH_BYTES);
  const counts = new Float64Array(count);
  let n = 0;
  for (const { torrents, retained } of snapshots) {
    for (let t = 0; t < torrents.stats.length / STATS_STRIDE; t++) {
      const downloaded = torrents.stats[t * STATS_STRIDE + 2]!;
      if (downloaded <= 0) continue;
      copyHash(torrents.hashes, t, hashes, n);
      counts[n++] = downloaded;
    }
    hashes.set(retained.hashes, n * INFO_HASH_BYTES);
    counts.set(retained.counts, n);
    n += retained.counts.length;
  }
  return { hashes, counts };
}

/** The entries of `all` that shard `shard` of `shards` owns (info_hash[0] % shards). */
export function countsOfShard(all: CompletedCounts, shard: number, shards: number): CompletedCounts {
  const picked: number[] = [];
  for (let i = 0; i < all.counts.length; i++) if (all.hashes[i * INFO_HASH_BYTES]! % shards === shard) picked.push(i);
  const hashes = new Uint8Array(picked.length * INFO_HASH_BYTES);
  const counts = new Float64Array(picked.length);
  picked.forEach((i, n) => {
    copyHash(all.hashes, i, hashes, n);
    counts[n] = all.counts[i]!;
  });
  return { hashes, counts };
}
