// The files a tracker keeps besides its sockets: the completed-counts file (read at start,
// saved every interval and on shutdown) and the full-scrape export (written every interval).
// Both are built from store snapshots, which the tracker provides: its own store's, or every
// shard's through a message round trip. Writes are atomic and never overlap; a failed write
// is logged (again only when the reason changes) and retried at the next interval.
import { access, constants } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../util/log.js';
import { type CompletedCounts, NO_COUNTS, type StoreSnapshot, completedCountsOf, mergeTorrents } from '../swarm/snapshot.js';
import { writeFileAtomic } from './atomic-write.js';
import { encodeCompletedCounts, readCompletedCountsFile } from './counts-file.js';
import { encodeExport } from './export-file.js';

/** The configuration sections every tracker with swarms has (see config/common.ts). */
export interface TrackerFilesConfig {
  readonly completed_counts: { readonly max_retained_torrents: number; readonly path: string; readonly interval: number };
  readonly full_scrape_export: { readonly path: string; readonly interval: number };
}

/** Snapshots of every store (one per shard), or null when not all of them answered. */
export type SnapshotSource = () => Promise<readonly StoreSnapshot[] | null>;

/** Reads the saved completed counts when [completed_counts] path is set (nothing otherwise). */
export async function loadCompletedCounts(config: TrackerFilesConfig, log: Logger): Promise<CompletedCounts> {
  const { path, max_retained_torrents: max } = config.completed_counts;
  if (path === '') return NO_COUNTS;
  const { counts, found } = await readCompletedCountsFile(path, (message) => log.warn(message));
  if (found) {
    const dropped = Math.max(0, counts.counts.length - max);
    log.info(`restored ${counts.counts.length - dropped} completed counts from ${path}${dropped > 0 ? ` (${dropped} smallest dropped: over max_retained_torrents)` : ''}`);
  }
  return counts;
}

/** One file rewritten from snapshots: periodically, and maybe once more at close. */
class PeriodicFile {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private busy = false;
  private lastProblem = '';

  constructor(
    private readonly what: string,
    private readonly path: string,
    private readonly encode: (snapshots: readonly StoreSnapshot[]) => Iterable<string | Uint8Array>,
    private readonly log: Logger,
  ) {}

  start(seconds: number, source: SnapshotSource): void {
    this.timer = setInterval(() => void this.write(source), seconds * 1000);
    this.timer.unref();
    access(dirname(this.path), constants.W_OK).catch((error: NodeJS.ErrnoException) =>
      this.log.warn(`${this.what}: cannot write in the directory of ${this.path} (${error.code ?? error.message}): saves will fail until that is fixed`),
    );
  }

  /** Writes from `source` unless a write is under way (then this turn is skipped). */
  write(source: SnapshotSource): Promise<void> {
    if (this.busy) return this.writing;
    this.busy = true;
    this.writing = this.writeFrom(source).finally(() => (this.busy = false));
    return this.writing;
  }

  private async writeFrom(source: SnapshotSource): Promise<void> {
    const started = performance.now();
    let problem = '';
    try {
      const snapshots = await source();
      if (snapshots === null) problem = 'not every swarm worker answered';
      else await writeFileAtomic(this.path, this.encode(snapshots));
    } catch (error) {
      problem = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    }
    if (problem !== '' && problem !== this.lastProblem) this.log.warn(`${this.what} not written to ${this.path}: ${problem}`);
    else if (problem === '' && this.lastProblem !== '') this.log.info(`${this.what} written to ${this.path} again`);
    else if (problem === '' && this.log.debugEnabled) this.log.debug(`${this.what} written to ${this.path} in ${(performance.now() - started).toFixed(1)} ms`);
    this.lastProblem = problem;
  }

  /** Stops the timer and waits for a write under way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.writing;
  }
}

export class TrackerFiles {
  private readonly counts: PeriodicFile | null;
  private readonly export: PeriodicFile | null;

  /** `tracker`: the executable's name, recorded in the export; `source`: the stores' snapshots. */
  constructor(
    tracker: string,
    config: TrackerFilesConfig,
    private readonly source: SnapshotSource,
    log: Logger,
  ) {
    const { completed_counts: counts, full_scrape_export: exported } = config;
    this.counts = counts.path === '' ? null : new PeriodicFile('completed counts', counts.path, (s) => encodeCompletedCounts(completedCountsOf(s)), log);
    this.export = exported.path === '' ? null : new PeriodicFile('full-scrape export', exported.path, (s) => encodeExport(tracker, mergeTorrents(s), new Date()), log);
    this.counts?.start(counts.interval, source);
    this.export?.start(exported.interval, source);
  }

  /** Stops the timers and waits for writes under way. */
  async stop(): Promise<void> {
    await Promise.all([this.export?.stop(), this.counts?.stop()]);
  }

  /** Saves the counts once more, from `final` (snapshots taken after the sockets closed). */
  async saveCounts(final: SnapshotSource = this.source): Promise<void> {
    await this.counts?.write(final);
  }

  /** stop(), then the last save of the counts. */
  async close(): Promise<void> {
    await this.stop();
    await this.saveCounts();
  }
}

/** The store of a tracker that runs in one thread, as far as its files are concerned. */
export interface SnapshotStore {
  readonly retained: { restore(saved: CompletedCounts): void };
  snapshot(): StoreSnapshot;
}

/**
 * For a tracker whose one store lives in this thread: restores the saved counts into `store`
 * now (before it serves), and returns the start of its files (once it listens).
 */
export async function restoreStoreFiles(tracker: string, config: TrackerFilesConfig, store: SnapshotStore, log: Logger): Promise<() => TrackerFiles> {
  store.retained.restore(await loadCompletedCounts(config, log));
  return () => new TrackerFiles(tracker, config, async () => [store.snapshot()], log);
}
