// The aquatic_ws executable as a user runs it: -p, environment overrides, a served announce, SIGTERM.
import test from 'ava';
import { parse } from 'smol-toml';
import { defaultsOf } from '../../src/config/schema.js';
import { wsConfigSchema } from '../../src/config/ws.js';
import { loadNativeBinding } from '../../src/transport/udp/binding.js';
import { finished, runBin, startBin, waitForStderr } from '../helpers/spawn.js';
import { WsTestClient, announce, binary20, peerIdOf } from '../helpers/ws-client.js';

test('aquatic_ws: -p parses back to the defaults, -P shows environment overrides', async (t) => {
  const printed = await runBin('aquatic_ws', ['-p']);
  t.is(printed.code, 0);
  t.deepEqual(parse(printed.stdout), defaultsOf(wsConfigSchema) as unknown as Record<string, unknown>);
  const parsed = await runBin('aquatic_ws', ['-P'], { AQUATIC_PROTOCOL__MAX_OFFERS: '5', AQUATIC_NETWORK__DENY_ORIGINS: 'https://a.example,https://b.example' });
  t.like(parse(parsed.stdout), { protocol: { max_offers: 5 }, network: { deny_origins: ['https://a.example', 'https://b.example'] } });
  const bad = await runBin('aquatic_ws', ['-P'], { AQUATIC_PROTOCOL__MAX_OFFERS: '0' });
  t.is(bad.code, 2);
  t.regex(bad.stderr, /protocol\.max_offers/);
});

test('aquatic_ws: with 2 socket workers (one thread without the addon) serves an announce and exits 0 on SIGTERM', async (t) => {
  // The fallback suite (AQUATIC_NATIVE=0) runs the executable without the addon too.
  const native = process.env['AQUATIC_NATIVE'] === undefined ? {} : { AQUATIC_NATIVE: process.env['AQUATIC_NATIVE'] };
  const child = startBin('aquatic_ws', [], { AQUATIC_NETWORK__ADDRESS: '127.0.0.1:0', AQUATIC_SOCKET_WORKERS: '2', ...native });
  const done = finished(child);
  t.teardown(() => child.kill('SIGKILL'));
  const [, port] = await waitForStderr(child, /listening on ws:\/\/127\.0\.0\.1:(\d+)/);
  const client = await WsTestClient.connect(`ws://127.0.0.1:${port}`);
  t.like(await client.request(announce(binary20(1), peerIdOf(1))), { action: 'announce', incomplete: 1 });
  client.close();
  child.kill('SIGTERM');
  const result = await done;
  t.is(result.code, 0);
  t.regex(result.stderr, loadNativeBinding().binding === null ? /need plain ws:\/\/ on the native addon .*: running in one thread/ : /\(2 socket workers, 1 swarm workers\)/);
});
