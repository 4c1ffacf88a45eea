// WebSocket framing from the client's side (RFC 6455 section 5), the mirror of
// ../../transport/ws/frames.ts: write masked frames, many into one buffer, and read the
// unmasked frames a server sends. Pure functions over bytes.
import { CloseCode, type FrameSink, Opcode, frameHeaderLength, readFrames, writeFrameHeader } from '../../transport/ws/frames.js';

/** RFC 6455 5.3: the masking key is 4 bytes. */
const MASK_KEY_LENGTH = 4;
/** RFC 6455 5.2: the MASK bit of the second header byte. */
const MASK_BIT = 0x80;

/** Bytes of a masked client frame carrying `length` payload bytes. */
export function maskedFrameLength(length: number): number {
  return frameHeaderLength(length) + MASK_KEY_LENGTH + length;
}

/**
 * Writes the header and masking key of a final masked frame at out[at]; the payload goes
 * next, at the returned offset, and is masked there with maskPayload(). `maskKey` is 32 bits
 * from the caller's generator (RFC 6455 5.3 asks for an unpredictable key: it stops a browser
 * script from steering the bytes a proxy sees, which does not arise on loopback).
 */
export function writeMaskedHeader(out: Buffer, at: number, opcode: number, length: number, maskKey: number): number {
  const header = writeFrameHeader(out, at, opcode, length);
  out[at + 1]! |= MASK_BIT;
  out.writeInt32LE(maskKey | 0, at + header);
  return at + header + MASK_KEY_LENGTH;
}

/**
 * XORs bytes[start, end) with the masking key just before it (RFC 6455 5.3), four bytes at a
 * time where bytes are 4-aligned in their ArrayBuffer (through `words`, an Int32Array over
 * all of bytes.buffer) and one at a time before and after.
 */
export function maskPayload(bytes: Buffer, start: number, end: number, words: Int32Array): void {
  const maskAt = start - MASK_KEY_LENGTH;
  let i = start;
  // Byte by byte until the first 4-aligned address.
  while (i < end && ((bytes.byteOffset + i) & 3) !== 0) {
    bytes[i] ^= bytes[maskAt + ((i - start) & 3)]!;
    i++;
  }
  const wordCount = (end - i) >>> 2;
  if (wordCount > 0) {
    const rotation = i - start;
    for (let k = 0; k < 4; k++) ROTATED_BYTES[k] = bytes[maskAt + ((rotation + k) & 3)]!;
    const word = ROTATED_WORD[0]!;
    const first = (bytes.byteOffset + i) >>> 2;
    const last = first + wordCount;
    for (let w = first; w < last; w++) words[w] ^= word;
    i += wordCount << 2;
  }
  for (; i < end; i++) bytes[i] ^= bytes[maskAt + ((i - start) & 3)]!;
}

/** The mask rotated to start at an aligned address, read back as one word in the machine's byte order. */
const ROTATED_WORD = new Int32Array(1);
const ROTATED_BYTES = new Uint8Array(ROTATED_WORD.buffer);

/** An Int32Array over all of bytes.buffer, for maskPayload. */
export function wordsOf(bytes: Buffer): Int32Array {
  return new Int32Array(bytes.buffer, 0, bytes.buffer.byteLength >>> 2);
}

/** A masked control frame (pong, close) carrying `payload` (at most 125 bytes). */
export function maskedControlFrame(opcode: number, payload: Uint8Array, maskKey: number): Buffer {
  const frame = Buffer.alloc(maskedFrameLength(payload.length));
  const start = writeMaskedHeader(frame, 0, opcode, payload.length, maskKey);
  frame.set(payload, start);
  for (let i = 0; i < payload.length; i++) frame[start + i] ^= frame[start - MASK_KEY_LENGTH + (i & 3)]!;
  return frame;
}

/** Receives each complete server frame, payload at bytes[start, end). */
export type ServerFrameSink = FrameSink;

/** Why readServerFrames stopped on a broken frame: readFrames' close codes, negated. */
export const FrameFault = { PROTOCOL: -CloseCode.PROTOCOL_ERROR, TOO_BIG: -CloseCode.MESSAGE_TOO_BIG } as const;

/**
 * Reads the complete server frames in bytes[start, end) into `sink` (unmasked, RFC 6455
 * 5.1). Returns the offset where an incomplete frame begins, or a FrameFault.
 */
export function readServerFrames(bytes: Buffer, start: number, end: number, maxPayload: number, sink: ServerFrameSink): number {
  return readFrames(bytes, start, end, maxPayload, sink, false);
}
