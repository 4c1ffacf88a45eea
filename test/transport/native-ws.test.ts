// The native WebSocket transport through raw TCP sockets on loopback: handshakes and frames
// cut at every byte, control frames, protocol errors with their close codes, the HTTP side,
// and a client that stops reading and later catches up (the backlog path).
import net from 'node:net';
import { once } from 'node:events';
import test, { type ExecutionContext } from 'ava';
import { loadNativeBinding } from '../../src/transport/udp/binding.js';
import { NativeWsServer } from '../../src/transport/ws/native-server.js';
import type { WsHooks, WsLink, WsServerOptions } from '../../src/transport/ws/transport.js';
import { quietLog } from '../helpers/tracker.js';

const { binding, reason } = loadNativeBinding();
const nativeTest = binding === null ? test.skip : test;
if (binding === null) console.log(`native WebSocket tests skipped: ${reason}`);

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const UPGRADE = `GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`;

const options = (overrides: Partial<WsServerOptions> = {}): WsServerOptions => ({
  host: '127.0.0.1',
  port: 0,
  ipv6Only: false,
  maxConnections: 100,
  maxMessageSize: 1000,
  pingIntervalSeconds: 60,
  idleTimeoutSeconds: 180,
  sendBufferLimit: 16 << 20,
  allowOrigins: new Set(),
  denyOrigins: new Set(),
  denyEmptyOrigin: false,
  ...overrides,
});

/**
 * Echoes text ("big N" answers N frames of 64 KiB, queued as text and as bytes in turn);
 * counts opens and closes.
 */
function echoHooks() {
  const counts = { opened: 0, closed: 0, binary: 0 };
  const hooks: WsHooks<WsLink> = {
    open: (link) => (counts.opened++, link),
    message: (link, bytes, start, end) => {
      const text = bytes.toString('utf8', start, end);
      const big = /^big (\d+)$/.exec(text);
      if (big === null) return link.send(`echo:${text}`);
      for (let i = 0; i < Number(big[1]); i++) {
        const frame = `${i}:`.padEnd(65_536, 'z');
        if (i % 2 === 0) link.send(frame);
        else link.sendUtf8(Buffer.from(`..${frame}..`), 2, 2 + frame.length);
      }
    },
    binary: () => void counts.binary++,
    close: () => void counts.closed++,
  };
  return { hooks, counts };
}

async function start(t: ExecutionContext, overrides: Partial<WsServerOptions> = {}) {
  const { hooks, counts } = echoHooks();
  const server = new NativeWsServer(binding!, options(overrides), hooks, quietLog);
  const port = await server.listen();
  t.teardown(() => server.close());
  return { server, port, counts };
}

/** Server frames as they arrive: [opcode, payload]. */
class RawClient {
  private buffer = Buffer.alloc(0);
  private readonly waiters: (() => void)[] = [];
  ended = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static async connect(port: number): Promise<RawClient> {
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    return new RawClient(socket);
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  private async until<T>(take: () => T | undefined): Promise<T> {
    for (;;) {
      const value = take();
      if (value !== undefined) return value;
      if (this.ended) throw new Error('connection closed');
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** The HTTP response head (and body for non-upgrades: everything up to the close). */
  async head(): Promise<string> {
    return this.until(() => {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return undefined;
      const head = this.buffer.toString('latin1', 0, end + 4);
      this.buffer = this.buffer.subarray(end + 4);
      return head;
    });
  }

  async rest(): Promise<string> {
    await this.until(() => (this.ended ? true : undefined)).catch(() => true);
    return this.buffer.toString('latin1');
  }

  async frame(): Promise<[number, Buffer]> {
    return this.until(() => {
      const b = this.buffer;
      if (b.length < 2) return undefined;
      let length = b[1]! & 0x7f;
      let at = 2;
      if (length === 126) [length, at] = b.length < 4 ? [Infinity, 4] : [b.readUInt16BE(2), 4];
      else if (length === 127) [length, at] = b.length < 10 ? [Infinity, 10] : [b.readUInt32BE(6), 10];
      if (b.length < at + length) return undefined;
      const frame: [number, Buffer] = [b[0]! & 0x0f, Buffer.from(b.subarray(at, at + length))];
      this.buffer = b.subarray(at + length);
      return frame;
    });
  }

  async closed(): Promise<void> {
    await this.until(() => (this.ended ? true : undefined)).catch(() => undefined);
  }
}

function clientFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const mask = [1, 2, 3, 4];
  const n = payload.length;
  const header = n < 126 ? [(fin ? 0x80 : 0) | opcode, 0x80 | n] : [(fin ? 0x80 : 0) | opcode, 0x80 | 126, n >> 8, n & 255];
  return Buffer.from([...header, ...mask, ...payload.map((byte, i) => byte ^ mask[i % 4]!)]);
}
const text = (s: string, fin = true) => clientFrame(0x1, Buffer.from(s), fin);

async function upgraded(port: number): Promise<RawClient> {
  const client = await RawClient.connect(port);
  client.socket.write(UPGRADE);
  const head = await client.head();
  if (!head.startsWith('HTTP/1.1 101 ') || !head.includes('Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=')) throw new Error(head);
  return client;
}

nativeTest('a handshake and frames sent one byte at a time, pipelined messages answered in order', async (t) => {
  const { port, counts } = await start(t);
  const client = await RawClient.connect(port);
  const bytes = Buffer.concat([Buffer.from(UPGRADE), text('one'), text('two')]);
  for (const byte of bytes) {
    client.socket.write(Buffer.from([byte]));
    await new Promise((resolve) => setImmediate(resolve));
  }
  t.true((await client.head()).startsWith('HTTP/1.1 101 Switching Protocols'));
  t.deepEqual(await client.frame(), [1, Buffer.from('echo:one')]);
  t.deepEqual(await client.frame(), [1, Buffer.from('echo:two')]);
  t.is(counts.opened, 1);
});

nativeTest('frames cut into pieces of any size arrive whole and in order', async (t) => {
  const { port } = await start(t);
  const client = await upgraded(port);
  const messages = ['a'.repeat(100), 'b', 'c'.repeat(300), 'd'.repeat(70_000 % 1000)];
  for (const piece of [1, 3, 7, 13, 64, 129]) {
    const bytes = Buffer.concat(messages.map((message) => text(message)));
    for (let at = 0; at < bytes.length; at += piece) {
      client.socket.write(bytes.subarray(at, at + piece));
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (const message of messages) t.deepEqual(await client.frame(), [1, Buffer.from(`echo:${message}`)], `pieces of ${piece}`);
  }
});

nativeTest('fragments, pings, binary frames and the close handshake', async (t) => {
  const { port, counts } = await start(t);
  const client = await upgraded(port);
  client.socket.write(Buffer.concat([text('frag', false), clientFrame(0x9, Buffer.from('p!')), clientFrame(0x0, Buffer.from('ment'))]));
  t.deepEqual(await client.frame(), [0xa, Buffer.from('p!')]);
  t.deepEqual(await client.frame(), [1, Buffer.from('echo:fragment')]);
  client.socket.write(clientFrame(0x2, Buffer.from([1, 2, 3])));
  client.socket.write(clientFrame(0x8, Buffer.from([0x03, 0xe8])));
  t.deepEqual(await client.frame(), [0x8, Buffer.from([0x03, 0xe8])]);
  await client.closed();
  t.is(counts.binary, 1);
  t.is(counts.closed, 1);
});

nativeTest('a message in 100,000 empty and tiny fragments is joined in time linear in their count', async (t) => {
  // Summing every fragment held at each continuation took ~3 s for 40,000 empty ones (6
  // bytes each on the wire) and grew with the square: the deadline catches that.
  t.timeout(5_000);
  const { port } = await start(t);
  const client = await upgraded(port);
  const frames = [text('a', false)];
  for (let i = 0; i < 100_000; i++) frames.push(clientFrame(0x0, Buffer.alloc(0), false));
  for (let i = 0; i < 500; i++) frames.push(clientFrame(0x0, Buffer.from('b'), false));
  frames.push(clientFrame(0x0, Buffer.from('c')));
  client.socket.write(Buffer.concat(frames));
  t.deepEqual(await client.frame(), [1, Buffer.from(`echo:a${'b'.repeat(500)}c`)]);
});

nativeTest('protocol errors close with their code; other connections carry on', async (t) => {
  const { port, server } = await start(t);
  const cases: [string, Buffer, number][] = [
    ['unmasked frame', Buffer.from([0x81, 0x02, 0x68, 0x69]), 1002],
    ['invalid UTF-8', clientFrame(0x1, Buffer.from([0xc3, 0x28])), 1007],
    ['message over max_message_size', text('x'.repeat(1001)), 1009],
    ['fragments over max_message_size', Buffer.concat([text('x'.repeat(600), false), clientFrame(0x0, Buffer.alloc(600, 120))]), 1009],
    ['continuation without a start', clientFrame(0x0, Buffer.from('x')), 1002],
  ];
  const survivor = await upgraded(port);
  for (const [name, bytes, code] of cases) {
    const client = await upgraded(port);
    client.socket.write(bytes);
    const [opcode, payload] = await client.frame();
    t.is(opcode, 0x8, name);
    t.is(payload.readUInt16BE(0), code, name);
    await client.closed();
  }
  t.is(server.counters.protocolErrors, cases.length);
  survivor.socket.write(text('still here'));
  t.deepEqual(await survivor.frame(), [1, Buffer.from('echo:still here')]);
});

nativeTest('the HTTP side: /health, 426 for plain requests, 431 for huge heads, 403 for denied origins', async (t) => {
  const { port } = await start(t, { denyOrigins: new Set(['https://evil.example']) });
  const ask = async (request: string) => {
    const client = await RawClient.connect(port);
    client.socket.write(request);
    return (await client.rest()).split('\r\n')[0];
  };
  t.is(await ask('GET /health HTTP/1.1\r\n\r\n'), 'HTTP/1.1 200 OK');
  t.is(await ask('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), 'HTTP/1.1 426 Upgrade Required');
  t.is(await ask(`GET / HTTP/1.1\r\nX: ${'a'.repeat(9000)}`), 'HTTP/1.1 431 Request Header Fields Too Large');
  t.is(await ask(UPGRADE.replace('\r\n\r\n', '\r\nOrigin: https://evil.example\r\n\r\n')), 'HTTP/1.1 403 Forbidden');
});

nativeTest('a client that stops reading gets every byte, in order, once it reads again', async (t) => {
  const { port, server } = await start(t);
  const client = await upgraded(port);
  client.socket.pause();
  // 200 frames of 64 KiB: far more than the kernel buffers hold, and than the queue's byte arena.
  client.socket.write(text('big 200'));
  const deadline = Date.now() + 10_000;
  while (server.deferredWrites === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  t.true(server.deferredWrites > 0, 'the kernel refused bytes and they waited');
  client.socket.resume();
  for (let i = 0; i < 200; i++) {
    const [opcode, payload] = await client.frame();
    t.is(opcode, 1);
    if (!payload.toString('latin1', 0, 12).startsWith(`${i}:`) || payload.length !== 65_536) t.fail(`frame ${i} out of order or cut`);
  }
  client.socket.write(text('after'));
  t.deepEqual(await client.frame(), [1, Buffer.from('echo:after')]);
});

nativeTest('max_connections refuses further connections; close() sends 1001 to every client', async (t) => {
  const { port, server } = await start(t, { maxConnections: 2 });
  const a = await upgraded(port);
  const b = await upgraded(port);
  const refused = await RawClient.connect(port);
  refused.socket.write(UPGRADE);
  await refused.closed();
  t.is(server.connectionCount, 2);
  await server.close();
  for (const client of [a, b]) {
    const [opcode, payload] = await client.frame();
    t.deepEqual([opcode, payload.readUInt16BE(0)], [0x8, 1001]);
    await client.closed();
  }
});
