// SipHash-2-4 (Aumasson & Bernstein, 2012): a fast keyed PRF, computed with 32-bit halves
// because JavaScript has no cheap 64-bit integers. Used as the MAC of UDP connection IDs.

// Indexes of the high and low halves of v0..v3 in the state array.
const V0H = 0, V0L = 1, V1H = 2, V1L = 3, V2H = 4, V2L = 5, V3H = 6, V3L = 7;

export class SipHash24 {
  private readonly key = new Uint32Array(4); // k0 low, k0 high, k1 low, k1 high
  private readonly v = new Uint32Array(8);
  /** High and low 32 bits of the last hash. */
  high = 0;
  low = 0;

  constructor(key: Uint8Array) {
    if (key.length !== 16) throw new RangeError('SipHash key must be 16 bytes');
    for (let i = 0; i < 4; i++) this.key[i] = readLe32(key, 4 * i);
  }

  /** Hashes bytes[at, at + length); the result is in `high`/`low`, `low` is also returned. */
  hash(bytes: Uint8Array, at: number, length: number): number {
    const v = this.v;
    const k = this.key;
    // Initialisation constants: "somepseudorandomlygeneratedbytes".
    v[V0H] = k[1]! ^ 0x736f6d65;
    v[V0L] = k[0]! ^ 0x70736575;
    v[V1H] = k[3]! ^ 0x646f7261;
    v[V1L] = k[2]! ^ 0x6e646f6d;
    v[V2H] = k[1]! ^ 0x6c796765;
    v[V2L] = k[0]! ^ 0x6e657261;
    v[V3H] = k[3]! ^ 0x74656462;
    v[V3L] = k[2]! ^ 0x79746573;
    const end = at + length - (length % 8);
    for (let p = at; p < end; p += 8) this.compress(readLe32(bytes, p + 4), readLe32(bytes, p));
    // Final block: the remaining bytes, with length mod 256 in the top byte.
    let ml = 0;
    let mh = (length & 0xff) << 24;
    for (let i = 0; i < at + length - end; i++) {
      if (i < 4) ml |= bytes[end + i]! << (8 * i);
      else mh |= bytes[end + i]! << (8 * (i - 4));
    }
    this.compress(mh >>> 0, ml >>> 0);
    v[V2L] ^= 0xff;
    this.rounds(4);
    this.high = (v[V0H]! ^ v[V1H]! ^ v[V2H]! ^ v[V3H]!) >>> 0;
    this.low = (v[V0L]! ^ v[V1L]! ^ v[V2L]! ^ v[V3L]!) >>> 0;
    return this.low;
  }

  private compress(mh: number, ml: number): void {
    const v = this.v;
    v[V3H] ^= mh;
    v[V3L] ^= ml;
    this.rounds(2);
    v[V0H] ^= mh;
    v[V0L] ^= ml;
  }

  /** `n` SipRounds on the state; 64-bit adds carry from the low half, rotations cross halves. */
  private rounds(n: number): void {
    const v = this.v;
    let v0h = v[V0H]!, v0l = v[V0L]!, v1h = v[V1H]!, v1l = v[V1L]!;
    let v2h = v[V2H]!, v2l = v[V2L]!, v3h = v[V3H]!, v3l = v[V3L]!;
    let t = 0;
    for (let r = 0; r < n; r++) {
      t = (v0l + v1l) >>> 0; v0h = (v0h + v1h + (t < v0l ? 1 : 0)) >>> 0; v0l = t;
      t = ((v1h << 13) | (v1l >>> 19)) >>> 0; v1l = ((v1l << 13) | (v1h >>> 19)) >>> 0; v1h = t;
      v1h = (v1h ^ v0h) >>> 0; v1l = (v1l ^ v0l) >>> 0;
      t = v0h; v0h = v0l; v0l = t;
      t = (v2l + v3l) >>> 0; v2h = (v2h + v3h + (t < v2l ? 1 : 0)) >>> 0; v2l = t;
      t = ((v3h << 16) | (v3l >>> 16)) >>> 0; v3l = ((v3l << 16) | (v3h >>> 16)) >>> 0; v3h = t;
      v3h = (v3h ^ v2h) >>> 0; v3l = (v3l ^ v2l) >>> 0;
      t = (v0l + v3l) >>> 0; v0h = (v0h + v3h + (t < v0l ? 1 : 0)) >>> 0; v0l = t;
      t = ((v3h << 21) | (v3l >>> 11)) >>> 0; v3l = ((v3l << 21) | (v3h >>> 11)) >>> 0; v3h = t;
      v3h = (v3h ^ v0h) >>> 0; v3l = (v3l ^ v0l) >>> 0;
      t = (v2l + v1l) >>> 0; v2h = (v2h + v1h + (t < v2l ? 1 : 0)) >>> 0; v2l = t;
      t = ((v1h << 17) | (v1l >>> 15)) >>> 0; v1l = ((v1l << 17) | (v1h >>> 15)) >>> 0; v1h = t;
      v1h = (v1h ^ v2h) >>> 0; v1l = (v1l ^ v2l) >>> 0;
      t = v2h; v2h = v2l; v2l = t;
    }
    v[V0H] = v0h; v[V0L] = v0l; v[V1H] = v1h; v[V1L] = v1l;
    v[V2H] = v2h; v[V2L] = v2l; v[V3H] = v3h; v[V3L] = v3l;
  }
}

function readLe32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}
