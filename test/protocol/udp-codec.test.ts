// BEP 15 codec: byte-exact vectors written by hand from the BEP, and hostile input.
import test from 'ava';
import { ReadStatus, RequestError, createUdpRequest, readRequest, writeAnnounceRequest, writeConnectRequest, writeScrapeRequest } from '../../src/protocol/udp/request.js';
import {
  decodeResponse,
  writeAnnounceResponseHeader,
  writeConnectResponse,
  writeErrorResponse,
  writeScrapeResponseEntry,
  writeScrapeResponseHeader,
} from '../../src/protocol/udp/response.js';
import { ipv4PeerFormat, ipv4PeerKey, ipv6PeerFormat, ipv6PeerKey } from '../../src/swarm/peer-format.js';

const hex = (text: string) => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

// An announce: connection_id 0102030405060708, action 1, transaction_id 0xdeadbeef,
// info_hash 00..13, peer_id "-qB4500-" + 12 x 'a', downloaded 2^40, left 1000, uploaded 7,
// event 2 (started), ip 10.0.0.1 (must be ignored), key 0x11223344, num_want -1, port 6881.
const ANNOUNCE = hex(`
  0102030405060708 00000001 deadbeef
  000102030405060708090a0b0c0d0e0f10111213
  2d7142343530302d616161616161616161616161
  0000010000000000 00000000000003e8 0000000000000007
  00000002 0a000001 11223344 ffffffff 1ae1`);

test('connect request: protocol magic, action 0, transaction id', (t) => {
  const bytes = new Uint8Array(16);
  t.is(writeConnectRequest(view(bytes), 0, 12345), 16);
  t.is(toHex(bytes), '0000041727101980' + '00000000' + '00003039');
  const request = createUdpRequest();
  t.is(readRequest(view(bytes), 0, 16, request), ReadStatus.CONNECT);
  t.is(request.transactionId, 12345);
});

test('connect request without the protocol magic is dropped', (t) => {
  const bytes = hex('0000041727101981 00000000 00003039');
  t.is(readRequest(view(bytes), 0, 16, createUdpRequest()), ReadStatus.DROP);
});

test('connect response vector', (t) => {
  const bytes = new Uint8Array(16);
  t.is(writeConnectResponse(view(bytes), 0, 12345, 0x01020304, 0x05060708), 16);
  t.is(toHex(bytes), '00000000' + '00003039' + '0102030405060708');
  t.deepEqual(decodeResponse(bytes, 4), { action: 0, transactionId: 12345, connectionIdHigh: 0x01020304, connectionIdLow: 0x05060708 });
});

test('announce request: every field at its BEP 15 offset', (t) => {
  const request = createUdpRequest();
  t.is(readRequest(view(ANNOUNCE), 0, ANNOUNCE.length, request), ReadStatus.ANNOUNCE);
  t.is(request.connectionIdHigh, 0x01020304);
  t.is(request.connectionIdLow, 0x05060708);
  t.is(request.transactionId, 0xdeadbeef);
  t.is(toHex(ANNOUNCE.subarray(request.infoHashOffset, request.infoHashOffset + 20)), '000102030405060708090a0b0c0d0e0f10111213');
  t.is(Buffer.from(ANNOUNCE.subarray(request.peerIdOffset, request.peerIdOffset + 20)).toString(), '-qB4500-aaaaaaaaaaaa');
  t.is(request.downloaded, 2 ** 40);
  t.is(request.left, 1000);
  t.is(request.uploaded, 7);
  t.is(request.event, 2);
  t.is(request.key, 0x11223344);
  t.is(request.numWant, -1);
  t.is(request.port, 6881);
});

test('announce request written by the client codec equals the vector', (t) => {
  const bytes = new Uint8Array(98);
  writeAnnounceRequest(bytes, view(bytes), 0, {
    connectionIdHigh: 0x01020304,
    connectionIdLow: 0x05060708,
    transactionId: 0xdeadbeef,
    infoHash: ANNOUNCE.subarray(16, 36),
    peerId: ANNOUNCE.subarray(36, 56),
    downloaded: 2 ** 40,
    left: 1000,
    uploaded: 7,
    event: 2,
    ipAddress: 0x0a000001,
    key: 0x11223344,
    numWant: -1,
    port: 6881,
  });
  t.is(toHex(bytes), toHex(ANNOUNCE));
});

test('announce request with BEP 41 options after byte 98 is accepted', (t) => {
  const bytes = new Uint8Array(ANNOUNCE.length + 12);
  bytes.set(ANNOUNCE);
  bytes.set(hex('02 08 2f616e6e6f756e63 01 00'), 98); // URLData "/announc", NOP, EndOfOptions
  const request = createUdpRequest();
  t.is(readRequest(view(bytes), 0, bytes.length, request), ReadStatus.ANNOUNCE);
  t.is(request.port, 6881);
});

test('short announce, port 0, empty scrape and unknown action are identifiable errors', (t) => {
  const request = createUdpRequest();
  t.is(readRequest(view(ANNOUNCE), 0, 97, request), ReadStatus.ERROR);
  t.is(request.error, RequestError.SHORT_ANNOUNCE);
  t.is(request.transactionId, 0xdeadbeef);

  const portZero = ANNOUNCE.slice();
  portZero[96] = 0;
  portZero[97] = 0;
  t.is(readRequest(view(portZero), 0, 98, request), ReadStatus.ERROR);
  t.is(request.error, "Port can't be 0");

  const emptyScrape = hex('0102030405060708 00000002 00000007');
  t.is(readRequest(view(emptyScrape), 0, 16, request), ReadStatus.ERROR);
  t.is(request.error, 'Full scrapes are not allowed');

  const ragged = new Uint8Array(16 + 25);
  ragged.set(emptyScrape);
  t.is(readRequest(view(ragged), 0, ragged.length, request), ReadStatus.ERROR);

  const unknown = hex('0102030405060708 00000009 00000007');
  t.is(readRequest(view(unknown), 0, 16, request), ReadStatus.ERROR);
  t.is(request.error, 'Unknown action');
});

test('datagrams shorter than a request header are dropped', (t) => {
  for (let length = 0; length < 16; length++) {
    t.is(readRequest(view(ANNOUNCE), 0, length, createUdpRequest()), ReadStatus.DROP);
  }
});

test('scrape request vector', (t) => {
  const a = hex('aa'.repeat(20));
  const b = hex('bb'.repeat(20));
  const bytes = new Uint8Array(56);
  t.is(writeScrapeRequest(bytes, view(bytes), 0, 1, 2, 3, [a, b]), 56);
  t.is(toHex(bytes), '0000000100000002' + '00000002' + '00000003' + 'aa'.repeat(20) + 'bb'.repeat(20));
  const request = createUdpRequest();
  t.is(readRequest(view(bytes), 0, 56, request), ReadStatus.SCRAPE);
  t.is(request.scrapeCount, 2);
  t.is(request.infoHashOffset, 16);
});

test('IPv4 announce response: 20-byte header then 6-byte peers', (t) => {
  const bytes = new Uint8Array(32);
  writeAnnounceResponseHeader(view(bytes), 0, 12345, 900, 2, 3);
  ipv4PeerFormat.write(bytes, 20, ipv4PeerKey(0x7f000001, 6881));
  ipv4PeerFormat.write(bytes, 26, ipv4PeerKey(0x0a000002, 51413));
  t.is(toHex(bytes), '00000001' + '00003039' + '00000384' + '00000002' + '00000003' + '7f0000011ae1' + '0a000002c8d5');
  t.deepEqual(decodeResponse(bytes, 4), {
    action: 1,
    transactionId: 12345,
    interval: 900,
    leechers: 2,
    seeders: 3,
    peers: [
      { ip: '127.0.0.1', port: 6881 },
      { ip: '10.0.0.2', port: 51413 },
    ],
  });
});

test('IPv6 announce response: 18-byte peers', (t) => {
  const bytes = new Uint8Array(38);
  writeAnnounceResponseHeader(view(bytes), 0, 1, 120, 0, 1);
  const address = hex('20010db8000000000000000000000001');
  ipv6PeerFormat.write(bytes, 20, ipv6PeerKey(address, 0, 6881));
  t.is(toHex(bytes.subarray(20)), '20010db8000000000000000000000001' + '1ae1');
  const decoded = decodeResponse(bytes, 6);
  t.deepEqual(decoded && decoded.action === 1 ? decoded.peers : null, [{ ip: '2001:db8::1', port: 6881 }]);
});

test('scrape response: seeders, completed, leechers per torrent', (t) => {
  const bytes = new Uint8Array(20);
  writeScrapeResponseHeader(view(bytes), 0, 7);
  writeScrapeResponseEntry(view(bytes), 8, 5, 7, 3);
  t.is(toHex(bytes), '00000002' + '00000007' + '00000005' + '00000007' + '00000003');
  t.deepEqual(decodeResponse(bytes, 4), { action: 2, transactionId: 7, torrents: [{ seeders: 5, completed: 7, leechers: 3 }] });
});

test('error response: action 3, transaction id, text', (t) => {
  const bytes = new Uint8Array(64);
  const size = writeErrorResponse(bytes, view(bytes), 0, 9, "Port can't be 0");
  t.is(toHex(bytes.subarray(0, size)), '00000003' + '00000009' + Buffer.from("Port can't be 0").toString('hex'));
  t.deepEqual(decodeResponse(bytes.subarray(0, size), 4), { action: 3, transactionId: 9, message: "Port can't be 0" });
});

test('readRequest never throws on arbitrary bytes of any length', (t) => {
  const request = createUdpRequest();
  let seed = 1;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 255;
  for (let action = 0; action < 5; action++) {
    for (let length = 0; length <= 256; length++) {
      const bytes = new Uint8Array(length);
      for (let i = 0; i < length; i++) bytes[i] = random();
      if (length >= 12) new DataView(bytes.buffer).setUint32(8, action);
      t.notThrows(() => readRequest(view(bytes), 0, length, request));
    }
  }
});

test('decodeResponse rejects malformed replies instead of throwing', (t) => {
  t.is(decodeResponse(new Uint8Array(3), 4), null);
  t.is(decodeResponse(hex('00000000 00000001 0000'), 4), null);
  t.is(decodeResponse(hex('00000001 00000001 00000384 00000000 00000000 0102'), 4), null);
  t.is(decodeResponse(hex('00000002 00000001 00000001'), 4), null);
  t.is(decodeResponse(hex('00000009 00000001'), 4), null);
});
