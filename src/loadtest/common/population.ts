// The simulated world every load tester (UDP, HTTP, WebSocket) drives, built from the seed:
// torrents and their popularity, peers (torrent, port, seeder) and what identifies a peer on
// the wire (peer_id, left). Settings are a structural subset of a load tester's
// configuration, so any tester whose `seed` and `[requests]` keys carry these names can build
// it. Every worker builds the same world and drives its own share of the peers.
import { readFileSync } from 'node:fs';
import { AquaticError, ErrorCode } from '../../errors.js';
import { INFO_HASH_SIZE, PEER_ID_SIZE } from '../../protocol/http/constants.js';
import { Random, writeUdploadInfoHash } from './random.js';

export interface Population {
  readonly torrentCount: number;
  /** torrentCount * 20 bytes: info hash i at i * 20. */
  readonly infoHashes: Uint8Array;
  /** A 20-byte view per torrent, made once, for the request encoders. */
  readonly infoHashViews: readonly Uint8Array[];
  readonly picker: TorrentPicker;
  readonly peerCount: number;
  readonly peerTorrent: Uint32Array;
  readonly peerPort: Uint16Array;
  readonly peerSeeder: Uint8Array;
}

export type TorrentSelection = 'pareto' | 'aquatic' | 'gamma';

export interface PopulationSettings {
  readonly seed: number;
  readonly requests: {
    readonly number_of_torrents: number;
    readonly number_of_peers: number;
    readonly info_hashes_file: string;
    readonly torrent_selection: TorrentSelection;
    readonly pareto_shape: number;
    /** Only read with torrent_selection = "gamma". */
    readonly gamma_shape?: number;
    readonly gamma_scale?: number;
    readonly peer_seeder_probability: number;
  };
}

/** First client port: below it are the well-known ports. */
const FIRST_PEER_PORT = 1024;
const PEER_PORTS = 64_000;

export function buildPopulation(settings: PopulationSettings): Population {
  const requests = settings.requests;
  const torrentCount = requests.number_of_torrents;
  const infoHashes =
    requests.info_hashes_file === '' ? udploadInfoHashes(torrentCount) : readInfoHashes(requests.info_hashes_file, torrentCount);
  const infoHashViews = Array.from({ length: torrentCount }, (_, i) => infoHashes.subarray(i * INFO_HASH_SIZE, (i + 1) * INFO_HASH_SIZE));
  const peerCount = requests.number_of_peers;
  const picker = new TorrentPicker(torrentWeights(settings));

  const random = new Random(settings.seed);
  const peerTorrent = new Uint32Array(peerCount);
  const peerPort = new Uint16Array(peerCount);
  const peerSeeder = new Uint8Array(peerCount);
  for (let j = 0; j < peerCount; j++) {
    peerTorrent[j] = picker.pick(random);
    peerPort[j] = FIRST_PEER_PORT + (j % PEER_PORTS);
    peerSeeder[j] = random.nextFloat() < requests.peer_seeder_probability ? 1 : 0;
  }
  return { torrentCount, infoHashes, infoHashViews, picker, peerCount, peerTorrent, peerPort, peerSeeder };
}

function torrentWeights(settings: PopulationSettings): Float64Array {
  const { number_of_torrents: torrents, number_of_peers: peers, torrent_selection, pareto_shape } = settings.requests;
  switch (torrent_selection) {
    case 'pareto':
      return paretoWeights(torrents, pareto_shape);
    case 'aquatic':
      return aquaticWeights(torrents, peers);
    case 'gamma':
      return gammaWeights(torrents, settings.requests.gamma_shape ?? AQUATIC_GAMMA_SHAPE, settings.requests.gamma_scale ?? AQUATIC_GAMMA_SCALE);
  }
}

/**
 * Picks torrent indexes by weight in O(1) with one random number: Vose's alias method
 * (each index keeps a probability of itself and an alias to fall back to).
 */
export class TorrentPicker {
  private readonly keep: Float64Array;
  private readonly alias: Uint32Array;

  constructor(weights: Float64Array) {
    const n = weights.length;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += weights[i]!;
    this.keep = new Float64Array(n);
    this.alias = new Uint32Array(n);
    const scaled = weights.map((weight) => (weight * n) / sum);
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < n; i++) (scaled[i]! < 1 ? small : large).push(i);
    while (small.length > 0 && large.length > 0) {
      const less = small.pop()!;
      const more = large[large.length - 1]!;
      this.keep[less] = scaled[less]!;
      this.alias[less] = more;
      scaled[more] = scaled[more]! + scaled[less]! - 1;
      if (scaled[more]! < 1) small.push(large.pop()!);
    }
    // What is left is 1 up to rounding.
    for (const i of [...small, ...large]) this.keep[i] = 1;
  }

  pick(random: Random): number {
    const r = random.nextFloat() * this.keep.length;
    const index = Math.floor(r);
    return r - index < this.keep[index]! ? index : this.alias[index]!;
  }
}

/** The default torrents: udpload's info hashes (`udpload -H count`), so its whitelist fits. */
export function udploadInfoHashes(count: number): Uint8Array {
  const out = new Uint8Array(count * INFO_HASH_SIZE);
  for (let i = 0; i < count; i++) writeUdploadInfoHash(i, out, i * INFO_HASH_SIZE);
  return out;
}

/** Reads `count` hex info hashes, one a line (blank lines and # comments skipped). */
export function readInfoHashes(path: string, count: number): Uint8Array {
  const key = '`requests.info_hashes_file`';
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AquaticError(ErrorCode.CONFIG_FILE, `${key}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const out = new Uint8Array(count * INFO_HASH_SIZE);
  let found = 0;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length && found < count; n++) {
    const line = lines[n]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (!/^[0-9a-fA-F]{40}$/.test(line)) {
      throw new AquaticError(ErrorCode.CONFIG_INVALID, `${key}: line ${n + 1} of ${path} is not a 40-digit hex info hash`);
    }
    out.set(Buffer.from(line, 'hex'), found * INFO_HASH_SIZE);
    found++;
  }
  if (found < count) {
    throw new AquaticError(
      ErrorCode.CONFIG_INVALID,
      `${key}: ${path} holds ${found} info hashes, fewer than \`requests.number_of_torrents\` = ${count}`,
    );
  }
  return out;
}

/**
 * udpload's popularity (aquatic_udp_load_test's until 2022): the index formula over
 * Pareto(scale 1, shape), whose survival function is P(X >= x) = x^-shape.
 */
export function paretoWeights(torrents: number, shape: number): Float64Array {
  return clampedIndexWeights(torrents, (x) => x ** -shape);
}

/** aquatic_udp_load_test's popularity since 2024: an exponential hot head on a uniform floor. */
export function aquaticWeights(torrents: number, peers: number): Float64Array {
  const weights = new Float64Array(torrents);
  for (let i = 0; i < torrents; i++) weights[i] = torrents / peers + Math.exp(6.5 - (500 * i) / torrents);
  return weights;
}

/** aquatic_http_load_test's defaults (torrent_gamma_shape, torrent_gamma_scale). */
const AQUATIC_GAMMA_SHAPE = 0.2;
const AQUATIC_GAMMA_SCALE = 100;

/** The largest value the index formula keeps apart; above it everything lands on the last index. */
const CLAMP = 101;

/**
 * The weights of udpload's and aquatic's index formula over any distribution:
 * index = trunc((min(X, 101) - 1) / 100 * (torrents - 1)), values below 1 saturating to
 * index 0. `survival(x)` is P(X >= x). Index i takes P(X in [1 + 100 i/(torrents - 1),
 * 1 + 100 (i + 1)/(torrents - 1))), index 0 also everything below, the last index the tail.
 */
export function clampedIndexWeights(torrents: number, survival: (x: number) => number): Float64Array {
  const weights = new Float64Array(torrents);
  if (torrents === 1) return weights.fill(1);
  let above = 1; // P(X >= lower bound of index i); index 0 starts at -infinity
  for (let i = 0; i < torrents - 1; i++) {
    const next = survival(1 + ((CLAMP - 1) * (i + 1)) / (torrents - 1));
    weights[i] = above - next;
    above = next;
  }
  weights[torrents - 1] = survival(CLAMP);
  return weights;
}

/** aquatic_http_load_test's popularity: the index formula over Gamma(shape, scale). */
export function gammaWeights(torrents: number, shape: number, scale: number): Float64Array {
  return clampedIndexWeights(torrents, (x) => regularizedUpperGamma(shape, x / scale));
}

// The Gamma distribution's survival function Q(a, x) = Γ(a, x) / Γ(a), as in Numerical
// Recipes (6.2): a power series below x = a + 1, a continued fraction (modified Lentz) above.

const GAMMA_EPSILON = 1e-15;
const GAMMA_MAX_STEPS = 1000;
const TINY = 1e-300;
/** Lanczos coefficients for g = 7, n = 9 (accurate to about 1e-15). */
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x); // reflection
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Q(a, x): the probability that Gamma(a, 1) is at least x. */
export function regularizedUpperGamma(a: number, x: number): number {
  if (x <= 0) return 1;
  const prefix = Math.exp(-x + a * Math.log(x) - logGamma(a));
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < GAMMA_MAX_STEPS && Math.abs(term) > Math.abs(sum) * GAMMA_EPSILON; n++) {
      term *= x / (a + n);
      sum += term;
    }
    return Math.max(0, 1 - sum * prefix);
  }
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < GAMMA_MAX_STEPS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < GAMMA_EPSILON) break;
  }
  return prefix * h;
}

/**
 * Picks up to `wanted` distinct torrents into picks[0..) and returns how many: distinct, as a
 * real client's scrape is; a repeated pick is drawn again a bounded number of times.
 */
export function pickDistinctTorrents(population: Population, random: Random, wanted: number, picks: Int32Array): number {
  let count = 0;
  for (let k = 0; k < wanted; k++) {
    for (let tries = 0; tries < DISTINCT_PICK_TRIES; tries++) {
      const torrent = population.picker.pick(random);
      let repeated = false;
      for (let q = 0; q < count; q++) {
        if (picks[q] === torrent) {
          repeated = true;
          break;
        }
      }
      if (!repeated) {
        picks[count++] = torrent;
        break;
      }
    }
  }
  return count;
}

/** Re-draws allowed per scrape hash when the pick repeats one already in the request. */
const DISTINCT_PICK_TRIES = 16;

// What a peer says about itself.

/** Azureus-style client prefix of our peer IDs (BEP 20). */
export const PEER_ID_PREFIX = '-AQ0001-';
/** `left` (and `downloaded` of a seeder) in an announce; seeders send left = 0. */
export const LEECHER_LEFT = 1000;

/** A 20-byte peer_id holding the prefix; writePeerIndex fills in the rest per peer. */
export function createPeerId(): Uint8Array {
  const peerId = new Uint8Array(PEER_ID_SIZE);
  peerId.set(Buffer.from(PEER_ID_PREFIX, 'latin1'));
  return peerId;
}

/** peer_id of peer j: the prefix, j, and 8 bytes that differ between peers (all big-endian). */
export function writePeerIndex(peerId: Uint8Array, peer: number): void {
  writeUint32(peerId, 8, peer);
  writeUint32(peerId, 12, mix32(peer));
  writeUint32(peerId, 16, mix32(peer ^ 0x5bd1e995));
}

function writeUint32(out: Uint8Array, at: number, value: number): void {
  out[at] = value >>> 24;
  out[at + 1] = (value >>> 16) & 0xff;
  out[at + 2] = (value >>> 8) & 0xff;
  out[at + 3] = value & 0xff;
}

/** A 32-bit integer hash (murmur3's finalizer): distinct, scattered values per peer. */
export function mix32(value: number): number {
  let z = value | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}
