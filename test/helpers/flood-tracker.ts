// A tracker in its own process for flood tests, so that its RSS is its own (the test
// process holds thousands of client sockets). Driven over IPC: it says `ready` with its
// port and file-descriptor limit, answers `sample` with RSS after a full GC and its
// connection counts, and exits on `close`. Start it with startFloodTracker().
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { httpConfigSchema } from '../../src/config/http.js';
import { validateConfig } from '../../src/config/load.js';
import { type Fields, type Section, defaultsOf } from '../../src/config/schema.js';
import { wsConfigSchema } from '../../src/config/ws.js';
import { startSingleThreadHttpTracker } from '../../src/server/http/tracker.js';
import { startSingleThreadWsTracker } from '../../src/server/ws/tracker.js';
import { Logger } from '../../src/util/log.js';

export type FloodTrackerKind = 'http' | 'ws';
type Overrides = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

export interface FloodSample {
  /** Bytes, after two full GCs. */
  readonly rss: number;
  readonly connections: number;
  /** HTTP: connections closed by the idle or request timeout. */
  readonly timeouts: number;
}

type Reply = { type: 'ready'; port: number; openFilesLimit: number } | ({ type: 'sample' } & FloodSample);

/** The soft limit on open files of this process (/proc/self/limits), or Infinity. */
export function openFilesLimit(): number {
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  return match === null || match[1] === 'unlimited' ? Infinity : Number(match[1]);
}

export interface FloodTracker {
  readonly port: number;
  /** The tracker process's soft limit on open files (raised to its hard limit at start). */
  readonly openFilesLimit: number;
  sample(): Promise<FloodSample>;
  close(): Promise<void>;
}

/**
 * Starts the tracker process. It runs under `sh -c 'ulimit -n <hard>'`, which raises the
 * soft limit on open files as far as the hard limit allows (Node cannot call setrlimit).
 */
export async function startFloodTracker(kind: FloodTrackerKind, overrides: Overrides): Promise<FloodTracker> {
  const child: ChildProcess = spawn(
    '/bin/sh',
    ['-c', 'ulimit -n "$(ulimit -H -n)" 2>/dev/null; exec "$0" "$@"', process.execPath, '--expose-gc', fileURLToPath(import.meta.url), kind, JSON.stringify(overrides)],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const replies: Reply[] = [];
  const waiters: ((reply: Reply) => void)[] = [];
  child.on('message', (reply: Reply) => {
    const waiter = waiters.shift();
    if (waiter !== undefined) waiter(reply);
    else replies.push(reply);
  });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`flood tracker exited (${String(code)})`);
  });
  exited.catch(() => {});
  const next = (): Promise<Reply> => {
    const queued = replies.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return Promise.race([new Promise<Reply>((resolve) => waiters.push(resolve)), exited]);
  };
  const ready = await next();
  if (ready.type !== 'ready') throw new Error(`unexpected ${ready.type}`);
  return {
    port: ready.port,
    openFilesLimit: ready.openFilesLimit,
    async sample() {
      child.send({ type: 'sample' });
      const reply = await next();
      if (reply.type !== 'sample') throw new Error(`unexpected ${reply.type}`);
      return reply;
    },
    async close() {
      if (child.exitCode !== null) return;
      const gone = once(child, 'exit');
      child.send({ type: 'close' });
      await gone;
    },
  };
}

function configOf<S extends Section<Fields>>(schema: S, overrides: Overrides): ReturnType<typeof validateConfig<S>> {
  const merged = defaultsOf(schema) as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides)) merged[key] = { ...(merged[key] as object), ...value };
  return validateConfig(schema, merged);
}

/** The child side: runs when this file is the process's entry point. */
async function serve(kind: FloodTrackerKind, overrides: Overrides): Promise<void> {
  const log = new Logger('error', `flood-${kind}`);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  let sample: () => FloodSample;
  let close: () => Promise<void>;
  let port: number;
  if (kind === 'http') {
    const tracker = await startSingleThreadHttpTracker(configOf(httpConfigSchema, overrides), log);
    ({ port } = tracker);
    sample = () => ({ rss: process.memoryUsage().rss, connections: tracker.server.connectionCount, timeouts: tracker.server.counters.timeouts });
    close = () => tracker.close();
  } else {
    const tracker = await startSingleThreadWsTracker(configOf(wsConfigSchema, overrides), log);
    ({ port } = tracker);
    sample = () => ({ rss: process.memoryUsage().rss, connections: tracker.server.connectionCount, timeouts: 0 });
    close = () => tracker.close();
  }
  process.on('message', (message: { type: string }) => {
    if (message.type === 'sample') {
      gc();
      gc();
      process.send!({ type: 'sample', ...sample() } satisfies Reply);
    } else if (message.type === 'close') {
      void close().then(() => process.exit(0));
    }
  });
  // The test process went away without saying close: do not linger.
  process.on('disconnect', () => process.exit(0));
  process.send!({ type: 'ready', port, openFilesLimit: openFilesLimit() } satisfies Reply);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await serve(process.argv[2] as FloodTrackerKind, JSON.parse(process.argv[3]!) as Overrides);
}

/** Polls `probe` (yielding to the event loop between tries) until `done`, or throws after `deadlineMs`. */
export async function until<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, deadlineMs = 10_000): Promise<T> {
  const deadline = performance.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (performance.now() > deadline) throw new Error(`${what}: not reached within ${deadlineMs} ms (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
