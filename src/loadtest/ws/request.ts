// The messages a WebTorrent client sends (bittorrent-tracker's websocket-tracker protocol:
// announce with offers, answer, scrape), written as JSON text directly, as the tracker's own
// outgoing.ts does: the parts that repeat (info hashes, peer_id, SDP) are quoted once, and
// offer ids are ASCII so they need no escaping on the hot path.
//
// Messages are wire strings: one char per byte of their UTF-8, so the transport writes them
// with a latin1 copy (no UTF-8 encoding, and the length is the byte count), and binary
// strings read from the tracker's messages (response.ts) are copied into answers as they came.
import { BINARY_STRING_LENGTH } from '../../protocol/ws/incoming.js';
import { LEECHER_LEFT } from '../common/population.js';

/** `text` as a JSON string token, in wire form. */
export function quote(text: string): string {
  return Buffer.from(JSON.stringify(text), 'utf8').toString('latin1');
}

/** A wire string's text (for reading it back in tests and tools). */
export function wireText(wire: string): string {
  return Buffer.from(wire, 'latin1').toString('utf8');
}

/** Offer ids start with the offering connection's tag, so an answer relayed back can be checked against its offer. */
export const OFFER_TAG_LENGTH = 6;
const OFFER_COUNTER_LENGTH = BINARY_STRING_LENGTH - OFFER_TAG_LENGTH;
const BASE36 = 36;

/** A connection's tag: unique among all connections of a run (workers x connections < 36^6). */
export function offerTag(workerIndex: number, connectionIndex: number): string {
  return (workerIndex * 10_000 + connectionIndex).toString(BASE36).padStart(OFFER_TAG_LENGTH, '0');
}

export type SdpStyle = 'aquatic' | 'browser';

/** A data-channel offer as a browser writes it, wsload.mjs's (346 characters, CRLF line ends). */
const BROWSER_SDP =
  'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n' +
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:abcd\r\n' +
  'a=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:' +
  '00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\na=setup:actpass\r\na=mid:0\r\na=sctp-port:5000\r\n';

/**
 * The dummy SDP, stretched or cut to `size` characters: aquatic_ws_load_test's
 * "abcdefg-abcdefg-…", or the browser-like one (whose CRLFs JSON escapes, as real offers').
 */
export function dummySdp(size: number, style: SdpStyle = 'aquatic'): string {
  const unit = style === 'aquatic' ? 'abcdefg-' : BROWSER_SDP;
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

export class WsRequestWriter {
  /** Offers made by this connection so far; the counter part of their ids (36^14 > 2^53). */
  private offersMade = 0;
  private readonly sdp: string;

  constructor(
    private readonly offersPerRequest: number,
    /** The SDP of every offer and answer. */
    sdp: string,
    private readonly tag: string,
  ) {
    this.sdp = quote(sdp);
  }

  /**
   * An announce with `offersPerRequest` fresh offers and numwant = their count, as
   * aquatic_ws_load_test sends it: a seeder says "completed" with left = 0, a leecher "started".
   * `infoHash` and `peerId` are already JSON-quoted.
   */
  announce(infoHash: string, peerId: string, seeder: boolean): string {
    let offers = '';
    for (let i = 0; i < this.offersPerRequest; i++) {
      const offerId = this.tag + (this.offersMade++).toString(BASE36).padStart(OFFER_COUNTER_LENGTH, '0');
      offers += `${i === 0 ? '' : ','}{"offer_id":"${offerId}","offer":{"type":"offer","sdp":${this.sdp}}}`;
    }
    return (
      `{"action":"announce","info_hash":${infoHash},"peer_id":${peerId},"numwant":${this.offersPerRequest},` +
      `"uploaded":0,"downloaded":${seeder ? LEECHER_LEFT : 0},"left":${seeder ? 0 : LEECHER_LEFT},` +
      `"event":"${seeder ? 'completed' : 'started'}","offers":[${offers}]}`
    );
  }

  /** The answer to an offer, every field JSON-quoted (the offer's as it carried them). */
  answer(infoHash: string, peerId: string, toPeerId: string, offerId: string): string {
    return `{"action":"announce","info_hash":${infoHash},"peer_id":${peerId},"to_peer_id":${toPeerId},"offer_id":${offerId},"answer":{"type":"answer","sdp":${this.sdp}}}`;
  }

  /** A scrape of infoHashes[0, count), each JSON-quoted. */
  scrape(infoHashes: readonly string[], count: number): string {
    let list = '';
    for (let i = 0; i < count; i++) list += `${i === 0 ? '' : ','}${infoHashes[i]}`;
    return `{"action":"scrape","info_hash":[${list}]}`;
  }
}
