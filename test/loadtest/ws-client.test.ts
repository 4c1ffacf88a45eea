// aquatic_ws_load_test's own WebSocket client and message reader: masked frames read back
// through the tracker's readFrames at every alignment, server frames refused where RFC 6455
// says so, the upgrade checked (Sec-WebSocket-Accept above all), pings answered, fragments
// joined, a close echoed, bad UTF-8 and a wrong accept failing the connection; and the
// reader's scan agreeing with JSON.parse on every text, hostile ones included, while taking
// the shapes trackers send without JSON.parse.
import { once } from 'node:events';
import { type AddressInfo, type Socket, createServer } from 'node:net';
import test, { type ExecutionContext } from 'ava';
import fc from 'fast-check';
import { WebSocketServer, type WebSocket } from 'ws';
import { Random } from '../../src/loadtest/common/random.js';
import { FrameFault, maskPayload, maskedFrameLength, readServerFrames, wordsOf, writeMaskedHeader } from '../../src/loadtest/ws/client-frames.js';
import { type ClientSocketEvents, LeanClientSocket, upgradeProblem, upgradeRequest } from '../../src/loadtest/ws/client-socket.js';
import { quote } from '../../src/loadtest/ws/request.js';
import {
  type TrackerMessage,
  TrackerMessageKind,
  createTrackerMessage,
  parseTrackerMessage,
  readTrackerMessage,
  scanTrackerMessage,
} from '../../src/loadtest/ws/response.js';
import { encodeAnnounceResponse } from '../../src/protocol/ws/outgoing.js';
import { Opcode, readFrames, writeFrameHeader } from '../../src/transport/ws/frames.js';
import { acceptValue, parseHead, upgradeResponse } from '../../src/transport/ws/handshake.js';
import { answerRelayText, offerRelayText } from '../helpers/ws-messages.js';

// Frames.

/** `length` bytes that are not all alike. */
const payloadOf = (length: number) => Buffer.from(Array.from({ length }, (_, i) => (i * 31 + 7) & 255));

test('masked frames read back through the tracker\'s readFrames, whatever the alignment of header and payload', (t) => {
  const lengths = [0, 1, 3, 4, 5, 7, 125, 126, 127, 1000, 65_535, 65_536];
  for (const misalign of [0, 1, 2, 3]) {
    for (const length of lengths) {
      const payload = payloadOf(length);
      const frames = 2 * maskedFrameLength(length);
      // A view that starts `misalign` bytes into its ArrayBuffer, and the frames 0–3 bytes into it.
      const bytes = Buffer.from(new ArrayBuffer(frames + 16), misalign, frames + 8);
      const first = (length + misalign) & 3;
      let at = first;
      for (const maskKey of [0x1234_5678, 0xdead_beef | 0]) {
        const start = writeMaskedHeader(bytes, at, Opcode.TEXT, length, maskKey);
        payload.copy(bytes, start);
        maskPayload(bytes, start, start + length, wordsOf(bytes));
        if (length >= 4) t.false(bytes.subarray(start, start + length).equals(payload), 'masked on the wire');
        at = start + length;
      }
      const read: Buffer[] = [];
      const stop = readFrames(bytes, first, at, 1 << 20, {
        frame(opcode, fin, frameBytes, start, end) {
          t.true(opcode === Opcode.TEXT && fin);
          read.push(Buffer.from(frameBytes.subarray(start, end)));
          return true;
        },
      });
      t.is(stop, at);
      t.deepEqual(read, [payload, payload], `length ${length}, misaligned by ${misalign}`);
    }
  }
});

/** An unmasked server frame. */
function serverFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const frame = Buffer.alloc(4 + 8 + payload.length);
  const header = writeFrameHeader(frame, 0, opcode, payload.length);
  if (!fin) frame[0] &= 0x7f;
  payload.copy(frame, header);
  return frame.subarray(0, header + payload.length);
}

test('server frames: read whole, an incomplete one left for later, and refused where RFC 6455 says so', (t) => {
  const collect = (bytes: Buffer, maxPayload = 1 << 20) => {
    const frames: [number, boolean, string][] = [];
    const stop = readServerFrames(bytes, 0, bytes.length, maxPayload, {
      frame(opcode, fin, frameBytes, start, end) {
        frames.push([opcode, fin, frameBytes.toString('latin1', start, end)]);
        return true;
      },
    });
    return { stop, frames };
  };
  const text = serverFrame(Opcode.TEXT, Buffer.from('{"a":1}'));
  const long = serverFrame(Opcode.BINARY, payloadOf(70_000));
  const whole = Buffer.concat([text, serverFrame(Opcode.PING, Buffer.from('p')), long]);
  const { stop, frames } = collect(whole);
  t.is(stop, whole.length);
  t.deepEqual(frames.map(([opcode, fin]) => [opcode, fin]), [[Opcode.TEXT, true], [Opcode.PING, true], [Opcode.BINARY, true]]);
  t.is(frames[0]![2], '{"a":1}');
  t.is(frames[2]![2].length, 70_000);
  for (const cut of [1, text.length + 1, text.length + 4, whole.length - 1]) {
    const complete = cut < text.length ? 0 : cut < text.length + 3 ? text.length : text.length + 3; // text, then a 3-byte ping
    t.is(collect(whole.subarray(0, cut)).stop, complete, `cut at ${cut}`);
  }
  const masked = Buffer.alloc(maskedFrameLength(2));
  writeMaskedHeader(masked, 0, Opcode.TEXT, 2, 1);
  t.is(collect(masked).stop, FrameFault.PROTOCOL, 'a masked frame (5.1)');
  const rsv = Buffer.from(text);
  rsv[0] |= 0x40;
  t.is(collect(rsv).stop, FrameFault.PROTOCOL, 'RSV1 without an extension');
  t.is(collect(serverFrame(0x3, Buffer.alloc(0))).stop, FrameFault.PROTOCOL, 'a reserved opcode');
  t.is(collect(serverFrame(Opcode.PING, Buffer.alloc(0), false)).stop, FrameFault.PROTOCOL, 'a fragmented ping');
  t.is(collect(serverFrame(Opcode.PING, Buffer.alloc(126))).stop, FrameFault.PROTOCOL, 'a ping over 125 bytes');
  t.is(collect(text, 6).stop, FrameFault.TOO_BIG);
  t.is(collect(Buffer.from([0x81, 127, 0, 0, 0, 1, 0, 0, 0, 0])).stop, FrameFault.TOO_BIG, 'a 64-bit length of 2^32');
});

// Handshake.

test('the upgrade: our request passes the tracker\'s parser, and only the right Sec-WebSocket-Accept opens', (t) => {
  const key = 'dGhlIHNhbXBsZSBub25jZQ==';
  t.like(parseHead(upgradeRequest('127.0.0.1:3000', key)), { kind: 'upgrade', key });
  t.is(acceptValue(key), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=', 'RFC 6455 1.3\'s example');
  t.is(upgradeProblem(upgradeResponse(key), key), null);
  t.is(upgradeProblem(upgradeResponse(key).replace('Upgrade: websocket', 'upgrade:  WebSocket'), key), null, 'names and tokens in any case');
  const refused = [
    upgradeResponse('x3JJHMbDL1EzLkh9GBhXDw=='),
    upgradeResponse(key).replace('101 Switching Protocols', '200 OK'),
    upgradeResponse(key).replace('HTTP/1.1', 'HTTP/1.0'),
    upgradeResponse(key).replace('Upgrade: websocket\r\n', ''),
    upgradeResponse(key).replace('Connection: Upgrade', 'Connection: close'),
    upgradeResponse(key).replace(/Sec-WebSocket-Accept: .*\r\n/, ''),
    upgradeResponse(key).replace('\r\n\r\n', '\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n'),
    upgradeResponse(key).replace('\r\n\r\n', '\r\nSec-WebSocket-Protocol: chat\r\n\r\n'),
    upgradeResponse(key).replace('\r\n\r\n', '\r\nno colon here\r\n\r\n'),
  ];
  for (const head of refused) t.not(upgradeProblem(head, key), null, head);
});

// The client against real sockets.

interface Recorded {
  opened: boolean;
  texts: string[];
  binaries: number;
  closed: Promise<void>;
}

/** Records a client's events; `onText` sees each text as it arrives. */
function recorder(onText: (text: string) => void = () => {}): { events: ClientSocketEvents; recorded: Recorded; nextText: () => Promise<string> } {
  let closed!: () => void;
  const waiting: ((text: string) => void)[] = [];
  const recorded: Recorded = { opened: false, texts: [], binaries: 0, closed: new Promise((resolve) => (closed = resolve)) };
  const events: ClientSocketEvents = {
    onOpen: () => (recorded.opened = true),
    onText: (bytes, start, end) => {
      const text = bytes.toString('utf8', start, end);
      recorded.texts.push(text);
      onText(text);
      waiting.shift()?.(text);
    },
    onBinary: () => recorded.binaries++,
    onClose: () => closed(),
  };
  const nextText = () => new Promise<string>((resolve) => waiting.push(resolve));
  return { events, recorded, nextText };
}

async function wsServer(t: ExecutionContext): Promise<{ server: WebSocketServer; port: number }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { server, port: (server.address() as AddressInfo).port };
}

test('the lean client answers pings, joins fragments, sends masked text the ws package reads, and echoes a close', async (t) => {
  const { server, port } = await wsServer(t);
  const { events, recorded, nextText } = recorder();
  const accepted = once(server, 'connection') as Promise<[WebSocket]>;
  const client = new LeanClientSocket({ host: '127.0.0.1', port, tls: false }, events, new Random(1));
  t.teardown(() => client.terminate());
  const [peer] = await accepted;
  const pong = once(peer, 'pong') as Promise<[Buffer]>;
  peer.ping(Buffer.from('are you there'));
  t.is((await pong)[0].toString(), 'are you there');
  t.true(recorded.opened);
  const text = nextText();
  peer.send('{"parts":', { fin: false });
  peer.send(Buffer.from('2,"é":"ü"}'), { fin: true });
  t.is(await text, '{"parts":2,"é":"ü"}');
  // Three messages in one turn: one buffer, one write, three frames.
  const received = new Promise<string[]>((resolve) => {
    const messages: string[] = [];
    peer.on('message', (data: Buffer, isBinary: boolean) => {
      t.false(isBinary);
      if (messages.push(data.toString()) === 3) resolve(messages);
    });
  });
  const long = 'x'.repeat(70_000);
  client.send(quote('ÿ\u0000"'));
  client.send(long);
  client.send('{}');
  t.deepEqual(await received, [JSON.stringify('ÿ\u0000"'), long, '{}']);
  const closedByPeer = once(peer, 'close') as Promise<[number]>;
  peer.close(4001);
  t.is((await closedByPeer)[0], 4001, 'the close code came back');
  await recorded.closed;
  t.is(recorded.binaries, 0);
});

test('the lean client fails the connection on text that is not UTF-8 and on a masked frame', async (t) => {
  const { server, port } = await wsServer(t);
  const badText = Buffer.from([0x81, 2, 0xc3, 0x28]);
  const masked = Buffer.alloc(maskedFrameLength(2));
  writeMaskedHeader(masked, 0, Opcode.TEXT, 2, 0);
  masked.write('{}', masked.length - 2, 'latin1');
  for (const frame of [badText, masked]) {
    const { events, recorded } = recorder();
    const accepted = once(server, 'connection') as Promise<[WebSocket & { _socket: Socket }]>;
    const client = new LeanClientSocket({ host: '127.0.0.1', port, tls: false }, events, new Random(2));
    t.teardown(() => client.terminate());
    const [peer] = await accepted;
    // The ws package would not send these: write them under it.
    peer._socket.write(Buffer.concat([serverFrame(Opcode.TEXT, Buffer.from('"ok"')), frame]));
    await recorded.closed;
    t.deepEqual(recorded.texts, ['"ok"']);
  }
});

test('the lean client reads frames split anywhere across reads, and many in one read', async (t) => {
  const messages = [1, 125, 126, 1000, 65_535, 70_000, 3, 200_000, 0, 17].map((length, i) => `${i}:${'é'.repeat(length >> 1)}${'x'.repeat(length & 1)}`);
  const wire = Buffer.concat([...messages.map((text) => serverFrame(Opcode.TEXT, Buffer.from(text))), serverFrame(Opcode.TEXT, Buffer.from('end'))]);
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.once('data', async (head: Buffer) => {
      const key = /Sec-WebSocket-Key: (\S+)/.exec(head.toString('latin1'))![1]!;
      // The head and the first frame's first byte together, then pieces of 1 to 3000 bytes, each written on its own.
      socket.write(Buffer.concat([Buffer.from(upgradeResponse(key), 'latin1'), wire.subarray(0, 1)]));
      const random = new Random(7);
      for (let at = 1; at < wire.length; ) {
        const end = Math.min(wire.length, at + 1 + random.below(3000));
        socket.write(wire.subarray(at, end));
        at = end;
        await new Promise((resolve) => setImmediate(resolve));
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => server.close());
  let ended!: () => void;
  const done = new Promise<void>((resolve) => (ended = resolve));
  const { events, recorded } = recorder((text) => text === 'end' && ended());
  const client = new LeanClientSocket({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, tls: false }, events, new Random(4));
  t.teardown(() => client.terminate());
  await done;
  t.deepEqual(recorded.texts, [...messages, 'end']);
});

test('the lean client refuses a 101 with the wrong Sec-WebSocket-Accept', async (t) => {
  const server = createServer((socket) => {
    socket.once('data', () => socket.write(upgradeResponse('x3JJHMbDL1EzLkh9GBhXDw==') + String.fromCharCode(0x81, 2) + '{}'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => server.close());
  const { events, recorded } = recorder();
  new LeanClientSocket({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, tls: false }, events, new Random(3));
  await recorded.closed;
  t.false(recorded.opened);
  t.deepEqual(recorded.texts, []);
});

// The reader: the scan against JSON.parse.

function readBoth(text: string): { read: TrackerMessage; parsed: TrackerMessage; scanned: boolean } {
  const bytes = Buffer.from(text);
  const read = createTrackerMessage();
  const parsed = createTrackerMessage();
  readTrackerMessage(bytes, 0, bytes.length, read);
  parseTrackerMessage(bytes, 0, bytes.length, parsed);
  return { read, parsed, scanned: scanTrackerMessage(bytes, 0, bytes.length, createTrackerMessage()) !== null };
}

const binary = (first: number) => String.fromCharCode(...Array.from({ length: 20 }, (_, i) => (first + i * 13) & 255));
const sdp = 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\na=ice-pwd:"quoted" \\ back\r\n';

test('the shapes trackers send are scanned, in any key order and spacing, and read as JSON.parse reads them', (t) => {
  const ids = { info_hash: binary(1), peer_id: binary(2), offer_id: binary(3) };
  const shapes = [
    encodeAnnounceResponse(binary(1), 120, 3, 4),
    offerRelayText(binary(2), binary(3), binary(4), sdp),
    answerRelayText(binary(5), binary(6), binary(7), sdp),
    // bittorrent-tracker's object literals, through JSON.stringify
    JSON.stringify({ complete: 0, incomplete: 1, action: 'announce', info_hash: ids.info_hash, interval: 120 }),
    JSON.stringify({ action: 'announce', offer: { type: 'offer', sdp }, offer_id: ids.offer_id, peer_id: ids.peer_id, info_hash: ids.info_hash }),
    JSON.stringify({ action: 'announce', answer: { sdp, type: 'answer' }, offer_id: ids.offer_id, peer_id: ids.peer_id, info_hash: ids.info_hash }),
    JSON.stringify({ action: 'announce', interval: 0, info_hash: ids.info_hash, complete: 10, incomplete: 0, offer_id: ids.offer_id }, null, 2),
  ];
  const kinds = [0, 2, 3, 0, 2, 3, 0].map((kind) => kind as TrackerMessageKind);
  shapes.forEach((text, i) => {
    const { read, parsed, scanned } = readBoth(text);
    t.true(scanned, text);
    t.is(read.kind, kinds[i]!, text);
    t.deepEqual(read, parsed, text);
  });
  const { read } = readBoth(shapes[1]!);
  t.like(read, { quotedInfoHash: quote(binary(2)), quotedPeerId: quote(binary(3)), quotedOfferId: quote(binary(4)) });
});

test('hostile and odd texts: the scan gives up or agrees with JSON.parse, and the broken ones are invalid', (t) => {
  const h = JSON.stringify(binary(1));
  const p = JSON.stringify(binary(2));
  const o = JSON.stringify(binary(3));
  const offer = `{"type":"offer","sdp":"v=0"}`;
  const base = `"action":"announce","info_hash":${h},"peer_id":${p},"offer_id":${o}`;
  const invalid = [
    `{${base},"offer":${offer}`, // cut short
    `{${base},"offer":${offer}}}`,
    `{${base},"offer":${offer}} x`,
    `{${base},"offer":${offer},}`,
    `{${base} "offer":${offer}}`,
    `{${base},"offer":{"type":"offer","sdp":"raw\ncontrol"}}`,
    `{${base},"offer":{"type":"offer","sdp":"bad \\x escape"}}`,
    `{${base},"offer":{"type":"offer","sdp":"unterminated}}`,
    `{${base},"offer":{"type":"offer"}}`,
    `{${base},"offer":{"type":"answer","sdp":"v=0"}}`,
    `{${base},"offer":"v=0"}`,
    `{${base},"offer":${offer},"answer":{"type":"answer","sdp":"v=0"}}`,
    `{${base},"\\"offer":${offer}}`, // a key with an escaped quote is not "offer"
    `{${base},"x":"\\"offer\\":${offer.replaceAll('"', '\\"')}"}`, // "offer": inside a string
    `{${base},"nested":{"offer":${offer}}}`,
    `{"action":"announce","interval":120,"info_hash":${h},"complete":1}`,
    `{"action":"announce","interval":120,"info_hash":${h},"complete":1,"incomplete":-1}`,
    `{"action":"announce","interval":120,"info_hash":${h},"complete":1,"incomplete":1.5}`,
    `{"action":"announce","interval":120,"info_hash":${h},"complete":01,"incomplete":1}`,
    `{"action":"announce","interval":120,"info_hash":"${binary(1).slice(1)}","complete":1,"incomplete":1}`.replaceAll('\\', '\\\\'),
    `{"action":"announce","interval":120,"info_hash":${JSON.stringify(binary(1).slice(1) + 'Ā')},"complete":1,"incomplete":1}`,
    `{"action":"Announce","interval":120,"info_hash":${h},"complete":1,"incomplete":1}`,
    `{"action":"announce" "interval":120,"info_hash":${h},"complete":1,"incomplete":1}`,
  ];
  for (const text of invalid) {
    const { read, parsed } = readBoth(text);
    t.is(read.kind, TrackerMessageKind.INVALID, text);
    t.deepEqual(read, parsed, text);
  }
  // Valid JSON the scan leaves to JSON.parse, read the same.
  const odd = [
    `{${base},"offer":${offer},"offer":${offer}}`, // a duplicate key
    `{${base.replace('"action"', '"\\u0061ction"')},"offer":${offer}}`, // an escaped key
    `{${base.replace(p, p.replace(/^"./, '"\\u002d'))},"offer":${offer}}`.replace('\\u002d', '\\u00' + binary(2).charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()),
    `{${base.replace(h, h.replace(/^"/, '"\\/').replace(/.$/, '"').slice(0, -1))},"offer":${offer}}`,
    `{"action":"announce","interval":1e2,"info_hash":${h},"complete":0,"incomplete":0}`,
    `{"action":"announce","interval":120,"info_hash":${h},"complete":0,"incomplete":0,"warning message":"x"}`,
    `{"failure reason":"no","action":"announce","info_hash":${h}}`,
    `{"action":"scrape","files":{}}`,
  ];
  for (const text of odd) {
    const { read, parsed } = readBoth(text);
    t.deepEqual(read, parsed, text);
  }
});

// Texts built from the pieces trackers use, in any order, spacing and escaping, then maybe damaged.
const arbitraryValue = fc.oneof(
  fc.uint8Array({ minLength: 20, maxLength: 20 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  fc.constantFrom('announce', 'scrape', 'offer', 'answer', '', binary(9).slice(1), `${binary(9).slice(1)}Ā`),
  fc.string({ maxLength: 30, unit: 'binary' }),
);
const arbitraryScalar = fc.oneof(
  arbitraryValue.map((value) => ({ string: value })),
  fc.constantFrom('0', '7', '120', '-1', '1.5', '1e2', '01', 'true', 'null', '[]'),
);
const spacing = fc.constantFrom('', '', '', ' ', '\n  ', '\t', '\r\n');
/** A string token as JSON.stringify writes it, or with every character escaped, or some escaped oddly. */
const arbitraryEscaping = fc.constantFrom('canonical', 'all', 'slash');
function writeString(value: string, escaping: string): string {
  if (escaping === 'canonical') return JSON.stringify(value);
  if (escaping === 'all') return `"${Array.from(value, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"`;
  return JSON.stringify(value).replaceAll('/', '\\/').replace(/^"(.)/, (_, c: string) => (c === '\\' ? '"\\' : `"\\u${c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`));
}
const keys = ['action', 'info_hash', 'peer_id', 'offer_id', 'offer', 'answer', 'interval', 'complete', 'incomplete', 'failure reason', 'files', 'x'];
const arbitraryMember = fc.record({
  key: fc.constantFrom(...keys),
  value: arbitraryScalar,
  description: fc.record({ type: fc.constantFrom('offer', 'answer', 'Offer'), sdp: fc.string({ maxLength: 40, unit: 'binary' }), extra: fc.boolean(), swap: fc.boolean() }),
  escaping: arbitraryEscaping,
  space: spacing,
});
const arbitraryText = fc
  .tuple(
    fc.oneof(fc.constant([]), fc.array(arbitraryMember, { maxLength: 6 })),
    fc.constantFrom('announce', 'offer', 'answer'),
    spacing,
    fc.oneof(fc.constant('canonical'), arbitraryEscaping),
  )
  .map(([members, shape, space, escaping]) => {
    // Start from a shape that reads, then add and override.
    const h = writeString(binary(1), escaping);
    const common = `"action":"announce",${space}"info_hash":${h}`;
    const start =
      shape === 'announce'
        ? `${common},"interval":120,"complete":1,"incomplete":2`
        : `${common},"peer_id":${writeString(binary(2), 'canonical')},"offer_id":${JSON.stringify(binary(3))},"${shape}":{"type":"${shape}","sdp":${JSON.stringify(sdp)}}`;
    const parts = [start];
    for (const { key, value, description, escaping: memberEscaping, space: memberSpace } of members) {
      let written: string;
      if (key === 'offer' || key === 'answer') {
        const fields = [`"type":"${description.type}"`, `"sdp":${writeString(description.sdp, memberEscaping)}`];
        if (description.extra) fields.push('"x":1');
        if (description.swap) fields.reverse();
        written = `{${memberSpace}${fields.join(`,${memberSpace}`)}}`;
      } else {
        written = typeof value === 'string' ? value : writeString(value.string, memberEscaping);
      }
      parts.push(`${memberSpace}"${key}"${memberSpace}:${memberSpace}${written}`);
    }
    return `${space}{${parts.join(',')}}${space}`;
  });
const arbitraryDamage = fc.option(
  fc.record({ at: fc.nat(), remove: fc.nat({ max: 3 }), insert: fc.constantFrom('', '"', '\\', '{', '}', ',', ':', '\u0001', 'é', 'Ā', ' ') }),
  { freq: 3 },
);

test('property: on built and damaged texts the scan gives up or reads exactly as JSON.parse does', (t) => {
  let scanned = 0;
  fc.assert(
    fc.property(arbitraryText, arbitraryDamage, (built, damage) => {
      let text = built;
      if (damage !== null) {
        const at = damage.at % (text.length + 1);
        text = text.slice(0, at) + damage.insert + text.slice(at + damage.remove);
      }
      const { read, parsed, scanned: wasScanned } = readBoth(text);
      if (wasScanned) scanned++;
      t.deepEqual(read, parsed, text);
    }),
    { numRuns: 3000 },
  );
  t.true(scanned > 300, `the scan took ${scanned} of the texts`);
});
