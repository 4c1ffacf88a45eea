// IP addresses between text and bytes. Transports hand the tracker 16-byte addresses
// (IPv4 as IPv4-mapped IPv6, RFC 4291 2.5.5.2); these helpers convert at the edges.

/** Dotted quad to a u32, or -1 when the text is not an IPv4 address. */
export function parseIpv4(text: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      digits++;
      if (part > 255 || digits > 3) return -1;
    } else if (c === 46 && digits > 0 && dots < 3) {
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/**
 * Writes an IP literal as 16 bytes at out[at]: IPv4 (and IPv4-mapped IPv6) as
 * ::ffff:a.b.c.d. Returns 4 or 6 (the family the tracker treats it as), or 0 if the text
 * is not an address. A zone suffix ("fe80::1%eth0") is ignored.
 */
export function writeIpAs16(text: string, out: Uint8Array, at: number): 0 | 4 | 6 {
  const v4 = parseIpv4(text);
  if (v4 >= 0) {
    writeMappedIpv4(v4, out, at);
    return 4;
  }
  const zone = text.indexOf('%');
  const address = zone >= 0 ? text.slice(0, zone) : text;
  if (!parseIpv6(address, out, at)) return 0;
  return isMappedIpv4(out, at) ? 4 : 6;
}

export function writeMappedIpv4(value: number, out: Uint8Array, at: number): void {
  out.fill(0, at, at + 10);
  out[at + 10] = 0xff;
  out[at + 11] = 0xff;
  out[at + 12] = value >>> 24;
  out[at + 13] = (value >>> 16) & 255;
  out[at + 14] = (value >>> 8) & 255;
  out[at + 15] = value & 255;
}

export function isMappedIpv4(bytes: Uint8Array, at: number): boolean {
  for (let i = 0; i < 10; i++) if (bytes[at + i] !== 0) return false;
  return bytes[at + 10] === 0xff && bytes[at + 11] === 0xff;
}

function parseIpv6(text: string, out: Uint8Array, at: number): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : halves[1]!.split(':')) : [];
  const groups: number[] = [];
  const all = [...head, ...tail];
  for (let i = 0; i < all.length; i++) {
    const group = all[i]!;
    if (i === all.length - 1 && group.includes('.')) {
      const v4 = parseIpv4(group);
      if (v4 < 0) return false;
      groups.push(v4 >>> 16, v4 & 0xffff);
    } else if (/^[0-9a-fA-F]{1,4}$/.test(group)) {
      groups.push(parseInt(group, 16));
    } else {
      return false;
    }
  }
  const headGroups = head.length + (head.some((g) => g.includes('.')) ? 1 : 0);
  if (halves.length === 1 ? groups.length !== 8 : groups.length > 7) return false;
  const missing = 8 - groups.length;
  const full = [...groups.slice(0, headGroups), ...new Array<number>(missing).fill(0), ...groups.slice(headGroups)];
  for (let i = 0; i < 8; i++) {
    out[at + 2 * i] = full[i]! >>> 8;
    out[at + 2 * i + 1] = full[i]! & 255;
  }
  return true;
}

/** 16 bytes to RFC 5952 text: lower case, the longest run of zero groups as "::". */
export function formatIpv6(bytes: Uint8Array, at: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[at + i]! << 8) | bytes[at + i + 1]!);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (list: number[]) => list.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

/** Text for a 16-byte address: dotted quad for IPv4-mapped, RFC 5952 otherwise. */
export function formatIp16(bytes: Uint8Array, at: number): string {
  if (isMappedIpv4(bytes, at)) {
    return `${bytes[at + 12]}.${bytes[at + 13]}.${bytes[at + 14]}.${bytes[at + 15]}`;
  }
  return formatIpv6(bytes, at);
}

/** "::ffff:a.b.c.d" (a dual-stack socket's IPv4 peer) as "a.b.c.d"; other text unchanged. */
export function unmapIpv4(address: string): string {
  return address.startsWith('::ffff:') && parseIpv4(address.slice(7)) >= 0 ? address.slice(7) : address;
}
