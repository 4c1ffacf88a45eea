// aquatic_http with socket workers in front of swarm shards answers exactly like the
// single-thread tracker, including pipelined requests that land on different shards.
import net from 'node:net';
import test from 'ava';
import { validateConfig } from '../../src/config/load.js';
import { defaultsOf } from '../../src/config/schema.js';
import { type HttpConfig, httpConfigSchema } from '../../src/config/http.js';
import { decodeBencode } from '../../src/protocol/http/bencode.js';
import { startHttpTracker } from '../../src/server/http/tracker.js';
import { loadNativeBinding } from '../../src/transport/udp/binding.js';
import { encodeBytes, get } from '../helpers/http-client.js';
import { quietLog } from '../helpers/tracker.js';
import { infoHash } from '../helpers/udp-client.js';

const { binding, reason } = loadNativeBinding();
const nativeTest = binding === null ? test.skip : test.serial;
if (binding === null) test('HTTP worker pool tests need the native addon', (t) => t.log(`skipped: ${reason}`) ?? t.pass());

function config(sockets: number, shards: number): HttpConfig {
  const defaults = defaultsOf(httpConfigSchema);
  return validateConfig(httpConfigSchema, { ...defaults, socket_workers: sockets, swarm_workers: shards, network: { ...defaults.network, address: '127.0.0.1:0' } });
}

const announce = (hash: Uint8Array, port: number, extra = '') =>
  `/announce?info_hash=${encodeBytes(hash)}&peer_id=${encodeBytes(Buffer.from(`-XX0001-${String(port).padStart(12, '0')}`))}&port=${port}&left=${extra.includes('seed') ? 0 : 10}${extra.includes('completed') ? '&event=completed' : ''}`;

/** A fixed conversation; returns every body, decoded where bencoded, as JSON text. */
async function conversation(port: number): Promise<string[]> {
  const bodies: string[] = [];
  const base = `http://127.0.0.1:${port}`;
  const show = (body: Buffer) => {
    try {
      return JSON.stringify(decodeBencode(body), (_k, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v));
    } catch {
      return body.toString('latin1');
    }
  };
  for (let round = 0; round < 2; round++) {
    for (let h = 0; h < 8; h++) {
      for (const peer of [1, 2, 3]) {
        const extra = round === 1 && peer === 1 ? 'seed,completed' : '';
        bodies.push(show((await get(`${base}${announce(infoHash(h), 1000 + peer, extra)}`)).body));
      }
    }
  }
  const scrape = Array.from({ length: 10 }, (_, h) => `info_hash=${encodeBytes(infoHash(h))}`).join('&');
  bodies.push(show((await get(`${base}${announce(infoHash(0), 1009)}&numwant=0`)).body));
  bodies.push(show((await get(`${base}/scrape?${scrape}`)).body));
  bodies.push(show((await get(`${base}/announce?port=1`)).body));
  bodies.push(String((await get(`${base}/nowhere`)).status));
  return bodies;
}

nativeTest('2 socket workers x 2 swarm workers answer exactly like one thread', async (t) => {
  const single = await startHttpTracker(config(1, 1), quietLog);
  t.teardown(() => single.close());
  const expected = await conversation(single.port);
  const pool = await startHttpTracker(config(2, 2), quietLog);
  t.teardown(() => pool.close());
  t.deepEqual(await conversation(pool.port), expected);
  t.regex(expected.at(-3)!, /"complete":1,"downloaded":1,"incomplete":2/);
  t.regex(expected.at(-4)!, /"peers":\{"type":"Buffer","data":\[\]\}/, 'numwant=0 gets no peers');
});

nativeTest('pipelined announces to different shards come back in request order', async (t) => {
  const pool = await startHttpTracker(config(1, 4), quietLog);
  t.teardown(() => pool.close());
  const requests = Array.from({ length: 12 }, (_, h) => `GET ${announce(infoHash(h), 2000 + h)} HTTP/1.1\r\nHost: x\r\n\r\n`).join('');
  const text = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(pool.port, '127.0.0.1', () => socket.end(requests + 'GET /last HTTP/1.1\r\nConnection: close\r\n\r\n'));
    let data = '';
    socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
    socket.on('close', () => resolve(data));
    socket.on('error', reject);
  });
  const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
  t.is(statuses.length, 13);
  t.deepEqual(statuses.slice(0, 12), Array(12).fill('200'));
  t.is(statuses[12], '404');
  t.is([...text.matchAll(/d8:completei0e10:incompletei1e/g)].length, 12, 'each announce got its own swarm counts');
});

nativeTest('close stops the workers and frees the port', async (t) => {
  const pool = await startHttpTracker(config(2, 2), quietLog);
  await pool.close();
  const again = await startHttpTracker(validateConfig(httpConfigSchema, { ...defaultsOf(httpConfigSchema), network: { ...defaultsOf(httpConfigSchema).network, address: `127.0.0.1:${pool.port}` } }), quietLog);
  t.is(again.port, pool.port);
  await again.close();
});
