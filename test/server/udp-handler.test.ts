// The request handler driven with hand-made batches: address-family rules that need
// addresses a loopback test cannot produce (IPv4-mapped IPv6, mixed families).
import test from 'ava';
import { ConnectionIdValidator, createConnectionIdSecret } from '../../src/server/udp/connection-id.js';
import { UdpRequestHandler } from '../../src/server/udp/handler.js';
import { LocalSwarms } from '../../src/server/udp/local-swarms.js';
import { TorrentStore } from '../../src/swarm/torrents.js';
import { writeAnnounceRequest, writeConnectRequest } from '../../src/protocol/udp/request.js';
import { decodeResponse } from '../../src/protocol/udp/response.js';
import { META_ADDRESS, META_FAMILY, META_LENGTH, META_PORT, META_STRIDE, SLOT_SIZE, createPacketBatch } from '../../src/transport/udp/batch.js';
import { writeIpAs16 } from '../../src/util/ip.js';
import { quietLog } from '../helpers/tracker.js';
import { infoHash } from '../helpers/udp-client.js';

function harness(maxResponsePeers = 50) {
  const store = new TorrentStore();
  const validator = new ConnectionIdValidator(createConnectionIdSecret(), 120);
  const options = { maxResponsePeers, maxScrapeTorrents: 70, announceInterval: 900, intervalJitter: 0, maxPeerAge: 1200 };
  const handler = new UdpRequestHandler(validator, new LocalSwarms(store, validator, options), quietLog);
  const rx = createPacketBatch(8);
  const tx = createPacketBatch(8);
  /** Sends one datagram from `address`:`port` and returns the reply bytes (or null). */
  function send(address: string, port: number, write: (bytes: Uint8Array, view: DataView) => number): Buffer | null {
    const length = write(rx.data, rx.dataView);
    rx.meta32[META_LENGTH / 4] = length;
    rx.meta32[META_PORT / 4] = port;
    rx.meta32[META_FAMILY / 4] = writeIpAs16(address, rx.meta, META_ADDRESS);
    const n = handler.handleBatch(rx, 1, tx);
    if (n === 0) return null;
    assertReplyAddress(rx.meta, tx.meta);
    return Buffer.from(tx.data.subarray(0, tx.meta32[META_LENGTH / 4]!));
  }
  function announce(address: string, port: number, hash: Uint8Array) {
    const connect = send(address, 1234, (_b, view) => writeConnectRequest(view, 0, 1))!;
    const id = decodeResponse(connect, 4);
    if (id === null || id.action !== 0) throw new Error('no connect reply');
    const reply = send(address, 1234, (bytes, view) =>
      writeAnnounceRequest(bytes, view, 0, {
        connectionIdHigh: id.connectionIdHigh,
        connectionIdLow: id.connectionIdLow,
        transactionId: 2,
        infoHash: hash,
        peerId: new Uint8Array(20),
        downloaded: 0,
        left: 1,
        uploaded: 0,
        event: 2,
        key: 0,
        numWant: -1,
        port,
      }),
    );
    return reply;
  }
  return { store, handler, send, announce, rx, tx };
}

/** A reply goes back to where the request came from: port, family and address copied. */
function assertReplyAddress(rxMeta: Uint8Array, txMeta: Uint8Array): void {
  const same = (from: number, to: number) => Buffer.compare(rxMeta.subarray(from, to), txMeta.subarray(from, to)) === 0;
  if (!same(META_PORT, META_FAMILY + 4) || !same(META_ADDRESS, META_STRIDE)) {
    throw new Error('reply address differs from the request address');
  }
}

test('IPv4 and IPv6 peers of one torrent live in separate swarms', (t) => {
  const h = harness();
  const hash = infoHash(1);
  h.announce('192.0.2.1', 1001, hash);
  h.announce('2001:db8::1', 1002, hash);
  const v4 = decodeResponse(h.announce('192.0.2.2', 1003, hash)!, 4);
  const v6 = decodeResponse(h.announce('2001:db8::2', 1004, hash)!, 6);
  t.deepEqual(v4 && v4.action === 1 ? v4.peers : null, [{ ip: '192.0.2.1', port: 1001 }]);
  t.deepEqual(v6 && v6.action === 1 ? v6.peers : null, [{ ip: '2001:db8::1', port: 1002 }]);
  t.is(h.store.ipv4.peers, 2);
  t.is(h.store.ipv6.peers, 2);
});

test('an IPv4-mapped IPv6 source counts as IPv4 and gets 6-byte peers', (t) => {
  const h = harness();
  const hash = infoHash(2);
  h.announce('192.0.2.1', 1001, hash);
  const reply = h.announce('::ffff:192.0.2.7', 1005, hash)!;
  t.is(reply.length, 20 + 6);
  const decoded = decodeResponse(reply, 4);
  t.deepEqual(decoded && decoded.action === 1 ? decoded.peers : null, [{ ip: '192.0.2.1', port: 1001 }]);
  t.is(h.store.ipv4.peers, 2);
  t.is(h.store.ipv6.peers, 0);
});

test('IPv6 replies are capped at 66 peers so they fit one datagram', (t) => {
  const h = harness(200);
  const hash = infoHash(3);
  for (let i = 1; i <= 100; i++) h.announce(`2001:db8::${i.toString(16)}`, 6881, hash);
  const v6 = h.announce('2001:db8::ffff', 6881, hash)!;
  t.is(v6.length, 20 + 66 * 18);
  for (let i = 1; i <= 250; i++) h.announce(`10.0.${i >> 8}.${i & 255}`, 6881, hash);
  const v4 = h.announce('10.9.9.9', 6881, hash)!;
  t.is(v4.length, 20 + 200 * 6);
  t.true(v4.length <= SLOT_SIZE);
});

test('truncated datagrams and source port 0 are dropped without a reply', (t) => {
  const h = harness();
  h.rx.meta32[META_LENGTH / 4] = -1;
  h.rx.meta32[META_PORT / 4] = 1;
  t.is(h.handler.handleBatch(h.rx, 1, h.tx), 0);
  t.is(h.send('192.0.2.1', 0, (_b, view) => writeConnectRequest(view, 0, 1)), null);
  t.is(h.handler.counters.invalid, 2);
});
