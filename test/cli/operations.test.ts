// Operations through real processes: SIGUSR1 reloads of the access list, metrics that move
// with traffic, /stats.json, SIGTERM under load, and the privilege drop (as root).
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import dgram from 'node:dgram';
import net from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import test, { type ExecutionContext } from 'ava';
import parsePrometheus from 'parse-prometheus-text-format';
import { loadNativeBinding } from '../../src/transport/udp/binding.js';
import { writeAnnounceRequest, writeConnectRequest } from '../../src/protocol/udp/request.js';
import { finished, startBin, waitForStderr, type Finished } from '../helpers/spawn.js';
import { UdpTestClient, infoHash } from '../helpers/udp-client.js';
import { encodeBytes, get } from '../helpers/http-client.js';

const dir = mkdtempSync(join(tmpdir(), 'aquatic-ops-'));
const hex = (hash: Uint8Array) => Buffer.from(hash).toString('hex');
// The suite also runs with AQUATIC_NATIVE=0 (npm run test:fallback): the trackers follow.
const transport = process.env['AQUATIC_NATIVE'] === '0' ? { AQUATIC_NATIVE: '0' } : {};
/** Worker threads need the addon; without it the trackers run in one thread (and say so). */
const WORKERS = loadNativeBinding().binding === null ? 1 : 2;
const workerEnv = { AQUATIC_SOCKET_WORKERS: String(WORKERS), AQUATIC_SWARM_WORKERS: String(WORKERS) };
const SHUTDOWN_BOUND_MS = 5000;

interface Running {
  readonly child: ChildProcess;
  readonly done: Promise<Finished>;
  readonly port: number;
}

/** Starts an executable on 127.0.0.1 port 0 and waits until it listens (and `also` has been logged). */
async function start(t: ExecutionContext, name: string, env: NodeJS.ProcessEnv, also?: RegExp): Promise<Running & { readonly also?: RegExpExecArray }> {
  const child = startBin(name, [], { ...transport, AQUATIC_NETWORK__ADDRESS: '127.0.0.1:0', ...env });
  const done = finished(child);
  t.teardown(() => child.kill('SIGKILL'));
  const listening = waitForStderr(child, /listening on (?:udp |\w+:\/\/)127\.0\.0\.1:(\d+)/);
  const extra = also === undefined ? undefined : waitForStderr(child, also);
  const port = Number((await listening)[1]);
  return { child, done, port, ...(extra === undefined ? {} : { also: await extra }) };
}

/** SIGTERM, then the exit code and how long the exit took. */
async function terminate({ child, done }: Running): Promise<{ code: number | null; ms: number; stderr: string }> {
  const sent = performance.now();
  child.kill('SIGTERM');
  const result = await done;
  return { code: result.code, ms: performance.now() - sent, stderr: result.stderr };
}

const udpVerdict = async (client: UdpTestClient, hash: Uint8Array) => {
  const reply = await client.announce({ infoHash: hash, port: 1 });
  return reply.action === 1 ? 'allowed' : reply.action === 3 && 'message' in reply ? reply.message : `action ${reply.action}`;
};

const httpVerdict = async (port: number, hash: Uint8Array) => {
  const body = (await get(`http://127.0.0.1:${port}/announce?info_hash=${encodeBytes(hash)}&peer_id=${encodeBytes(infoHash(99))}&port=1&left=1`)).body.toString('latin1');
  return body.startsWith('d8:complete') ? 'allowed' : /failure reason\d+:(.*)e$/.exec(body)?.[1] ?? body;
};

for (const name of ['aquatic_udp', 'aquatic_http'] as const) {
  test(`${name}: SIGUSR1 re-reads the access list, so an allowed announce becomes forbidden (${WORKERS} socket workers)`, async (t) => {
    const path = join(dir, `${name}-allow.txt`);
    writeFileSync(path, `# allowed\n${hex(infoHash(1))}\n`);
    const tracker = await start(t, name, { ...workerEnv, AQUATIC_ACCESS_LIST__MODE: 'allow', AQUATIC_ACCESS_LIST__PATH: path });
    let verdict: (hash: Uint8Array) => Promise<string>;
    if (name === 'aquatic_udp') {
      const client = await UdpTestClient.open('127.0.0.1', tracker.port);
      t.teardown(() => client.close());
      await client.connect();
      verdict = (hash) => udpVerdict(client, hash);
    } else {
      verdict = (hash) => httpVerdict(tracker.port, hash);
    }
    t.is(await verdict(infoHash(1)), 'allowed');
    t.is(await verdict(infoHash(2)), 'Info hash not allowed');

    writeFileSync(path, `${hex(infoHash(2))}\n`);
    // Every socket worker re-reads the file and says so.
    const reloaded = waitForStderr(tracker.child, /access list reloaded: 1 info hashes \(allow\)/, WORKERS);
    tracker.child.kill('SIGUSR1');
    await reloaded;
    t.is(await verdict(infoHash(1)), 'Info hash not allowed');
    t.is(await verdict(infoHash(2)), 'allowed');
    t.is((await terminate(tracker)).code, 0);
  });
}

async function scrapeMetrics(port: number) {
  const families = parsePrometheus((await get(`http://127.0.0.1:${port}/metrics`)).body.toString());
  /** Sum of a family's samples whose labels include `match` (0 when there are none). */
  return (name: string, match: Record<string, string> = {}) =>
    families
      .find((f) => f.name === name)
      ?.metrics.filter((m) => Object.entries(match).every(([k, v]) => m.labels?.[k] === v))
      .reduce((sum, m) => sum + Number(m.value), 0) ?? 0;
}

test(`aquatic_udp: /metrics counters move with traffic, /stats.json has their shape, peer clients are counted (${WORKERS} socket workers)`, async (t) => {
  const tracker = await start(
    t,
    'aquatic_udp',
    { ...workerEnv, AQUATIC_METRICS__ENABLED: 'true', AQUATIC_METRICS__ADDRESS: '127.0.0.1:0', AQUATIC_METRICS__PEER_CLIENTS: 'true' },
    /metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/,
  );
  const metricsPort = Number(tracker.also![1]);
  const before = await scrapeMetrics(metricsPort);
  t.is(before('aquatic_requests_total', { type: 'announce' }), 0);
  t.is(before('aquatic_peer_client_announces_total'), 0);

  const client = await UdpTestClient.open('127.0.0.1', tracker.port);
  t.teardown(() => client.close());
  await client.connect();
  const peerId = (prefix: string) => Buffer.from(prefix.padEnd(20, 'x'), 'latin1');
  await client.announce({ infoHash: infoHash(1), port: 1, peerId: peerId('-qB4650-') });
  await client.announce({ infoHash: infoHash(2), port: 2, peerId: peerId('-qB4650-'), left: 0 });
  await client.announce({ infoHash: infoHash(3), port: 3, peerId: peerId('-TR4060-') });
  await client.announce({ infoHash: infoHash(4), port: 4, peerId: peerId('\x01\x02 not a client') });
  await client.scrape([infoHash(1), infoHash(2)]);

  const after = await scrapeMetrics(metricsPort);
  t.is(after('aquatic_requests_total', { type: 'connect' }), 1);
  t.is(after('aquatic_requests_total', { type: 'announce' }), 4);
  t.is(after('aquatic_requests_total', { type: 'scrape' }), 1);
  t.is(after('aquatic_responses_total', { ip_version: '4' }), 6);
  t.true(after('aquatic_rx_bytes_total') >= 16 + 4 * 98 + 16 + 40);
  t.is(after('aquatic_torrents'), 4);
  t.is(after('aquatic_peers', { ip_version: '4' }), 4);
  t.is(after('aquatic_seeders', { ip_version: '4' }), 1);
  t.is(after('aquatic_peer_client_announces_total', { client: 'qBittorrent' }), 2);
  t.is(after('aquatic_peer_client_announces_total', { client: 'Transmission' }), 1);
  t.is(after('aquatic_peer_client_announces_total', { client: 'other' }), 1);

  const json = JSON.parse((await get(`http://127.0.0.1:${metricsPort}/stats.json`)).body.toString()) as Record<string, unknown>;
  for (const [metric, value] of Object.entries(json)) {
    t.regex(metric, /^aquatic_[a-z0-9_]+$/);
    // { "label=value,…": number } per metric: every sample here has a worker label.
    t.is(typeof value, 'object', metric);
    for (const [labels, n] of Object.entries(value as object)) {
      t.regex(labels, /^([a-z_]+=[^,=]+,)*worker=[\w-]+$/, metric);
      t.is(typeof n, 'number', `${metric} ${labels}`);
    }
  }
  const sum = (metric: string, labels: RegExp) =>
    Object.entries(json[metric] as Record<string, number>)
      .filter(([key]) => labels.test(key))
      .reduce((total, [, n]) => total + n, 0);
  t.is(sum('aquatic_requests_total', /^type=announce,/), 4);
  t.is(sum('aquatic_peer_client_announces_total', /^client=qBittorrent,/), 2);
  t.is(sum('aquatic_torrents', /./), 4);
  const page = await get(`http://127.0.0.1:${metricsPort}/stats`);
  t.is(page.status, 200);
  t.regex(page.body.toString(), /<td>aquatic_peer_client_announces_total<\/td><td>client=qBittorrent, worker=[\w-]+<\/td>/);
  t.is((await terminate(tracker)).code, 0);
});

test(`aquatic_udp: SIGTERM with announces in flight exits 0 within ${SHUTDOWN_BOUND_MS} ms (${WORKERS} socket workers)`, async (t) => {
  const tracker = await start(t, 'aquatic_udp', workerEnv);
  const socket = dgram.createSocket('udp4');
  t.teardown(() => socket.close());
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  let replies = 0;
  let connected: (reply: Buffer) => void = () => {};
  socket.on('message', (reply: Buffer) => (replies++ === 0 ? connected(reply) : undefined));
  const connect = new Uint8Array(16);
  writeConnectRequest(new DataView(connect.buffer), 0, 1);
  socket.send(connect, tracker.port, '127.0.0.1');
  const connectReply = await new Promise<Buffer>((resolve) => (connected = resolve));

  // A bounded stream: 64 announces per turn of the event loop, up to MAX, until the tracker exits.
  const MAX = 200_000;
  const announce = new Uint8Array(98);
  const view = new DataView(announce.buffer);
  let sent = 0;
  let exited = false;
  void tracker.done.then(() => (exited = true));
  const pump = () => {
    for (let i = 0; i < 64 && sent < MAX && !exited; i++, sent++) {
      writeAnnounceRequest(announce, view, 0, {
        connectionIdHigh: connectReply.readUInt32BE(8),
        connectionIdLow: connectReply.readUInt32BE(12),
        transactionId: sent,
        infoHash: infoHash(sent % 1000),
        peerId: infoHash(sent),
        downloaded: 0,
        left: 1,
        uploaded: 0,
        event: 0,
        key: 0,
        numWant: 10,
        port: 1 + (sent % 60_000),
      });
      socket.send(announce, tracker.port, '127.0.0.1');
    }
    if (sent < MAX && !exited) setImmediate(pump);
  };
  pump();
  // Shut down once the tracker is visibly busy answering.
  await new Promise<void>((resolve) => {
    const check = () => (replies >= 2000 || sent >= MAX ? resolve() : setImmediate(check));
    check();
  });
  const stop = await terminate(tracker);
  t.is(stop.code, 0, stop.stderr);
  t.true(stop.ms < SHUTDOWN_BOUND_MS, `exit took ${stop.ms.toFixed(0)} ms`);
  t.true(sent > replies, 'announces were still in flight');
  t.log(`exit ${stop.ms.toFixed(0)} ms after SIGTERM; ${sent} announces sent, ${replies} replies`);
});

test(`aquatic_http: SIGTERM with pipelined keep-alive announces in flight exits 0 within ${SHUTDOWN_BOUND_MS} ms (${WORKERS} socket workers)`, async (t) => {
  const tracker = await start(t, 'aquatic_http', workerEnv);
  let responses = 0;
  const request = (n: number) =>
    `GET /announce?info_hash=${encodeBytes(infoHash(n % 500))}&peer_id=${encodeBytes(infoHash(n))}&port=${1 + (n % 60_000)}&left=1 HTTP/1.1\r\nHost: x\r\n\r\n`;
  // Eight connections keep four requests each in flight, one more per response, at most 20 000 in all.
  let sent = 0;
  const sockets = Array.from({ length: 8 }, () => {
    const socket = net.connect(tracker.port, '127.0.0.1');
    socket.on('error', () => {}); // reset by the shutdown
    socket.on('data', (chunk: Buffer) => {
      const answered = chunk.toString('latin1').split('HTTP/1.1 200').length - 1;
      responses += answered;
      for (let i = 0; i < answered && sent < 20_000; i++) socket.write(request(sent++));
    });
    for (let i = 0; i < 4; i++) socket.write(request(sent++));
    return socket;
  });
  t.teardown(() => sockets.forEach((socket) => socket.destroy()));
  await new Promise<void>((resolve) => {
    const check = () => (responses >= 500 || sent >= 20_000 ? resolve() : setImmediate(check));
    check();
  });
  const stop = await terminate(tracker);
  t.is(stop.code, 0, stop.stderr);
  t.true(stop.ms < SHUTDOWN_BOUND_MS, `exit took ${stop.ms.toFixed(0)} ms`);
  t.log(`exit ${stop.ms.toFixed(0)} ms after SIGTERM; ${sent} requests sent, ${responses} responses`);
});

// The privilege drop needs root: CI and this machine's test runs are root.
const isRoot = process.geteuid?.() === 0;
const asRoot = isRoot ? test : test.skip;
const rootOnly = isRoot ? '' : ' [skipped: the tests do not run as root]';
const NOBODY = 65534;

/** Real, effective, saved and filesystem uid and gid of every thread of a process. */
function threadIds(pid: number): { uids: string[]; gids: string[] } {
  const uids: string[] = [];
  const gids: string[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const status = readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8');
    uids.push(/^Uid:\s+(.*)$/m.exec(status)![1]!.split(/\s+/).join(' '));
    gids.push(/^Gid:\s+(.*)$/m.exec(status)![1]!.split(/\s+/).join(' '));
  }
  return { uids, gids };
}

asRoot(`aquatic_udp as root: drops to nobody in every thread after binding, chrooted, and still serves (${WORKERS} socket workers)${rootOnly}`, async (t) => {
  const jail = mkdtempSync(join(tmpdir(), 'aquatic-chroot-'));
  const tracker = await start(
    t,
    'aquatic_udp',
    { ...workerEnv, AQUATIC_PRIVILEGES__DROP_PRIVILEGES: 'true', AQUATIC_PRIVILEGES__USER: 'nobody', AQUATIC_PRIVILEGES__CHROOT_PATH: jail },
    /dropped privileges: now nobody \(uid 65534, gid (\d+)\), chrooted to /,
  );
  const pid = tracker.child.pid!;
  const gid = Number(tracker.also![1]);
  const { uids, gids } = threadIds(pid);
  // Main thread, V8 and libuv threads, and one per socket and swarm worker.
  t.true(uids.length >= 1 + 2 * WORKERS, `${uids.length} threads`);
  t.deepEqual(new Set(uids), new Set([`${NOBODY} ${NOBODY} ${NOBODY} ${NOBODY}`]));
  t.deepEqual(new Set(gids), new Set([`${gid} ${gid} ${gid} ${gid}`]));
  t.is(readlinkSync(`/proc/${pid}/root`), realpathSync(jail));
  const client = await UdpTestClient.open('127.0.0.1', tracker.port);
  t.teardown(() => client.close());
  await client.connect();
  t.is(await udpVerdict(client, infoHash(1)), 'allowed');
  t.is((await terminate(tracker)).code, 0, 'shuts down cleanly inside the chroot');
});

asRoot(`aquatic_http as root: drops to nobody with its socket workers (${WORKERS} socket workers)${rootOnly}`, async (t) => {
  const tracker = await start(t, 'aquatic_http', { ...workerEnv, AQUATIC_PRIVILEGES__DROP_PRIVILEGES: 'true' }, /dropped privileges: now nobody/);
  t.deepEqual(new Set(threadIds(tracker.child.pid!).uids), new Set([`${NOBODY} ${NOBODY} ${NOBODY} ${NOBODY}`]));
  t.is(await httpVerdict(tracker.port, infoHash(1)), 'allowed');
  t.is((await terminate(tracker)).code, 0);
});

asRoot(`[privileges] refusals exit 1 before serving: unknown user, not root; root without the drop is warned${rootOnly}`, async (t) => {
  const env = { ...transport, AQUATIC_NETWORK__ADDRESS: '127.0.0.1:0', AQUATIC_PRIVILEGES__DROP_PRIVILEGES: 'true' };
  const unknown = await finished(startBin('aquatic_udp', [], { ...env, AQUATIC_PRIVILEGES__USER: 'no-such-user-here' }));
  t.is(unknown.code, 1);
  t.regex(unknown.stderr, /aquatic_udp: \[privileges\] user: no user named "no-such-user-here"/);
  t.notRegex(unknown.stderr, /listening on/);
  const notRoot = await finished(startBin('aquatic_udp', [], env, { uid: NOBODY, gid: NOBODY }));
  t.is(notRoot.code, 1);
  t.regex(notRoot.stderr, /drop_privileges needs root, but this process runs as uid 65534/);
  const warned = await start(t, 'aquatic_ws', {}, /running as root: set \[privileges\] drop_privileges = true/);
  t.is((await terminate(warned)).code, 0);
});
