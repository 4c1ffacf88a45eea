// The aquatic_udp executable as a user runs it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { parse } from 'smol-toml';
import { defaultsOf } from '../../src/config/schema.js';
import { udpConfigSchema } from '../../src/config/udp.js';
import { ROOT, finished, runBin, startBin, waitForStderr } from '../helpers/spawn.js';
import { UdpTestClient, infoHash } from '../helpers/udp-client.js';
import { get } from '../helpers/http-client.js';

const dir = mkdtempSync(join(tmpdir(), 'aquatic-cli-'));

test('-p prints commented TOML that -c accepts and -P prints back unchanged', async (t) => {
  const printed = await runBin('aquatic_udp', ['-p']);
  t.is(printed.code, 0);
  t.regex(printed.stdout, /^# aquatic_udp configuration/);
  t.regex(printed.stdout, /AQUATIC_NETWORK__ADDRESS=/);
  t.deepEqual(parse(printed.stdout), defaultsOf(udpConfigSchema) as unknown as Record<string, unknown>);
  const path = join(dir, 'default.toml');
  writeFileSync(path, printed.stdout);
  const parsed = await runBin('aquatic_udp', ['-c', path, '-P']);
  t.is(parsed.code, 0);
  t.deepEqual(parse(parsed.stdout), parse(printed.stdout));
});

test('-P shows environment overrides', async (t) => {
  const parsed = await runBin('aquatic_udp', ['-P'], { AQUATIC_NETWORK__ADDRESS: '[::1]:5555', AQUATIC_SOCKET_WORKERS: '2' });
  t.is(parsed.code, 0);
  t.like(parse(parsed.stdout), { socket_workers: 2, network: { address: '[::1]:5555' } });
});

test('a bad configuration file exits 2 naming the key, without a stack trace', async (t) => {
  const path = join(dir, 'bad.toml');
  writeFileSync(path, '[protocol]\nmax_response_peer = 10\n');
  const run = await runBin('aquatic_udp', ['-c', path]);
  t.is(run.code, 2);
  t.regex(run.stderr, /unknown key `protocol\.max_response_peer` \(did you mean `protocol\.max_response_peers`\?\)/);
  t.notRegex(run.stderr, /\n\s+at /);
  t.is(run.stdout, '');
});

test('usage errors, --version and --help', async (t) => {
  const bogus = await runBin('aquatic_udp', ['--bogus']);
  t.is(bogus.code, 2);
  t.regex(bogus.stderr, /unknown option '--bogus'/);
  const version = await runBin('aquatic_udp', ['-v']);
  t.is(version.code, 0);
  t.is(version.stdout.trim(), (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  const help = await runBin('aquatic_udp', ['-h']);
  t.is(help.code, 0);
  t.regex(help.stdout, /-c, --config-file <FILE>/);
});

test('a port in use is a clear error with exit code 1', async (t) => {
  const holder = await UdpTestClient.open('127.0.0.1', 1);
  t.teardown(() => holder.close());
  const run = await runBin('aquatic_udp', [], { AQUATIC_NETWORK__ADDRESS: `127.0.0.1:${holder.localPort}`, AQUATIC_NATIVE: '0' });
  t.is(run.code, 1);
  t.regex(run.stderr, /cannot bind UDP 127\.0\.0\.1:\d+: EADDRINUSE/);
});

for (const native of ['0', '1']) {
  test(`serves announces and exits 0 on SIGTERM (AQUATIC_NATIVE=${native})`, async (t) => {
    const child = startBin('aquatic_udp', [], { AQUATIC_NETWORK__ADDRESS: '127.0.0.1:0', AQUATIC_NATIVE: native });
    const done = finished(child);
    t.teardown(() => child.kill('SIGKILL'));
    const [, port] = await waitForStderr(child, /listening on udp 127\.0\.0\.1:(\d+)/);
    const client = await UdpTestClient.open('127.0.0.1', Number(port));
    t.teardown(() => client.close());
    await client.connect();
    t.is((await client.announce({ infoHash: infoHash(1), port: 1 })).action, 1);
    child.kill('SIGTERM');
    const result = await done;
    t.is(result.code, 0);
    t.regex(result.stderr, /SIGTERM: shutting down/);
  });
}

test('aquatic_http: -p parses back, serves an announce and exits 0 on SIGTERM', async (t) => {
  const printed = await runBin('aquatic_http', ['-p']);
  t.is(printed.code, 0);
  t.like(parse(printed.stdout), { network: { address: '0.0.0.0:3000', keep_alive: true }, tls: { use_tls: false } });
  const child = startBin('aquatic_http', [], { AQUATIC_NETWORK__ADDRESS: '127.0.0.1:0' });
  const done = finished(child);
  t.teardown(() => child.kill('SIGKILL'));
  const [, port] = await waitForStderr(child, /listening on http:\/\/127\.0\.0\.1:(\d+)/);
  const reply = await get(`http://127.0.0.1:${port}/announce?info_hash=${'%aa'.repeat(20)}&peer_id=${'%bb'.repeat(20)}&port=1&left=0`);
  t.regex(reply.body.toString('latin1'), /^d8:completei1e/);
  child.kill('SIGTERM');
  t.is((await done).code, 0);
});
