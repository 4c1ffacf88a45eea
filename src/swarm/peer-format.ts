// How a peer's key is stored and written as a compact peer (BEP 23 / BEP 15: address then
// port, big-endian). IPv4 keys are numbers (ip * 65536 + port, exact in a double); IPv6 keys
// are the 18 wire bytes as a latin1 string. Either way a key is what a reply carries.

export interface PeerFormat<K> {
  /** Bytes per compact peer: 6 for IPv4, 18 for IPv6. */
  readonly size: number;
  write(out: Uint8Array, at: number, key: K): void;
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
};
