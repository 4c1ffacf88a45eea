// WebTorrent tracker messages to clients, built as JSON text directly (no object per reply);
// relays as UTF-8 bytes, since their SDP arrives as bytes.
// Binary strings go through JSON.stringify, which escapes quotes, backslashes and control
// characters; chars 0x80–0xff are sent as themselves and the WebSocket layer encodes the
// text as UTF-8, which is what clients' JSON.parse expects (bittorrent-tracker does the same).

const quote = JSON.stringify as (text: string) => string;

/** {action:"announce", interval, info_hash, complete, incomplete}: the reply to an announce. */
export function encodeAnnounceResponse(infoHash: string, interval: number, complete: number, incomplete: number): string {
  return `{"action":"announce","interval":${interval},"info_hash":${quote(infoHash)},"complete":${complete},"incomplete":${incomplete}}`;
}

const ascii = (text: string) => Buffer.from(text, 'latin1');
const RELAY_START = ascii('{"action":"announce","info_hash":');
const PEER_ID = ascii(',"peer_id":');
const OFFER_ID = ascii(',"offer_id":');
const OFFER = ascii(',"offer":{"type":"offer","sdp":');
const ANSWER = ascii(',"answer":{"type":"answer","sdp":');
const RELAY_END = ascii('}}');
/** Bytes of a binary string's literal at most: 20 chars, each escaped as \u00XX. */
const MAX_BINARY_LITERAL = 2 + 20 * 6;
const HEX = ascii('0123456789abcdef');
const ESCAPE_U00 = ascii('\\u00');
/** JSON.stringify's two-character escapes (RFC 8259 7), by char; 0: none. */
const SHORT_ESCAPES = new Uint8Array(128);
for (const [char, escape] of [['"', '"'], ['\\', '\\'], ['\b', 'b'], ['\f', 'f'], ['\n', 'n'], ['\r', 'r'], ['\t', 't']] as const) {
  SHORT_ESCAPES[char.charCodeAt(0)] = escape.charCodeAt(0);
}

/**
 * Writes the JSON literal of `text` (chars 0–255) at out[at], as JSON.stringify would and
 * UTF-8 encoded; returns the index after it. `out` has room for MAX_BINARY_LITERAL bytes.
 */
export function writeBinaryStringLiteral(out: Uint8Array, at: number, text: string): number {
  out[at++] = 0x22;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) {
      out[at++] = 0xc0 | (c >> 6);
      out[at++] = 0x80 | (c & 0x3f);
    } else if (c >= 0x20 && c !== 0x22 && c !== 0x5c) {
      out[at++] = c;
    } else if (SHORT_ESCAPES[c] !== 0) {
      out[at++] = 0x5c;
      out[at++] = SHORT_ESCAPES[c]!;
    } else {
      out.set(ESCAPE_U00, at);
      out[at + 4] = HEX[c >> 4]!;
      out[at + 5] = HEX[c & 15]!;
      at += 6;
    }
  }
  out[at++] = 0x22;
  return at;
}

/**
 * Offers and answers relayed to other peers, written as the UTF-8 bytes they are sent as:
 * the SDP literal is copied from the message it came in, as it came. One writer per
 * handler; what it wrote is valid until its next call.
 */
export class RelayWriter {
  bytes = Buffer.allocUnsafe(4096);
  /** End of the part every offer of the current announce shares. */
  private offersHeadEnd = 0;

  /** Starts the offers of one announce by `offererPeerId` in `infoHash` (written once for all of them). */
  beginOffers(infoHash: string, offererPeerId: string): void {
    this.offersHeadEnd = this.head(infoHash, offererPeerId);
  }

  /** {action, info_hash, peer_id: <offerer>, offer_id, offer: {type: "offer", sdp}} after beginOffers; returns its length. */
  offer(offerId: string, source: Uint8Array, sdpStart: number, sdpEnd: number): number {
    return this.tail(this.offersHeadEnd, offerId, OFFER, source, sdpStart, sdpEnd);
  }

  /** {action, info_hash, peer_id: <answerer>, offer_id, answer: {type: "answer", sdp}}; returns its length. */
  answer(infoHash: string, answererPeerId: string, offerId: string, source: Uint8Array, sdpStart: number, sdpEnd: number): number {
    return this.tail(this.head(infoHash, answererPeerId), offerId, ANSWER, source, sdpStart, sdpEnd);
  }

  private head(infoHash: string, peerId: string): number {
    const out = this.bytes;
    out.set(RELAY_START, 0);
    let at = writeBinaryStringLiteral(out, RELAY_START.length, infoHash);
    out.set(PEER_ID, at);
    return writeBinaryStringLiteral(out, at + PEER_ID.length, peerId);
  }

  private tail(at: number, offerId: string, kind: Uint8Array, source: Uint8Array, sdpStart: number, sdpEnd: number): number {
    const room = at + OFFER_ID.length + MAX_BINARY_LITERAL + kind.length + (sdpEnd - sdpStart) + RELAY_END.length;
    if (room > this.bytes.length) {
      const larger = Buffer.allocUnsafe(Math.max(room, 2 * this.bytes.length));
      larger.set(this.bytes.subarray(0, at));
      this.bytes = larger;
    }
    const out = this.bytes;
    out.set(OFFER_ID, at);
    at = writeBinaryStringLiteral(out, at + OFFER_ID.length, offerId);
    out.set(kind, at);
    at += kind.length;
    out.set(source.subarray(sdpStart, sdpEnd), at);
    at += sdpEnd - sdpStart;
    out.set(RELAY_END, at);
    return at + RELAY_END.length;
  }
}

/** {action:"scrape", files:{<info_hash>:{complete, incomplete, downloaded}, …}}, built entry by entry. */
export class ScrapeResponseWriter {
  private text = '{"action":"scrape","files":{';
  private first = true;

  /** complete: seeders; incomplete: leechers; downloaded: completed downloads reported. */
  add(infoHash: string, complete: number, incomplete: number, downloaded: number): void {
    this.text += `${this.first ? '' : ','}${quote(infoHash)}:{"complete":${complete},"incomplete":${incomplete},"downloaded":${downloaded}}`;
    this.first = false;
  }

  finish(): string {
    return `${this.text}}}`;
  }
}

/** {"failure reason", action?, info_hash?}: clients show the reason as a warning. */
export function encodeFailure(reason: string, action: 'announce' | 'scrape' | null, infoHash: string | null): string {
  return (
    `{"failure reason":${quote(reason)}` +
    (action === null ? '' : `,"action":"${action}"`) +
    (infoHash === null ? '' : `,"info_hash":${quote(infoHash)}`) +
    '}'
  );
}
