// Configuration: defaults round-trip through `-p`, errors name the key, the environment
// overrides, the result is frozen.
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { loadConfig, renderToml } from '../../src/config/load.js';
import { defaultsOf } from '../../src/config/schema.js';
import { udpConfigSchema } from '../../src/config/udp.js';
import { isAquaticError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'aquatic-config-'));
let files = 0;
function file(text: string): string {
  const path = join(dir, `c${files++}.toml`);
  writeFileSync(path, text);
  return path;
}

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (isAquaticError(error)) return [...error.details, error.message];
    throw error;
  }
  throw new Error('expected an error');
}

test('the printed default configuration parses back to the defaults', (t) => {
  const defaults = defaultsOf(udpConfigSchema);
  const printed = renderToml(udpConfigSchema, defaults, ['header']);
  t.deepEqual(loadConfig(udpConfigSchema, { file: file(printed), env: {} }).config, defaults);
});

test('a file may hold one line; missing keys take defaults', (t) => {
  const { config } = loadConfig(udpConfigSchema, { file: file('[network]\naddress = "[::1]:4000"\n'), env: {} });
  t.is(config.network.address, '[::1]:4000');
  t.is(config.protocol.max_response_peers, defaultsOf(udpConfigSchema).protocol.max_response_peers);
});

test('unknown keys are errors that name the key path and suggest the near one', (t) => {
  const found = problems(() => loadConfig(udpConfigSchema, { file: file('[network]\nadress = "1.2.3.4:1"\n[nonsense]\nx = 1\n'), env: {} }));
  t.true(found.some((p) => p.includes('unknown key `network.adress` (did you mean `network.address`?)')));
  t.true(found.some((p) => p.includes('unknown key `nonsense`')));
});

test('wrong types and out-of-range values name the key', (t) => {
  const found = problems(() =>
    loadConfig(udpConfigSchema, {
      file: file('socket_workers = 0\nlog_level = "loud"\n[protocol]\nmax_response_peers = "50"\n[network]\naddress = "localhost:3000"\nonly_ipv6 = 1\n'),
      env: {},
    }),
  );
  t.true(found.some((p) => p.startsWith('`socket_workers`: must be from 1 to 256, got 0')));
  t.true(found.some((p) => p.startsWith('`log_level`: expected one of')));
  t.true(found.some((p) => p.startsWith('`protocol.max_response_peers`: expected an integer')));
  t.true(found.some((p) => p.startsWith('`network.address`:') && p.includes('not resolved')));
  t.true(found.some((p) => p.startsWith('`network.only_ipv6`: expected true or false')));
});

test('a table where a value belongs, and TOML syntax errors, are reported', (t) => {
  t.true(problems(() => loadConfig(udpConfigSchema, { file: file('network = 3\n'), env: {} })).some((p) => p.includes('`network` must be a table')));
  const syntax = problems(() => loadConfig(udpConfigSchema, { file: file('[network\n'), env: {} }));
  t.regex(syntax.at(-1)!, /not valid TOML \(line 1/);
  t.regex(problems(() => loadConfig(udpConfigSchema, { file: join(dir, 'missing.toml'), env: {} })).at(-1)!, /no such file/);
});

test('environment variables override the file, with types parsed', (t) => {
  const { config, warnings } = loadConfig(udpConfigSchema, {
    file: file('[network]\naddress = "127.0.0.1:1"\n'),
    env: {
      AQUATIC_NETWORK__ADDRESS: '127.0.0.1:3001',
      AQUATIC_NETWORK__ONLY_IPV6: 'true',
      AQUATIC_PROTOCOL__MAX_RESPONSE_PEERS: '10',
      AQUATIC_LOG_LEVEL: 'debug',
      AQUATIC_NATIVE: '0',
      AQUATIC_NETWORK__TYPO: '1',
      UNRELATED: 'x',
    },
  });
  t.is(config.network.address, '127.0.0.1:3001');
  t.true(config.network.only_ipv6);
  t.is(config.protocol.max_response_peers, 10);
  t.is(config.log_level, 'debug');
  t.deepEqual(warnings, ['environment variable AQUATIC_NETWORK__TYPO names no configuration key (network.typo); ignored']);
});

test('a bad environment value names the variable', (t) => {
  const found = problems(() => loadConfig(udpConfigSchema, { env: { AQUATIC_SOCKET_WORKERS: 'many' } }));
  t.true(found.some((p) => p.startsWith('`socket_workers` (from AQUATIC_SOCKET_WORKERS): expected an integer')));
});

test('the loaded configuration is deeply frozen', (t) => {
  const { config } = loadConfig(udpConfigSchema, { env: {} });
  t.true(Object.isFrozen(config));
  t.true(Object.isFrozen(config.network));
  t.throws(() => {
    (config.network as { address: string }).address = 'x';
  });
});
