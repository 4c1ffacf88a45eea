// HalfSipHash (Aumasson, 2016): SipHash on 32-bit words with a 64-bit key, made for hash
// tables. 32-bit arithmetic is what JavaScript does fastest, and a secret key keeps
// attackers from choosing info hashes that all land in one bucket (hash flooding).

/**
 * HalfSipHash-c-d with a 32-bit result over `count` little-endian message words, the last
 * of which must already be the final block (remaining bytes | length << 24).
 */
export function halfSipHash(k0: number, k1: number, words: Uint32Array, count: number, c: number, d: number): number {
  let v0 = k0 | 0;
  let v1 = k1 | 0;
  let v2 = (k0 ^ 0x6c796765) | 0;
  let v3 = (k1 ^ 0x74656462) | 0;
  // Phases 0..count-1 compress a word; phase `count` is the finalisation.
  for (let phase = 0; phase <= count; phase++) {
    const final = phase === count;
    const m = final ? 0 : words[phase]! | 0;
    if (final) v2 ^= 0xff;
    else v3 ^= m;
    for (let r = final ? d : c; r > 0; r--) {
      v0 = (v0 + v1) | 0; v1 = (v1 << 5) | (v1 >>> 27); v1 ^= v0; v0 = (v0 << 16) | (v0 >>> 16);
      v2 = (v2 + v3) | 0; v3 = (v3 << 8) | (v3 >>> 24); v3 ^= v2;
      v0 = (v0 + v3) | 0; v3 = (v3 << 7) | (v3 >>> 25); v3 ^= v0;
      v2 = (v2 + v1) | 0; v1 = (v1 << 13) | (v1 >>> 19); v1 ^= v2; v2 = (v2 << 16) | (v2 >>> 16);
    }
    v0 ^= m;
  }
  return (v1 ^ v3) >>> 0;
}

/** Packs bytes into the little-endian words halfSipHash takes, final block included. */
export function messageWords(bytes: Uint8Array, at: number, length: number): Uint32Array {
  const words = new Uint32Array((length >> 2) + 1);
  for (let i = 0; i < length; i++) words[i >> 2]! |= bytes[at + i]! << (8 * (i & 3));
  words[length >> 2]! |= (length & 0xff) << 24;
  return words;
}
