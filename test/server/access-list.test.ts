// Access lists: parsing with line-numbered problems, allow/deny, reload, and enforcement
// by both trackers (UDP error packet, HTTP failure reason), plus dropping at clean.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { AccessListHolder, parseAccessList } from '../../src/access/access-list.js';
import { TorrentStore } from '../../src/swarm/torrents.js';
import { startTestTracker } from '../helpers/tracker.js';
import { UdpTestClient, infoHash } from '../helpers/udp-client.js';

const dir = mkdtempSync(join(tmpdir(), 'aquatic-access-'));
const hex = (hash: Uint8Array) => Buffer.from(hash).toString('hex');
const view = (hash: Uint8Array) => new DataView(hash.buffer, hash.byteOffset, 20);

test('the file format: hex hashes, comments, blank lines; bad lines reported by number', (t) => {
  const { hashes, problems } = parseAccessList(`# allowed\n${hex(infoHash(1))}\n\n${hex(infoHash(2)).toUpperCase()}  # upper case\nnot-a-hash\n${hex(infoHash(3)).slice(2)}\n`);
  t.is(hashes.size, 2);
  t.deepEqual(problems.map((p) => p.split(':')[0]), ['line 5', 'line 6']);
});

test('allow and deny modes; a failed reload keeps the old list', (t) => {
  const path = join(dir, 'list.txt');
  writeFileSync(path, `${hex(infoHash(1))}\n`);
  const messages: string[] = [];
  const allow = new AccessListHolder('allow', path, (m) => messages.push(m));
  t.true(allow.current.allows(view(infoHash(1)), 0));
  t.false(allow.current.allows(view(infoHash(2)), 0));
  const deny = new AccessListHolder('deny', path, (m) => messages.push(m));
  t.false(deny.current.allows(view(infoHash(1)), 0));
  t.true(deny.current.allows(view(infoHash(2)), 0));
  writeFileSync(path, `${hex(infoHash(2))}\n`);
  allow.reload();
  t.true(allow.current.allows(view(infoHash(2)), 0));
  writeFileSync(path, 'garbage\n');
  allow.reload();
  t.regex(messages.join('\n'), /line 1: not a 40-character hex info hash/);
  const missing = new AccessListHolder('allow', path, (m) => messages.push(m));
  (missing as unknown as { path: string }).path = join(dir, 'missing.txt');
  missing.reload();
  t.regex(messages.at(-1)!, /not reloaded, keeping the old one/);
  t.throws(() => new AccessListHolder('deny', join(dir, 'missing.txt'), () => {}), { message: /access_list\.path/ });
});

test('clean drops the swarms of torrents the list no longer allows', (t) => {
  const store = new TorrentStore();
  const out = new Uint8Array(100);
  const result = { peers: 0, seeders: 0, leechers: 0 };
  store.announce(store.ipv4, view(infoHash(1)), 0, 1, 0, 2, 100, 10, out, 0, result);
  store.announce(store.ipv4, view(infoHash(2)), 0, 1, 0, 2, 100, 10, out, 0, result);
  const forbidden = hex(infoHash(2));
  const keep = (v: DataView, at: number) => Buffer.from(v.buffer, v.byteOffset + at, 20).toString('hex') !== forbidden;
  t.deepEqual(store.clean(0, keep), { peersRemoved: 1, torrentsRemoved: 1 });
  t.is(store.torrentCount, 1);
});

test('aquatic_udp answers a denied announce with an error packet and reloads on demand', async (t) => {
  const path = join(dir, 'udp-deny.txt');
  writeFileSync(path, `${hex(infoHash(7))}\n`);
  const tracker = await startTestTracker(t, { access_list: { mode: 'deny', path } });
  const client = await UdpTestClient.open('127.0.0.1', tracker.port);
  t.teardown(() => client.close());
  await client.connect();
  t.like(await client.announce({ infoHash: infoHash(7), port: 1 }), { action: 3, message: 'Info hash not allowed' });
  t.is((await client.announce({ infoHash: infoHash(8), port: 1 })).action, 1);
  writeFileSync(path, `${hex(infoHash(8))}\n`);
  tracker.reload();
  t.is((await client.announce({ infoHash: infoHash(7), port: 1 })).action, 1);
  t.like(await client.announce({ infoHash: infoHash(8), port: 1 }), { action: 3 });
});
