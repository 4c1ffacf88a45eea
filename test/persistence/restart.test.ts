// Completed counts survive a restart and the full-scrape export matches scrapes, through the
// real executables (SIGTERM, then a new process on the same file) and, for the HTTP worker
// pool and aquatic_ws, through the trackers in this process. Files appear on short intervals;
// tests wait for them with a bounded poll.
import { type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { validateConfig } from '../../src/config/load.js';
import { defaultsOf } from '../../src/config/schema.js';
import { httpConfigSchema } from '../../src/config/http.js';
import { wsConfigSchema } from '../../src/config/ws.js';
import { type BencodeValue, decodeBencode } from '../../src/protocol/http/bencode.js';
import { EVENT_COMPLETED, EVENT_STARTED } from '../../src/protocol/udp/constants.js';
import type { ScrapeResponse } from '../../src/protocol/udp/response.js';
import type { ExportFile } from '../../src/persistence/export-file.js';
import { startHttpTracker } from '../../src/server/http/tracker.js';
import { startWsTracker } from '../../src/server/ws/tracker.js';
import { loadNativeBinding } from '../../src/transport/udp/binding.js';
import { type Finished, finished, startBin, waitForStderr } from '../helpers/spawn.js';
import { UdpTestClient, infoHash } from '../helpers/udp-client.js';
import { encodeBytes, get } from '../helpers/http-client.js';
import { quietLog } from '../helpers/tracker.js';
import { WsTestClient, announce as wsAnnounce } from '../helpers/ws-client.js';

process.setMaxListeners(64);
const { binding } = loadNativeBinding();
const nativeTest = binding === null ? test.skip : test;
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** A fresh directory with a counts file and an export path, and a TOML file using them. */
function files(extra = ''): { dir: string; counts: string; exported: string; toml: string } {
  const dir = mkdtempSync(join(tmpdir(), 'aquatic-restart-'));
  const counts = join(dir, 'counts.bin');
  const exported = join(dir, 'export.json');
  const toml = join(dir, 'tracker.toml');
  writeFileSync(toml, `${extra}\n[completed_counts]\npath = ${JSON.stringify(counts)}\n[full_scrape_export]\npath = ${JSON.stringify(exported)}\ninterval = 1\n`);
  return { dir, counts, exported, toml };
}

/** Polls (bounded) until `read` returns something; rethrows its last error at the deadline. */
async function eventually<T>(read: () => T | undefined, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    let problem: unknown;
    try {
      const value = read();
      if (value !== undefined) return value;
    } catch (error) {
      problem = error;
    }
    if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms${problem === undefined ? '' : `: ${String(problem)}`}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The export once it lists exactly `count` torrents (an earlier export may predate the announces). */
function exportWith(path: string, count: number): Promise<ExportFile> {
  return eventually(() => {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as ExportFile;
    return parsed.torrents.length === count ? parsed : undefined;
  }, `export of ${count} torrents in ${path}`);
}

interface Running {
  readonly child: ChildProcess;
  readonly port: number;
  readonly done: Promise<Finished>;
}

async function launch(t: ExecutionContext, name: string, toml: string, listening: RegExp): Promise<Running> {
  const child = startBin(name, ['-c', toml], { AQUATIC_NETWORK__ADDRESS: '127.0.0.1:0' });
  t.teardown(() => child.kill('SIGKILL'));
  const done = finished(child);
  const [, port] = await waitForStderr(child, listening);
  return { child, port: Number(port), done };
}

async function stop(t: ExecutionContext, running: Running): Promise<Finished> {
  running.child.kill('SIGTERM');
  const result = await running.done;
  t.is(result.code, 0, result.stderr);
  return result;
}

async function udpScrape(port: number, hashes: Uint8Array[]): Promise<ScrapeResponse['torrents']> {
  const client = await UdpTestClient.open('127.0.0.1', port);
  try {
    await client.connect();
    return ((await client.scrape(hashes)) as ScrapeResponse).torrents;
  } finally {
    client.close();
  }
}

for (const [label, extra, listening] of [
  ['aquatic_udp', '', /listening on udp 127\.0\.0\.1:(\d+) \(/],
  ['aquatic_udp with 2 socket workers x 2 swarm workers', 'socket_workers = 2\nswarm_workers = 2', /listening on udp 127\.0\.0\.1:(\d+), native transport \(2 socket workers, 2 swarm workers\)/],
] as const) {
  (extra === '' ? test : nativeTest)(`${label}: completed counts survive SIGTERM and a restart; the export matches scrapes`, async (t) => {
    const { counts, exported, toml } = files(extra);
    // infoHash(0) and infoHash(1) start with 0 and 31: one per shard with 2 shards.
    const hashes = [infoHash(0), infoHash(1), infoHash(2)];
    const first = await launch(t, 'aquatic_udp', toml, listening);
    const client = await UdpTestClient.open('127.0.0.1', first.port);
    t.teardown(() => client.close());
    await client.connect();
    await client.announce({ infoHash: hashes[0]!, port: 1, left: 0, event: EVENT_COMPLETED });
    await client.announce({ infoHash: hashes[1]!, port: 2, left: 0, event: EVENT_COMPLETED });
    await client.announce({ infoHash: hashes[1]!, port: 3, left: 10, event: EVENT_STARTED });
    await client.announce({ infoHash: hashes[2]!, port: 4, left: 10, event: EVENT_STARTED });

    const before = await udpScrape(first.port, hashes);
    t.deepEqual(before, [
      { seeders: 1, completed: 1, leechers: 0 },
      { seeders: 1, completed: 1, leechers: 1 },
      { seeders: 0, completed: 0, leechers: 1 },
    ]);
    const exportedTorrents = new Map((await exportWith(exported, 3)).torrents.map((e) => [e.info_hash, e]));
    hashes.forEach((hash, i) => {
      const { seeders, completed, leechers } = before[i]!;
      t.deepEqual(exportedTorrents.get(hex(hash)), { info_hash: hex(hash), complete: seeders, incomplete: leechers, downloaded: completed });
    });

    await stop(t, first);
    const second = await launch(t, 'aquatic_udp', toml, listening);
    t.deepEqual(await udpScrape(second.port, hashes), [
      { seeders: 0, completed: 1, leechers: 0 },
      { seeders: 0, completed: 1, leechers: 0 },
      { seeders: 0, completed: 0, leechers: 0 },
    ]);
    const { stderr } = await stop(t, second);
    t.regex(stderr, new RegExp(`restored 2 completed counts from ${counts.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });
}

const httpAnnounce = (hash: Uint8Array, port: number, seeder: boolean) =>
  `/announce?info_hash=${encodeBytes(hash)}&peer_id=${encodeBytes(Buffer.from(`-XX0001-${String(port).padStart(12, '0')}`))}&port=${port}&left=${seeder ? 0 : 10}${seeder ? '&event=completed' : ''}`;

/** complete/downloaded/incomplete per hex info hash from a (full or not) HTTP scrape. */
async function httpScrape(port: number, hashes: Uint8Array[]): Promise<Map<string, { complete: number; incomplete: number; downloaded: number }>> {
  const reply = await get(`http://127.0.0.1:${port}/scrape?${hashes.map((h) => `info_hash=${encodeBytes(h)}`).join('&')}`);
  const files = (decodeBencode(reply.body) as Map<string, BencodeValue>).get('files') as Map<string, Map<string, number>> | undefined;
  if (files === undefined) throw new Error(`not a scrape: ${reply.body.toString('latin1')}`);
  return new Map(
    [...files].map(([key, entry]) => [
      Buffer.from(key, 'latin1').toString('hex'),
      { complete: entry.get('complete')!, incomplete: entry.get('incomplete')!, downloaded: entry.get('downloaded')! },
    ]),
  );
}

test('aquatic_http: completed counts survive SIGTERM and a restart; full scrape (when allowed) and export match', async (t) => {
  const { toml, exported } = files('[protocol]\nallow_full_scrape = true');
  const hashes = [infoHash(3), infoHash(4)];
  const first = await launch(t, 'aquatic_http', toml, /listening on http:\/\/127\.0\.0\.1:(\d+)/);
  const base = `http://127.0.0.1:${first.port}`;
  await get(base + httpAnnounce(hashes[0]!, 1, true));
  await get(base + httpAnnounce(hashes[0]!, 2, false));
  await get(base + httpAnnounce(hashes[1]!, 3, false));
  const full = await httpScrape(first.port, []);
  t.deepEqual([...full.keys()].sort(), hashes.map(hex).sort());
  t.deepEqual(full, await httpScrape(first.port, hashes));
  t.deepEqual(full.get(hex(hashes[0]!)), { complete: 1, incomplete: 1, downloaded: 1 });
  const exportedTorrents = (await exportWith(exported, 2)).torrents;
  t.deepEqual(new Map(exportedTorrents.map(({ info_hash, ...numbers }) => [info_hash, numbers])), full);

  await stop(t, first);
  const second = await launch(t, 'aquatic_http', toml, /listening on http:\/\/127\.0\.0\.1:(\d+)/);
  t.deepEqual((await httpScrape(second.port, hashes)).get(hex(hashes[0]!)), { complete: 0, incomplete: 0, downloaded: 1 });
  await stop(t, second);
});

test('a damaged counts file is reported once with its reason and the tracker starts without counts', async (t) => {
  const { counts, toml } = files();
  // A header promising 9 entries, then 80 bytes of something else.
  writeFileSync(counts, Buffer.concat([Buffer.from('AQCOUNTS\0\0\0\x01\0\0\0\x09', 'latin1'), Buffer.alloc(80, 0x20)]));
  const running = await launch(t, 'aquatic_udp', toml, /listening on udp 127\.0\.0\.1:(\d+) \(/);
  t.deepEqual(await udpScrape(running.port, [infoHash(0)]), [{ seeders: 0, completed: 0, leechers: 0 }]);
  const { stderr } = await stop(t, running);
  t.is(stderr.match(/not used: truncated: 96 bytes where 9 entries take 300/g)?.length, 1, stderr);
  t.notRegex(stderr, /restored/);
});

nativeTest('aquatic_http with 2 x 2 workers: full scrape, export and counts collected from both shards', async (t) => {
  const { counts, exported } = files();
  const defaults = defaultsOf(httpConfigSchema);
  const config = validateConfig(httpConfigSchema, {
    ...defaults,
    socket_workers: 2,
    swarm_workers: 2,
    network: { ...defaults.network, address: '127.0.0.1:0' },
    protocol: { ...defaults.protocol, allow_full_scrape: true },
    completed_counts: { ...defaults.completed_counts, path: counts },
    full_scrape_export: { path: exported, interval: 1 },
  });
  const hashes = [infoHash(0), infoHash(1)]; // one per shard
  const first = await startHttpTracker(config, quietLog);
  t.teardown(() => first.close());
  const base = `http://127.0.0.1:${first.port}`;
  for (const [i, hash] of hashes.entries()) await get(base + httpAnnounce(hash, 10 + i, true));
  const full = await httpScrape(first.port, []);
  t.deepEqual(full, await httpScrape(first.port, hashes));
  t.deepEqual([...full.values()], [{ complete: 1, incomplete: 0, downloaded: 1 }, { complete: 1, incomplete: 0, downloaded: 1 }]);
  t.deepEqual(new Map((await exportWith(exported, 2)).torrents.map(({ info_hash, ...numbers }) => [info_hash, numbers])), full);
  await first.close();

  const second = await startHttpTracker(config, quietLog);
  t.teardown(() => second.close());
  t.deepEqual([...(await httpScrape(second.port, hashes)).values()].map((e) => e.downloaded), [1, 1]);
  // Without peers the torrents are not in a full scrape; their counts are kept all the same.
  t.is((await httpScrape(second.port, [])).size, 0);
});

test('aquatic_http refuses a full scrape unless allow_full_scrape is set', async (t) => {
  const defaults = defaultsOf(httpConfigSchema);
  const tracker = await startHttpTracker(validateConfig(httpConfigSchema, { ...defaults, network: { ...defaults.network, address: '127.0.0.1:0' } }), quietLog);
  t.teardown(() => tracker.close());
  const reply = decodeBencode((await get(`http://127.0.0.1:${tracker.port}/scrape`)).body) as Map<string, BencodeValue>;
  t.is(Buffer.from(reply.get('failure reason') as Uint8Array).toString(), 'Full scrapes are not allowed');
});

for (const workers of [1, 2]) {
  const label = workers === 1 ? 'aquatic_ws' : 'aquatic_ws with 2 socket workers x 2 swarm workers';
  (workers === 1 ? test : nativeTest)(`${label} keeps completed counts across a restart and exports its torrents`, async (t) => {
    const { counts, exported } = files();
    const defaults = defaultsOf(wsConfigSchema);
    const config = validateConfig(wsConfigSchema, {
      ...defaults,
      socket_workers: workers,
      swarm_workers: workers,
      network: { ...defaults.network, address: '127.0.0.1:0' },
      completed_counts: { ...defaults.completed_counts, path: counts },
      full_scrape_export: { path: exported, interval: 1 },
    });
    // 'x' is 120 and 'y' 121: one per shard with 2 shards.
    const hashes = ['x'.repeat(20), 'y'.repeat(20)];
    const first = await startWsTracker(config, quietLog);
    t.teardown(() => first.close());
    const client = await WsTestClient.connect(`ws://127.0.0.1:${first.port}`);
    t.teardown(() => client.close());
    for (const hash of hashes) await client.request(wsAnnounce(hash, 'p'.repeat(20), { left: 0, event: 'completed' }));
    const entries = [...(await exportWith(exported, 2)).torrents].sort((a, b) => a.info_hash.localeCompare(b.info_hash));
    t.deepEqual(
      entries,
      hashes.map((hash) => ({ info_hash: hex(Buffer.from(hash, 'latin1')), complete: 1, incomplete: 0, downloaded: 1 })),
    );
    client.close();
    await first.close();

    const second = await startWsTracker(config, quietLog);
    t.teardown(() => second.close());
    const observer = await WsTestClient.connect(`ws://127.0.0.1:${second.port}`);
    t.teardown(() => observer.close());
    const reply = await observer.request({ action: 'scrape', info_hash: hashes });
    for (const hash of hashes) t.deepEqual((reply['files'] as Record<string, unknown>)[hash], { complete: 0, incomplete: 0, downloaded: 1 });
  });
}
