// What the coordinator and a load worker thread tell each other (counts go through shared
// memory, not messages).
import type { UdpLoadTestConfig } from '../../config/udp-load-test.js';
import type { ErrorCode } from '../../errors.js';

export interface LoadWorkerSetup {
  readonly config: UdpLoadTestConfig;
  readonly index: number;
  /** Over a SharedArrayBuffer: the worker's counters (see stats.ts). */
  readonly stats: Float64Array;
}

export type LoadWorkerMessage =
  | { readonly type: 'ready'; readonly transport: 'native' | 'dgram' }
  | { readonly type: 'failed'; readonly code: ErrorCode; readonly message: string }
  | { readonly type: 'stopped' };

/** The coordinator's one message to a worker. */
export const STOP = 'stop';
