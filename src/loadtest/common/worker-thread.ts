// The body of a load worker thread, whatever the protocol: open the worker from the setup
// the coordinator passed, start it, say ready (or why it failed), stop on STOP.
import { parentPort, workerData } from 'node:worker_threads';
import { ErrorCode, isAquaticError } from '../../errors.js';
import { type LoadWorkerMessage, type LoadWorkerSetup, STOP } from './messages.js';

export interface RunnableLoadWorker<Info> {
  /** What the coordinator learns once the worker is ready (e.g. the transport in use). */
  readonly info: Info;
  start(): void;
  stop(): Promise<void>;
}

export function serveLoadWorkerThread<Config, Info>(
  open: (config: Config, index: number, stats: Float64Array) => Promise<RunnableLoadWorker<Info>>,
): void {
  const setup = workerData as LoadWorkerSetup<Config>;
  const port = parentPort!;
  const post = (message: LoadWorkerMessage<Info>): void => port.postMessage(message);
  open(setup.config, setup.index, setup.stats).then(
    (worker) => {
      port.on('message', (message: unknown) => {
        if (message !== STOP) return;
        void worker.stop().then(() => {
          post({ type: 'stopped' });
          port.close();
        });
      });
      worker.start();
      post({ type: 'ready', info: worker.info });
    },
    (error: unknown) =>
      post({
        type: 'failed',
        code: isAquaticError(error) ? error.code : ErrorCode.BIND,
        message: error instanceof Error ? error.message : String(error),
      }),
  );
}
