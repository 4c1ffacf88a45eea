// The shared-memory ring: records come out in order and intact across wrap-arounds, a full
// ring refuses instead of overwriting, and it works between two real threads.
import { Worker } from 'node:worker_threads';
import test from 'ava';
import { RingReader, RingWriter, ringBuffer } from '../../src/util/spsc-ring.js';

test('records come out in order, intact, across many wrap-arounds', (t) => {
  const buffer = ringBuffer(1024);
  const writer = new RingWriter(buffer);
  const reader = new RingReader(buffer);
  let written = 0;
  let read = 0;
  let seed = 3;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const lengths: number[] = [];
  for (let round = 0; round < 2000; round++) {
    for (let k = random() % 5; k > 0; k--) {
      const length = random() % 200;
      const at = writer.alloc(length);
      if (at < 0) break;
      for (let i = 0; i < length; i++) writer.data[at + i] = (written + i) & 255;
      lengths.push(length);
      written++;
    }
    writer.publish();
    for (let k = random() % 5; k > 0; k--) {
      const at = reader.next();
      if (at < 0) break;
      const length = lengths[read]!;
      if (reader.length !== length) t.fail(`record ${read}: length ${reader.length}, expected ${length}`);
      for (let i = 0; i < length; i++) if (reader.data[at + i] !== ((read + i) & 255)) t.fail(`record ${read} corrupted`);
      read++;
    }
    reader.release();
  }
  t.true(written > 1000);
  t.true(read > 1000);
});

test('a full ring refuses a record instead of overwriting unread ones', (t) => {
  const buffer = ringBuffer(1024);
  const writer = new RingWriter(buffer);
  const reader = new RingReader(buffer);
  let accepted = 0;
  while (writer.alloc(100) >= 0) accepted++;
  t.is(accepted, 9); // 9 records of 4 + 100 bytes fit in 1024
  writer.publish();
  t.true(reader.next() >= 0);
  reader.release();
  t.true(writer.alloc(100) >= 0, 'space comes back once released');
});

test('records over 64 KiB keep their length (WebSocket messages)', (t) => {
  const buffer = ringBuffer(1 << 18);
  const writer = new RingWriter(buffer);
  const reader = new RingReader(buffer);
  for (const length of [70_000, 100_000, 65_536, 70_000]) {
    const at = writer.alloc(length);
    t.true(at >= 0);
    writer.data.fill(length & 255, at, at + length);
    writer.publish();
    const from = reader.next();
    t.is(reader.length, length);
    t.is(writer.data[from + length - 1], length & 255);
    reader.release();
  }
  t.is(writer.alloc((1 << 18) + 1), -1, 'a record larger than the ring is refused');
});

test('records cross between threads', async (t) => {
  const buffer = ringBuffer(4096);
  const reader = new RingReader(buffer);
  // The ring module is ESM; the worker loads it through a tiny CJS shim via dynamic import.
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');
     import(workerData.module).then(({ RingWriter }) => {
       const writer = new RingWriter(workerData.buffer);
       const view = new DataView(writer.data.buffer, writer.data.byteOffset);
       for (let n = 0; n < 20000; ) {
         const at = writer.alloc(4);
         if (at < 0) { writer.publish(); continue; }
         view.setUint32(at, n++);
         if (n % 16 === 0) writer.publish();
       }
       writer.publish();
     });`,
    { eval: true, workerData: { buffer, module: new URL('../../src/util/spsc-ring.js', import.meta.url).href } },
  );
  const view = new DataView(reader.data.buffer, reader.data.byteOffset);
  let expected = 0;
  const deadline = Date.now() + 10_000;
  while (expected < 20000 && Date.now() < deadline) {
    const at = reader.next();
    if (at < 0) {
      reader.release();
      await new Promise((resolve) => setImmediate(resolve));
      continue;
    }
    if (view.getUint32(at) !== expected) t.fail(`got ${view.getUint32(at)}, expected ${expected}`);
    expected++;
  }
  reader.release();
  await worker.terminate();
  t.is(expected, 20000);
});
