// What a WebTorrent tracker sends a client, checked as a client relies on it: one JSON object
// per text frame, an action, and binary strings (info_hash, peer_id, offer_id: 20 chars,
// code points 0–255) where the protocol has them. The connection then checks the message
// against what it asked for (see connection.ts).
import { isBinaryString } from '../../protocol/ws/incoming.js';

export const TrackerMessageKind = {
  /** {action:"announce", interval, info_hash, complete, incomplete} */
  ANNOUNCE_RESPONSE: 0,
  /** {action:"scrape", files:{<info_hash>:{complete, incomplete, downloaded?}}} */
  SCRAPE_RESPONSE: 1,
  /** {action:"announce", info_hash, peer_id: <offerer>, offer_id, offer:{type:"offer", sdp}} */
  OFFER: 2,
  /** {action:"announce", info_hash, peer_id: <answerer>, offer_id, answer:{type:"answer", sdp}} */
  ANSWER: 3,
  /** {"failure reason", action?, info_hash?} */
  FAILURE: 4,
  /** Anything else: not JSON, not an object, unknown action, fields missing or ill-shaped. */
  INVALID: 5,
} as const;
export type TrackerMessageKind = (typeof TrackerMessageKind)[keyof typeof TrackerMessageKind];

/** The fields of a message its receiver acts on (reused from message to message). */
export interface TrackerMessage {
  kind: TrackerMessageKind;
  /** Announce responses, offers and answers: the torrent; a failure's when it names one, else null. */
  infoHash: string | null;
  /** A failure's `action` when it has one, else null. */
  action: string | null;
  /** Offers and answers: the peer that sent it, and the offer's id. */
  peerId: string;
  offerId: string;
}

export function createTrackerMessage(): TrackerMessage {
  return { kind: TrackerMessageKind.INVALID, infoHash: null, action: null, peerId: '', offerId: '' };
}

type Json = { readonly [key: string]: unknown };

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** {type, sdp: string} with the expected type. */
function isSessionDescription(value: unknown, type: 'offer' | 'answer'): boolean {
  return isObject(value) && value['type'] === type && typeof value['sdp'] === 'string';
}

/** Reads one text frame into `out` and returns its kind. */
export function readTrackerMessage(text: string, out: TrackerMessage): TrackerMessageKind {
  out.infoHash = null;
  out.action = null;
  out.peerId = '';
  out.offerId = '';
  out.kind = classify(text, out);
  return out.kind;
}

function classify(text: string, out: TrackerMessage): TrackerMessageKind {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return TrackerMessageKind.INVALID;
  }
  if (!isObject(json)) return TrackerMessageKind.INVALID;
  const action = json['action'];
  const infoHash = json['info_hash'];
  if (json['failure reason'] !== undefined) {
    if (typeof json['failure reason'] !== 'string') return TrackerMessageKind.INVALID;
    if (action !== undefined && action !== 'announce' && action !== 'scrape') return TrackerMessageKind.INVALID;
    if (infoHash !== undefined && !isBinaryString(infoHash)) return TrackerMessageKind.INVALID;
    out.action = action ?? null;
    out.infoHash = infoHash ?? null;
    return TrackerMessageKind.FAILURE;
  }
  if (action === 'scrape') return isScrapeFiles(json['files']) ? TrackerMessageKind.SCRAPE_RESPONSE : TrackerMessageKind.INVALID;
  if (action !== 'announce' || !isBinaryString(infoHash)) return TrackerMessageKind.INVALID;
  out.infoHash = infoHash;
  const offer = json['offer'];
  const answer = json['answer'];
  if (offer === undefined && answer === undefined) {
    return isCount(json['interval']) && isCount(json['complete']) && isCount(json['incomplete'])
      ? TrackerMessageKind.ANNOUNCE_RESPONSE
      : TrackerMessageKind.INVALID;
  }
  const peerId = json['peer_id'];
  const offerId = json['offer_id'];
  if (!isBinaryString(peerId) || !isBinaryString(offerId)) return TrackerMessageKind.INVALID;
  out.peerId = peerId;
  out.offerId = offerId;
  if (offer !== undefined && answer === undefined && isSessionDescription(offer, 'offer')) return TrackerMessageKind.OFFER;
  if (answer !== undefined && offer === undefined && isSessionDescription(answer, 'answer')) return TrackerMessageKind.ANSWER;
  return TrackerMessageKind.INVALID;
}

/** Scrape `files`: binary-string keys, each with complete and incomplete (and downloaded, which some trackers leave out). */
function isScrapeFiles(files: unknown): boolean {
  if (!isObject(files)) return false;
  for (const infoHash in files) {
    const counts = files[infoHash];
    if (!isBinaryString(infoHash) || !isObject(counts) || !isCount(counts['complete']) || !isCount(counts['incomplete'])) return false;
    if (counts['downloaded'] !== undefined && !isCount(counts['downloaded'])) return false;
  }
  return true;
}
