// Property tests for every decoder and encoder (fast-check): arbitrary bytes never throw out
// of a decoder, and what an encoder writes decodes back to what it was given. `npm test`
// runs FUZZ_RUNS=2000 cases per property; `npm run fuzz` runs a million.
import fc from 'fast-check';
import test from 'ava';
import { ReadStatus, createUdpRequest, readRequest, writeAnnounceRequest, writeConnectRequest, writeScrapeRequest } from '../../src/protocol/udp/request.js';
import { decodeResponse, writeAnnounceResponseHeader, writeConnectResponse, writeErrorResponse, writeScrapeResponseEntry, writeScrapeResponseHeader } from '../../src/protocol/udp/response.js';
import { BencodeError, decodeBencode, encodeBencode, type BencodeValue } from '../../src/protocol/http/bencode.js';
import {
  HttpRoute,
  createHttpAnnounce,
  createHttpRoutes,
  createHttpScrape,
  createHttpTarget,
  percentEncode,
  readAnnounceQuery,
  readScrapeQuery,
  routeTarget,
} from '../../src/protocol/http/query.js';
import { decodeInMessage } from '../../src/protocol/ws/incoming.js';
import { decodeAsModel, decodeModel } from '../helpers/ws-messages.js';
import { readFrames } from '../../src/transport/ws/frames.js';
import { headEnd, parseHead } from '../../src/transport/ws/handshake.js';

const numRuns = Number(process.env['FUZZ_RUNS'] ?? 2000);
const options = { numRuns };
const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const u32 = fc.nat({ max: 0xffff_ffff });
const bytes20 = fc.uint8Array({ minLength: 20, maxLength: 20 });

test('UDP: readRequest never throws on arbitrary bytes', (t) => {
  const out = createUdpRequest();
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2100 }), (bytes) => {
      readRequest(view(bytes), 0, bytes.length, out);
    }),
    options,
  );
  t.pass();
});

test('UDP: announce and scrape requests round-trip', (t) => {
  const out = createUdpRequest();
  const buffer = new Uint8Array(2048);
  fc.assert(
    fc.property(u32, u32, u32, bytes20, bytes20, fc.nat({ max: 2 ** 53 - 1 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: -1, max: 0x7fff_ffff }), fc.integer({ min: 1, max: 65535 }),
      (high, low, tx, infoHash, peerId, left, event, numWant, port) => {
        const length = writeAnnounceRequest(buffer, view(buffer), 0, { connectionIdHigh: high, connectionIdLow: low, transactionId: tx, infoHash, peerId, downloaded: 0, left, uploaded: 0, event, key: 0, numWant, port });
        if (readRequest(view(buffer), 0, length, out) !== ReadStatus.ANNOUNCE) return false;
        return out.connectionIdHigh === high && out.connectionIdLow === low && out.transactionId === tx && out.left === left && out.event === event &&
          out.numWant === numWant && out.port === port && Buffer.from(buffer.subarray(16, 36)).equals(Buffer.from(infoHash));
      }),
    options,
  );
  fc.assert(
    fc.property(u32, fc.array(bytes20, { minLength: 1, maxLength: 74 }), (tx, hashes) => {
      const length = writeScrapeRequest(buffer, view(buffer), 0, 1, 2, tx, hashes);
      return readRequest(view(buffer), 0, length, out) === ReadStatus.SCRAPE && out.scrapeCount === hashes.length && out.transactionId === tx;
    }),
    options,
  );
  fc.assert(
    fc.property(u32, (tx) => writeConnectRequest(view(buffer), 0, tx) === 16 && readRequest(view(buffer), 0, 16, out) === ReadStatus.CONNECT && out.transactionId === tx),
    options,
  );
  t.pass();
});

test('UDP: decodeResponse never throws, and responses round-trip', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 1500 }), fc.constantFrom<4 | 6>(4, 6), (bytes, family) => {
      decodeResponse(bytes, family);
    }),
    options,
  );
  const buffer = new Uint8Array(2048);
  fc.assert(
    fc.property(u32, u32, u32, u32, u32, fc.array(fc.tuple(u32, u32, u32), { maxLength: 70 }), fc.stringMatching(/^[ -~]{0,100}$/), (tx, a, b, c, d, entries, message) => {
      const v = view(buffer);
      writeConnectResponse(v, 0, tx, a, b);
      const connect = decodeResponse(buffer.subarray(0, 16), 4);
      writeAnnounceResponseHeader(v, 0, tx, a, b, c);
      const announce = decodeResponse(buffer.subarray(0, 20), 4);
      let at = writeScrapeResponseHeader(v, 0, tx);
      for (const [s, k, l] of entries) at += writeScrapeResponseEntry(v, at, s, k, l);
      const scrape = decodeResponse(buffer.subarray(0, at), 4);
      const errorLength = writeErrorResponse(buffer, v, 0, tx, message);
      const error = decodeResponse(buffer.subarray(0, errorLength), 4);
      void d;
      return (
        connect?.action === 0 && connect.connectionIdHigh === a && connect.connectionIdLow === b &&
        announce?.action === 1 && announce.interval === a && announce.leechers === b && announce.seeders === c &&
        scrape?.action === 2 && scrape.torrents.length === entries.length && scrape.torrents.every((e, i) => e.seeders === entries[i]![0] && e.completed === entries[i]![1] && e.leechers === entries[i]![2]) &&
        error?.action === 3 && error.message === message
      );
    }),
    options,
  );
  t.pass();
});

test('HTTP: query readers and routing never throw on arbitrary bytes', (t) => {
  const announce = createHttpAnnounce();
  const scrape = createHttpScrape(100);
  const routes = createHttpRoutes();
  const target = createHttpTarget();
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
      routeTarget(bytes, 0, bytes.length, routes, target);
      readAnnounceQuery(bytes, 0, bytes.length, announce);
      readScrapeQuery(bytes, 0, bytes.length, scrape);
    }),
    options,
  );
  t.pass();
});

test('HTTP: percent-encoded announces of any ids round-trip through the query reader', (t) => {
  const announce = createHttpAnnounce();
  const routes = createHttpRoutes();
  const target = createHttpTarget();
  const scratch = new Uint8Array(64);
  const encode = (bytes: Uint8Array) => Buffer.from(scratch.subarray(0, percentEncode(bytes, 0, bytes.length, scratch, 0))).toString('latin1');
  fc.assert(
    fc.property(bytes20, bytes20, fc.integer({ min: 1, max: 65535 }), fc.nat({ max: 2 ** 53 - 1 }), fc.boolean(), (infoHash, peerId, port, left, compact) => {
      const text = `/announce?info_hash=${encode(infoHash)}&peer_id=${encode(peerId)}&port=${port}&left=${left}&compact=${compact ? 1 : 0}`;
      const bytes = Buffer.from(text, 'latin1');
      if (routeTarget(bytes, 0, bytes.length, routes, target) !== HttpRoute.ANNOUNCE) return false;
      if (readAnnounceQuery(bytes, target.queryStart, target.queryEnd, announce) !== null) return false;
      return Buffer.from(announce.infoHash).equals(Buffer.from(infoHash)) && Buffer.from(announce.peerId).equals(Buffer.from(peerId)) &&
        announce.port === port && announce.left === left && announce.compact === compact;
    }),
    options,
  );
  t.pass();
});

const bencodeValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
    fc.uint8Array({ maxLength: 40 }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** A comparable form: byte strings as hex, dicts as [key, value] pairs in sorted key order (as bencode keeps them). */
function normalise(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  const entries = (pairs: [string, unknown][]) => pairs.map(([k, v]): [string, unknown] => [k, normalise(v)]).sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  if (value instanceof Map) return entries([...value].map(([k, v]: [string, unknown]) => [Buffer.from(k, 'latin1').toString('utf8'), v]));
  if (Array.isArray(value)) return value.map(normalise);
  if (typeof value === 'object' && value !== null) return entries(Object.entries(value));
  return value;
}

test('bencode: values round-trip; arbitrary bytes only ever raise BencodeError', (t) => {
  fc.assert(
    fc.property(bencodeValue, (value) => {
      const decoded = decodeBencode(encodeBencode(value as Parameters<typeof encodeBencode>[0])) as BencodeValue;
      return JSON.stringify(normalise(decoded)) === JSON.stringify(normalise(value));
    }),
    options,
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      try {
        decodeBencode(bytes);
      } catch (error) {
        if (!(error instanceof BencodeError)) throw error;
      }
    }),
    options,
  );
  t.pass();
});

test('WebTorrent: decodeInMessage never throws, and reads arbitrary text and JSON as the JSON.parse model does', (t) => {
  const limits = { maxOffers: 10, maxScrapeTorrents: 255 };
  const same = (text: string) => {
    t.deepEqual(decodeAsModel(text, limits), decodeModel(text, limits));
  };
  fc.assert(fc.property(fc.string({ maxLength: 400 }), same), options);
  fc.assert(fc.property(fc.string({ maxLength: 400, unit: 'grapheme' }), same), options);
  fc.assert(fc.property(fc.json(), same), options);
  fc.assert(fc.property(fc.json({ stringUnit: 'binary' }), same), options);
  fc.assert(
    fc.property(fc.record({ action: fc.constantFrom('announce', 'scrape', 'x'), info_hash: fc.anything(), peer_id: fc.anything(), offers: fc.anything(), answer: fc.anything() }), (message) =>
      same(JSON.stringify(message) ?? ''),
    ),
    options,
  );
  // Valid offers and answers with other members holding objects keyed with the protocol's
  // own names, in any order: those inner keys must not be taken for the outer ones.
  const name = fc.constantFrom('info_hash', 'peer_id', 'to_peer_id', 'offer_id', 'offers', 'offer', 'answer', 'type', 'sdp', 'left');
  const inner = fc.dictionary(name, fc.constantFrom<unknown>('offer', 'answer', 'v=1', 'a'.repeat(20), 0, null, {}), { maxKeys: 3 });
  const extra = fc.tuple(fc.constantFrom('x', 'y'), fc.oneof(inner, fc.array(inner, { maxLength: 2 })));
  const withExtras = (members: Record<string, unknown>) =>
    fc.tuple(fc.array(extra, { maxLength: 3 }), fc.nat()).map(([extras, turn]) => {
      const pairs = [...Object.entries(members), ...extras];
      const at = turn % pairs.length;
      return Object.fromEntries([...pairs.slice(at), ...pairs.slice(0, at)]);
    });
  const ids = { info_hash: 'a'.repeat(20), peer_id: 'b'.repeat(20) };
  const offer = withExtras({ type: 'offer', sdp: 'v=0' }).chain((description) => withExtras({ offer_id: 'c'.repeat(20), offer: description }));
  const announce = fc.array(offer, { maxLength: 2 }).chain((offers) => withExtras({ action: 'announce', ...ids, offers }));
  const answer = withExtras({ type: 'answer', sdp: 'v=0' }).chain((description) => withExtras({ action: 'announce', ...ids, to_peer_id: 'd'.repeat(20), offer_id: 'c'.repeat(20), answer: description }));
  fc.assert(fc.property(fc.oneof(announce, answer), (message) => same(JSON.stringify(message))), options);
  // Any bytes at all (not even UTF-8, which the WebSocket layer would have refused): no throw.
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
      decodeInMessage(Buffer.from(bytes), 0, bytes.length, limits);
    }),
    options,
  );
  t.pass();
});

test('WebTorrent: a frame cut anywhere reads as that prefix alone, whatever bytes lie past its end', (t) => {
  // The read arena holds other messages after a frame: a literal, number or word whose end
  // would lie past `end` is cut, never completed from the bytes beyond.
  const limits = { maxOffers: 10, maxScrapeTorrents: 255 };
  const frames = fc.oneof(
    fc.json(),
    fc.record({ action: fc.constantFrom('announce', 'scrape'), info_hash: fc.constant('\u0001\u00ff"\\aaaaaaaaaaaaaaaa'), peer_id: fc.constant('b'.repeat(20)), offers: fc.constant([{ offer_id: 'c'.repeat(20), offer: { type: 'offer', sdp: 'x\u00e9\n"' } }]) }).map((message) => JSON.stringify(message)),
  );
  const past = fc.constantFrom('"', '"}', '}', ']', '0', 'e5', 'rue', 'ull', '\\"', 'u0041"', ',"a":1}');
  fc.assert(
    fc.property(frames, fc.nat(), past, fc.nat(5), (text, cut, after, before) => {
      const whole = Buffer.from(text);
      let end = cut % (whole.length + 1);
      while (end < whole.length && (whole[end]! & 0xc0) === 0x80) end++; // a UTF-8 boundary, as frames are
      const prefix = whole.subarray(0, end);
      const bytes = Buffer.concat([Buffer.alloc(before, 0x20), prefix, Buffer.from(after), whole.subarray(end)]);
      const alone = decodeInMessage(Buffer.from(prefix), 0, prefix.length, limits);
      const inArena = decodeInMessage(bytes, before, before + prefix.length, limits);
      t.is(inArena.action, alone.action);
      if (inArena.action === 'failure') t.deepEqual(inArena, alone);
      t.deepEqual(decodeAsModel(prefix, limits), decodeModel(prefix.toString(), limits));
    }),
    options,
  );
});

test('WebTorrent: announces of any binary ids decode to those ids', (t) => {
  const binary = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => Buffer.from(b).toString('latin1'));
  fc.assert(
    fc.property(binary, binary, fc.integer({ min: 0, max: 10 }), (infoHash, peerId, numwant) => {
      const decoded = decodeAsModel(JSON.stringify({ action: 'announce', info_hash: infoHash, peer_id: peerId, numwant, left: 0 }), { maxOffers: 10, maxScrapeTorrents: 10 });
      return decoded.action === 'announce' && decoded.infoHash === infoHash && decoded.peerId === peerId && decoded.seeder;
    }),
    options,
  );
  t.pass();
});

test('WebSocket: readFrames and the handshake parser never throw, and frames stay within their bytes', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat({ max: 300 }), (bytes, maxPayload) => {
      const buffer = Buffer.from(bytes);
      const stop = readFrames(buffer, 0, buffer.length, maxPayload, {
        frame: (_opcode, _fin, _data, start, end) => {
          if (start < 0 || end > buffer.length || end - start > maxPayload) throw new Error(`frame [${start}, ${end}) out of bounds`);
          return true;
        },
      });
      if (stop > buffer.length) throw new Error(`stop ${stop} past the end`);
      const end = headEnd(buffer, 0, buffer.length);
      parseHead(buffer.toString('latin1', 0, end < 0 ? buffer.length : end));
    }),
    options,
  );
  t.pass();
});
