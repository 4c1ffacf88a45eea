// WebSocket framing and handshake codecs against the byte vectors of RFC 6455.
import test from 'ava';
import { CloseCode, Opcode, closeFrame, controlFrame, frameHeaderLength, readFrames, writeFrameHeader } from '../../src/transport/ws/frames.js';
import { acceptValue, headEnd, parseHead } from '../../src/transport/ws/handshake.js';

interface Frame {
  opcode: number;
  fin: boolean;
  payload: string;
}

function read(bytes: Buffer, maxPayload = 1 << 20): { stop: number; frames: Frame[] } {
  const frames: Frame[] = [];
  const stop = readFrames(bytes, 0, bytes.length, maxPayload, {
    frame: (opcode, fin, data, start, end) => {
      frames.push({ opcode, fin, payload: data.toString('latin1', start, end) });
      return true;
    },
  });
  return { stop, frames };
}

/** A client frame: masked with `mask`, as RFC 6455 5.3 requires. */
function masked(first: number, payload: Buffer, mask = [0x37, 0xfa, 0x21, 0x3d]): Buffer {
  const length = payload.length;
  const header = length < 126 ? [first, 0x80 | length] : length < 65_536 ? [first, 0x80 | 126, length >> 8, length & 255] : [first, 0x80 | 127, 0, 0, 0, 0, length >>> 24, (length >> 16) & 255, (length >> 8) & 255, length & 255];
  return Buffer.from([...header, ...mask, ...payload.map((byte, i) => byte ^ mask[i % 4]!)]);
}

test('RFC 6455 5.7: a masked "Hello" text frame', (t) => {
  const bytes = Buffer.from([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
  t.deepEqual(read(bytes), { stop: 11, frames: [{ opcode: Opcode.TEXT, fin: true, payload: 'Hello' }] });
});

test('unmasking gives the payload back at every length and every alignment in memory', (t) => {
  const mask = [0x9c, 0x01, 0xe7, 0x5a];
  for (let length = 0; length < 300; length += length < 80 ? 1 : 37) {
    const payload = Buffer.from(Array.from({ length }, (_, i) => (i * 31 + length) & 255));
    const frame = masked(0x82, payload, mask);
    for (let shift = 0; shift < 8; shift++) {
      const bytes = Buffer.alloc(shift + frame.length + 3);
      frame.copy(bytes, shift);
      const got: Buffer[] = [];
      readFrames(bytes, shift, shift + frame.length, 1 << 20, { frame: (_o, _f, b, s, e) => (got.push(Buffer.from(b.subarray(s, e))), true) });
      if (!got[0]?.equals(payload)) return t.fail(`length ${length}, shifted by ${shift}`);
    }
  }
  t.pass();
});

test('fragments, control frames between them, and 16- and 64-bit lengths', (t) => {
  const big = Buffer.alloc(70_000, 'a');
  const bytes = Buffer.concat([
    masked(0x01, Buffer.from('Hel')), // TEXT, not final
    masked(0x89, Buffer.from('ping')), // PING between fragments
    masked(0x80, Buffer.from('lo')), // CONTINUATION, final
    masked(0x82, Buffer.alloc(300, 1)),
    masked(0x81, big),
  ]);
  const { stop, frames } = read(bytes);
  t.is(stop, bytes.length);
  t.deepEqual(
    frames.map((f) => [f.opcode, f.fin, f.payload.length]),
    [
      [Opcode.TEXT, false, 3],
      [Opcode.PING, true, 4],
      [Opcode.CONTINUATION, true, 2],
      [Opcode.BINARY, true, 300],
      [Opcode.TEXT, true, 70_000],
    ],
  );
  t.is(frames[4]!.payload, big.toString('latin1'));
});

test('an incomplete frame stops where it begins, at every cut', (t) => {
  const whole = Buffer.concat([masked(0x81, Buffer.from('first')), masked(0x81, Buffer.alloc(200, 'b'))]);
  const firstLength = 2 + 4 + 5;
  for (let cut = 0; cut < whole.length; cut++) {
    const { stop, frames } = read(Buffer.from(whole.subarray(0, cut)));
    t.is(stop, cut < firstLength ? 0 : firstLength, `cut at ${cut}`);
    t.is(frames.length, cut < firstLength ? 0 : 1);
  }
});

test('protocol violations give their close codes', (t) => {
  const unmasked = Buffer.from([0x81, 0x05, ...Buffer.from('Hello')]);
  t.is(read(unmasked).stop, -CloseCode.PROTOCOL_ERROR);
  t.is(read(masked(0xc1, Buffer.from('x'))).stop, -CloseCode.PROTOCOL_ERROR, 'RSV1 without an extension');
  t.is(read(masked(0x83, Buffer.from('x'))).stop, -CloseCode.PROTOCOL_ERROR, 'reserved opcode 3');
  t.is(read(masked(0x8b, Buffer.from('x'))).stop, -CloseCode.PROTOCOL_ERROR, 'reserved control opcode 0xB');
  t.is(read(masked(0x09, Buffer.from('x'))).stop, -CloseCode.PROTOCOL_ERROR, 'fragmented ping');
  t.is(read(masked(0x89, Buffer.alloc(126))).stop, -CloseCode.PROTOCOL_ERROR, 'ping over 125 bytes');
  t.is(read(masked(0x81, Buffer.alloc(101)), 100).stop, -CloseCode.MESSAGE_TOO_BIG);
  // The bound holds from the header alone: a 2^40-byte length never waits for its payload.
  t.is(read(Buffer.from([0x81, 0xff, 0, 0, 1, 0, 0, 0, 0, 0, 1, 2, 3, 4])).stop, -CloseCode.MESSAGE_TOO_BIG);
  t.is(read(Buffer.from([0x81, 0xfe, 0xff, 0xff, 1, 2, 3, 4]), 65_534).stop, -CloseCode.MESSAGE_TOO_BIG);
});

test('server frame headers: 7-, 16- and 64-bit lengths, close and control frames', (t) => {
  const out = Buffer.alloc(10);
  t.is(writeFrameHeader(out, 0, Opcode.TEXT, 125), 2);
  t.deepEqual([...out.subarray(0, 2)], [0x81, 125]);
  t.is(writeFrameHeader(out, 0, Opcode.TEXT, 126), 4);
  t.deepEqual([...out.subarray(0, 4)], [0x81, 126, 0, 126]);
  t.is(writeFrameHeader(out, 0, Opcode.BINARY, 65_536), 10);
  t.deepEqual([...out], [0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]);
  t.deepEqual([125, 126, 65_535, 65_536].map(frameHeaderLength), [2, 4, 4, 10]);
  t.deepEqual([...closeFrame(CloseCode.MESSAGE_TOO_BIG)], [0x88, 2, 0x03, 0xf1]);
  t.deepEqual([...controlFrame(Opcode.PONG, Buffer.from('hi'))], [0x8a, 2, 0x68, 0x69]);
  t.deepEqual([...controlFrame(Opcode.PING)], [0x89, 0]);
});

test('RFC 6455 1.3: the Sec-WebSocket-Accept of the sample key', (t) => {
  t.is(acceptValue('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

const upgradeHead = (extra = '', version = '13') =>
  `GET /announce HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: ${version}\r\n${extra}\r\n`;

test('request heads: upgrade, health, and every refusal', (t) => {
  t.deepEqual(parseHead(upgradeHead('Origin: https://a.example\r\n')), { kind: 'upgrade', key: 'dGhlIHNhbXBsZSBub25jZQ==', origin: 'https://a.example' });
  t.deepEqual(parseHead(upgradeHead()), { kind: 'upgrade', key: 'dGhlIHNhbXBsZSBub25jZQ==', origin: undefined });
  t.deepEqual(parseHead('GET /health HTTP/1.1\r\n\r\n'), { kind: 'health', head: false });
  t.deepEqual(parseHead('HEAD /health HTTP/1.0\r\n\r\n'), { kind: 'health', head: true });
  const refusal = (head: string) => {
    const outcome = parseHead(head);
    return outcome.kind === 'refuse' ? outcome.response.split('\r\n')[0] : outcome.kind;
  };
  t.is(refusal('GET / HTTP/1.1\r\nHost: t\r\n\r\n'), 'HTTP/1.1 426 Upgrade Required');
  t.is(refusal(upgradeHead('', '8')), 'HTTP/1.1 426 Upgrade Required');
  t.is(refusal(upgradeHead().replace('dGhlIHNhbXBsZSBub25jZQ==', 'short')), 'HTTP/1.1 400 Bad Request');
  t.is(refusal('garbage\r\n\r\n'), 'HTTP/1.1 400 Bad Request');
  t.is(refusal(upgradeHead('no colon here\r\n')), 'HTTP/1.1 400 Bad Request');
  t.is(refusal(upgradeHead().replace('GET', 'POST')), 'HTTP/1.1 426 Upgrade Required');
  const bytes = Buffer.from(`${upgradeHead()}tail`);
  t.is(headEnd(bytes, 0, bytes.length), bytes.length - 4);
  t.is(headEnd(bytes, 0, 20), -1);
});
