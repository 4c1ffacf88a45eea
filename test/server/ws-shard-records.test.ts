// The records between aquatic_ws's socket workers and shards: every message survives the
// trip through a ring byte for byte (binary strings of every byte value, non-ASCII SDPs,
// records over 64 KiB), and connection ids never reach a later connection in the same slot.
import test from 'ava';
import { type WsAnnounce, type WsAnswer, WsEvent } from '../../src/protocol/ws/incoming.js';
import { ConnectionSlots } from '../../src/server/ws/connection-slots.js';
import {
  type RecordSink,
  SCRAPE_ENTRY,
  SCRAPE_FIXED,
  ShardRecord,
  SocketRecord,
  SpillingSink,
  allocScrapeReply,
  readAnnounce,
  readAnswer,
  readScrapeHashes,
  recordConnection,
  recordKind,
  recordTag,
  ringViews,
  writeAnnounce,
  writeAnswer,
  writeClose,
  writeScrape,
  writeText,
} from '../../src/server/ws/shard-records.js';
import { RingReader, RingWriter, ringBuffer } from '../../src/util/spsc-ring.js';

/** A 20-char binary string whose chars run through every byte value as `seed` varies. */
const binary = (seed: number) => String.fromCharCode(...Array.from({ length: 20 }, (_, i) => (seed * 20 + i) & 255));

function ring(bytes = 1 << 18) {
  const buffer = ringBuffer(bytes);
  const writer = new RingWriter(buffer);
  const reader = new RingReader(buffer);
  const sink: RecordSink = { ...ringViews(writer.data), alloc: (length) => writer.alloc(length) };
  const input = ringViews(reader.data);
  /** The next record after publishing: its offset and length. */
  const next = () => {
    writer.publish();
    const at = reader.next();
    return { at, length: reader.length };
  };
  return { sink, input, next };
}

/** An announce whose offers carry SDP texts, as the decoder gives it: SDP literals in a buffer. */
function withSdpLiterals(announce: Omit<WsAnnounce, 'offers' | 'source'> & { offers: { offerId: string; sdp: string }[] }): WsAnnounce {
  const parts: Buffer[] = [Buffer.from('junk')];
  let at = 4;
  const offers = announce.offers.map(({ offerId, sdp }) => {
    const literal = Buffer.from(JSON.stringify(sdp));
    parts.push(literal);
    at += literal.length;
    return { offerId, sdpStart: at - literal.length, sdpEnd: at };
  });
  return { ...announce, offers, source: Buffer.concat(parts) };
}

const literalText = (bytes: Buffer, start: number, end: number) => JSON.parse(bytes.toString('utf8', start, end)) as string;

test('announces keep every field, offer and byte', (t) => {
  const { sink, input, next } = ring();
  for (let seed = 0; seed < 13; seed++) {
    const announce = {
      action: 'announce' as const,
      infoHash: binary(seed),
      peerId: binary(seed + 100),
      event: [WsEvent.NONE, WsEvent.STARTED, WsEvent.COMPLETED, WsEvent.STOPPED][seed % 4]!,
      seeder: seed % 2 === 0,
      numwant: seed * 7,
      offers: Array.from({ length: seed % 5 }, (_, i) => ({ offerId: binary(seed * 5 + i), sdp: `v=0\r\né ${'x'.repeat(i * 40)} \u{1f600}` })),
    };
    t.true(writeAnnounce(sink, 0xfedcba98 - seed, withSdpLiterals(announce)));
    const { at } = next();
    t.is(recordKind(input.bytes, at), ShardRecord.ANNOUNCE);
    t.is(recordConnection(input.view, at), 0xfedcba98 - seed);
    const read = readAnnounce(input.bytes, input.view, at);
    t.deepEqual({ ...read, source: undefined, offers: read.offers.map((offer) => ({ offerId: offer.offerId, sdp: literalText(read.source, offer.sdpStart, offer.sdpEnd) })) }, { ...announce, source: undefined });
  }
  // numwant beyond 16 bits means "as many as offered" all the same.
  t.true(writeAnnounce(sink, 1, { action: 'announce', infoHash: binary(1), peerId: binary(2), event: WsEvent.NONE, seeder: false, numwant: 1e9, offers: [], source: Buffer.alloc(0) }));
  t.is(readAnnounce(input.bytes, input.view, next().at).numwant, 0xffff);
});

test('answers, scrapes, closes and text keep their bytes; a 200 kB SDP fits one record', (t) => {
  const { sink, input, next } = ring();
  const sdp = Buffer.from(`..${JSON.stringify('ü'.repeat(100_000))}..`);
  const answer: WsAnswer = { action: 'answer', infoHash: binary(3), peerId: binary(4), toPeerId: binary(5), offerId: binary(6), source: sdp, sdpStart: 2, sdpEnd: sdp.length - 2 };
  t.true(writeAnswer(sink, 7, answer));
  let record = next();
  t.is(recordKind(input.bytes, record.at), ShardRecord.ANSWER);
  const read = readAnswer(input.bytes, record.at, record.length);
  t.deepEqual({ ...read, source: undefined, sdpStart: undefined, sdpEnd: undefined }, { ...answer, source: undefined, sdpStart: undefined, sdpEnd: undefined });
  t.is(literalText(read.source, read.sdpStart, read.sdpEnd), 'ü'.repeat(100_000));

  const hashes = [binary(0), binary(1), binary(2), binary(3), binary(4)];
  t.true(writeScrape(sink, 8, 0xabcdef01, hashes, [4, 1, 3]));
  record = next();
  t.is(recordTag(input.view, record.at), 0xabcdef01);
  t.deepEqual(readScrapeHashes(input.bytes, record.at, record.length), [hashes[4], hashes[1], hashes[3]]);

  t.true(writeClose(sink, 9));
  record = next();
  t.is(recordKind(input.bytes, record.at), ShardRecord.CLOSE);
  t.is(recordConnection(input.view, record.at), 9);

  const text = JSON.stringify({ action: 'announce', info_hash: binary(9), sdp: 'ü\u{1f600}' });
  t.true(writeText(sink, 10, text));
  record = next();
  t.is(recordKind(input.bytes, record.at), SocketRecord.TEXT);
  t.is(input.bytes.toString('utf8', record.at + 5, record.at + record.length), text);

  const at = allocScrapeReply(sink, 11, 77, 2);
  sink.view.setUint32(at + SCRAPE_ENTRY, 123_456);
  record = next();
  t.is(recordKind(input.bytes, record.at), SocketRecord.SCRAPE_COUNTS);
  t.is(record.length, SCRAPE_FIXED + 2 * SCRAPE_ENTRY);
  t.is(input.view.getUint32(record.at + SCRAPE_FIXED + SCRAPE_ENTRY), 123_456);
});

test('a record that does not fit is refused, not cut', (t) => {
  const { sink } = ring(1024);
  t.false(writeText(sink, 1, 'x'.repeat(2000)));
  t.true(writeText(sink, 1, 'x'.repeat(500)));
});

test('a full ring delays records in order instead of losing them, up to a bound; closes always wait', (t) => {
  const buffer = ringBuffer(1024);
  const writer = new RingWriter(buffer);
  const sink = new SpillingSink(writer, 1000);
  const reader = new RingReader(buffer);
  const input = ringViews(reader.data);
  const sent: number[] = [];
  for (let n = 0; writeText(sink, n, 'x'.repeat(100)); n++) sent.push(n);
  t.is(sent.length, 9 + 9, '9 records fill the ring, 9 more wait (1000 bytes)');
  t.is(sink.spilledRecords, 9);
  t.true(writeClose(sink, 999), 'a close waits whatever the bound');
  sent.push(999);
  const received: number[] = [];
  for (let round = 0; round < 10 && received.length < sent.length; round++) {
    writer.publish();
    for (let at = reader.next(); at >= 0; at = reader.next()) received.push(recordConnection(input.view, at));
    reader.release();
    sink.unspill();
  }
  t.deepEqual(received, sent);
  t.false(writeText(sink, 1, 'x'.repeat(1100)), 'a record larger than the ring is refused, not left to block the others');
});

test('connection ids: a removed id finds nothing, even once its slot is reused', (t) => {
  const slots = new ConnectionSlots<string>();
  const a = slots.add('a');
  const b = slots.add('b');
  t.not(a, b);
  slots.remove(a);
  t.is(slots.get(a), undefined);
  const c = slots.add('c');
  t.is(c & 0xfffff, a & 0xfffff, 'the slot is reused');
  t.not(c, a);
  t.is(slots.get(a), undefined);
  t.is(slots.get(c), 'c');
  t.is(slots.get(b), 'b');
  slots.remove(a); // stale: leaves c alone
  t.is(slots.get(c), 'c');
  // Generations wrap without ever giving a live id twice.
  let id = c;
  for (let i = 0; i < 5000; i++) {
    slots.remove(id);
    const next = slots.add('again');
    t.not(next, id);
    id = next;
  }
  t.true(id >= 0 && id <= 0xffffffff);
});
