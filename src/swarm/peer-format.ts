// How a peer's key is stored and written as a compact peer (BEP 23 / BEP 15: address then
// port, big-endian). IPv4 keys are numbers (ip * 65536 + port, exact in a double); IPv6 keys
// are the 18 wire bytes as a latin1 string. Either way a key is what a reply carries.
import { randomBytes } from 'node:crypto';

export interface PeerFormat<K> {
  /** Bytes per compact peer: 6 for IPv4, 18 for IPv6. */
  readonly size: number;
  write(out: Uint8Array, at: number, key: K): void;
  /** A keyed hash of the key for a swarm's peer index (32 bits). */
  hash(key: K): number;
}

// A random key per process, so that peers cannot pick ports that collide in an index.
const seeds = new Uint32Array(randomBytes(8).buffer);
const SEED_0 = seeds[0]!;
const SEED_1 = seeds[1]!;

/** Finalises a 32-bit hash (murmur3's fmix32): every input bit reaches every output bit. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** A keyed hash of a binary string of even length (IPv6 peer keys, WebTorrent peer ids). */
export function hashBinaryString(key: string): number {
  let h = SEED_0;
  for (let i = 0; i < key.length; i += 2) h = Math.imul(h ^ ((key.charCodeAt(i) << 8) | key.charCodeAt(i + 1)), 0x9e3779b1) ^ SEED_1;
  return mix(h);
}

export function ipv4PeerKey(ip: number, port: number): number {
  return ip * 65536 + port;
}

export const ipv4PeerFormat: PeerFormat<number> = {
  size: 6,
  write(out, at, key) {
    // ToUint32 keeps the low 32 bits, so these shifts work on the 48-bit key.
    const ip = (key / 65536) >>> 0;
    out[at] = ip >>> 24;
    out[at + 1] = (ip >>> 16) & 255;
    out[at + 2] = (ip >>> 8) & 255;
    out[at + 3] = ip & 255;
    out[at + 4] = (key >>> 8) & 255;
    out[at + 5] = key & 255;
  },
  hash(key) {
    return mix(Math.imul(((key / 65536) >>> 0) ^ SEED_0, 0x9e3779b1) + ((key & 0xffff) ^ SEED_1));
  },
};

/** The 18-byte IPv6 key: 16 address bytes from `bytes[at]`, then the port. */
export function ipv6PeerKey(bytes: Uint8Array, at: number, port: number): string {
  let key = '';
  for (let i = 0; i < 16; i++) key += String.fromCharCode(bytes[at + i]!);
  return key + String.fromCharCode(port >>> 8, port & 255);
}

export const ipv6PeerFormat: PeerFormat<string> = {
  size: 18,
  write(out, at, key) {
    for (let i = 0; i < 18; i++) out[at + i] = key.charCodeAt(i);
  },
  hash: hashBinaryString,
};
