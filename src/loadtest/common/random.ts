// Seeded randomness for the load generators: a fast 32-bit generator for the hot path, and
// the splitmix64 info hashes udpload uses (so `udpload -H N` is our whitelist too).

/** xoshiro128** (Blackman & Vigna): 32-bit state words, no allocation, good statistics. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    // Spread the seed over the state with splitmix32 so nearby seeds give unrelated streams.
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next() | 1; // the all-zero state is the one fixed point
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  nextFloat(): number {
    return this.nextU32() / 0x1_0000_0000;
  }

  /** Uniform integer in [0, n) for n <= 2^32 (the modulo bias is below 2^-20 for n < 4096). */
  below(n: number): number {
    return Math.floor(this.nextFloat() * n);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

const MASK64 = (1n << 64n) - 1n;

/** splitmix64 (Steele, Lea, Flood), one step from `state`; returns [next state, output]. */
function splitmix64(state: bigint): [bigint, bigint] {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return [next, z ^ (z >> 31n)];
}

/**
 * Info hash i as udpload derives it: three splitmix64 outputs from state 0x5EED0000 + i,
 * big-endian, the first 20 of the 24 bytes. Written to out[at, at + 20).
 */
export function writeUdploadInfoHash(index: number, out: Uint8Array, at: number): void {
  let state = 0x5eed0000n + BigInt(index);
  const bytes = new Uint8Array(24);
  const view = new DataView(bytes.buffer);
  for (let k = 0; k < 3; k++) {
    const [next, value] = splitmix64(state);
    state = next;
    view.setBigUint64(k * 8, value);
  }
  out.set(bytes.subarray(0, 20), at);
}
