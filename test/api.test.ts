// The embedding API as the README shows it; the hooks example is run from the README's own text.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import test from 'ava';
import { EVENT_COMPLETED, EVENT_STARTED } from '../src/protocol/udp/constants.js';
import { createHttpTracker, createUdpTracker, createWsTracker, isAquaticError, type HttpTracker, type UdpTracker, type WsTracker } from '../src/index.js';
import { encodeBytes, get, getBencoded } from './helpers/http-client.js';
import { UdpTestClient, infoHash } from './helpers/udp-client.js';
import { WsTestClient, announce as wsAnnounce } from './helpers/ws-client.js';

test('README example: start the three trackers from objects, use them, close them', async (t) => {
  const udp = await createUdpTracker({ log_level: 'off', network: { address: '127.0.0.1:0' } });
  const http = await createHttpTracker({ log_level: 'off', network: { address: '127.0.0.1:0' }, protocol: { max_peers: 30 } });
  const ws = await createWsTracker({ log_level: 'off', network: { address: '127.0.0.1:0' } });
  t.teardown(() => Promise.all([udp.close(), http.close(), ws.close()]));

  const client = await UdpTestClient.open('127.0.0.1', udp.port);
  t.teardown(() => client.close());
  await client.connect();
  t.is((await client.announce({ infoHash: infoHash(1), port: 1 })).action, 1);
  t.regex((await get(`http://127.0.0.1:${http.port}/`)).body.toString(), /BitTorrent tracker/);
  t.is((await get(`http://127.0.0.1:${ws.port}/health`)).status, 200);
});

test('a bad key in the object is the same error as in a file', async (t) => {
  const error = await t.throwsAsync(createUdpTracker({ protocol: { max_response_peers: 5000 } }));
  t.true(isAquaticError(error));
  t.regex(error!.message, /`protocol\.max_response_peers`: must be from 1 to 200/);
});

/** The README's hooks example, runnable here: on loopback port 0, quiet, importing this build. */
function readmeHooksExample(): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### Hooks: filter, announce and scrape'));
  const code = /```js\n([\s\S]*?)```/.exec(section)![1]!;
  const index = pathToFileURL(new URL('../src/index.js', import.meta.url).pathname).href;
  return (
    code
      .replace("from 'aquatic'", `from '${index}'`)
      .replace(/\{ network: \{ address: '0\.0\.0\.0:\d+' \} \}/g, "{ log_level: 'off', network: { address: '127.0.0.1:0' } }") +
    '\nexport { udp, http, ws, completed, scrapes };\n'
  );
}

interface HooksExample {
  readonly udp: UdpTracker;
  readonly http: HttpTracker;
  readonly ws: WsTracker;
  readonly completed: Map<string, number>;
  readonly scrapes: number;
}

test('README hooks example: the filter refuses with each protocol\'s error, onAnnounce and onScrape observe', async (t) => {
  const source = readmeHooksExample();
  t.regex(source, /127\.0\.0\.1:0/);
  const file = join(mkdtempSync(join(tmpdir(), 'aquatic-readme-')), 'hooks-example.mjs');
  writeFileSync(file, source);
  const example = (await import(pathToFileURL(file).href)) as HooksExample;
  const { udp, http, ws } = example;
  t.teardown(() => Promise.all([udp.close(), http.close(), ws.close()]));

  const hosted = Buffer.from('aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d', 'hex');
  const other = infoHash(2);

  const client = await UdpTestClient.open('127.0.0.1', udp.port);
  t.teardown(() => client.close());
  await client.connect();
  t.is((await client.announce({ infoHash: hosted, port: 6881, event: EVENT_STARTED })).action, 1);
  t.like(await client.announce({ infoHash: other, port: 6881 }), { action: 3, message: 'Info hash not allowed' });
  t.like(await client.announce({ infoHash: hosted, port: 80 }), { action: 3, message: 'Announce a port above 1023' });
  t.is((await client.announce({ infoHash: hosted, port: 6881, left: 0, event: EVENT_COMPLETED })).action, 1);
  t.is((await client.scrape([hosted])).action, 2);

  const base = `http://127.0.0.1:${http.port}/announce?peer_id=${encodeBytes(Buffer.from('-qB4500-000000000001'))}&uploaded=0&downloaded=0`;
  const failure = async (hash: Uint8Array, port: number) =>
    Buffer.from((await getBencoded(`${base}&info_hash=${encodeBytes(hash)}&port=${port}&left=1`)).get('failure reason') as Uint8Array).toString();
  t.is(await failure(other, 6881), 'Info hash not allowed');
  t.is(await failure(hosted, 80), 'Announce a port above 1023');
  const admitted = await getBencoded(`${base}&info_hash=${encodeBytes(hosted)}&port=6881&left=0&event=completed`);
  t.is(admitted.get('failure reason'), undefined);
  t.is(admitted.get('complete'), 1);
  t.is((await get(`http://127.0.0.1:${http.port}/scrape?info_hash=${encodeBytes(hosted)}`)).status, 200);

  const browser = await WsTestClient.connect(`ws://127.0.0.1:${ws.port}`);
  t.teardown(() => browser.close());
  const peerId = '-WW0001-000000000001';
  t.like(await browser.request(wsAnnounce(Buffer.from(other).toString('latin1'), peerId)), { 'failure reason': 'Info hash not allowed', action: 'announce' });
  t.like(await browser.request(wsAnnounce(hosted.toString('latin1'), peerId, { event: 'completed', left: 0 })), { action: 'announce', complete: 1 });
  t.like(await browser.request({ action: 'scrape', info_hash: hosted.toString('latin1') }), { action: 'scrape' });

  // Completed once over each protocol; refused announces never reached onAnnounce.
  t.deepEqual([...example.completed], [['aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d', 3]]);
  t.is(example.scrapes, 3);
});
