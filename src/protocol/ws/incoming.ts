// WebTorrent tracker messages from clients (the de facto protocol of bittorrent-tracker's
// websocket-tracker): one JSON text frame in, a typed InMessage or a failure out. Pure: no
// I/O, no clock, never throws. The frame is read as bytes (json-bytes.ts), so that SDPs
// are relayed as the literals they came as. info_hash, peer_id, to_peer_id and offer_id are "binary
// strings": 20 UTF-16 code units, each 0–255 (one byte per char, as Buffer's latin1).

import { Byte, JsonScanner, JsonSyntaxError } from '../json-bytes.js';

/** Length of every binary string in the protocol: SHA-1 info hashes and peer ids (BEP 3). */
export const BINARY_STRING_LENGTH = 20;

/** What the swarm sees of `event` (absent and "update" are a plain re-announce). */
export const WsEvent = { NONE: 0, STARTED: 1, COMPLETED: 2, STOPPED: 3 } as const;
export type WsEvent = (typeof WsEvent)[keyof typeof WsEvent];

// A Map, not an object literal: "constructor" or "__proto__" must not look like events.
const EVENTS: ReadonlyMap<string, WsEvent> = new Map([
  ['started', WsEvent.STARTED],
  ['completed', WsEvent.COMPLETED],
  ['stopped', WsEvent.STOPPED],
  ['update', WsEvent.NONE],
]);

/**
 * A WebRTC offer to relay. Its SDP stays the JSON string literal the client sent (quotes
 * included, checked): `source[sdpStart, sdpEnd)` of the message it came in, copied into the
 * relay as it is, never decoded.
 */
export interface WsOffer {
  readonly offerId: string;
  readonly sdpStart: number;
  readonly sdpEnd: number;
}

export interface WsAnnounce {
  readonly action: 'announce';
  readonly infoHash: string;
  readonly peerId: string;
  readonly event: WsEvent;
  /** `left` is 0; a missing or null `left` (magnet links) means leecher. */
  readonly seeder: boolean;
  /** Offers to relay at most: numwant, or every offer given when numwant is absent. */
  readonly numwant: number;
  /** The first `maxOffers` offers, each validated; further ones are ignored. */
  readonly offers: readonly WsOffer[];
  /** The bytes the offers' SDP literals are in (the message's, valid while it is handled). */
  readonly source: Buffer;
}

/** An announce carrying `answer`: relay it to `toPeerId`, no announce response (as bittorrent-tracker). */
export interface WsAnswer {
  readonly action: 'answer';
  readonly infoHash: string;
  readonly peerId: string;
  readonly toPeerId: string;
  readonly offerId: string;
  /** The SDP's JSON string literal, as in WsOffer. */
  readonly source: Buffer;
  readonly sdpStart: number;
  readonly sdpEnd: number;
}

export interface WsScrape {
  readonly action: 'scrape';
  /** The info hashes asked for (at most `maxScrapeTorrents`); null for a full scrape (none given). */
  readonly infoHashes: readonly string[] | null;
}

export type InMessage = WsAnnounce | WsAnswer | WsScrape;

/** A message that cannot be served; `action` and `infoHash` go back with the reason when known. */
export interface WsDecodeFailure {
  readonly action: 'failure';
  readonly reason: string;
  readonly replyAction: 'announce' | 'scrape' | null;
  readonly infoHash: string | null;
}

export interface WsDecodeLimits {
  readonly maxOffers: number;
  readonly maxScrapeTorrents: number;
}

/** Whether `value` is a 20-char binary string (code points 0–255). */
export function isBinaryString(value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== BINARY_STRING_LENGTH) return false;
  for (let i = 0; i < BINARY_STRING_LENGTH; i++) if (value.charCodeAt(i) > 255) return false;
  return true;
}

function failure(reason: string, replyAction: WsDecodeFailure['replyAction'] = null, infoHash: string | null = null): WsDecodeFailure {
  return { action: 'failure', reason, replyAction, infoHash };
}

const name = (text: string) => Buffer.from(text, 'latin1');

// The members the protocol reads, by where they are read.
const Member = { ACTION: 0, INFO_HASH: 1, PEER_ID: 2, TO_PEER_ID: 3, OFFER_ID: 4, ANSWER: 5, OFFERS: 6, EVENT: 7, LEFT: 8, NUMWANT: 9, COUNT: 10 } as const;
const MESSAGE_MEMBERS = ['action', 'info_hash', 'peer_id', 'to_peer_id', 'offer_id', 'answer', 'offers', 'event', 'left', 'numwant'].map(name);
const OFFER = name('offer');
const OFFER_ID = MESSAGE_MEMBERS[Member.OFFER_ID]!;
const TYPE = name('type');
const SDP = name('sdp');
const ANNOUNCE = name('announce');
const SCRAPE = name('scrape');
const ANSWER = MESSAGE_MEMBERS[Member.ANSWER]!;

/**
 * Where a message's members are, reused between messages: the value of each top-level
 * member the protocol reads (the last one of a name, as JSON.parse keeps), the offers'
 * members, and the answer's. -1: absent.
 */
class MessageLayout {
  readonly start = new Int32Array(Member.COUNT);
  readonly end = new Int32Array(Member.COUNT);
  /** Offers seen (up to the limit) in the last `offers` array. */
  offerCount = 0;
  /** Per offer i: the value of offer_id, of offer, and of offer.type and offer.sdp. */
  offerIdStart = new Int32Array(16);
  offerIdEnd = new Int32Array(16);
  offerStart = new Int32Array(16);
  sdpObjects = new SdpObjects(16);
  /** The answer object's type and sdp, in slot 0. */
  readonly answer = new SdpObjects(1);

  clear(maxOffers: number): void {
    this.start.fill(-1);
    this.offerCount = 0;
    this.answer.clear(0);
    if (this.offerStart.length < maxOffers) {
      this.offerIdStart = new Int32Array(maxOffers);
      this.offerIdEnd = new Int32Array(maxOffers);
      this.offerStart = new Int32Array(maxOffers);
      this.sdpObjects = new SdpObjects(maxOffers);
    }
  }
}

/** {type, sdp} objects: where their type and sdp values are. */
class SdpObjects {
  readonly typeStart: Int32Array;
  readonly typeEnd: Int32Array;
  readonly sdpStart: Int32Array;
  readonly sdpEnd: Int32Array;

  constructor(slots: number) {
    this.typeStart = new Int32Array(slots);
    this.typeEnd = new Int32Array(slots);
    this.sdpStart = new Int32Array(slots);
    this.sdpEnd = new Int32Array(slots);
  }

  clear(slot: number): void {
    this.typeStart[slot] = -1;
    this.sdpStart[slot] = -1;
  }
}

// Decoding is synchronous and one message at a time: one scanner and layout serve them all.
const json = new JsonScanner();
const layout = new MessageLayout();
const binaryScratch = Buffer.alloc(BINARY_STRING_LENGTH);

/**
 * Decodes one text frame: bytes[start, end), valid UTF-8 (the WebSocket layer checks text
 * frames). Every problem is a WsDecodeFailure value, never an exception.
 */
export function decodeInMessage(bytes: Buffer, start: number, end: number, limits: WsDecodeLimits): InMessage | WsDecodeFailure {
  json.reset(bytes, end);
  layout.clear(limits.maxOffers);
  try {
    const at = json.space(start);
    if (json.byteAt(at) !== Byte.OPEN_OBJECT) {
      json.expectEnd(json.value(at, 0));
      return failure('Invalid message: expected a JSON object');
    }
    json.expectEnd(scanMessage(at, limits.maxOffers));
  } catch (error) {
    if (error instanceof JsonSyntaxError) return failure(error.reason);
    throw error;
  }
  const { start: valueStart, end: valueEnd } = layout;
  const action = valueStart[Member.ACTION]!;
  if (action >= 0 && json.byteAt(action) === Byte.QUOTE) {
    if (json.literalIs(action, valueEnd[Member.ACTION]!, true, ANNOUNCE)) return decodeAnnounce(limits);
    if (json.literalIs(action, valueEnd[Member.ACTION]!, true, SCRAPE)) return decodeScrape(limits);
  }
  return failure('Unknown action');
}

/** The top-level object at `at`: notes where the members the protocol reads are; returns the index after it. */
function scanMessage(at: number, maxOffers: number): number {
  let member = json.enterObject(at, 0);
  while (member >= 0) {
    const value = json.key(member);
    const which = messageMember();
    let valueEnd: number;
    if (which === Member.OFFERS && json.byteAt(value) === Byte.OPEN_ARRAY) valueEnd = scanOffers(value, maxOffers);
    else if (which === Member.ANSWER && json.byteAt(value) === Byte.OPEN_OBJECT) valueEnd = scanSdpObject(value, 2, layout.answer, 0);
    else valueEnd = json.value(value, 1);
    if (which >= 0) {
      layout.start[which] = value;
      layout.end[which] = valueEnd;
    }
    member = json.nextMember(valueEnd);
  }
  return json.after;
}

/** Members by name, for escaped keys: each is decoded once, not once per candidate. */
const MEMBERS_BY_NAME: ReadonlyMap<string, number> = new Map(MESSAGE_MEMBERS.map((member, i) => [member.toString('latin1'), i]));
/** Longest literal a member name can have: every char escaped as \uXXXX. */
const MAX_ESCAPED_MEMBER = 2 + 6 * Math.max(...MESSAGE_MEMBERS.map((member) => member.length));

/** Which Member the key just read is, or -1. */
function messageMember(): number {
  const { keyStart, keyEnd } = json;
  if (json.keyEscaped) return keyEnd - keyStart > MAX_ESCAPED_MEMBER ? -1 : (MEMBERS_BY_NAME.get(json.keyText()) ?? -1);
  const length = keyEnd - keyStart - 2;
  for (let i = 0; i < Member.COUNT; i++) {
    const candidate = MESSAGE_MEMBERS[i]!;
    if (candidate.length === length && json.keyIs(candidate)) return i;
  }
  return -1;
}

/** An `offers` array: notes the members of its first `maxOffers` entries. */
function scanOffers(at: number, maxOffers: number): number {
  layout.offerCount = 0;
  let element = json.enterArray(at, 1);
  while (element >= 0) {
    let elementEnd: number;
    if (layout.offerCount < maxOffers) {
      const i = layout.offerCount++;
      layout.offerIdStart[i] = -1;
      layout.offerStart[i] = -1;
      layout.sdpObjects.clear(i);
      elementEnd = json.byteAt(element) === Byte.OPEN_OBJECT ? scanOfferEntry(element, i) : json.value(element, 2);
      if (json.byteAt(element) !== Byte.OPEN_OBJECT) layout.offerStart[i] = -2; // not an object: invalid
    } else {
      elementEnd = json.value(element, 2);
    }
    element = json.nextElement(elementEnd);
  }
  return json.after;
}

/** {offer_id, offer: {type, sdp}}, entry i of `offers`. */
function scanOfferEntry(at: number, i: number): number {
  let member = json.enterObject(at, 2);
  while (member >= 0) {
    const value = json.key(member);
    let valueEnd: number;
    if (json.keyIs(OFFER)) {
      layout.sdpObjects.clear(i);
      valueEnd = json.byteAt(value) === Byte.OPEN_OBJECT ? scanSdpObject(value, 3, layout.sdpObjects, i) : json.value(value, 3);
      layout.offerStart[i] = value;
    } else {
      const offerId = json.keyIs(OFFER_ID); // before the value: its own keys replace the scanner's key
      valueEnd = json.value(value, 3);
      if (offerId) {
        layout.offerIdStart[i] = value;
        layout.offerIdEnd[i] = valueEnd;
      }
    }
    member = json.nextMember(valueEnd);
  }
  return json.after;
}

/** {type, sdp} at `at` (an offer or an answer): notes both into `objects` at `slot`. */
function scanSdpObject(at: number, depth: number, objects: SdpObjects, slot: number): number {
  objects.clear(slot);
  let member = json.enterObject(at, depth);
  while (member >= 0) {
    const value = json.key(member);
    // Which key, before the value: its own keys replace the scanner's key.
    const type = json.keyIs(TYPE);
    const sdp = !type && json.keyIs(SDP);
    const valueEnd = json.value(value, depth + 1);
    if (type) {
      objects.typeStart[slot] = value;
      objects.typeEnd[slot] = valueEnd;
    } else if (sdp) {
      objects.sdpStart[slot] = value;
      objects.sdpEnd[slot] = valueEnd;
    }
    member = json.nextMember(valueEnd);
  }
  return json.after;
}

/** Whether `objects[slot]` is {type: `type`, sdp: <a string>}. */
function isSdpObject(objects: SdpObjects, slot: number, type: Uint8Array): boolean {
  const typeStart = objects.typeStart[slot]!;
  return (
    typeStart >= 0 &&
    json.byteAt(typeStart) === Byte.QUOTE &&
    json.literalIs(typeStart, objects.typeEnd[slot]!, true, type) &&
    objects.sdpStart[slot]! >= 0 &&
    json.byteAt(objects.sdpStart[slot]!) === Byte.QUOTE
  );
}

/** The char each two-character escape stands for (RFC 8259 7), by the byte after '\'; -1: none. */
const UNESCAPED = new Int16Array(256).fill(-1);
for (const [escape, char] of [['"', '"'], ['\\', '\\'], ['/', '/'], ['b', '\b'], ['f', '\f'], ['n', '\n'], ['r', '\r'], ['t', '\t']] as const) {
  UNESCAPED[escape.charCodeAt(0)] = char.charCodeAt(0);
}

/** Hex digits' values (the scanner has checked that \u is followed by four). */
const HEX_VALUE = new Uint8Array(256);
for (let d = 0; d < 16; d++) HEX_VALUE['0123456789abcdef'.charCodeAt(d)] = HEX_VALUE['0123456789ABCDEF'.charCodeAt(d)] = d;

/**
 * The binary string whose literal is at [start, end), or null when the value is not one.
 * Read directly from the bytes: each char is one or two UTF-8 bytes, or an escape (clients'
 * JSON.stringify escapes quotes, backslashes and control characters, which random ids hold).
 */
function binaryStringAt(start: number, end: number): string | null {
  if (start < 0 || json.byteAt(start) !== Byte.QUOTE) return null;
  const bytes = json.bytes;
  const out = binaryScratch;
  let length = 0;
  for (let i = start + 1; i < end - 1; i++) {
    let c = bytes[i]!;
    if (c === Byte.BACKSLASH) {
      const escape = bytes[++i]!;
      if (escape === Byte.LOWER_U) {
        c = (HEX_VALUE[bytes[i + 1]!]! << 12) | (HEX_VALUE[bytes[i + 2]!]! << 8) | (HEX_VALUE[bytes[i + 3]!]! << 4) | HEX_VALUE[bytes[i + 4]!]!;
        i += 4;
        if (c > 0xff) return null;
      } else {
        c = UNESCAPED[escape]!;
      }
    } else if (c >= 0x80) {
      if (c > 0xc3) return null; // U+0100 and above
      c = ((c & 0x1f) << 6) | (bytes[++i]! & 0x3f);
    }
    if (length === BINARY_STRING_LENGTH) return null;
    out[length++] = c;
  }
  if (length !== BINARY_STRING_LENGTH) return null;
  return String.fromCharCode(out[0]!, out[1]!, out[2]!, out[3]!, out[4]!, out[5]!, out[6]!, out[7]!, out[8]!, out[9]!, out[10]!, out[11]!, out[12]!, out[13]!, out[14]!, out[15]!, out[16]!, out[17]!, out[18]!, out[19]!);
}

/** A member that is absent or null. */
function isMissing(member: number): boolean {
  const at = layout.start[member]!;
  return at < 0 || json.byteAt(at) === 0x6e; // n(ull)
}

function isNumber(at: number): boolean {
  const b = json.byteAt(at);
  return b === Byte.MINUS || (b >= Byte.ZERO && b <= Byte.NINE);
}

function numberMember(member: number): number {
  return json.numberAt(layout.start[member]!, layout.end[member]!);
}

function memberBinaryString(member: number): string | null {
  return binaryStringAt(layout.start[member]!, layout.end[member]!);
}

function decodeAnnounce(limits: WsDecodeLimits): InMessage | WsDecodeFailure {
  const infoHash = memberBinaryString(Member.INFO_HASH);
  if (infoHash === null) return failure('Invalid info_hash', 'announce');
  const fail = (reason: string) => failure(reason, 'announce', infoHash);
  const peerId = memberBinaryString(Member.PEER_ID);
  if (peerId === null) return fail('Invalid peer_id');
  const source = json.bytes;

  if (layout.start[Member.ANSWER]! >= 0) {
    const answer = layout.answer;
    if (json.byteAt(layout.start[Member.ANSWER]!) !== Byte.OPEN_OBJECT || !isSdpObject(answer, 0, ANSWER)) return fail('Invalid answer');
    const toPeerId = memberBinaryString(Member.TO_PEER_ID);
    if (toPeerId === null) return fail('Invalid to_peer_id');
    const offerId = memberBinaryString(Member.OFFER_ID);
    if (offerId === null) return fail('Invalid offer_id');
    return { action: 'answer', infoHash, peerId, toPeerId, offerId, source, sdpStart: answer.sdpStart[0]!, sdpEnd: answer.sdpEnd[0]! };
  }

  let event: WsEvent = WsEvent.NONE;
  if (!isMissing(Member.EVENT)) {
    const at = layout.start[Member.EVENT]!;
    const known = json.byteAt(at) === Byte.QUOTE ? EVENTS.get(json.text(at, layout.end[Member.EVENT]!)) : undefined;
    if (known === undefined) return fail('Invalid event');
    event = known;
  }
  const leftGiven = !isMissing(Member.LEFT);
  if (leftGiven && !isNumber(layout.start[Member.LEFT]!)) return fail('Invalid left');
  const numwantGiven = !isMissing(Member.NUMWANT);
  const numwant = numwantGiven && isNumber(layout.start[Member.NUMWANT]!) ? numberMember(Member.NUMWANT) : -1;
  if (numwantGiven && !(numwant >= 0)) return fail('Invalid numwant');

  let offers: WsOffer[] = [];
  if (!isMissing(Member.OFFERS)) {
    if (json.byteAt(layout.start[Member.OFFERS]!) !== Byte.OPEN_ARRAY) return fail('Invalid offers');
    const count = layout.offerCount;
    const objects = layout.sdpObjects;
    offers = new Array<WsOffer>(count);
    for (let i = 0; i < count; i++) {
      const offerAt = layout.offerStart[i]!;
      if (offerAt === -2) return fail('Invalid offer'); // the entry is not an object
      const offerId = binaryStringAt(layout.offerIdStart[i]!, layout.offerIdEnd[i]!);
      if (offerId === null || offerAt < 0 || json.byteAt(offerAt) !== Byte.OPEN_OBJECT || !isSdpObject(objects, i, OFFER)) return fail('Invalid offer');
      offers[i] = { offerId, sdpStart: objects.sdpStart[i]!, sdpEnd: objects.sdpEnd[i]! };
    }
  }
  return {
    action: 'announce',
    infoHash,
    peerId,
    event,
    seeder: leftGiven && numberMember(Member.LEFT) === 0,
    numwant: numwantGiven ? Math.floor(numwant) : offers.length,
    offers,
    source,
  };
}

function decodeScrape(limits: WsDecodeLimits): WsScrape | WsDecodeFailure {
  if (isMissing(Member.INFO_HASH)) return { action: 'scrape', infoHashes: null };
  const at = layout.start[Member.INFO_HASH]!;
  const single = binaryStringAt(at, layout.end[Member.INFO_HASH]!);
  if (single !== null) return { action: 'scrape', infoHashes: [single] };
  if (json.byteAt(at) !== Byte.OPEN_ARRAY) return failure('Invalid info_hash', 'scrape');
  // Beyond the limit hashes are ignored, as aquatic_udp/http do with max_scrape_torrents.
  // The scanner has checked the array: walking it again cannot throw.
  const infoHashes: string[] = [];
  let element = json.enterArray(at, 1);
  while (element >= 0 && infoHashes.length < limits.maxScrapeTorrents) {
    const elementEnd = json.value(element, 2);
    const infoHash = binaryStringAt(element, elementEnd);
    if (infoHash === null) return failure('Invalid info_hash', 'scrape');
    infoHashes.push(infoHash);
    element = json.nextElement(elementEnd);
  }
  return { action: 'scrape', infoHashes };
}
