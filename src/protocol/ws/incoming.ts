// WebTorrent tracker messages from clients (the de facto protocol of bittorrent-tracker's
// websocket-tracker): one JSON text frame in, a typed InMessage or a failure out. Pure: no
// I/O, no clock, never throws. info_hash, peer_id, to_peer_id and offer_id are "binary
// strings": 20 UTF-16 code units, each 0–255 (one byte per char, as Buffer's latin1).

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

/** A WebRTC offer to relay: only its SDP travels on, re-wrapped as {type:"offer", sdp}. */
export interface WsOffer {
  readonly offerId: string;
  readonly sdp: string;
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
}

/** An announce carrying `answer`: relay it to `toPeerId`, no announce response (as bittorrent-tracker). */
export interface WsAnswer {
  readonly action: 'answer';
  readonly infoHash: string;
  readonly peerId: string;
  readonly toPeerId: string;
  readonly offerId: string;
  readonly sdp: string;
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

type Json = { readonly [key: string]: unknown };

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The SDP of {type, sdp} with the expected type, or null. */
function sdpOf(value: unknown, type: 'offer' | 'answer'): string | null {
  if (!isObject(value) || value['type'] !== type) return null;
  const sdp = value['sdp'];
  return typeof sdp === 'string' ? sdp : null;
}

/** Decodes one text frame. Every problem is a WsDecodeFailure value, never an exception. */
export function decodeInMessage(text: string, limits: WsDecodeLimits): InMessage | WsDecodeFailure {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return failure('Invalid JSON');
  }
  if (!isObject(json)) return failure('Invalid message: expected a JSON object');
  const action = json['action'];
  if (action === 'announce') return decodeAnnounce(json, limits);
  if (action === 'scrape') return decodeScrape(json, limits);
  return failure('Unknown action');
}

function decodeAnnounce(json: Json, limits: WsDecodeLimits): InMessage | WsDecodeFailure {
  const infoHash = json['info_hash'];
  if (!isBinaryString(infoHash)) return failure('Invalid info_hash', 'announce');
  const fail = (reason: string) => failure(reason, 'announce', infoHash);
  const peerId = json['peer_id'];
  if (!isBinaryString(peerId)) return fail('Invalid peer_id');

  if (json['answer'] !== undefined) {
    const sdp = sdpOf(json['answer'], 'answer');
    if (sdp === null) return fail('Invalid answer');
    const toPeerId = json['to_peer_id'];
    if (!isBinaryString(toPeerId)) return fail('Invalid to_peer_id');
    const offerId = json['offer_id'];
    if (!isBinaryString(offerId)) return fail('Invalid offer_id');
    return { action: 'answer', infoHash, peerId, toPeerId, offerId, sdp };
  }

  const eventText = json['event'];
  let event: WsEvent = WsEvent.NONE;
  if (eventText !== undefined && eventText !== null) {
    const known = typeof eventText === 'string' ? EVENTS.get(eventText) : undefined;
    if (known === undefined) return fail('Invalid event');
    event = known;
  }
  const left = json['left'];
  if (left !== undefined && left !== null && typeof left !== 'number') return fail('Invalid left');
  const numwant = json['numwant'];
  if (numwant !== undefined && numwant !== null && (typeof numwant !== 'number' || !(numwant >= 0))) return fail('Invalid numwant');

  const given = json['offers'];
  let offers: WsOffer[] = [];
  if (given !== undefined && given !== null) {
    if (!Array.isArray(given)) return fail('Invalid offers');
    const count = Math.min(given.length, limits.maxOffers);
    offers = new Array<WsOffer>(count);
    for (let i = 0; i < count; i++) {
      const entry: unknown = given[i];
      if (!isObject(entry)) return fail('Invalid offer');
      const offerId = entry['offer_id'];
      const sdp = sdpOf(entry['offer'], 'offer');
      if (!isBinaryString(offerId) || sdp === null) return fail('Invalid offer');
      offers[i] = { offerId, sdp };
    }
  }
  return {
    action: 'announce',
    infoHash,
    peerId,
    event,
    seeder: left === 0,
    numwant: typeof numwant === 'number' ? Math.floor(numwant) : offers.length,
    offers,
  };
}

function decodeScrape(json: Json, limits: WsDecodeLimits): WsScrape | WsDecodeFailure {
  const given = json['info_hash'];
  if (given === undefined || given === null) return { action: 'scrape', infoHashes: null };
  if (isBinaryString(given)) return { action: 'scrape', infoHashes: [given] };
  if (!Array.isArray(given)) return failure('Invalid info_hash', 'scrape');
  // Beyond the limit hashes are ignored, as aquatic_udp/http do with max_scrape_torrents.
  const count = Math.min(given.length, limits.maxScrapeTorrents);
  const infoHashes = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const infoHash: unknown = given[i];
    if (!isBinaryString(infoHash)) return failure('Invalid info_hash', 'scrape');
    infoHashes[i] = infoHash;
  }
  return { action: 'scrape', infoHashes };
}
