// Which client a peer_id comes from, after BEP 20's conventions: Azureus style ("-qB4650-"),
// Mainline ("M4-20-8-"), Shad0w style ("T03I-----"). A pure function over the id's first
// bytes; the answer is an index into PEER_CLIENTS, a fixed list, so that peers choosing
// their own ids cannot grow the set of names a tracker reports.

const OTHER_NAME = 'other';

/** BEP 20 Azureus-style two-character codes (and a few the BEP does not list) and their clients. */
const AZUREUS_CODES: readonly (readonly [code: string, client: string])[] = [
  ['AG', 'Ares'],
  ['A~', 'Ares'],
  ['AZ', 'Vuze'],
  ['BC', 'BitComet'],
  ['BI', 'BiglyBT'],
  ['BT', 'BitTorrent'],
  ['DE', 'Deluge'],
  ['FD', 'Free Download Manager'],
  ['FW', 'FrostWire'],
  ['HL', 'Halite'],
  ['KG', 'KGet'],
  ['KT', 'KTorrent'],
  ['LT', 'libtorrent (Rasterbar)'],
  ['lt', 'rTorrent'],
  ['LW', 'LimeWire'],
  ['MO', 'MonoTorrent'],
  ['PI', 'PicoTorrent'],
  ['qB', 'qBittorrent'],
  ['QD', 'QQDownload'],
  ['SD', 'Xunlei'],
  ['SP', 'BitSpirit'],
  ['SZ', 'Shareaza'],
  ['S~', 'Shareaza'],
  ['TL', 'Tribler'],
  ['TR', 'Transmission'],
  ['UE', 'uTorrent Embedded'],
  ['UM', 'uTorrent Mac'],
  ['UT', 'uTorrent'],
  ['UW', 'uTorrent Web'],
  ['VG', 'Vagaa'],
  ['WD', 'WebTorrent Desktop'],
  ['WW', 'WebTorrent'],
  ['XL', 'Xunlei'],
];

/** BEP 20 Shad0w-style one-character codes. */
const SHADOW_CODES: readonly (readonly [code: string, client: string])[] = [
  ['A', 'ABC'],
  ['O', 'Osprey Permaseed'],
  ['Q', 'BTQueue'],
  ['R', 'Tribler'],
  ['S', "Shad0w's client"],
  ['T', 'BitTornado'],
  ['U', 'UPnP NAT Bit Torrent'],
];

const MAINLINE_NAME = 'Mainline';
const ARIA2_NAME = 'aria2';

/** Every name classifyPeerId can answer, "other" last. */
export const PEER_CLIENTS: readonly string[] = [
  ...new Set([...AZUREUS_CODES.map(([, client]) => client), ...SHADOW_CODES.map(([, client]) => client), MAINLINE_NAME, ARIA2_NAME]),
  OTHER_NAME,
];
export const PEER_CLIENT_OTHER = PEER_CLIENTS.length - 1;
const MAINLINE = PEER_CLIENTS.indexOf(MAINLINE_NAME);
const ARIA2 = PEER_CLIENTS.indexOf(ARIA2_NAME);

const pair = (a: number, b: number) => (a << 8) | b;
const azureus = new Map(AZUREUS_CODES.map(([code, client]) => [pair(code.charCodeAt(0), code.charCodeAt(1)), PEER_CLIENTS.indexOf(client)]));
const shadow = new Map(SHADOW_CODES.map(([code, client]) => [code.charCodeAt(0), PEER_CLIENTS.indexOf(client)]));

const DASH = 0x2d;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isAlphanumeric = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
/** Shad0w's URL-safe base-64 digits: 0-9, A-Z, a-z, '.', '-'. */
const isShadowDigit = (c: number) => isAlphanumeric(c) || c === 0x2e || c === DASH;

/** The index in PEER_CLIENTS of the client whose peer_id (20 bytes) starts at bytes[at]. */
export function classifyPeerId(bytes: Uint8Array, at: number): number {
  const first = bytes[at]!;
  // Azureus style: '-', two characters, four version characters, '-' ("-qB4650-", "-UT355W-").
  if (first === DASH) {
    if (bytes[at + 7] !== DASH) return PEER_CLIENT_OTHER;
    for (let i = 3; i < 7; i++) if (!isAlphanumeric(bytes[at + i]!)) return PEER_CLIENT_OTHER;
    return azureus.get(pair(bytes[at + 1]!, bytes[at + 2]!)) ?? PEER_CLIENT_OTHER;
  }
  // aria2: "A2-<major>-<minor>-<patch>-" (its --peer-id-prefix default).
  if (first === 0x41 && bytes[at + 1] === 0x32 && bytes[at + 2] === DASH) return ARIA2;
  // Mainline: 'M', then major, minor and tiny versions in digits separated by dashes, then '-' ("M4-3-6--", "M4-20-8-").
  if (first === 0x4d && isDigit(bytes[at + 1]!)) {
    for (let i = 2; i < 7; i++) if (!isDigit(bytes[at + i]!) && bytes[at + i] !== DASH) return PEER_CLIENT_OTHER;
    return bytes[at + 7] === DASH ? MAINLINE : PEER_CLIENT_OTHER;
  }
  // Shad0w style: one character, up to five version digits padded with '-', three more digits ("T03I-----").
  const client = shadow.get(first);
  if (client === undefined || bytes[at + 1] === DASH) return PEER_CLIENT_OTHER;
  for (let i = 1; i < 9; i++) if (!isShadowDigit(bytes[at + i]!)) return PEER_CLIENT_OTHER;
  return client;
}
