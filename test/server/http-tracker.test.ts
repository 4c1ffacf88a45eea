// aquatic_http through real sockets: announce, scrape, failures, IPv6, reverse proxy, TLS.
import { readFileSync } from 'node:fs';
import test from 'ava';
import { validateConfig } from '../../src/config/load.js';
import { defaultsOf } from '../../src/config/schema.js';
import { type HttpConfig, httpConfigSchema } from '../../src/config/http.js';
import type { BencodeValue } from '../../src/protocol/http/bencode.js';
import { startHttpTracker, startSingleThreadHttpTracker } from '../../src/server/http/tracker.js';
import { encodeBytes, get, getBencoded } from '../helpers/http-client.js';
import { quietLog } from '../helpers/tracker.js';
import { infoHash } from '../helpers/udp-client.js';

type Sections = 'network' | 'protocol' | 'tls' | 'access_list';
function httpConfig(overrides: { [S in Sections]?: Partial<HttpConfig[S]> } = {}, host = '127.0.0.1'): HttpConfig {
  const defaults = defaultsOf(httpConfigSchema);
  return validateConfig(httpConfigSchema, {
    ...defaults,
    network: { ...defaults.network, address: host.includes(':') ? `[${host}]:0` : `${host}:0`, ...overrides.network },
    protocol: { ...defaults.protocol, ...overrides.protocol },
    tls: { ...defaults.tls, ...overrides.tls },
    access_list: { ...defaults.access_list, ...overrides.access_list },
  });
}

async function start(t: import('ava').ExecutionContext, overrides: Parameters<typeof httpConfig>[0] = {}, host = '127.0.0.1') {
  const tracker = await startSingleThreadHttpTracker(httpConfig(overrides, host), quietLog);
  t.teardown(() => tracker.close());
  const base = `${overrides.tls?.use_tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${tracker.port}`;
  return { tracker, base };
}

const peerId = (n: number) => encodeBytes(Buffer.from(`-qB4500-${String(n).padStart(12, '0')}`));
/** An announce URL; `extra` may override left (default 100) with its own `&left=`. */
const announceUrl = (base: string, hash: Uint8Array, port: number, extra = '') =>
  `${base}/announce?info_hash=${encodeBytes(hash)}&peer_id=${peerId(port)}&port=${port}&uploaded=0&downloaded=0` +
  `${extra.includes('left=') ? '' : '&left=100'}${extra}`;

const bytesOf = (value: BencodeValue | undefined) => Buffer.from(value as Uint8Array);

test('announce returns compact peers (never the announcer) and counts', async (t) => {
  const { base } = await start(t, { protocol: { peer_announce_interval: 300, min_announce_interval: 100 } });
  const hash = infoHash(1);
  const first = await getBencoded(announceUrl(base, hash, 6881, '&event=started'));
  t.is(first.get('interval'), 300);
  t.is(first.get('min interval'), 100);
  t.is(bytesOf(first.get('peers')).length, 0);
  const second = await getBencoded(announceUrl(base, hash, 6882, '&left=0&event=completed'));
  t.is(second.get('complete'), 1);
  t.is(second.get('incomplete'), 1);
  t.is(bytesOf(second.get('peers')).toString('hex'), '7f000001' + '1ae1');
  t.false(second.has('peers6'));
});

test('compact=0 gets the list of dicts form', async (t) => {
  const { base } = await start(t);
  const hash = infoHash(2);
  await getBencoded(announceUrl(base, hash, 7001));
  const reply = await getBencoded(announceUrl(base, hash, 7002, '&compact=0'));
  const peers = reply.get('peers') as Map<string, BencodeValue>[];
  t.is(peers.length, 1);
  t.is(Buffer.from(peers[0]!.get('ip') as Uint8Array).toString(), '127.0.0.1');
  t.is(peers[0]!.get('port'), 7001);
});

test('scrape counts seeders, leechers and completed downloads, unknown hashes as zeros', async (t) => {
  const { base } = await start(t);
  const hash = infoHash(3);
  await getBencoded(announceUrl(base, hash, 1, '&event=started'));
  await getBencoded(announceUrl(base, hash, 2, '&left=0&event=completed'));
  const other = infoHash(4);
  const reply = await getBencoded(`${base}/scrape?info_hash=${encodeBytes(hash)}&info_hash=${encodeBytes(other)}`);
  const files = reply.get('files') as Map<string, Map<string, BencodeValue>>;
  const stats = files.get(Buffer.from(hash).toString('latin1'))!;
  t.deepEqual([stats.get('complete'), stats.get('downloaded'), stats.get('incomplete')], [1, 1, 1]);
  const zero = files.get(Buffer.from(other).toString('latin1'))!;
  t.deepEqual([zero.get('complete'), zero.get('downloaded'), zero.get('incomplete')], [0, 0, 0]);
});

test('bad queries get a bencoded failure with status 200; other paths 404', async (t) => {
  const { base, tracker } = await start(t);
  const reasons = async (url: string) => {
    const reply = await getBencoded(url);
    return Buffer.from(reply.get('failure reason') as Uint8Array).toString();
  };
  t.regex(await reasons(`${base}/announce?port=1`), /info_hash/i);
  t.regex(await reasons(`${base}/announce?info_hash=%zz&peer_id=x&port=1&left=0`), /percent-encoding/i);
  t.regex(await reasons(announceUrl(base, infoHash(5), 0)), /port/i);
  t.regex(await reasons(`${base}/scrape`), /full scrape/i);
  t.is((await get(`${base}/favicon.ico`)).status, 404);
  t.regex((await get(`${base}/`)).body.toString(), /BitTorrent tracker/);
  t.is(tracker.handler.counters.failures, 4);
});

test('IPv6 announcers get peers6 and an empty peers', async (t) => {
  const { base } = await start(t, {}, '::1');
  const hash = infoHash(6);
  await getBencoded(announceUrl(base, hash, 6881));
  const reply = await getBencoded(announceUrl(base, hash, 6882));
  t.is(bytesOf(reply.get('peers')).length, 0);
  t.is(bytesOf(reply.get('peers6')).toString('hex'), '00000000000000000000000000000001' + '1ae1');
});

test('behind a reverse proxy the rightmost forwarded address is the peer; a missing header fails', async (t) => {
  const { base } = await start(t, { network: { runs_behind_reverse_proxy: true } });
  const hash = infoHash(7);
  await getBencoded(announceUrl(base, hash, 6881), { 'X-Forwarded-For': '6.6.6.6, 192.0.2.10' });
  const reply = await getBencoded(announceUrl(base, hash, 6882), { 'X-Forwarded-For': '192.0.2.11' });
  t.is(bytesOf(reply.get('peers')).toString('hex'), 'c000020a' + '1ae1');
  const missing = await getBencoded(announceUrl(base, hash, 6883));
  t.regex(Buffer.from(missing.get('failure reason') as Uint8Array).toString(), /missing reverse proxy/);
});

test('HTTPS with PEM files, and a SIGUSR1-style reload that keeps serving', async (t) => {
  const fixtures = new URL('../../../test/fixtures/tls/', import.meta.url);
  const tls = { use_tls: true, tls_certificate_path: new URL('cert.pem', fixtures).pathname, tls_private_key_path: new URL('key.pem', fixtures).pathname };
  const { base, tracker } = await start(t, { tls });
  const ca = readFileSync(new URL('cert.pem', fixtures));
  const reply = await getBencoded(announceUrl(base.replace('127.0.0.1', 'localhost'), infoHash(8), 1), {}, ca);
  t.is(reply.get('incomplete'), 1);
  tracker.reload();
  t.is((await getBencoded(announceUrl(base.replace('127.0.0.1', 'localhost'), infoHash(8), 2), {}, ca)).get('incomplete'), 2);
});

test('use_tls without a certificate is a configuration error naming the keys', async (t) => {
  await t.throwsAsync(startHttpTracker(httpConfig({ tls: { use_tls: true } }), quietLog), { message: /tls\.tls_pkcs12_path/ });
});

test('HTTPS from a PKCS#12 file with its password', async (t) => {
  const { execFileSync } = await import('node:child_process');
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const fixtures = new URL('../../../test/fixtures/tls/', import.meta.url);
  const p12 = `${mkdtempSync(`${tmpdir()}/aquatic-p12-`)}/identity.p12`;
  try {
    execFileSync('openssl', ['pkcs12', '-export', '-in', new URL('cert.pem', fixtures).pathname, '-inkey', new URL('key.pem', fixtures).pathname,
      '-out', p12, '-passout', 'pass:secret'], { stdio: 'ignore' });
  } catch {
    t.log('skipped: openssl is not available to make a PKCS#12 file');
    t.pass();
    return;
  }
  const { base } = await start(t, { tls: { use_tls: true, tls_pkcs12_path: p12, tls_pkcs12_password: 'secret' } });
  const ca = readFileSync(new URL('cert.pem', fixtures));
  t.is((await getBencoded(announceUrl(base.replace('127.0.0.1', 'localhost'), infoHash(9), 1), {}, ca)).get('incomplete'), 1);
  await t.throwsAsync(startHttpTracker(httpConfig({ tls: { use_tls: true, tls_pkcs12_path: p12, tls_pkcs12_password: 'wrong' } }), quietLog), {
    message: /cannot be used/,
  });
});

test('an access list in allow mode refuses other info hashes with a failure reason', async (t) => {
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = `${mkdtempSync(`${tmpdir()}/aquatic-http-access-`)}/allow.txt`;
  writeFileSync(path, `${Buffer.from(infoHash(11)).toString('hex')}\n`);
  const tracker = await startSingleThreadHttpTracker(httpConfig({ access_list: { mode: 'allow', path } }), quietLog);
  t.teardown(() => tracker.close());
  const base = `http://127.0.0.1:${tracker.port}`;
  t.is((await getBencoded(announceUrl(base, infoHash(11), 1))).get('incomplete'), 1);
  const refused = await getBencoded(announceUrl(base, infoHash(12), 1));
  t.is(Buffer.from(refused.get('failure reason') as Uint8Array).toString(), 'Info hash not allowed');
});

test('garbage does not disturb other clients: NUL bytes, 64 KiB targets, 1000 headers, cut-off requests', async (t) => {
  const net = await import('node:net');
  const { tracker, base } = await start(t);
  const send = (payload: string | Buffer, end = true) =>
    new Promise<string>((resolve) => {
      const socket = net.connect(tracker.port, '127.0.0.1', () => (end ? socket.end(payload) : socket.write(payload)));
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      socket.on('close', () => resolve(text));
      socket.on('error', () => resolve(text));
      if (!end) socket.on('data', () => socket.destroy());
    });
  // A client that keeps a connection open and keeps announcing while the others misbehave.
  const hash = infoHash(20);
  const steady = async () => (await getBencoded(announceUrl(base, hash, 7000))).get('incomplete');
  t.is(await steady(), 1);
  const results = await Promise.all([
    send(Buffer.from('GET /announce?info_hash=\0\0\0 HTTP/1.1\r\nHost: \0\r\n\r\n')),
    send(`GET /${'x'.repeat(65_536)} HTTP/1.1\r\n\r\n`),
    send(`GET /announce HTTP/1.1\r\n${'X-A: b\r\n'.repeat(1000)}\r\n`),
    send('GET /announce?info_hash=%12%3', true),
    send('\0\0\0\0\r\n\r\n'),
    send(Buffer.alloc(10_000, 0)),
  ]);
  t.regex(results[0]!, /^HTTP\/1\.1 (200 OK[\s\S]*failure reason|400 )/);
  t.regex(results[1]!, /^HTTP\/1\.1 431 /);
  t.regex(results[2]!, /^HTTP\/1\.1 431 /);
  t.is(results[3], '', 'a cut-off request gets nothing and the connection just ends');
  t.regex(results[4]!, /^HTTP\/1\.1 400 /);
  t.regex(results[5]!, /^HTTP\/1\.1 431 /);
  t.is(await steady(), 1, 'the well-behaved client is still served');
});

test('scrape with binary info hashes covering every byte value', async (t) => {
  const { base } = await start(t);
  const hashes = Array.from({ length: 13 }, (_, k) => Uint8Array.from({ length: 20 }, (_, i) => (k * 20 + i) & 255));
  for (const hash of hashes) await getBencoded(announceUrl(base, hash, 1));
  const reply = await getBencoded(`${base}/scrape?${hashes.map((h) => `info_hash=${encodeBytes(h)}`).join('&')}`);
  const files = reply.get('files') as Map<string, Map<string, BencodeValue>>;
  t.is(files.size, 13);
  for (const hash of hashes) t.is(files.get(Buffer.from(hash).toString('latin1'))?.get('incomplete'), 1);
});
