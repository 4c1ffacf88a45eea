// Announce and scrape requests as the bytes of an HTTP/1.1 GET, written straight into one
// reusable buffer: no strings or URL objects per request. Keys and event names come from the
// tracker's own constants and binary fields go through its percentEncode, so what the
// tracker's readAnnounceQuery / readScrapeQuery expect is what is sent.
import { bencodeFragment as asciiFragment, writeDecimal, writeFragment } from '../../protocol/http/bencode.js';
import { AnnounceKey, EventName, INFO_HASH_SIZE, PEER_ID_SIZE } from '../../protocol/http/constants.js';
import { percentEncode } from '../../protocol/http/query.js';

export interface HttpRequestTarget {
  /** Value of the Host header (RFC 9112 3.2: required in HTTP/1.1), e.g. "127.0.0.1:3000" or "[::1]:3000". */
  readonly host: string;
  readonly announcePath: string;
  readonly scrapePath: string;
  /** false: ask the server to close after the response ("Connection: close", RFC 9112 9.6). */
  readonly keepAlive: boolean;
  /** Most info hashes a scrape carries (sizes the buffer). */
  readonly maxScrapeHashes: number;
}

/** The announce fields a simulated peer sends (BEP 3). Reused between requests. */
export interface AnnounceFields {
  infoHash: Uint8Array;
  peerId: Uint8Array;
  port: number;
  downloaded: number;
  left: number;
  /** The peer's first announce: `event=started`; later ones send no event (a regular update). */
  started: boolean;
  /** `numwant`; negative: not sent (the tracker's default). */
  numWant: number;
}

/** Bytes one percent-encoded 20-byte id takes at most (`%XX` per byte). */
const ENCODED_ID_MAX = 3 * Math.max(INFO_HASH_SIZE, PEER_ID_SIZE);
/** Digits of the largest number written (a byte count up to 2^53). */
const DECIMAL_MAX = 16;

export class HttpRequestWriter {
  /** The request is in buffer[0, length) after each write. */
  readonly buffer: Buffer;

  private readonly announceStart: Uint8Array;
  private readonly peerIdKey = asciiFragment(`&${AnnounceKey.PEER_ID}=`);
  private readonly portKey = asciiFragment(`&${AnnounceKey.PORT}=`);
  // uploaded is always 0: the tracker does not use it, and clients that only seed send 0 too.
  private readonly countsKeys = asciiFragment(`&${AnnounceKey.UPLOADED}=0&${AnnounceKey.DOWNLOADED}=`);
  private readonly leftKey = asciiFragment(`&${AnnounceKey.LEFT}=`);
  private readonly startedEvent = asciiFragment(`&${AnnounceKey.EVENT}=${EventName.STARTED}`);
  private readonly numWantKey = asciiFragment(`&${AnnounceKey.NUMWANT}=`);
  // BEP 23: compact peer strings, what every modern client asks for.
  private readonly compact = asciiFragment(`&${AnnounceKey.COMPACT}=1`);
  private readonly scrapeStart: Uint8Array;
  private readonly firstInfoHashKey = asciiFragment(`${AnnounceKey.INFO_HASH}=`);
  private readonly nextInfoHashKey = asciiFragment(`&${AnnounceKey.INFO_HASH}=`);
  private readonly tail: Uint8Array;

  constructor(target: HttpRequestTarget) {
    this.announceStart = asciiFragment(`GET ${target.announcePath}?${AnnounceKey.INFO_HASH}=`);
    this.scrapeStart = asciiFragment(`GET ${target.scrapePath}?`);
    this.tail = asciiFragment(` HTTP/1.1\r\nHost: ${target.host}\r\n${target.keepAlive ? '' : 'Connection: close\r\n'}\r\n`);
    const announceMax =
      this.announceStart.length +
      2 * ENCODED_ID_MAX +
      [this.peerIdKey, this.portKey, this.countsKeys, this.leftKey, this.startedEvent, this.numWantKey, this.compact].reduce((sum, f) => sum + f.length, 0) +
      4 * DECIMAL_MAX;
    const scrapeMax = this.scrapeStart.length + target.maxScrapeHashes * (this.nextInfoHashKey.length + ENCODED_ID_MAX);
    this.buffer = Buffer.alloc(Math.max(announceMax, scrapeMax) + this.tail.length);
  }

  /** Writes `GET /announce?info_hash=…&peer_id=…&port=…&uploaded=0&downloaded=…&left=…[&event=started][&numwant=…]&compact=1`. */
  writeAnnounce(fields: AnnounceFields): number {
    const out = this.buffer;
    let at = writeFragment(out, 0, this.announceStart);
    at += percentEncode(fields.infoHash, 0, INFO_HASH_SIZE, out, at);
    at += writeFragment(out, at, this.peerIdKey);
    at += percentEncode(fields.peerId, 0, PEER_ID_SIZE, out, at);
    at += writeFragment(out, at, this.portKey);
    at += writeDecimal(out, at, fields.port);
    at += writeFragment(out, at, this.countsKeys);
    at += writeDecimal(out, at, fields.downloaded);
    at += writeFragment(out, at, this.leftKey);
    at += writeDecimal(out, at, fields.left);
    if (fields.started) at += writeFragment(out, at, this.startedEvent);
    if (fields.numWant >= 0) {
      at += writeFragment(out, at, this.numWantKey);
      at += writeDecimal(out, at, fields.numWant);
    }
    at += writeFragment(out, at, this.compact);
    return at + writeFragment(out, at, this.tail);
  }

  /** Writes `GET /scrape?info_hash=…&info_hash=…` for infoHashes[0, count) (BEP 48). */
  writeScrape(infoHashes: readonly Uint8Array[], count: number): number {
    const out = this.buffer;
    let at = writeFragment(out, 0, this.scrapeStart);
    for (let i = 0; i < count; i++) {
      at += writeFragment(out, at, i === 0 ? this.firstInfoHashKey : this.nextInfoHashKey);
      at += percentEncode(infoHashes[i]!, 0, INFO_HASH_SIZE, out, at);
    }
    return at + writeFragment(out, at, this.tail);
  }
}
