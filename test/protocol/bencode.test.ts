// Bencoding (BEP 3): byte-exact vectors, raw-byte key order, round trips, and a decoder that
// fails with BencodeError (and only that) on malformed, deep or oversized input.
import test from 'ava';
import {
  BencodeError,
  type BencodeInput,
  type BencodeValue,
  bencodedLength,
  decimalLength,
  decodeBencode,
  encodeBencode,
  writeBencodeBytes,
  writeBencodeInteger,
  writeBencodeString,
  writeDecimal,
} from '../../src/protocol/http/bencode.js';

const latin1 = (value: Uint8Array) => Buffer.from(value).toString('latin1');
const bytes = (text: string) => Uint8Array.from(Buffer.from(text, 'latin1'));
const encoded = (value: BencodeInput) => latin1(encodeBencode(value));

test('BEP 3 examples', (t) => {
  t.is(encoded('spam'), '4:spam');
  t.is(encoded(3), 'i3e');
  t.is(encoded(-3), 'i-3e');
  t.is(encoded(0), 'i0e');
  t.is(encoded(['spam', 'eggs']), 'l4:spam4:eggse');
  t.is(encoded({ cow: 'moo', spam: 'eggs' }), 'd3:cow3:moo4:spam4:eggse');
  t.is(encoded({ spam: ['a', 'b'] }), 'd4:spaml1:a1:bee');
  t.is(encoded(''), '0:');
  t.is(encoded([]), 'le');
  t.is(encoded({}), 'de');
});

test('integers at the edges of the safe range, and bigints beyond', (t) => {
  t.is(encoded(Number.MAX_SAFE_INTEGER), 'i9007199254740991e');
  t.is(encoded(Number.MIN_SAFE_INTEGER), 'i-9007199254740991e');
  t.is(encoded(2n ** 64n - 1n), 'i18446744073709551615e');
  t.is(encoded(-(2n ** 63n)), 'i-9223372036854775808e');
  t.throws(() => encodeBencode(1.5), { instanceOf: RangeError });
  t.throws(() => encodeBencode(2 ** 53), { instanceOf: RangeError });
  t.throws(() => encodeBencode(Number.NaN), { instanceOf: RangeError });
});

test('writeDecimal and decimalLength at every power of ten', (t) => {
  const out = new Uint8Array(20);
  for (let power = 0; power < 16; power++) {
    for (const value of [10 ** power - 1, 10 ** power, 10 ** power + 1]) {
      const length = writeDecimal(out, 1, value);
      t.is(latin1(out.subarray(1, 1 + length)), String(value));
      t.is(decimalLength(value), String(value).length);
    }
  }
  t.is(latin1(out.subarray(0, writeDecimal(out, 0, 2 ** 53))), '9007199254740992');
});

test('writers return the bytes written and write only there', (t) => {
  const out = new Uint8Array(16).fill(0x2e);
  t.is(writeBencodeInteger(out, 2, -42), 5);
  t.is(latin1(out), '..i-42e.........');
  out.fill(0x2e);
  t.is(writeBencodeBytes(out, 1, bytes('xyzabc'), 3, 5), 4);
  t.is(latin1(out), '.2:ab...........');
  out.fill(0x2e);
  t.is(writeBencodeString(out, 0, 'é'), 4);
  t.is(out.subarray(0, 4).join(), [0x32, 0x3a, 0xc3, 0xa9].join());
});

test('strings are UTF-8; byte strings are raw', (t) => {
  t.is(encoded('naïve ☃'), '10:' + Buffer.from('naïve ☃', 'utf8').toString('latin1'));
  t.is(encoded(Uint8Array.from([0, 255, 10])), '3:\x00\xff\n');
});

test('dict keys are sorted in raw byte order, not locale or insertion order', (t) => {
  // "Z" (0x5a) < "a" (0x61); " " (0x20) < "_" (0x5f); a prefix sorts first ("peers" < "peers6").
  t.is(
    encoded({ peers6: '', peers: '', 'min interval': 1, min_request_interval: 2, a: 0, Z: 0 }),
    'd1:Zi0e1:ai0e12:min intervali1e20:min_request_intervali2e5:peers0:6:peers60:e',
  );
  // Binary keys (scrape's info hashes) sort by their bytes; high bytes last.
  const high = Uint8Array.from([0xff, 0x00]);
  const low = Uint8Array.from([0x01, 0xff]);
  t.is(encoded(new Map<string | Uint8Array, BencodeInput>([[high, 1], [low, 2], ['\u00fe', 3]])), 'd2:\x01\xffi2e1:\xfei3e2:\xff\x00i1ee');
});

test('dict keys: duplicates and non-binary strings are refused', (t) => {
  t.throws(() => encodeBencode(new Map<string | Uint8Array, BencodeInput>([['ab', 1], [bytes('ab'), 2]])), { instanceOf: RangeError });
  t.throws(() => encodeBencode({ '☃': 1 }), { instanceOf: RangeError });
  t.throws(() => encodeBencode(true as unknown as BencodeInput), { instanceOf: TypeError });
});

test('bencodedLength matches what is written', (t) => {
  const value: BencodeInput = { files: new Map([[new Uint8Array(20), { complete: 1, downloaded: -2, incomplete: 3n }]]), s: 'é', l: [[], {}] };
  t.is(bencodedLength(value), encodeBencode(value).length);
});

/** Decoded values with byte strings as latin1 text and dicts as sorted entry lists, for deepEqual. */
function plain(value: BencodeValue): unknown {
  if (value instanceof Uint8Array) return latin1(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Map) return [...value].map(([key, item]) => [key, plain(item)]);
  return value;
}

test('decoder: plain values', (t) => {
  t.deepEqual(plain(decodeBencode(bytes('d3:cow3:moo4:spaml1:ai-7eee'))), [
    ['cow', 'moo'],
    ['spam', ['a', -7]],
  ]);
  t.is(decodeBencode(bytes('i9007199254740991e')), Number.MAX_SAFE_INTEGER);
  t.is(decodeBencode(bytes('i18446744073709551615e')), 2n ** 64n - 1n);
  t.is(decodeBencode(bytes('i0000000000000000042e'), { strict: false }), 42);
  const hash = decodeBencode(bytes('d5:filesd2:\xff\x01i1eee')) as Map<string, BencodeValue>;
  t.is((hash.get('files') as Map<string, BencodeValue>).get('\xff\x01'), 1);
});

test('decoder: byte strings are views into the input', (t) => {
  const input = bytes('l3:abce');
  const [value] = decodeBencode(input) as Uint8Array[];
  t.is(value!.buffer, input.buffer);
  t.is(value!.byteOffset, 3);
});

const MALFORMED: readonly [string, string][] = [
  ['', 'Unexpected end of input'],
  ['x', 'Unexpected byte 0x78'],
  ['i', 'Unterminated integer'],
  ['i12', 'Unterminated integer'],
  ['ie', 'Integer has no digits'],
  ['i-e', 'Integer has no digits'],
  ['i1-2e', 'Integer has a non-digit'],
  ['i 1e', 'Integer has a non-digit'],
  ['i01e', 'Integer has a leading zero or is -0'],
  ['i-0e', 'Integer has a leading zero or is -0'],
  [`i${'9'.repeat(21)}e`, 'Integer longer than 20 digits'],
  ['3:ab', 'String of 3 bytes runs past the end'],
  ['3', 'Unterminated string length'],
  ['3x', 'String length not followed by ":"'],
  ['03:abc', 'String length has a leading zero'],
  ['9999999999999999:', 'String length too long'],
  ['l', 'Unterminated list'],
  ['li1e', 'Unterminated list'],
  ['d', 'Unterminated dict'],
  ['d3:cow', 'Unexpected end of input'],
  ['di1ei2ee', 'Dict key is not a byte string'],
  ['d4:spami1e3:cowi2ee', 'Dict keys are not in strictly ascending byte order'],
  ['d3:cowi1e3:cowi2ee', 'Dict keys are not in strictly ascending byte order'],
  ['i1ei2e', 'Trailing bytes after the value'],
  ['4:spamx', 'Trailing bytes after the value'],
  ['e', 'Unexpected byte 0x65'],
];

test('decoder: every kind of malformed input throws BencodeError with a clear message', (t) => {
  for (const [input, message] of MALFORMED) {
    const error = t.throws(() => decodeBencode(bytes(input)), { instanceOf: BencodeError }, input);
    t.true(error?.message.startsWith(message), `${JSON.stringify(input)}: ${error?.message}`);
  }
  const error = t.throws(() => decodeBencode(bytes('li1ei01ee')), { instanceOf: BencodeError });
  t.is(error?.position, 4);
});

test('decoder: non-strict mode accepts unsorted keys (last duplicate wins) and leading zeros', (t) => {
  const value = decodeBencode(bytes('d4:spami1e3:cowi2e3:cowi3ee'), { strict: false }) as Map<string, BencodeValue>;
  t.deepEqual([...value], [['spam', 1], ['cow', 3]]);
  t.is(decodeBencode(bytes('i-0e'), { strict: false }), -0);
  t.deepEqual(plain(decodeBencode(bytes('03:abc'), { strict: false })), 'abc');
});

test('decoder: depth and size are bounded', (t) => {
  const nested = (depth: number) => bytes('l'.repeat(depth) + 'e'.repeat(depth));
  t.notThrows(() => decodeBencode(nested(32)));
  t.throws(() => decodeBencode(nested(33)), { instanceOf: BencodeError, message: /Nesting deeper than 32/ });
  t.throws(() => decodeBencode(nested(4), { maxDepth: 3 }), { instanceOf: BencodeError });
  // Far deeper than the stack allows: still a BencodeError, not a RangeError.
  t.throws(() => decodeBencode(bytes('d1:a'.repeat(200_000))), { instanceOf: BencodeError });
  t.throws(() => decodeBencode(bytes('4:spam'), { maxLength: 5 }), { instanceOf: BencodeError, message: /longer than 5 bytes/ });
});

test('round trips of random values', (t) => {
  let seed = 42;
  const random = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const randomBytes = () => Uint8Array.from({ length: random(24) }, () => random(256));
  const randomValue = (depth: number): BencodeInput => {
    switch (depth > 3 ? random(3) : random(5)) {
      case 0:
        return random(2) ? random(1_000_000) - 500_000 : (BigInt(random(1 << 30)) << 40n) + 1n;
      case 1:
        return randomBytes();
      case 2:
        return latin1(randomBytes());
      case 3:
        return Array.from({ length: random(5) }, () => randomValue(depth + 1));
      default: {
        const dict = new Map<string, BencodeInput>();
        for (let i = random(5); i > 0; i--) dict.set(latin1(randomBytes()), randomValue(depth + 1));
        return dict;
      }
    }
  };
  for (let round = 0; round < 500; round++) {
    const value = randomValue(0);
    const first = encodeBencode(value);
    // Decoding is strict, so this also proves the encoder writes canonical bencoding.
    const second = encodeBencode(decodeBencode(first) as BencodeInput);
    t.is(latin1(second), latin1(first));
  }
});

test('decoder: random bytes throw BencodeError and nothing else', (t) => {
  let seed = 99;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 8;
  };
  const alphabet = bytes('ilde0123456789:-');
  const sample = bytes('d8:completei5e10:incompletei3e8:intervali1800e5:peers6:abcdef1:zl1:xi-2edeee');
  let decoded = 0;
  for (let round = 0; round < 6000; round++) {
    let input: Uint8Array;
    if (round % 3 === 2) {
      // A valid value with one byte changed and maybe cut short.
      input = sample.slice(0, sample.length - (random() % 2 ? random() % sample.length : 0));
      if (input.length > 0) input[random() % input.length] = alphabet[random() % alphabet.length]!;
    } else {
      input = new Uint8Array(random() % 64);
      for (let i = 0; i < input.length; i++) input[i] = round % 3 ? random() & 255 : alphabet[random() % alphabet.length]!;
    }
    try {
      decodeBencode(input, { maxDepth: 8 });
      decoded++;
    } catch (error) {
      if (!(error instanceof BencodeError)) t.fail(`${latin1(input)}: ${String(error)}`);
    }
  }
  t.true(decoded > 0);
});
