// What a load tester's coordinator and its worker threads tell each other. Counts go
// through shared memory (the stats array), never through messages.
import type { ErrorCode } from '../../errors.js';

export interface LoadWorkerSetup<Config> {
  readonly config: Config;
  readonly index: number;
  /** Over a SharedArrayBuffer: the worker's counters. */
  readonly stats: Float64Array;
}

export type LoadWorkerMessage<Info> =
  | { readonly type: 'ready'; readonly info: Info }
  | { readonly type: 'failed'; readonly code: ErrorCode; readonly message: string }
  | { readonly type: 'stopped' };

/** The coordinator's one message to a worker. */
export const STOP = 'stop';
