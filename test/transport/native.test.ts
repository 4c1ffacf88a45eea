// The native UDP transport against real loopback sockets: echo round trips, batches,
// truncation, dual stack, SO_REUSEPORT, errors, close, and worker threads.
import test, { type ExecutionContext } from 'ava';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { META_ADDRESS, META_FAMILY, META_LENGTH, META_PORT, META_STRIDE, SLOT_SIZE } from '../../src/transport/udp/batch.js';
import { loadNativeBinding, type NativeUdpBinding } from '../../src/transport/udp/binding.js';
import { NativeUdpTransport } from '../../src/transport/udp/native.js';
import type { BatchHandler, UdpTransportOptions } from '../../src/transport/udp/types.js';

const { binding, reason } = loadNativeBinding();
const nativeTest = binding === null ? test.skip : test;
if (binding === null) {
  test('native binding is unavailable, native transport tests skipped', (t) => {
    t.log(`skipping: ${reason}`);
    t.pass();
  });
}

const TIMEOUT_MS = 5000;
const META_INTS = META_STRIDE / 4;

function native(): NativeUdpBinding {
  return binding!;
}

function options(overrides: Partial<UdpTransportOptions> = {}): UdpTransportOptions {
  return {
    host: '127.0.0.1',
    port: 0,
    onlyIpv6: true,
    reusePort: false,
    recvBufferSize: 1 << 20,
    sendBufferSize: 1 << 20,
    batchSize: 64,
    ...overrides,
  };
}

function open(t: ExecutionContext, overrides: Partial<UdpTransportOptions> = {}): NativeUdpTransport {
  const transport = NativeUdpTransport.open(options(overrides), native());
  t.teardown(() => transport.close());
  return transport;
}

function client(t: ExecutionContext, type: 'udp4' | 'udp6'): dgram.Socket {
  const socket = dgram.createSocket(type);
  t.teardown(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return socket;
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${TIMEOUT_MS} ms waiting for ${what}`)), TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves with the first `count` datagrams `socket` receives. */
function receive(socket: dgram.Socket, count: number): Promise<Buffer[]> {
  const messages: Buffer[] = [];
  return withTimeout(
    new Promise((resolve) => {
      const onMessage = (message: Buffer): void => {
        messages.push(message);
        if (messages.length === count) {
          socket.off('message', onMessage);
          resolve(messages);
        }
      };
      socket.on('message', onMessage);
    }),
    `${count} replies`,
  );
}

interface Seen {
  length: number;
  port: number;
  family: number;
  address: number[];
}

/** Echoes every whole datagram back (payload and metadata copied rx -> tx); records what it saw. */
function echo(seen: Seen[] = [], batchSizes: number[] = []): BatchHandler {
  return (rx, count, tx) => {
    batchSizes.push(count);
    let replies = 0;
    for (let i = 0; i < count; i++) {
      const m = i * META_INTS;
      const length = rx.meta32[m + META_LENGTH / 4]!;
      seen.push({
        length,
        port: rx.meta32[m + META_PORT / 4]!,
        family: rx.meta32[m + META_FAMILY / 4]!,
        address: [...rx.meta.subarray(i * META_STRIDE + META_ADDRESS, i * META_STRIDE + META_ADDRESS + 16)],
      });
      if (length < 0) continue; // truncated: nothing to echo
      tx.data.set(rx.data.subarray(i * SLOT_SIZE, i * SLOT_SIZE + length), replies * SLOT_SIZE);
      tx.meta.set(rx.meta.subarray(i * META_STRIDE, (i + 1) * META_STRIDE), replies * META_STRIDE);
      replies++;
    }
    return replies;
  };
}

const MAPPED_LOOPBACK = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1];
const IPV6_LOOPBACK = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];

nativeTest('the addon layout matches batch.ts', (t) => {
  t.is(native().SLOT_SIZE, SLOT_SIZE);
  t.is(native().META_STRIDE, META_STRIDE);
});

nativeTest('opens on 127.0.0.1 port 0 and echoes an IPv4 datagram', async (t) => {
  const transport = open(t);
  t.is(transport.kind, 'native');
  t.true(transport.port > 0);
  const seen: Seen[] = [];
  transport.start(echo(seen));

  const socket = client(t, 'udp4');
  const replies = receive(socket, 1);
  socket.send('hello', transport.port, '127.0.0.1');
  t.deepEqual((await replies).map(String), ['hello']);
  t.deepEqual(seen, [{ length: 5, port: socket.address().port, family: 4, address: MAPPED_LOOPBACK }]);
  t.like(transport.counters, { receivedPackets: 1, receivedBytes: 5, sentPackets: 1, sentBytes: 5, truncatedPackets: 0, sendErrors: 0 });
});

nativeTest('opens on ::1 port 0 and echoes an IPv6 datagram', async (t) => {
  const transport = open(t, { host: '::1' });
  t.true(transport.port > 0);
  const seen: Seen[] = [];
  transport.start(echo(seen));

  const socket = client(t, 'udp6');
  const replies = receive(socket, 1);
  socket.send('hello six', transport.port, '::1');
  t.deepEqual((await replies).map(String), ['hello six']);
  t.deepEqual(seen, [{ length: 9, port: socket.address().port, family: 6, address: IPV6_LOOPBACK }]);
});

nativeTest('round-trips 200 datagrams from several clients in batches', async (t) => {
  const transport = open(t, { batchSize: 32 });
  const batchSizes: number[] = [];
  transport.start(echo([], batchSizes));

  const clients = 4;
  const perClient = 50;
  const sockets = Array.from({ length: clients }, () => client(t, 'udp4'));
  const replies = sockets.map((socket) => receive(socket, perClient));
  sockets.forEach((socket, c) => {
    for (let i = 0; i < perClient; i++) socket.send(`client ${c} datagram ${i} ${'x'.repeat(i * 20)}`, transport.port, '127.0.0.1');
  });
  const received = await Promise.all(replies);

  received.forEach((messages, c) => {
    const expected = Array.from({ length: perClient }, (_, i) => `client ${c} datagram ${i} ${'x'.repeat(i * 20)}`);
    t.deepEqual(messages.map(String).sort(), expected.sort());
  });
  t.is(transport.counters.receivedPackets, clients * perClient);
  t.is(transport.counters.sentPackets, clients * perClient);
  t.is(batchSizes.reduce((a, b) => a + b, 0), clients * perClient);
  t.true(batchSizes.every((n) => n >= 1 && n <= 32));
  t.log(`batches: ${batchSizes.length}, largest ${Math.max(...batchSizes)}`);
});

nativeTest('a datagram longer than a slot is reported truncated and the socket keeps working', async (t) => {
  const transport = open(t);
  const seen: Seen[] = [];
  transport.start(echo(seen));

  const socket = client(t, 'udp4');
  const replies = receive(socket, 1);
  socket.send(Buffer.alloc(SLOT_SIZE + 1000, 1), transport.port, '127.0.0.1');
  socket.send('after', transport.port, '127.0.0.1');
  t.deepEqual((await replies).map(String), ['after']);
  t.deepEqual(
    seen.map((s) => s.length),
    [-1, 5],
  );
  t.is(transport.counters.truncatedPackets, 1);

  // A datagram of exactly SLOT_SIZE bytes still fits.
  const full = receive(socket, 1);
  socket.send(Buffer.alloc(SLOT_SIZE, 7), transport.port, '127.0.0.1');
  t.is((await full)[0]!.length, SLOT_SIZE);
});

nativeTest('a dual-stack socket sees an IPv4 client as family 4 with a ::ffff: address', async (t) => {
  // '::ffff:127.0.0.1' on an IPv6 socket is dual stack like '::', but stays on loopback.
  const transport = open(t, { host: '::ffff:127.0.0.1', onlyIpv6: false });
  const seen: Seen[] = [];
  transport.start(echo(seen));

  const socket = client(t, 'udp4');
  const replies = receive(socket, 1);
  socket.send('mapped', transport.port, '127.0.0.1');
  t.deepEqual((await replies).map(String), ['mapped']);
  t.deepEqual(seen, [{ length: 6, port: socket.address().port, family: 4, address: MAPPED_LOOPBACK }]);
});

nativeTest('an IPv6-only socket refuses an IPv4-mapped address', (t) => {
  const error = t.throws(() => NativeUdpTransport.open(options({ host: '::ffff:127.0.0.1', onlyIpv6: true }), native()));
  t.is((error as NodeJS.ErrnoException).code, 'AQUATIC_ERR_BIND');
  t.is(((error as Error).cause as NodeJS.ErrnoException).syscall, 'bind');
});

nativeTest('SO_REUSEPORT lets two transports bind the same port', async (t) => {
  const first = open(t, { reusePort: true });
  const second = open(t, { reusePort: true, port: first.port });
  t.is(second.port, first.port);
  // Both are live: every datagram is answered by one of them.
  first.start(echo());
  second.start(echo());
  const socket = client(t, 'udp4');
  const replies = receive(socket, 20);
  for (let i = 0; i < 20; i++) socket.send(`r${i}`, first.port, '127.0.0.1');
  t.is((await replies).length, 20);
  t.is(first.counters.receivedPackets + second.counters.receivedPackets, 20);
});

nativeTest('a port in use throws AQUATIC_ERR_BIND with the EADDRINUSE error as cause', (t) => {
  const first = open(t);
  const error = t.throws(() => NativeUdpTransport.open(options({ port: first.port }), native()));
  t.is((error as NodeJS.ErrnoException).code, 'AQUATIC_ERR_BIND');
  t.regex(error!.message, /EADDRINUSE/);
  const cause = (error as Error).cause as NodeJS.ErrnoException;
  t.like(cause, { code: 'EADDRINUSE', syscall: 'bind', message: `bind 127.0.0.1:${first.port}: Address already in use` });
});

nativeTest('the binding throws errno errors itself', (t) => {
  const b = native();
  t.like(t.throws(() => b.udpOpen('not an ip', 0, 0, 0, 0, 8)), { code: 'EINVAL', syscall: 'bind' });
  t.like(t.throws(() => b.udpOpen('192.0.2.1', 0, 0, 0, 0, 8)), { code: 'EADDRNOTAVAIL', syscall: 'bind' });
  t.throws(() => b.udpLocalPort({} as never), { instanceOf: TypeError });
});

nativeTest('bad options throw before any syscall', (t) => {
  for (const host of ['localhost', '[::1]', '', '127.0.0.1:80']) {
    t.like(t.throws(() => NativeUdpTransport.open(options({ host }), native())), { code: 'ERR_INVALID_ARG_VALUE' });
  }
  for (const bad of [{ port: -1 }, { port: 65536 }, { port: 1.5 }, { batchSize: 0 }, { batchSize: 1025 }, { recvBufferSize: -1 }]) {
    t.like(
      t.throws(() => NativeUdpTransport.open(options(bad), native()), { instanceOf: RangeError }),
      { code: 'ERR_OUT_OF_RANGE' },
    );
  }
});

nativeTest('buffer sizes are applied', (t) => {
  const transport = open(t, { recvBufferSize: 1 << 20, sendBufferSize: 1 << 19 });
  const { receive: rcv, send } = transport.bufferSizes();
  // Linux doubles the request; without CAP_NET_ADMIN it is capped by net.core.*mem_max.
  t.true(rcv > 0 && send > 0);
  t.log(`SO_RCVBUF ${rcv}, SO_SNDBUF ${send}`);
});

nativeTest('close() is idempotent and frees the port; start after close throws', async (t) => {
  const transport = NativeUdpTransport.open(options(), native());
  transport.start(echo());
  await transport.close();
  await transport.close();
  t.throws(() => transport.start(echo()), { message: /closed/ });
  // The port can be bound again at once.
  const again = open(t, { port: transport.port });
  t.is(again.port, transport.port);
});

nativeTest('the handler may close the transport while a batch is in flight', async (t) => {
  const transport = open(t);
  const closedInHandler = new Promise<void>((resolve) => {
    transport.start((rx, count, tx) => {
      void transport.close().then(resolve);
      return echo()(rx, count, tx);
    });
  });
  const socket = client(t, 'udp4');
  socket.send('bye', transport.port, '127.0.0.1');
  await withTimeout(closedInHandler, 'close inside the handler');
  t.is(transport.counters.sentPackets, 0);
});

// The worker opens a socket with the raw binding, echoes, reports its port, and then
// exits or is terminated with the socket still open: the env cleanup hook must close it
// without calling into JS, and the main thread must be unaffected.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const b = require(workerData.nodeGypBuild)(workerData.root);
const h = b.udpOpen('127.0.0.1', 0, 0, 0, 0, 16);
const rx = new Uint8Array(16 * b.SLOT_SIZE), rxMeta = new Uint8Array(16 * b.META_STRIDE);
b.udpRecvStart(h, rx, rxMeta, (count) => {
  b.udpSend(h, rx, rxMeta, count);
  if (workerData.exitAfterEcho) setImmediate(() => process.exit(0));
});
parentPort.postMessage(b.udpLocalPort(h));
`;

for (const ending of ['exits', 'is terminated'] as const) {
  nativeTest(`works in a worker thread that ${ending} with the socket open`, async (t) => {
    const { createRequire } = await import('node:module');
    const { dirname, join } = await import('node:path');
    const { fileURLToPath } = await import('node:url');
    const require = createRequire(import.meta.url);
    const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { root, nodeGypBuild: require.resolve('node-gyp-build'), exitAfterEcho: ending === 'exits' },
    });
    const exited = once(worker, 'exit');
    const [port] = (await withTimeout(once(worker, 'message'), 'the worker')) as [number];

    const socket = client(t, 'udp4');
    const replies = receive(socket, 1);
    socket.send('to the worker', port, '127.0.0.1');
    t.deepEqual((await replies).map(String), ['to the worker']);
    if (ending === 'is terminated') await worker.terminate();
    const [code] = (await withTimeout(exited, 'the worker to exit')) as [number];
    t.is(code, ending === 'exits' ? 0 : 1);

    // The worker's socket is gone: its port can be bound again.
    const again = open(t, { port });
    t.is(again.port, port);
  });
}
