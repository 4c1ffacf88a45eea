// JSON (RFC 8259) checked on its UTF-8 bytes, without building the values: a decoder walks
// the members it cares about and skips the rest, and a string stays in the buffer as the
// range of its literal (quotes included), to be compared, decoded or copied as it is. A
// relay can then pass on a WebRTC SDP of several hundred bytes without decoding it to a
// JS string and escaping it again. Pure: no I/O.
//
// The input must be valid UTF-8 already (a WebSocket server checks every text frame,
// RFC 6455 8.1); everything else is checked here, so a literal copied out is valid JSON.
// Invalid input throws one of the JsonSyntaxError constants below (no stack is captured).

export class JsonSyntaxError {
  constructor(readonly reason: string) {}
}

export const INVALID_JSON = new JsonSyntaxError('Invalid JSON');
/** Deeper than MAX_JSON_DEPTH: no message of the protocol nests like that (and recursion stays bounded). */
export const JSON_TOO_DEEP = new JsonSyntaxError('Invalid JSON: nested too deeply');

/** Objects and arrays inside each other at most. */
export const MAX_JSON_DEPTH = 64;

export const Byte = {
  QUOTE: 0x22,
  BACKSLASH: 0x5c,
  COMMA: 0x2c,
  COLON: 0x3a,
  MINUS: 0x2d,
  PLUS: 0x2b,
  DOT: 0x2e,
  ZERO: 0x30,
  NINE: 0x39,
  OPEN_OBJECT: 0x7b,
  CLOSE_OBJECT: 0x7d,
  OPEN_ARRAY: 0x5b,
  CLOSE_ARRAY: 0x5d,
  LOWER_E: 0x65,
  UPPER_E: 0x45,
  LOWER_U: 0x75,
} as const;

function table(member: (byte: number) => boolean): Uint8Array {
  const bytes = new Uint8Array(256);
  for (let b = 0; b < 256; b++) bytes[b] = member(b) ? 1 : 0;
  return bytes;
}

/** RFC 8259 7: a string holds any byte as it is but '"', '\' and control characters. */
const PLAIN_STRING_BYTE = table((b) => b >= 0x20 && b !== Byte.QUOTE && b !== Byte.BACKSLASH);
/** RFC 8259 7: the characters after '\' that make a two-character escape. */
const SHORT_ESCAPE = table((b) => '"\\/bfnrt'.includes(String.fromCharCode(b)));
const HEX_DIGIT = table((b) => /[0-9a-fA-F]/.test(String.fromCharCode(b)));
/** RFC 8259 2: space, tab, line feed, carriage return. */
const WHITESPACE = table((b) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d);

const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

/**
 * Whether a literal of `bytes` bytes between its quotes, holding an escape, may say an
 * ASCII text of `chars` chars: escapes only lengthen, each char to 6 bytes at most (\uXXXX).
 * Longer or shorter literals are not decoded (a hostile frame of escaped keys stays cheap).
 */
function mayEscape(bytes: number, chars: number): boolean {
  return bytes > chars && bytes <= 6 * chars;
}

/**
 * One document at a time (`reset`), scanned by positions: every method takes the index of
 * a token and returns the index after it, or throws a JsonSyntaxError.
 */
export class JsonScanner {
  bytes: Buffer = Buffer.alloc(0);
  end = 0;
  /** Whether the last string scanned holds an escape (its text is not its bytes). */
  escaped = false;
  /** The literal of the last key read by `key`, quotes included. */
  keyStart = 0;
  keyEnd = 0;
  keyEscaped = false;
  /** The text of the last key once decoded (escaped keys only), or null. */
  private keyDecoded: string | null = null;
  /** After `nextMember` or `nextElement` returned -1: the index after the closing bracket. */
  after = 0;

  /** Scans bytes[…, end) from now on. */
  reset(bytes: Buffer, end: number): void {
    this.bytes = bytes;
    this.end = end;
  }

  /** The byte at `at`, or -1 past the end. */
  byteAt(at: number): number {
    return at < this.end ? this.bytes[at]! : -1;
  }

  space(at: number): number {
    const { bytes, end } = this;
    while (at < end && WHITESPACE[bytes[at]!] === 1) at++;
    return at;
  }

  /** Nothing but whitespace from `at` to the end. */
  expectEnd(at: number): void {
    if (this.space(at) !== this.end) throw INVALID_JSON;
  }

  /** Any value at `at` (objects and arrays count from `depth`); returns the index after it. */
  value(at: number, depth: number): number {
    switch (this.byteAt(at)) {
      case Byte.QUOTE:
        return this.string(at);
      case Byte.OPEN_OBJECT: {
        let member = this.enterObject(at, depth);
        while (member >= 0) member = this.nextMember(this.value(this.key(member), depth + 1));
        return this.after;
      }
      case Byte.OPEN_ARRAY: {
        let element = this.enterArray(at, depth);
        while (element >= 0) element = this.nextElement(this.value(element, depth + 1));
        return this.after;
      }
      case 0x74: // t
        return this.literal(at, TRUE);
      case 0x66: // f
        return this.literal(at, FALSE);
      case 0x6e: // n
        return this.literal(at, NULL);
      default:
        return this.number(at);
    }
  }

  /** The string literal starting at `at`; sets `escaped`. */
  string(at: number): number {
    const { bytes, end } = this;
    if (this.byteAt(at) !== Byte.QUOTE) throw INVALID_JSON;
    let i = at + 1;
    let escaped = false;
    for (;;) {
      while (i < end && PLAIN_STRING_BYTE[bytes[i]!] === 1) i++;
      if (i >= end) throw INVALID_JSON;
      const b = bytes[i]!;
      if (b === Byte.QUOTE) break;
      if (b !== Byte.BACKSLASH || i + 1 >= end) throw INVALID_JSON; // a control character, or a cut escape
      escaped = true;
      const next = bytes[i + 1]!;
      if (SHORT_ESCAPE[next] === 1) {
        i += 2;
      } else if (next === Byte.LOWER_U && i + 5 < end && HEX_DIGIT[bytes[i + 2]!]! & HEX_DIGIT[bytes[i + 3]!]! & HEX_DIGIT[bytes[i + 4]!]! & HEX_DIGIT[bytes[i + 5]!]!) {
        i += 6;
      } else {
        throw INVALID_JSON;
      }
    }
    this.escaped = escaped;
    return i + 1;
  }

  /** RFC 8259 6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
  number(at: number): number {
    let i = at;
    if (this.byteAt(i) === Byte.MINUS) i++;
    if (this.byteAt(i) === Byte.ZERO) i++;
    else if (this.isDigit(i)) i = this.digits(i);
    else throw INVALID_JSON;
    if (this.byteAt(i) === Byte.DOT) {
      if (!this.isDigit(i + 1)) throw INVALID_JSON;
      i = this.digits(i + 1);
    }
    const e = this.byteAt(i);
    if (e === Byte.LOWER_E || e === Byte.UPPER_E) {
      i++;
      const sign = this.byteAt(i);
      if (sign === Byte.PLUS || sign === Byte.MINUS) i++;
      if (!this.isDigit(i)) throw INVALID_JSON;
      i = this.digits(i);
    }
    return i;
  }

  /** At '{': the index of the first key, or -1 for {} (then `after` is set). */
  enterObject(at: number, depth: number): number {
    return this.enter(at, depth, Byte.OPEN_OBJECT, Byte.CLOSE_OBJECT);
  }

  /** At a member's key: reads it (keyStart, keyEnd, keyEscaped) and the colon; returns the index of its value. */
  key(at: number): number {
    const end = this.string(at);
    this.keyStart = at;
    this.keyEnd = end;
    this.keyEscaped = this.escaped;
    this.keyDecoded = null;
    const colon = this.space(end);
    if (this.byteAt(colon) !== Byte.COLON) throw INVALID_JSON;
    return this.space(colon + 1);
  }

  /** After a member's value: the index of the next key, or -1 at '}' (then `after` is set). */
  nextMember(at: number): number {
    return this.next(at, Byte.CLOSE_OBJECT);
  }

  /** At '[': the index of the first element, or -1 for [] (then `after` is set). */
  enterArray(at: number, depth: number): number {
    return this.enter(at, depth, Byte.OPEN_ARRAY, Byte.CLOSE_ARRAY);
  }

  /** After an element: the index of the next one, or -1 at ']' (then `after` is set). */
  nextElement(at: number): number {
    return this.next(at, Byte.CLOSE_ARRAY);
  }

  /** Whether the key just read is `name` (ASCII); an escaped key is decoded once, however many names it is compared with. */
  keyIs(name: Uint8Array): boolean {
    if (!this.keyEscaped) return this.literalIs(this.keyStart, this.keyEnd, false, name);
    return mayEscape(this.keyEnd - this.keyStart - 2, name.length) && this.keyText() === Buffer.from(name).toString('latin1');
  }

  /** The text of the key just read (decoded once). */
  keyText(): string {
    return (this.keyDecoded ??= this.text(this.keyStart, this.keyEnd));
  }

  /**
   * Whether the string literal [start, end) says `text` (ASCII, without quotes). `escaped`
   * as `string` found it; pass true when unknown.
   */
  literalIs(start: number, end: number, escaped: boolean, text: Uint8Array): boolean {
    const length = end - start - 2;
    if (escaped && this.hasEscape(start, end)) return mayEscape(length, text.length) && this.text(start, end) === Buffer.from(text).toString('latin1');
    if (length !== text.length) return false;
    const bytes = this.bytes;
    for (let i = 0; i < text.length; i++) if (bytes[start + 1 + i] !== text[i]) return false;
    return true;
  }

  /** The text of the string literal [start, end). */
  text(start: number, end: number): string {
    if (this.hasEscape(start, end)) return JSON.parse(this.bytes.toString('utf8', start, end)) as string;
    return this.bytes.toString('utf8', start + 1, end - 1);
  }

  /** Whether the literal [start, end) holds a backslash (meant for short literals). */
  hasEscape(start: number, end: number): boolean {
    const bytes = this.bytes;
    for (let i = start; i < end; i++) if (bytes[i] === Byte.BACKSLASH) return true;
    return false;
  }

  /** The number at [start, end) (a JSON number is a valid JS numeric literal). */
  numberAt(start: number, end: number): number {
    return Number(this.bytes.toString('latin1', start, end));
  }

  private enter(at: number, depth: number, open: number, close: number): number {
    if (this.byteAt(at) !== open) throw INVALID_JSON;
    if (depth >= MAX_JSON_DEPTH) throw JSON_TOO_DEEP;
    const first = this.space(at + 1);
    if (this.byteAt(first) !== close) return first;
    this.after = first + 1;
    return -1;
  }

  private next(at: number, close: number): number {
    at = this.space(at);
    const b = this.byteAt(at);
    if (b === Byte.COMMA) return this.space(at + 1);
    if (b !== close) throw INVALID_JSON;
    this.after = at + 1;
    return -1;
  }

  private literal(at: number, word: Uint8Array): number {
    if (at + word.length > this.end) throw INVALID_JSON;
    for (let i = 0; i < word.length; i++) if (this.bytes[at + i] !== word[i]) throw INVALID_JSON;
    return at + word.length;
  }

  private isDigit(at: number): boolean {
    const b = this.byteAt(at);
    return b >= Byte.ZERO && b <= Byte.NINE;
  }

  private digits(at: number): number {
    while (this.isDigit(at)) at++;
    return at;
  }
}
