// WebTorrent messages for tests. The decoder as a plain JSON.parse walk: the model the byte-level
// decoder (src/protocol/ws/incoming.ts) is checked against, with SDPs as decoded text.
// Test support only; the tracker never runs it.
import { RelayWriter } from '../../src/protocol/ws/outgoing.js';
import { WsEvent, decodeInMessage, isBinaryString, type WsDecodeFailure, type WsDecodeLimits, type WsScrape } from '../../src/protocol/ws/incoming.js';

/** InMessage with SDPs as text rather than literals in a buffer. */
export type ModelMessage =
  | { action: 'announce'; infoHash: string; peerId: string; event: WsEvent; seeder: boolean; numwant: number; offers: { offerId: string; sdp: string }[] }
  | { action: 'answer'; infoHash: string; peerId: string; toPeerId: string; offerId: string; sdp: string }
  | WsScrape
  | WsDecodeFailure;

const EVENTS: ReadonlyMap<string, WsEvent> = new Map([
  ['started', WsEvent.STARTED],
  ['completed', WsEvent.COMPLETED],
  ['stopped', WsEvent.STOPPED],
  ['update', WsEvent.NONE],
]);

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

/** Decodes one text frame as the tracker did before it read bytes. */
export function decodeModel(text: string, limits: WsDecodeLimits): ModelMessage {
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

function decodeAnnounce(json: Json, limits: WsDecodeLimits): ModelMessage {
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
  let offers: { offerId: string; sdp: string }[] = [];
  if (given !== undefined && given !== null) {
    if (!Array.isArray(given)) return fail('Invalid offers');
    const count = Math.min(given.length, limits.maxOffers);
    offers = new Array<{ offerId: string; sdp: string }>(count);
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

/**
 * decodeInMessage on `text` sent as UTF-8, in the model's shape: each SDP literal the
 * decoder points at is parsed (it must be a valid JSON string).
 */
export function decodeAsModel(text: string | Buffer, limits: WsDecodeLimits): ModelMessage {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const message = decodeInMessage(bytes, 0, bytes.length, limits);
  const sdp = (source: Buffer, start: number, end: number) => JSON.parse(source.toString('utf8', start, end)) as string;
  switch (message.action) {
    case 'announce': {
      const { source, offers, ...rest } = message;
      return { ...rest, offers: offers.map((offer) => ({ offerId: offer.offerId, sdp: sdp(source, offer.sdpStart, offer.sdpEnd) })) };
    }
    case 'answer': {
      const { source, sdpStart, sdpEnd, ...rest } = message;
      return { ...rest, sdp: sdp(source, sdpStart, sdpEnd) };
    }
    default:
      return message;
  }
}

const relays = new RelayWriter();

/** The offer relay the tracker sends, as text. */
export function offerRelayText(infoHash: string, offererPeerId: string, offerId: string, sdp: string): string {
  const source = Buffer.from(JSON.stringify(sdp));
  relays.beginOffers(infoHash, offererPeerId);
  return relays.bytes.toString('utf8', 0, relays.offer(offerId, source, 0, source.length));
}

/** The answer relay the tracker sends, as text. */
export function answerRelayText(infoHash: string, answererPeerId: string, offerId: string, sdp: string): string {
  const source = Buffer.from(JSON.stringify(sdp));
  return relays.bytes.toString('utf8', 0, relays.answer(infoHash, answererPeerId, offerId, source, 0, source.length));
}
