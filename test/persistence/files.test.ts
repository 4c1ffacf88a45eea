// The files a tracker writes: the completed-counts codec (round trips; truncated, damaged,
// foreign and future files refused with a reason), reading it back (missing file quiet, bad
// file reported once), atomic replacement, and the JSON export.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { writeFileAtomic } from '../../src/persistence/atomic-write.js';
import { COUNTS_FILE_VERSION, decodeCompletedCounts, encodeCompletedCounts, readCompletedCountsFile } from '../../src/persistence/counts-file.js';
import { type ExportFile, encodeExport } from '../../src/persistence/export-file.js';
import type { CompletedCounts } from '../../src/swarm/snapshot.js';

const dir = mkdtempSync(join(tmpdir(), 'aquatic-files-'));

function sample(n: number): CompletedCounts {
  const hashes = new Uint8Array(n * 20);
  for (let i = 0; i < hashes.length; i++) hashes[i] = (i * 73 + 5) & 255;
  // Small, large and above 2^32 counts.
  return { hashes, counts: Float64Array.from({ length: n }, (_, i) => [1, 4_000_000_000, 2 ** 40 + 3, 7][i % 4]!) };
}

const fileOf = (counts: CompletedCounts) => Buffer.concat(encodeCompletedCounts(counts));

test('completed counts round-trip, empty or not', (t) => {
  for (const n of [0, 1, 5, 1000]) {
    const counts = sample(n);
    const decoded = decodeCompletedCounts(fileOf(counts));
    if (!decoded.ok) return t.fail(decoded.reason);
    t.deepEqual(decoded.counts.hashes, counts.hashes);
    t.deepEqual(decoded.counts.counts, counts.counts);
  }
  t.is(fileOf(sample(3)).length, 16 + 3 * 28 + 32);
});

test('a truncated file is refused at every length, as truncated', (t) => {
  const file = fileOf(sample(5));
  for (let length = 0; length < file.length; length++) {
    const decoded = decodeCompletedCounts(file.subarray(0, length));
    t.false(decoded.ok);
    if (!decoded.ok) t.regex(decoded.reason, /^truncated/, `length ${length}`);
  }
});

test('damaged, foreign, future and over-long files are refused with their reason', (t) => {
  const file = fileOf(sample(5));
  const reasonOf = (bytes: Uint8Array) => {
    const decoded = decodeCompletedCounts(bytes);
    return decoded.ok ? 'accepted' : decoded.reason;
  };
  // Any flipped bit in the entries or the checksum.
  for (const at of [16, 40, 16 + 5 * 28 - 1, file.length - 1]) {
    const damaged = Buffer.from(file);
    damaged[at]! ^= 0x10;
    t.is(reasonOf(damaged), 'checksum mismatch: damaged');
  }
  const garbage = Buffer.alloc(300, 0x61);
  t.regex(reasonOf(garbage), /not a completed-counts file/);
  const future = Buffer.from(file);
  future.writeUInt32BE(COUNTS_FILE_VERSION + 1, 8);
  t.regex(reasonOf(future), /format version 2 is not supported/);
  t.regex(reasonOf(Buffer.concat([file, Buffer.from([0])])), /1 bytes after the 5 entries/);
  // An entry count that promises more than is there: truncated, not a crash.
  const promised = Buffer.from(file);
  promised.writeUInt32BE(0xffffffff, 12);
  t.regex(reasonOf(promised), /^truncated/);
});

test('reading: a missing file starts empty quietly; a bad one is reported once with its reason', async (t) => {
  const warnings: string[] = [];
  const missing = await readCompletedCountsFile(join(dir, 'none.bin'), (m) => warnings.push(m));
  t.false(missing.found);
  t.is(missing.counts.counts.length, 0);
  t.deepEqual(warnings, []);
  const bad = join(dir, 'bad.bin');
  writeFileSync(bad, fileOf(sample(4)).subarray(0, 100));
  const read = await readCompletedCountsFile(bad, (m) => warnings.push(m));
  t.false(read.found);
  t.is(read.counts.counts.length, 0);
  t.is(warnings.length, 1);
  t.regex(warnings[0]!, /bad\.bin not used: truncated: 100 bytes where 4 entries take 160/);
  const good = join(dir, 'good.bin');
  writeFileSync(good, fileOf(sample(4)));
  t.deepEqual((await readCompletedCountsFile(good, (m) => warnings.push(m))).counts.counts, sample(4).counts);
  t.is(warnings.length, 1);
});

test('atomic writes replace the whole file and leave no temporary behind; a failed write keeps the old file', async (t) => {
  const sub = mkdtempSync(join(dir, 'atomic-'));
  const path = join(sub, 'out.txt');
  await writeFileAtomic(path, ['one', Buffer.from(' two')]);
  t.is(readFileSync(path, 'utf8'), 'one two');
  await writeFileAtomic(path, ['three']);
  t.is(readFileSync(path, 'utf8'), 'three');
  function* failing() {
    yield 'partial';
    throw new Error('producer failed');
  }
  await t.throwsAsync(writeFileAtomic(path, failing()), { message: 'producer failed' });
  t.is(readFileSync(path, 'utf8'), 'three');
  t.deepEqual(readdirSync(sub), ['out.txt']);
  await t.throwsAsync(writeFileAtomic(join(sub, 'missing-dir', 'x'), ['x']), { code: 'ENOENT' });
});

test('the export is JSON: every torrent with complete, incomplete, downloaded and a 40-hex info_hash', (t) => {
  const hashes = new Uint8Array(3 * 20);
  hashes.fill(0xab, 0, 20);
  hashes.fill(0x01, 20, 40);
  hashes.fill(0xff, 40, 60);
  const stats = Float64Array.from([1, 2, 3, 0, 0, 9, 100, 200, 300]);
  const text = [...encodeExport('aquatic_udp', { hashes, stats }, new Date(0))].join('');
  const parsed = JSON.parse(text) as ExportFile;
  t.like(parsed, { version: 1, tracker: 'aquatic_udp', written_at: '1970-01-01T00:00:00.000Z' });
  t.deepEqual(parsed.torrents, [
    { info_hash: 'ab'.repeat(20), complete: 1, incomplete: 2, downloaded: 3 },
    { info_hash: '01'.repeat(20), complete: 0, incomplete: 0, downloaded: 9 },
    { info_hash: 'ff'.repeat(20), complete: 100, incomplete: 200, downloaded: 300 },
  ]);
  t.deepEqual((JSON.parse([...encodeExport('aquatic_ws', { hashes: new Uint8Array(0), stats: new Float64Array(0) }, new Date())].join('')) as ExportFile).torrents, []);
  // Many torrents span several chunks and still parse.
  const many = 10_000;
  const big = [...encodeExport('aquatic_http', { hashes: new Uint8Array(many * 20), stats: new Float64Array(many * 3).fill(1) }, new Date())];
  t.true(big.length > 2);
  t.is((JSON.parse(big.join('')) as ExportFile).torrents.length, many);
});
