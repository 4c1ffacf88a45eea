// aquatic_ws with socket worker threads: an offer and its answer cross between clients held
// by different socket workers (through the shard that owns the torrent), connections are
// counted per worker, a bind failure stops the start, and close says goodbye and frees the
// port. (The swarm behaviour itself runs against 2x2 workers in ws-tracker.test.ts.)
import { get as httpGet } from 'node:http';
import net from 'node:net';
import test, { type ExecutionContext } from 'ava';
import { validateConfig } from '../../src/config/load.js';
import { defaultsOf } from '../../src/config/schema.js';
import { type WsConfig, wsConfigSchema } from '../../src/config/ws.js';
import { ErrorCode } from '../../src/errors.js';
import { startWsTracker } from '../../src/server/ws/tracker.js';
import { loadNativeBinding } from '../../src/transport/udp/binding.js';
import { quietLog } from '../helpers/tracker.js';
import { type Json, WsTestClient, announce, binary20, offers, peerIdOf } from '../helpers/ws-client.js';

const { binding, reason } = loadNativeBinding();
const nativeTest = binding === null ? test.skip : test;
if (binding === null) test('ws worker pool tests need the native addon', (t) => t.log(`skipped: ${reason}`) ?? t.pass());

function config(port = 0, metricsOn = false): WsConfig {
  const defaults = defaultsOf(wsConfigSchema);
  return validateConfig(wsConfigSchema, {
    ...defaults,
    socket_workers: 2,
    swarm_workers: 2,
    network: { ...defaults.network, address: `127.0.0.1:${port}` },
    metrics: { ...defaults.metrics, enabled: metricsOn, address: '127.0.0.1:0' },
  });
}

function metrics(port: number): Promise<string> {
  return new Promise((resolve, reject) =>
    httpGet(`http://127.0.0.1:${port}/metrics`, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve(body));
    }).on('error', reject),
  );
}

/** Open WebSocket connections per socket worker, from the metrics. */
async function connectionsPerWorker(metricsPort: number): Promise<number[]> {
  const text = await metrics(metricsPort);
  return [1, 2].map((k) => Number(new RegExp(`aquatic_connections\\{worker="socket-${k}"\\} (\\d+)`).exec(text)?.[1] ?? NaN));
}

async function connect(t: ExecutionContext, port: number): Promise<WsTestClient> {
  const client = await WsTestClient.connect(`ws://127.0.0.1:${port}`);
  t.teardown(() => client.close());
  return client;
}

nativeTest('an offer and its answer cross between clients of different socket workers', async (t) => {
  const tracker = await startWsTracker(config(0, true), quietLog);
  t.teardown(() => tracker.close());
  const metricsPort = (tracker as unknown as { metricsPort: number }).metricsPort;
  // The kernel picks each connection's worker: connect until the newest one is alone on its worker.
  const first = await connect(t, tracker.port);
  t.like(await first.request(announce(binary20(1), peerIdOf(1))), { incomplete: 1 }); // a round trip: the worker has it
  const onFirstWorker = (await connectionsPerWorker(metricsPort)).findIndex((n) => n === 1);
  let other: WsTestClient | undefined;
  for (let tries = 0; tries < 64 && other === undefined; tries++) {
    const client = await connect(t, tracker.port);
    await client.drain();
    if ((await connectionsPerWorker(metricsPort))[1 - onFirstWorker] === 1) other = client;
  }
  if (other === undefined) return t.fail('64 connections in a row went to the same socket worker');
  const perWorker = await connectionsPerWorker(metricsPort);
  t.is(perWorker[1 - onFirstWorker], 1);
  t.log(`connections per socket worker: ${perWorker.join(', ')}`);

  // `first` and `other` are the only peers: the offer must reach `first`, across workers.
  const [sent] = offers(1);
  t.like(await other.request(announce(binary20(1), peerIdOf(2), { offers: [sent] })), { incomplete: 2 });
  const offer = await first.next();
  t.like(offer, { action: 'announce', peer_id: peerIdOf(2), offer_id: sent!.offer_id });
  first.send({ action: 'announce', info_hash: binary20(1), peer_id: peerIdOf(1), to_peer_id: peerIdOf(2), offer_id: sent!.offer_id, answer: { type: 'answer', sdp: 'v=0 across' } });
  t.deepEqual(await other.next(), {
    action: 'announce',
    info_hash: binary20(1),
    peer_id: peerIdOf(1),
    offer_id: sent!.offer_id,
    answer: { type: 'answer', sdp: 'v=0 across' },
  } satisfies Json);
  const statistics = await tracker.statistics();
  t.like(statistics, { offersRelayed: 1, answersRelayed: 1, peers: 2, torrents: 1 });
});

nativeTest('a port held without SO_REUSEPORT fails the start with a bind error', async (t) => {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  t.teardown(() => holder.close());
  const port = (holder.address() as net.AddressInfo).port;
  await t.throwsAsync(startWsTracker(config(port), quietLog), { code: ErrorCode.BIND, message: /EADDRINUSE/ });
});

nativeTest('close sends every client 1001 (going away), stops the workers and frees the port', async (t) => {
  const tracker = await startWsTracker(config(), quietLog);
  const clients = [await connect(t, tracker.port), await connect(t, tracker.port)];
  await Promise.all(clients.map((client, i) => client.request(announce(binary20(2), peerIdOf(i)))));
  await tracker.close();
  t.deepEqual(await Promise.all(clients.map((client) => client.closed)), [1001, 1001]);
  const again = await startWsTracker(config(tracker.port), quietLog);
  t.is(again.port, tracker.port);
  await again.close();
});
