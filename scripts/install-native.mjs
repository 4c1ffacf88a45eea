// The npm install hook: build the Linux UDP addon unless a build or prebuild already loads.
// Never fails the install: without the addon the tracker falls back to node:dgram.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const logFile = join(root, 'build', 'install-native.log');

/** Whether node-gyp-build finds a build (build/Release, prebuilds/…) that loads. */
function loads() {
  try {
    require('node-gyp-build')(root);
    return true;
  } catch {
    return false;
  }
}

/** node-gyp as [command, ...args]: npm's own choice, then PATH, then the copy bundled with npm. */
function findNodeGyp() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) {
    return fromNpm.endsWith('.js') ? [process.execPath, fromNpm] : [fromNpm];
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'node-gyp');
    try {
      accessSync(candidate, constants.X_OK);
      return [candidate];
    } catch {
      // not here
    }
  }
  const bundled = resolve(process.execPath, '../../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
  return existsSync(bundled) ? [process.execPath, bundled] : null;
}

/**
 * Headers installed next to this node (official tarballs and nodesource packages ship
 * include/node), so node-gyp need not download them: installs work offline.
 */
function localNodeDir() {
  if (process.env.npm_config_nodedir) return null;
  const prefix = resolve(process.execPath, '../..');
  const headers = join(prefix, 'include', 'node');
  return existsSync(join(headers, 'common.gypi')) && existsSync(join(headers, 'node_api.h')) ? prefix : null;
}

/** Builds with node-gyp; returns null on success or the reason it did not work. */
function build() {
  const nodeGyp = findNodeGyp();
  if (nodeGyp === null) return 'node-gyp not found';
  const [command, ...args] = nodeGyp;
  args.push('rebuild', '--release', '--jobs=max');
  const nodeDir = localNodeDir();
  if (nodeDir !== null) args.push(`--nodedir=${nodeDir}`);

  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  try {
    mkdirSync(dirname(logFile), { recursive: true });
    writeFileSync(logFile, `${[command, ...args].join(' ')}\n${result.stdout ?? ''}${result.stderr ?? ''}`);
  } catch {
    // the log is a convenience
  }
  if (result.error) return `${result.error.message}`;
  if (result.status !== 0) return `node-gyp exited with code ${result.status}; see build/install-native.log`;
  return loads() ? null : 'it was built but does not load';
}

// --force (npm run build:native) rebuilds even when a build already loads.
const force = process.argv.includes('--force');
if (process.platform === 'linux' && process.env.AQUATIC_NATIVE !== '0' && (force || !loads())) {
  const reason = build();
  if (reason !== null) {
    console.warn(`aquatic: native UDP addon not built (${reason}); the tracker will use the node:dgram fallback`);
    if (force) process.exitCode = 1;
  }
}
