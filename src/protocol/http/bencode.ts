// Bencoding (BEP 3): allocation-free writers into a byte array for the hot replies, a
// generic encoder for everything else, and a bounded decoder for tests and load testers.
//
// Every writer takes (out, at, ...) and returns the number of bytes it wrote, like the UDP
// codec. Writers trust the caller to have sized `out` (see the *_MAX constants of
// response.ts); they do not check bounds on the hot path.

const CHAR_0 = 0x30;
const CHAR_COLON = 0x3a;
const CHAR_MINUS = 0x2d;
const CHAR_d = 0x64;
const CHAR_e = 0x65;
const CHAR_i = 0x69;
const CHAR_l = 0x6c;

/** Below this many bytes a plain loop beats `subarray` + `set` (which allocates a view). */
const SMALL_COPY = 64;

/** A fixed piece of bencoding (keys, `d`, `e`, ...) as bytes, built once at startup. */
export function bencodeFragment(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, 'latin1'));
}

export function writeFragment(out: Uint8Array, at: number, fragment: Uint8Array): number {
  out.set(fragment, at);
  return fragment.length;
}

/** Digits in a non-negative integer's decimal form. */
export function decimalLength(value: number): number {
  let length = 1;
  for (let limit = 10; value >= limit && length < 17; limit *= 10) length++;
  return length;
}

/** Writes a non-negative safe integer in decimal without building a string. */
export function writeDecimal(out: Uint8Array, at: number, value: number): number {
  const length = decimalLength(value);
  for (let i = at + length - 1; i >= at; i--) {
    const next = Math.floor(value / 10);
    out[i] = CHAR_0 + (value - next * 10);
    value = next;
  }
  return length;
}

/** `i<value>e` for a safe integer (BEP 3: integers are decimal, `-` for negatives). */
export function writeBencodeInteger(out: Uint8Array, at: number, value: number): number {
  let written = 0;
  out[at] = CHAR_i;
  if (value < 0) {
    out[at + 1] = CHAR_MINUS;
    written = 1;
    value = -value;
  }
  written += 1 + writeDecimal(out, at + 1 + written, value);
  out[at + written] = CHAR_e;
  return written + 1;
}

/** The `<length>:` that opens a byte string. */
export function writeBencodeStringHeader(out: Uint8Array, at: number, length: number): number {
  const digits = writeDecimal(out, at, length);
  out[at + digits] = CHAR_COLON;
  return digits + 1;
}

/** Copies source[start, end) to out[at]; memmove within one buffer, so regions may overlap. */
export function copyBytes(source: Uint8Array, start: number, end: number, out: Uint8Array, at: number): void {
  if (source === out) {
    out.copyWithin(at, start, end);
  } else if (end - start <= SMALL_COPY) {
    for (let i = start; i < end; i++) out[at++] = source[i]!;
  } else {
    out.set(source.subarray(start, end), at);
  }
}

/** A byte string from source[start, end): `<n>:` then the raw bytes. */
export function writeBencodeBytes(out: Uint8Array, at: number, source: Uint8Array, start: number, end: number): number {
  const header = writeBencodeStringHeader(out, at, end - start);
  copyBytes(source, start, end, out, at + header);
  return header + end - start;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** A byte string holding `text` as UTF-8 (ASCII, the usual case, without allocating). */
export function writeBencodeString(out: Uint8Array, at: number, text: string): number {
  if (!isAscii(text)) {
    const bytes = Buffer.from(text, 'utf8');
    return writeBencodeBytes(out, at, bytes, 0, bytes.length);
  }
  const header = writeBencodeStringHeader(out, at, text.length);
  for (let i = 0; i < text.length; i++) out[at + header + i] = text.charCodeAt(i);
  return header + text.length;
}

/** How many bytes `writeBencodeString` writes for `text`. */
export function bencodeStringLength(text: string): number {
  const length = isAscii(text) ? text.length : Buffer.byteLength(text, 'utf8');
  return decimalLength(length) + 1 + length;
}

// The generic encoder: any value, keys sorted for you. Not for the hot path.

/**
 * What the generic encoder takes. Strings are encoded as UTF-8. Dict keys are sorted in
 * raw byte order (BEP 3); a string key is a binary string (latin1: one char per byte, as
 * the decoder returns keys), so a raw 20-byte info hash survives as a key.
 */
export type BencodeInput =
  | number
  | bigint
  | string
  | Uint8Array
  | readonly BencodeInput[]
  | ReadonlyMap<string | Uint8Array, BencodeInput>
  | { readonly [key: string]: BencodeInput };

/** What the decoder returns: byte strings stay bytes, dict keys are latin1 strings. */
export type BencodeValue = number | bigint | Uint8Array | BencodeValue[] | Map<string, BencodeValue>;

type DictEntry = readonly [key: Uint8Array, value: BencodeInput];

function keyBytes(key: string | Uint8Array): Uint8Array {
  if (typeof key !== 'string') return key;
  for (let i = 0; i < key.length; i++) {
    if (key.charCodeAt(i) > 0xff) throw new RangeError(`Bencode dict key is not a binary string: ${JSON.stringify(key)}`);
  }
  return Buffer.from(key, 'latin1');
}

function sortedEntries(dict: ReadonlyMap<string | Uint8Array, BencodeInput> | { readonly [key: string]: BencodeInput }): DictEntry[] {
  const entries: DictEntry[] = [];
  if (dict instanceof Map) {
    for (const [key, value] of dict as ReadonlyMap<string | Uint8Array, BencodeInput>) entries.push([keyBytes(key), value]);
  } else {
    for (const key of Object.keys(dict)) entries.push([keyBytes(key), (dict as { readonly [key: string]: BencodeInput })[key]!]);
  }
  entries.sort((a, b) => Buffer.compare(a[0], b[0]));
  for (let i = 1; i < entries.length; i++) {
    if (Buffer.compare(entries[i - 1]![0], entries[i]![0]) === 0) {
      throw new RangeError(`Bencode dict has a duplicate key: ${Buffer.from(entries[i]![0]).toString('latin1')}`);
    }
  }
  return entries;
}

function checkInteger(value: number): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`Bencode integers must be safe integers, got ${value}`);
}

/** Bytes `writeBencode` writes for `value`. Throws RangeError/TypeError for what bencode cannot hold. */
export function bencodedLength(value: BencodeInput): number {
  if (typeof value === 'number') {
    checkInteger(value);
    return 2 + (value < 0 ? 1 : 0) + decimalLength(Math.abs(value));
  }
  if (typeof value === 'bigint') return 2 + value.toString().length;
  if (typeof value === 'string') return bencodeStringLength(value);
  if (value instanceof Uint8Array) return decimalLength(value.length) + 1 + value.length;
  if (Array.isArray(value)) {
    let length = 2;
    for (const item of value as readonly BencodeInput[]) length += bencodedLength(item);
    return length;
  }
  if (typeof value === 'object' && value !== null) {
    let length = 2;
    for (const [key, item] of sortedEntries(value as ReadonlyMap<string | Uint8Array, BencodeInput>)) {
      length += decimalLength(key.length) + 1 + key.length + bencodedLength(item);
    }
    return length;
  }
  throw new TypeError(`Cannot bencode a value of type ${typeof value}`);
}

/** Writes any value at out[at]; returns the bytes written. `out` must hold `bencodedLength(value)`. */
export function writeBencode(out: Uint8Array, at: number, value: BencodeInput): number {
  if (typeof value === 'number') {
    checkInteger(value);
    return writeBencodeInteger(out, at, value);
  }
  if (typeof value === 'bigint') {
    const text = `i${value}e`;
    for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
    return text.length;
  }
  if (typeof value === 'string') return writeBencodeString(out, at, value);
  if (value instanceof Uint8Array) return writeBencodeBytes(out, at, value, 0, value.length);
  let position = at;
  if (Array.isArray(value)) {
    out[position++] = CHAR_l;
    for (const item of value as readonly BencodeInput[]) position += writeBencode(out, position, item);
  } else if (typeof value === 'object' && value !== null) {
    out[position++] = CHAR_d;
    for (const [key, item] of sortedEntries(value as ReadonlyMap<string | Uint8Array, BencodeInput>)) {
      position += writeBencodeBytes(out, position, key, 0, key.length);
      position += writeBencode(out, position, item);
    }
  } else {
    throw new TypeError(`Cannot bencode a value of type ${typeof value}`);
  }
  out[position++] = CHAR_e;
  return position - at;
}

/** Encodes any value into a new array of exactly the right size. */
export function encodeBencode(value: BencodeInput): Uint8Array {
  const out = new Uint8Array(bencodedLength(value));
  writeBencode(out, 0, value);
  return out;
}

// The decoder.

/** Malformed bencoding; `position` is the byte offset where decoding gave up. */
export class BencodeError extends Error {
  readonly position: number;

  constructor(message: string, position: number) {
    super(`${message} at byte ${position}`);
    this.name = 'BencodeError';
    this.position = position;
  }
}

export interface BencodeDecodeOptions {
  /** Deepest nesting of lists and dicts accepted (default 32): bounds the recursion. */
  readonly maxDepth?: number;
  /** Longest input accepted, in bytes (default 16 MiB). */
  readonly maxLength?: number;
  /**
   * Canonical form only (default true): dict keys strictly ascending, no leading zeros, no
   * `i-0e`. With false, out-of-order keys are accepted and a repeated key's last value wins.
   */
  readonly strict?: boolean;
}

const DEFAULT_MAX_DEPTH = 32;
const DEFAULT_MAX_LENGTH = 16 * 1024 * 1024;
/** A 64-bit integer has at most 20 digits; longer ones are refused, which bounds BigInt work. */
const MAX_INTEGER_DIGITS = 20;
/** A string length of 16+ digits exceeds any input we accept. */
const MAX_LENGTH_DIGITS = 15;

class Decoder {
  at = 0;

  constructor(
    readonly bytes: Uint8Array,
    readonly maxDepth: number,
    readonly strict: boolean,
  ) {}

  fail(message: string, position = this.at): never {
    throw new BencodeError(message, position);
  }

  value(depth: number): BencodeValue {
    const bytes = this.bytes;
    if (this.at >= bytes.length) this.fail('Unexpected end of input');
    const c = bytes[this.at]!;
    if (c === CHAR_i) return this.integer();
    if (c >= CHAR_0 && c <= CHAR_0 + 9) return this.byteString();
    if (c !== CHAR_l && c !== CHAR_d) this.fail(`Unexpected byte 0x${c.toString(16).padStart(2, '0')}`);
    if (depth >= this.maxDepth) this.fail(`Nesting deeper than ${this.maxDepth}`);
    this.at++;
    return c === CHAR_l ? this.list(depth + 1) : this.dict(depth + 1);
  }

  integer(): number | bigint {
    const bytes = this.bytes;
    const integerAt = this.at;
    const start = ++this.at;
    if (bytes[this.at] === CHAR_MINUS) this.at++;
    const digitsStart = this.at;
    while (this.at < bytes.length && bytes[this.at]! >= CHAR_0 && bytes[this.at]! <= CHAR_0 + 9) this.at++;
    const digits = this.at - digitsStart;
    if (this.at >= bytes.length) this.fail('Unterminated integer');
    if (bytes[this.at] !== CHAR_e) this.fail('Integer has a non-digit');
    if (digits === 0) this.fail('Integer has no digits', integerAt);
    if (digits > MAX_INTEGER_DIGITS) this.fail(`Integer longer than ${MAX_INTEGER_DIGITS} digits`, integerAt);
    if (this.strict && bytes[digitsStart] === CHAR_0 && (digits > 1 || digitsStart > start)) {
      this.fail('Integer has a leading zero or is -0', integerAt);
    }
    const text = Buffer.from(bytes.buffer, bytes.byteOffset + start, this.at - start).toString('latin1');
    this.at++;
    if (digits <= 15) return Number(text);
    const big = BigInt(text);
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }

  /** A byte string, as a view into the input (no copy). */
  byteString(): Uint8Array {
    const bytes = this.bytes;
    const start = this.at;
    let length = 0;
    while (this.at < bytes.length && bytes[this.at]! >= CHAR_0 && bytes[this.at]! <= CHAR_0 + 9) {
      if (this.at - start >= MAX_LENGTH_DIGITS) this.fail('String length too long', start);
      length = length * 10 + bytes[this.at]! - CHAR_0;
      this.at++;
    }
    if (this.at >= bytes.length) this.fail('Unterminated string length');
    if (bytes[this.at] !== CHAR_COLON) this.fail('String length not followed by ":"');
    if (this.strict && bytes[start] === CHAR_0 && this.at - start > 1) this.fail('String length has a leading zero', start);
    this.at++;
    if (length > bytes.length - this.at) this.fail(`String of ${length} bytes runs past the end`, start);
    const value = bytes.subarray(this.at, this.at + length);
    this.at += length;
    return value;
  }

  list(depth: number): BencodeValue[] {
    const items: BencodeValue[] = [];
    while (true) {
      if (this.at >= this.bytes.length) this.fail('Unterminated list');
      if (this.bytes[this.at] === CHAR_e) break;
      items.push(this.value(depth));
    }
    this.at++;
    return items;
  }

  dict(depth: number): Map<string, BencodeValue> {
    const bytes = this.bytes;
    const entries = new Map<string, BencodeValue>();
    let previousKey: Uint8Array | null = null;
    while (true) {
      if (this.at >= bytes.length) this.fail('Unterminated dict');
      if (bytes[this.at] === CHAR_e) break;
      const keyAt = this.at;
      const c = bytes[keyAt]!;
      if (c < CHAR_0 || c > CHAR_0 + 9) this.fail('Dict key is not a byte string');
      const key = this.byteString();
      if (this.strict && previousKey !== null && Buffer.compare(previousKey, key) >= 0) {
        this.fail('Dict keys are not in strictly ascending byte order', keyAt);
      }
      previousKey = key;
      const text = Buffer.from(key.buffer, key.byteOffset, key.length).toString('latin1');
      entries.set(text, this.value(depth));
    }
    this.at++;
    return entries;
  }
}

/**
 * Decodes one complete bencoded value. Byte strings are views into `bytes`; dicts are Maps
 * keyed by the latin1 form of the raw key bytes; integers are numbers, or bigints beyond
 * 2^53. Throws BencodeError (and nothing else) for malformed, trailing or oversized input.
 */
export function decodeBencode(bytes: Uint8Array, options: BencodeDecodeOptions = {}): BencodeValue {
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  if (bytes.length > maxLength) throw new BencodeError(`Input longer than ${maxLength} bytes`, maxLength);
  const decoder = new Decoder(bytes, options.maxDepth ?? DEFAULT_MAX_DEPTH, options.strict ?? true);
  const value = decoder.value(0);
  if (decoder.at !== bytes.length) decoder.fail('Trailing bytes after the value');
  return value;
}
