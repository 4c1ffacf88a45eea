// The completed-counts file: every torrent's "downloaded" count, saved periodically and on
// shutdown, read back at start. Binary, big-endian:
//
//   0   8 bytes  magic "AQCOUNTS"
//   8   u32      format version (1)
//   12  u32      entry count n
//   16  n x 28   info hash (20 bytes), count (u64, below 2^53)
//   ..  32 bytes SHA-256 of everything before it
//
// The length follows from n, so a truncated file is told apart from a damaged one; the
// checksum catches the rest. Reading never throws: a bad file is a reason to start empty.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type CompletedCounts, INFO_HASH_BYTES, NO_COUNTS } from '../swarm/snapshot.js';

const MAGIC = Buffer.from('AQCOUNTS', 'latin1');
export const COUNTS_FILE_VERSION = 1;
const HEADER_SIZE = 16;
const ENTRY_SIZE = INFO_HASH_BYTES + 8;
const CHECKSUM_SIZE = 32;

/** The file's bytes: the header and entries, then their checksum. */
export function encodeCompletedCounts(counts: CompletedCounts): Uint8Array[] {
  const n = counts.counts.length;
  const body = Buffer.alloc(HEADER_SIZE + n * ENTRY_SIZE);
  MAGIC.copy(body, 0);
  body.writeUInt32BE(COUNTS_FILE_VERSION, 8);
  body.writeUInt32BE(n, 12);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const hashes = counts.hashes;
  for (let i = 0; i < n; i++) {
    const at = HEADER_SIZE + i * ENTRY_SIZE;
    // A byte loop: a subarray per entry costs more than the copy itself.
    for (let b = 0; b < INFO_HASH_BYTES; b++) body[at + b] = hashes[i * INFO_HASH_BYTES + b]!;
    const count = counts.counts[i]!;
    view.setUint32(at + INFO_HASH_BYTES, Math.floor(count / 2 ** 32));
    view.setUint32(at + INFO_HASH_BYTES + 4, count % 2 ** 32);
  }
  return [body, createHash('sha256').update(body).digest()];
}

export type DecodedCounts = { readonly ok: true; readonly counts: CompletedCounts } | { readonly ok: false; readonly reason: string };

export function decodeCompletedCounts(bytes: Uint8Array): DecodedCounts {
  const file = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (reason: string): DecodedCounts => ({ ok: false, reason });
  if (file.length < HEADER_SIZE + CHECKSUM_SIZE) {
    return fail(`truncated: ${file.length} bytes, less than an empty file's ${HEADER_SIZE + CHECKSUM_SIZE}`);
  }
  if (!file.subarray(0, MAGIC.length).equals(MAGIC)) return fail('not a completed-counts file (no AQCOUNTS header)');
  const version = file.readUInt32BE(8);
  if (version !== COUNTS_FILE_VERSION) return fail(`format version ${version} is not supported (this build reads version ${COUNTS_FILE_VERSION})`);
  const n = file.readUInt32BE(12);
  const expected = HEADER_SIZE + n * ENTRY_SIZE + CHECKSUM_SIZE;
  if (file.length < expected) return fail(`truncated: ${file.length} bytes where ${n} entries take ${expected}`);
  if (file.length > expected) return fail(`${file.length - expected} bytes after the ${n} entries: damaged`);
  const body = file.subarray(0, expected - CHECKSUM_SIZE);
  if (!createHash('sha256').update(body).digest().equals(file.subarray(expected - CHECKSUM_SIZE))) return fail('checksum mismatch: damaged');
  const hashes = new Uint8Array(n * INFO_HASH_BYTES);
  const counts = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const at = HEADER_SIZE + i * ENTRY_SIZE;
    hashes.set(file.subarray(at, at + INFO_HASH_BYTES), i * INFO_HASH_BYTES);
    counts[i] = file.readUInt32BE(at + INFO_HASH_BYTES) * 2 ** 32 + file.readUInt32BE(at + INFO_HASH_BYTES + 4);
  }
  return { ok: true, counts: { hashes, counts } };
}

/**
 * Reads the counts saved at `path`. A missing file is a first start; an unreadable or bad
 * one is reported through `warn` (once, with the reason) and the tracker starts without counts.
 */
export async function readCompletedCountsFile(path: string, warn: (message: string) => void): Promise<{ counts: CompletedCounts; found: boolean }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') warn(`cannot read completed counts from ${path} (${code ?? String(error)}): starting without them`);
    return { counts: NO_COUNTS, found: false };
  }
  const decoded = decodeCompletedCounts(bytes);
  if (!decoded.ok) {
    warn(`completed counts in ${path} not used: ${decoded.reason}; starting without them (the next save replaces the file)`);
    return { counts: NO_COUNTS, found: false };
  }
  return { counts: decoded.counts, found: true };
}
