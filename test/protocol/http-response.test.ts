// HTTP tracker replies: byte-exact bencoded bodies (BEP 3 / 7 / 23 / 31 / 48), the in-place
// peer layout, the HTTP/1.1 head and the canned error replies.
import test from 'ava';
import { type BencodeValue, decodeBencode } from '../../src/protocol/http/bencode.js';
import { createHttpScrape, readScrapeQuery } from '../../src/protocol/http/query.js';
import {
  ANNOUNCE_BODY_HEAD_MAX,
  ANNOUNCE_BODY_OVERHEAD_MAX,
  CannedResponse,
  FAILURE_OVERHEAD_MAX,
  LISTED_PEER_MAX,
  PEERS6_HEAD_MAX,
  RESPONSE_HEAD_MAX,
  SCRAPE_ENTRY_MAX,
  createCompactAnnounceReply,
  listedPeersFromCompact,
  responseHeadLength,
  scrapeResponseMaxLength,
  writeAnnounceListResponse,
  writeAnnounceResponse,
  writeFailure,
  writeResponseHead,
  writeResponseHeadBefore,
  writeScrapeResponse,
} from '../../src/protocol/http/response.js';

const hex = (text: string) => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const latin1 = (value: Uint8Array) => Buffer.from(value).toString('latin1');
const fromHex = (text: string) => latin1(hex(text));

// Two IPv4 peers (127.0.0.1:6881, 10.0.0.2:51413) and one IPv6 peer ([2001:db8::1]:6881).
const PEERS_V4 = hex('7f0000011ae1 0a000002c8d5');
const PEERS_V6 = hex('20010db8000000000000000000000001 1ae1');

function compactReply(peers: Uint8Array | null, peers6: Uint8Array | null) {
  const reply = createCompactAnnounceReply();
  reply.interval = 1800;
  reply.minInterval = 900;
  reply.complete = 5;
  reply.incomplete = 3;
  reply.peers = peers;
  reply.peersLength = peers?.length ?? 0;
  reply.peers6 = peers6;
  reply.peers6Length = peers6?.length ?? 0;
  return reply;
}

function body(write: (out: Uint8Array, at: number) => number): string {
  const out = new Uint8Array(4096);
  const length = write(out, 3);
  return latin1(out.subarray(3, 3 + length));
}

// The example of the reference notes: keys in byte order, peers then peers6.
const COMPACT_VECTOR =
  'd8:completei5e10:incompletei3e8:intervali1800e12:min intervali900e' +
  `5:peers12:${fromHex('7f0000011ae1 0a000002c8d5')}` +
  `6:peers618:${fromHex('20010db8000000000000000000000001 1ae1')}e`;

test('compact announce: byte-exact with peers and peers6', (t) => {
  t.is(
    body((out, at) => writeAnnounceResponse(out, at, compactReply(PEERS_V4, PEERS_V6))),
    COMPACT_VECTOR,
  );
});

test('compact announce: empty peers, omitted peers6 and min interval', (t) => {
  const reply = compactReply(new Uint8Array(0), null);
  reply.minInterval = 0;
  t.is(body((out, at) => writeAnnounceResponse(out, at, reply)), 'd8:completei5e10:incompletei3e8:intervali1800e5:peers0:e');
  reply.peers = null;
  t.is(body((out, at) => writeAnnounceResponse(out, at, reply)), 'd8:completei5e10:incompletei3e8:intervali1800ee');
});

test('compact announce: peers taken from the middle of a larger source', (t) => {
  const source = new Uint8Array(40).fill(0xee);
  source.set(PEERS_V4, 7);
  const reply = compactReply(source, null);
  reply.peersStart = 7;
  reply.peersLength = PEERS_V4.length;
  reply.minInterval = 0;
  t.is(body((out, at) => writeAnnounceResponse(out, at, reply)), `d8:completei5e10:incompletei3e8:intervali1800e5:peers12:${latin1(PEERS_V4)}e`);
});

test('compact announce decodes (strictly) to the expected dict', (t) => {
  const out = new Uint8Array(512);
  const length = writeAnnounceResponse(out, 0, compactReply(PEERS_V4, PEERS_V6));
  const dict = decodeBencode(out.subarray(0, length)) as Map<string, BencodeValue>;
  t.deepEqual([...dict.keys()], ['complete', 'incomplete', 'interval', 'min interval', 'peers', 'peers6']);
  t.deepEqual(dict.get('peers'), PEERS_V4);
  t.deepEqual(dict.get('peers6'), PEERS_V6);
});

test('the whole reply in one buffer: swarm writes peers in place, head right-aligned before the body', (t) => {
  const out = new Uint8Array(RESPONSE_HEAD_MAX + ANNOUNCE_BODY_OVERHEAD_MAX + 4096).fill(0xee);
  const bodyAt = RESPONSE_HEAD_MAX;
  // What the swarm layer would do: write compact peers straight into `out`.
  const peersAt = bodyAt + ANNOUNCE_BODY_HEAD_MAX;
  out.set(PEERS_V4, peersAt);
  const peers6At = peersAt + PEERS_V4.length + PEERS6_HEAD_MAX;
  out.set(PEERS_V6, peers6At);
  const reply = compactReply(out, out);
  reply.peersStart = peersAt;
  reply.peersLength = PEERS_V4.length;
  reply.peers6Start = peers6At;
  reply.peers6Length = PEERS_V6.length;
  const bodyLength = writeAnnounceResponse(out, bodyAt, reply);
  const headAt = writeResponseHeadBefore(out, bodyAt, bodyLength, true);
  t.is(
    latin1(out.subarray(headAt, bodyAt + bodyLength)),
    `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${COMPACT_VECTOR.length}\r\nConnection: keep-alive\r\n\r\n` + COMPACT_VECTOR,
  );
});

test('in-place peers survive the largest possible counts (the reserve is big enough)', (t) => {
  const peers = new Uint8Array(6 * 50).map((_, i) => i);
  const peers6 = new Uint8Array(18 * 10).map((_, i) => 255 - i);
  const expected = new Uint8Array(4096);
  const reply = compactReply(peers, peers6);
  for (const field of ['interval', 'minInterval', 'complete', 'incomplete'] as const) reply[field] = Number.MAX_SAFE_INTEGER;
  const expectedLength = writeAnnounceResponse(expected, 0, reply);
  t.true(expectedLength <= ANNOUNCE_BODY_OVERHEAD_MAX + peers.length + peers6.length);

  const out = new Uint8Array(4096);
  out.set(peers, ANNOUNCE_BODY_HEAD_MAX);
  out.set(peers6, ANNOUNCE_BODY_HEAD_MAX + PEERS6_HEAD_MAX + peers.length);
  reply.peers = out;
  reply.peersStart = ANNOUNCE_BODY_HEAD_MAX;
  reply.peers6 = out;
  reply.peers6Start = ANNOUNCE_BODY_HEAD_MAX + PEERS6_HEAD_MAX + peers.length;
  const length = writeAnnounceResponse(out, 0, reply);
  t.is(latin1(out.subarray(0, length)), latin1(expected.subarray(0, expectedLength)));
});

test('non-compact announce: list of dicts with ip < peer id < port, IPv6 in the same list', (t) => {
  const reply = compactReply(null, null);
  reply.complete = 1;
  reply.incomplete = 1;
  reply.interval = 120;
  reply.minInterval = 0;
  const peers = [
    { peerId: Uint8Array.from(Buffer.from('-TR3000-aaaaaaaaaaaa')), ip: '127.0.0.1', port: 6881 },
    { ip: '2001:db8::1', port: 51413 },
  ];
  t.is(
    body((out, at) => writeAnnounceListResponse(out, at, reply, peers, true)),
    'd8:completei1e10:incompletei1e8:intervali120e5:peersl' +
      'd2:ip9:127.0.0.17:peer id20:-TR3000-aaaaaaaaaaaa4:porti6881ee' +
      'd2:ip11:2001:db8::14:porti51413ee' +
      'ee',
  );
  // no_peer_id
  t.is(
    body((out, at) => writeAnnounceListResponse(out, at, reply, peers, false)),
    'd8:completei1e10:incompletei1e8:intervali120e5:peersl' + 'd2:ip9:127.0.0.14:porti6881ee' + 'd2:ip11:2001:db8::14:porti51413ee' + 'ee',
  );
  t.is(body((out, at) => writeAnnounceListResponse(out, at, reply, [], true)), 'd8:completei1e10:incompletei1e8:intervali120e5:peerslee');
});

test('non-compact announce: the per-peer maximum holds for the longest peer', (t) => {
  const reply = compactReply(null, null);
  const longest = { peerId: new Uint8Array(20).fill(0x41), ip: '0000:0000:0000:0000:0000:ffff:255.255.255.255', port: 65535 };
  const empty = body((out, at) => writeAnnounceListResponse(out, at, reply, [], true)).length;
  const one = body((out, at) => writeAnnounceListResponse(out, at, reply, [longest], true)).length;
  t.is(one - empty, LISTED_PEER_MAX);
});

test('listedPeersFromCompact: IPv4 and IPv6 compact peers to ip text and port', (t) => {
  t.deepEqual(listedPeersFromCompact(PEERS_V4, 0, PEERS_V4.length, 6), [
    { ip: '127.0.0.1', port: 6881 },
    { ip: '10.0.0.2', port: 51413 },
  ]);
  t.deepEqual(listedPeersFromCompact(PEERS_V6, 0, 18, 18), [{ ip: '2001:db8::1', port: 6881 }]);
  t.deepEqual(listedPeersFromCompact(PEERS_V4, 6, 6, 6), [{ ip: '10.0.0.2', port: 51413 }]);
  t.deepEqual(listedPeersFromCompact(PEERS_V4, 0, 5, 6), []);
});

// Scrape.

test('scrape with no torrents, and with one: byte-exact', (t) => {
  t.is(body((out, at) => writeScrapeResponse(out, at, new Uint8Array(0), 0, [])), 'd5:filesdee');
  const hash = hex('040b6b563f5c7214a6b798ad43c3c92e402400b9');
  t.is(
    body((out, at) => writeScrapeResponse(out, at, hash, 1, [5, 7, 3])),
    `d5:filesd20:${latin1(hash)}d8:completei5e10:downloadedi7e10:incompletei3eeee`,
  );
});

test('scrape with BEP 48 flags', (t) => {
  t.is(
    body((out, at) => writeScrapeResponse(out, at, new Uint8Array(0), 0, [], 1800)),
    'd5:filesde5:flagsd20:min_request_intervali1800eee',
  );
});

test('scrape of many hashes read from a query: keys sorted and unique, each with its own counts', (t) => {
  const scrape = createHttpScrape(100);
  const query = Buffer.from(['%FF', '%01', '%80', '%01'].map((byte) => `info_hash=${byte.repeat(20)}`).join('&'), 'latin1');
  t.is(readScrapeQuery(query, 0, query.length, scrape), null);
  t.is(scrape.count, 3);
  const stats = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  const out = new Uint8Array(scrapeResponseMaxLength(scrape.count));
  const length = writeScrapeResponse(out, 0, scrape.infoHashes, scrape.count, stats);
  const files = (decodeBencode(out.subarray(0, length)) as Map<string, BencodeValue>).get('files') as Map<string, Map<string, number>>;
  t.deepEqual(
    [...files].map(([key, counts]) => [Buffer.from(key, 'latin1').toString('hex').slice(0, 2), [...counts]]),
    [
      ['01', [['complete', 1], ['downloaded', 2], ['incomplete', 3]]],
      ['80', [['complete', 4], ['downloaded', 5], ['incomplete', 6]]],
      ['ff', [['complete', 7], ['downloaded', 8], ['incomplete', 9]]],
    ],
  );
});

test('scrape size bounds hold for the largest counts', (t) => {
  const count = 4;
  const hashes = new Uint8Array(20 * count).fill(0xab);
  const stats = new Array(3 * count).fill(Number.MAX_SAFE_INTEGER);
  const out = new Uint8Array(scrapeResponseMaxLength(count));
  const length = writeScrapeResponse(out, 0, hashes, count, stats, Number.MAX_SAFE_INTEGER);
  t.true(length <= scrapeResponseMaxLength(count));
  const one = writeScrapeResponse(new Uint8Array(1024), 0, hashes, 1, stats);
  const none = writeScrapeResponse(new Uint8Array(1024), 0, hashes, 0, stats);
  t.true(one - none <= SCRAPE_ENTRY_MAX);
  // Negative counts never happen, but the bound holds for them too.
  const negative = writeScrapeResponse(new Uint8Array(1024), 0, hashes, 1, new Array(3).fill(Number.MIN_SAFE_INTEGER));
  t.is(negative - none, SCRAPE_ENTRY_MAX);
});

// Failure.

test('failure: BEP 3 failure reason, BEP 31 retry in', (t) => {
  t.is(body((out, at) => writeFailure(out, at, 'Missing info_hash')), 'd14:failure reason17:Missing info_hashe');
  t.is(body((out, at) => writeFailure(out, at, "Port can't be 0", 30)), "d14:failure reason15:Port can't be 08:retry ini30ee");
  t.is(body((out, at) => writeFailure(out, at, 'Banned', 'never')), 'd14:failure reason6:Banned8:retry in5:nevere');
  t.is(body((out, at) => writeFailure(out, at, 'Überlastet')), `d14:failure reason11:${Buffer.from('Überlastet').toString('latin1')}e`);
  const reason = 'x'.repeat(300);
  t.true(body((out, at) => writeFailure(out, at, reason, Number.MIN_SAFE_INTEGER)).length <= FAILURE_OVERHEAD_MAX + reason.length);
});

// HTTP framing.

test('200 head: exact text, keep-alive and close', (t) => {
  const out = new Uint8Array(RESPONSE_HEAD_MAX);
  let length = writeResponseHead(out, 0, 123, true);
  t.is(latin1(out.subarray(0, length)), 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 123\r\nConnection: keep-alive\r\n\r\n');
  t.is(length, responseHeadLength(123, true));
  length = writeResponseHead(out, 0, 0, false);
  t.is(latin1(out.subarray(0, length)), 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  t.is(length, responseHeadLength(0, false));
  t.true(responseHeadLength(Number.MAX_SAFE_INTEGER, true) <= RESPONSE_HEAD_MAX);
  t.true(responseHeadLength(Number.MAX_SAFE_INTEGER, false) <= RESPONSE_HEAD_MAX);
});

test('a failure reply in one buffer: body first, head right-aligned', (t) => {
  const out = new Uint8Array(RESPONSE_HEAD_MAX + 256);
  const bodyLength = writeFailure(out, RESPONSE_HEAD_MAX, 'Invalid port');
  const start = writeResponseHeadBefore(out, RESPONSE_HEAD_MAX, bodyLength, false);
  t.is(
    latin1(out.subarray(start, RESPONSE_HEAD_MAX + bodyLength)),
    'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 34\r\nConnection: close\r\n\r\nd14:failure reason12:Invalid porte',
  );
});

test('canned replies: status line, Content-Length matching the body, Connection: close', (t) => {
  const expected: Record<keyof typeof CannedResponse, string> = {
    BAD_REQUEST: '400 Bad Request',
    NOT_FOUND: '404 Not Found',
    METHOD_NOT_ALLOWED: '405 Method Not Allowed',
    CONTENT_TOO_LARGE: '413 Content Too Large',
    HEADER_FIELDS_TOO_LARGE: '431 Request Header Fields Too Large',
    HTTP_VERSION_NOT_SUPPORTED: '505 HTTP Version Not Supported',
  };
  for (const [name, status] of Object.entries(expected) as [keyof typeof CannedResponse, string][]) {
    const text = CannedResponse[name].toString('latin1');
    t.true(text.startsWith(`HTTP/1.1 ${status}\r\n`), name);
    const [head, responseBody] = text.split('\r\n\r\n') as [string, string];
    t.true(head.includes('\r\nConnection: close'), name);
    t.true(head.includes(`\r\nContent-Length: ${Buffer.byteLength(responseBody)}`), name);
  }
  t.true(CannedResponse.METHOD_NOT_ALLOWED.toString('latin1').includes('\r\nAllow: GET\r\n'));
  t.is(
    CannedResponse.NOT_FOUND.toString('latin1'),
    'HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 10\r\nConnection: close\r\n\r\nNot Found\n',
  );
});
