// The info hash table against a Map model, through growth, deletion and id reuse.
import test from 'ava';
import { InfoHashTable } from '../../src/swarm/info-hash-table.js';
import { halfSipHash, messageWords } from '../../src/util/halfsiphash.js';

test('HalfSipHash-2-4 reference vectors (key 00..07)', (t) => {
  const k0 = 0x03020100;
  const k1 = 0x07060504;
  const expected = ['a9359f5b', '27475ab8', 'fa62a603', '8afee704']; // vectors_hsip32[0..3]
  for (let length = 0; length < expected.length; length++) {
    const message = Uint8Array.from({ length }, (_, i) => i);
    const words = messageWords(message, 0, length);
    const out = Buffer.alloc(4);
    out.writeUInt32LE(halfSipHash(k0, k1, words, words.length, 2, 4));
    t.is(out.toString('hex'), expected[length]);
  }
});

test('behaves like a Map through inserts, removals, growth and id reuse', (t) => {
  const table = new InfoHashTable();
  const model = new Map<string, number>();
  const bytes = new Uint8Array(20);
  const view = new DataView(bytes.buffer);
  let seed = 99;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const setKey = (n: number) => {
    view.setUint32(0, n);
    view.setUint32(16, n * 7);
  };
  for (let step = 0; step < 40_000; step++) {
    const n = random() % 5000;
    setKey(n);
    const key = String(n);
    const op = random() % 3;
    if (op < 2) {
      const id = table.insert(view, 0);
      if (model.has(key)) t.is(id, model.get(key)!);
      else {
        t.false([...model.values()].includes(id), 'a live id is never handed out twice');
        model.set(key, id);
      }
    } else if (model.has(key)) {
      table.remove(model.get(key)!);
      model.delete(key);
    } else {
      t.is(table.find(view, 0), -1);
    }
  }
  t.is(table.size, model.size);
  for (const [key, id] of model) {
    setKey(Number(key));
    if (table.find(view, 0) !== id) t.fail(`lost ${key}`);
    const copy = new Uint8Array(20);
    table.copyKey(id, copy, 0);
    if (Buffer.compare(copy, bytes) !== 0) t.fail(`wrong key bytes for ${key}`);
  }
  t.true(table.idLimit <= 5000, 'freed ids are reused');
});
