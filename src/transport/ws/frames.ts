// WebSocket framing (RFC 6455 section 5) as pure functions over bytes: read the masked
// frames a client sends, write the unmasked frames a server sends. No I/O, no state beyond
// what the caller passes; no extensions are ever negotiated, so RSV bits must be zero.

/** RFC 6455 5.2 opcodes. */
export const Opcode = { CONTINUATION: 0x0, TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xa } as const;

/** RFC 6455 7.4.1 status codes the server sends. */
export const CloseCode = { NORMAL: 1000, PROTOCOL_ERROR: 1002, INVALID_DATA: 1007, MESSAGE_TOO_BIG: 1009 } as const;

/** RFC 6455 5.5: control frames carry at most 125 bytes and are never fragmented. */
const MAX_CONTROL_PAYLOAD = 125;

/** Receives each complete frame, payload unmasked in place at bytes[start, end). */
export interface FrameSink {
  /** Returns false to stop reading (the connection is closing). */
  frame(opcode: number, fin: boolean, bytes: Buffer, start: number, end: number): boolean;
}

/**
 * Reads the complete frames in bytes[start, end) into `sink`. Returns the offset where an
 * incomplete frame begins (== end when all were complete), or a negative close code when the
 * peer broke the protocol: a frame masked other than `masked` says (RFC 6455 5.1: clients
 * mask, servers do not), RSV bits, unknown opcode, bad control frame, or a payload over
 * `maxPayload` (the bound applies before the payload has arrived).
 */
export function readFrames(bytes: Buffer, start: number, end: number, maxPayload: number, sink: FrameSink, masked = true): number {
  const maskBit = masked ? 0x80 : 0;
  const maskLength = masked ? 4 : 0;
  let at = start;
  while (end - at >= 2) {
    const first = bytes[at]!;
    const second = bytes[at + 1]!;
    if ((first & 0x70) !== 0 || (second & 0x80) !== maskBit) return -CloseCode.PROTOCOL_ERROR; // RSV set, or masked wrongly (5.1)
    const opcode = first & 0x0f;
    const fin = (first & 0x80) !== 0;
    const control = opcode >= Opcode.CLOSE;
    if (control ? opcode > Opcode.PONG : opcode > Opcode.BINARY) return -CloseCode.PROTOCOL_ERROR;
    let length = second & 0x7f;
    let header = 2;
    if (length === 126) {
      if (end - at < 4) break;
      length = bytes.readUInt16BE(at + 2);
      header = 4;
    } else if (length === 127) {
      if (end - at < 10) break;
      if (bytes.readUInt32BE(at + 2) !== 0) return -CloseCode.MESSAGE_TOO_BIG;
      length = bytes.readUInt32BE(at + 6);
      header = 10;
    }
    if (control && (!fin || length > MAX_CONTROL_PAYLOAD)) return -CloseCode.PROTOCOL_ERROR;
    if (length > maxPayload) return -CloseCode.MESSAGE_TOO_BIG;
    const payload = at + header + maskLength;
    if (end - payload < length) break;
    if (masked) unmask(bytes, at + header, payload, payload + length);
    at = payload + length;
    if (!sink.frame(opcode, fin, bytes, payload, at)) return at;
  }
  return at;
}

/** Words are XORed four bytes at a time where the host is little-endian (x64, arm64). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Payloads shorter than this are XORed byte by byte (a word view costs an object). */
const WORDWISE_FROM = 64;
const MASK = new Uint8Array(4);

/** XORs bytes[start, end) with the 4-byte mask at bytes[maskAt] (RFC 6455 5.3). */
function unmask(bytes: Buffer, maskAt: number, start: number, end: number): void {
  const mask = MASK;
  mask[0] = bytes[maskAt]!;
  mask[1] = bytes[maskAt + 1]!;
  mask[2] = bytes[maskAt + 2]!;
  mask[3] = bytes[maskAt + 3]!;
  let i = start;
  if (LITTLE_ENDIAN && end - start >= WORDWISE_FROM) {
    // Bytes up to a 4-byte boundary of the underlying memory, then whole words.
    for (; ((bytes.byteOffset + i) & 3) !== 0; i++) bytes[i] ^= mask[(i - start) & 3]!;
    const phase = (i - start) & 3;
    const word = mask[phase]! | (mask[(phase + 1) & 3]! << 8) | (mask[(phase + 2) & 3]! << 16) | (mask[(phase + 3) & 3]! << 24);
    const words = new Int32Array(bytes.buffer, bytes.byteOffset + i, (end - i) >> 2);
    for (let w = 0; w < words.length; w++) words[w] ^= word;
    i += words.length << 2;
  }
  for (; i < end; i++) bytes[i] ^= mask[(i - start) & 3]!;
}

/** Bytes of an unmasked server frame header for a payload of `length` bytes (RFC 6455 5.2). */
export function frameHeaderLength(length: number): number {
  return length < 126 ? 2 : length < 65_536 ? 4 : 10;
}

/** Writes the header of a final, unmasked frame at out[at]; returns its length. */
export function writeFrameHeader(out: Buffer, at: number, opcode: number, length: number): number {
  out[at] = 0x80 | opcode;
  if (length < 126) {
    out[at + 1] = length;
    return 2;
  }
  if (length < 65_536) {
    out[at + 1] = 126;
    out.writeUInt16BE(length, at + 2);
    return 4;
  }
  out[at + 1] = 127;
  out.writeUInt32BE(0, at + 2); // lengths stay far below 2^32
  out.writeUInt32BE(length, at + 6);
  return 10;
}

/** A close frame with a status code (RFC 6455 5.5.1). */
export function closeFrame(code: number): Buffer {
  const frame = Buffer.allocUnsafe(4);
  writeFrameHeader(frame, 0, Opcode.CLOSE, 2);
  frame.writeUInt16BE(code, 2);
  return frame;
}

/** A control frame (ping, pong) carrying bytes[start, end), at most 125 bytes. */
export function controlFrame(opcode: number, bytes: Uint8Array = EMPTY, start = 0, end = bytes.length): Buffer {
  const frame = Buffer.allocUnsafe(2 + end - start);
  writeFrameHeader(frame, 0, opcode, end - start);
  frame.set(bytes.subarray(start, end), 2);
  return frame;
}

const EMPTY = new Uint8Array(0);
