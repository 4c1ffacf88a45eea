// WebTorrent tracker messages to clients, built as JSON text directly (no object per reply).
// Binary strings go through JSON.stringify, which escapes quotes, backslashes and control
// characters; chars 0x80–0xff are sent as themselves and the WebSocket layer encodes the
// text as UTF-8, which is what clients' JSON.parse expects (bittorrent-tracker does the same).

const quote = JSON.stringify as (text: string) => string;

/** {action:"announce", interval, info_hash, complete, incomplete}: the reply to an announce. */
export function encodeAnnounceResponse(infoHash: string, interval: number, complete: number, incomplete: number): string {
  return `{"action":"announce","interval":${interval},"info_hash":${quote(infoHash)},"complete":${complete},"incomplete":${incomplete}}`;
}

/**
 * The part shared by every offer one announce relays (info hash and the offering peer), so
 * that it is escaped once per announce rather than once per offer.
 */
export function encodeOfferRelayHead(infoHash: string, offererPeerId: string): string {
  return `{"action":"announce","info_hash":${quote(infoHash)},"peer_id":${quote(offererPeerId)},`;
}

/** An offer relayed to another peer: {action, info_hash, peer_id: <offerer>, offer_id, offer}. */
export function encodeOfferRelay(head: string, offerId: string, sdp: string): string {
  return `${head}"offer_id":${quote(offerId)},"offer":{"type":"offer","sdp":${quote(sdp)}}}`;
}

/** An answer relayed to the offering peer: {action, info_hash, peer_id: <answerer>, offer_id, answer}. */
export function encodeAnswerRelay(infoHash: string, answererPeerId: string, offerId: string, sdp: string): string {
  return (
    `{"action":"announce","info_hash":${quote(infoHash)},"peer_id":${quote(answererPeerId)},` +
    `"offer_id":${quote(offerId)},"answer":{"type":"answer","sdp":${quote(sdp)}}}`
  );
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
