// Metrics: /metrics in Prometheus text format (checked by a real parser) and /stats.json,
// for the trackers, in one thread and with worker threads, and the optional peer-client breakdown.
import test from 'ava';
import parsePrometheus from 'parse-prometheus-text-format';
import { validateConfig } from '../../src/config/load.js';
import { defaultsOf } from '../../src/config/schema.js';
import { httpConfigSchema } from '../../src/config/http.js';
import { startHttpTracker } from '../../src/server/http/tracker.js';
import { startUdpTracker } from '../../src/server/udp/tracker.js';
import { wsConfigSchema } from '../../src/config/ws.js';
import { startWsTracker } from '../../src/server/ws/tracker.js';
import { WsTestClient, announce, binary20, peerIdOf } from '../helpers/ws-client.js';
import { loadNativeBinding } from '../../src/transport/udp/binding.js';
import { encodeBytes, get } from '../helpers/http-client.js';
import { quietLog, udpConfig } from '../helpers/tracker.js';
import { UdpTestClient, infoHash } from '../helpers/udp-client.js';

const metricsOn = { enabled: true, address: '127.0.0.1:0', path: '/metrics' };

async function scrape(port: number) {
  const text = (await get(`http://127.0.0.1:${port}/metrics`)).body.toString();
  const families = parsePrometheus(text);
  /** Sum of a family's samples whose labels include `match`. */
  return (name: string, match: Record<string, string> = {}) =>
    families
      .find((f) => f.name === name)
      ?.metrics.filter((m) => Object.entries(match).every(([k, v]) => m.labels?.[k] === v))
      .reduce((sum, m) => sum + Number(m.value), 0) ?? Number.NaN;
}

test('aquatic_udp: requests, peers and torrents in /metrics and /stats.json', async (t) => {
  const tracker = await startUdpTracker(udpConfig({ metrics: metricsOn }), quietLog);
  t.teardown(() => tracker.close());
  const port = (tracker as unknown as { metricsPort: number }).metricsPort;
  const client = await UdpTestClient.open('127.0.0.1', tracker.port);
  t.teardown(() => client.close());
  await client.connect();
  await client.announce({ infoHash: infoHash(1), port: 1 });
  await client.announce({ infoHash: infoHash(2), port: 1, left: 0 });
  const value = await scrape(port);
  t.is(value('aquatic_requests_total', { type: 'connect' }), 1);
  t.is(value('aquatic_requests_total', { type: 'announce' }), 2);
  t.is(value('aquatic_torrents'), 2);
  t.is(value('aquatic_peers', { ip_version: '4' }), 2);
  t.is(value('aquatic_seeders', { ip_version: '4' }), 1);
  t.true(value('aquatic_rx_bytes_total') >= 16 + 98 * 2);
  const json = JSON.parse((await get(`http://127.0.0.1:${port}/stats.json`)).body.toString()) as Record<string, unknown>;
  t.deepEqual(json['aquatic_torrents'], { 'worker=main': 2 });
  const page = await get(`http://127.0.0.1:${port}/stats`);
  t.regex(String(page.headers['content-type']), /text\/html/);
  t.regex(page.body.toString(), /<td>aquatic_torrents<\/td><td>worker=main<\/td><td class="n">2<\/td>/);
  t.is((await get(`http://127.0.0.1:${port}/other`)).status, 404);
});

test('aquatic_http: announces, failures and connections in /metrics', async (t) => {
  const defaults = defaultsOf(httpConfigSchema);
  const config = validateConfig(httpConfigSchema, { ...defaults, network: { ...defaults.network, address: '127.0.0.1:0' }, metrics: metricsOn });
  const tracker = await startHttpTracker(config, quietLog);
  t.teardown(() => tracker.close());
  const base = `http://127.0.0.1:${tracker.port}`;
  await get(`${base}/announce?info_hash=${encodeBytes(infoHash(3))}&peer_id=${encodeBytes(infoHash(4))}&port=5&left=1`);
  await get(`${base}/announce?port=5`);
  const value = await scrape((tracker as unknown as { metricsPort: number }).metricsPort);
  t.is(value('aquatic_requests_total', { type: 'announce' }), 1);
  t.is(value('aquatic_errors_total', { kind: 'failure_reply' }), 1);
  t.is(value('aquatic_peers', { ip_version: '4' }), 1);
  t.true(value('aquatic_connections_total') >= 2);
});

const { binding } = loadNativeBinding();
(binding === null ? test.skip : test)('worker threads report per worker', async (t) => {
  const tracker = await startUdpTracker(udpConfig({ socket_workers: 2, swarm_workers: 2, metrics: metricsOn }), quietLog);
  t.teardown(() => tracker.close());
  const client = await UdpTestClient.open('127.0.0.1', tracker.port);
  t.teardown(() => client.close());
  await client.connect();
  for (let h = 0; h < 6; h++) await client.announce({ infoHash: infoHash(h), port: 1 });
  const port = (tracker as unknown as { metricsPort: number }).metricsPort;
  // A scrape asks every worker for its counters first, so it sees all six torrents at once.
  const torrents = (await scrape(port))('aquatic_torrents');
  t.is(torrents, 6);
  const text = (await get(`http://127.0.0.1:${port}/metrics`)).body.toString();
  t.regex(text, /worker="swarm-1"/);
  t.regex(text, /worker="socket-1"/);
});

const withClients = { ...metricsOn, peer_clients: true };
const peerId = (prefix: string) => Buffer.from(prefix.padEnd(20, 'x'), 'latin1');

test('peer_clients off (the default): no breakdown', async (t) => {
  const tracker = await startUdpTracker(udpConfig({ metrics: metricsOn }), quietLog);
  t.teardown(() => tracker.close());
  const client = await UdpTestClient.open('127.0.0.1', tracker.port);
  t.teardown(() => client.close());
  await client.connect();
  await client.announce({ infoHash: infoHash(1), port: 1, peerId: peerId('-qB4650-') });
  const text = (await get(`http://127.0.0.1:${(tracker as unknown as { metricsPort: number }).metricsPort}/metrics`)).body.toString();
  t.regex(text, /aquatic_requests_total\{type="announce",worker="main"\} 1/);
  t.notRegex(text, /peer_client/);
});

for (const workers of [1, 2]) {
  (workers > 1 && binding === null ? test.skip : test)(`aquatic_http: peer_clients counts announces by client (${workers} socket workers)`, async (t) => {
    const defaults = defaultsOf(httpConfigSchema);
    const config = validateConfig(httpConfigSchema, { ...defaults, socket_workers: workers, network: { ...defaults.network, address: '127.0.0.1:0' }, metrics: withClients });
    const tracker = await startHttpTracker(config, quietLog);
    t.teardown(() => tracker.close());
    for (const [n, prefix] of ['-TR4060-', '-TR4060-', 'M4-20-8-', '-ZZ0000-'].entries()) {
      await get(`http://127.0.0.1:${tracker.port}/announce?info_hash=${encodeBytes(infoHash(n))}&peer_id=${encodeBytes(peerId(prefix))}&port=5&left=1`);
    }
    await get(`http://127.0.0.1:${tracker.port}/announce?info_hash=${encodeBytes(infoHash(9))}&port=5`); // a failure is not an announce
    const value = await scrape((tracker as unknown as { metricsPort: number }).metricsPort);
    t.is(value('aquatic_peer_client_announces_total', { client: 'Transmission' }), 2);
    t.is(value('aquatic_peer_client_announces_total', { client: 'Mainline' }), 1);
    t.is(value('aquatic_peer_client_announces_total', { client: 'other' }), 1);
    t.is(value('aquatic_peer_client_announces_total'), 4);
  });
}

(binding === null ? test.skip : test)('aquatic_udp with worker threads: socket workers count peer clients, shards do not count them again', async (t) => {
  const tracker = await startUdpTracker(udpConfig({ socket_workers: 2, swarm_workers: 2, metrics: withClients }), quietLog);
  t.teardown(() => tracker.close());
  const client = await UdpTestClient.open('127.0.0.1', tracker.port);
  t.teardown(() => client.close());
  await client.connect();
  for (let h = 0; h < 6; h++) await client.announce({ infoHash: infoHash(h), port: 1, peerId: peerId(h < 4 ? '-qB4650-' : '-UT355W-') });
  const value = await scrape((tracker as unknown as { metricsPort: number }).metricsPort);
  t.is(value('aquatic_peer_client_announces_total', { client: 'qBittorrent' }), 4);
  t.is(value('aquatic_peer_client_announces_total', { client: 'uTorrent' }), 2);
  t.is(value('aquatic_peer_client_announces_total'), 6);
  t.is(value('aquatic_responses_total'), 7, 'replies from the shards count as responses too');
});

for (const workers of [1, 2]) {
  (workers > 1 && binding === null ? test.skip : test)(`aquatic_ws: peer_clients counts announces by client (${workers} socket x ${workers} swarm workers)`, async (t) => {
    const defaults = defaultsOf(wsConfigSchema);
    const config = { ...defaults, socket_workers: workers, swarm_workers: workers, network: { ...defaults.network, address: '127.0.0.1:0' }, metrics: withClients };
    const tracker = await startWsTracker(validateConfig(wsConfigSchema, config), quietLog);
    t.teardown(() => tracker.close());
    const client = await WsTestClient.connect(`ws://127.0.0.1:${tracker.port}`);
    t.teardown(() => client.close());
    // binary20(1) and binary20(2) start with 97 and 194: one per shard with 2 shards.
    await client.request(announce(binary20(1), peerIdOf(1))); // -WW0001-
    await client.request(announce(binary20(2), `-WD0010-${binary20(7).slice(8)}`));
    await client.request(announce(binary20(1), peerIdOf(1))); // a re-announce counts again
    const value = await scrape((tracker as unknown as { metricsPort: number }).metricsPort);
    t.is(value('aquatic_peer_client_announces_total', { client: 'WebTorrent' }), 2);
    t.is(value('aquatic_peer_client_announces_total', { client: 'WebTorrent Desktop' }), 1);
  });
}
