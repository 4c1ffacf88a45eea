// What the load-test executables share: run the test, print the table and the RESULT line
// (and the JSON summary if configured) when it ends by itself or on Ctrl-C, and exit with
// 1 when the tracker never answered validly.
import type { LogLevel, Logger } from '../util/log.js';
import type { RunningLoadTest } from '../loadtest/common/coordinator.js';
import type { Service } from './program.js';

/** Exit code when the run completed but the tracker never answered validly. */
const EXIT_NO_RESPONSES = 1;

export interface LoadTestConfig {
  readonly log_level: LogLevel;
  readonly server_address: string;
  readonly output: { readonly json: string };
}

export interface LoadTestReport<S> {
  readonly name: string;
  formatTable(summary: S): string;
  resultLine(summary: S): string;
  writeJson(path: string, summary: NoInfer<S>): void;
  validResponses(summary: S): number;
}

/** Starts a load test as a Service for runExecutable. */
export async function loadTestService<C extends LoadTestConfig, S>(
  config: C,
  log: Logger,
  start: (config: C, log: Logger) => Promise<RunningLoadTest<unknown, S>>,
  report: LoadTestReport<S>,
): Promise<Service> {
  const print = (summary: S) => {
    process.stdout.write(`${report.name}: ${config.server_address}\n${report.formatTable(summary)}${report.resultLine(summary)}`);
    if (config.output.json === '') return;
    try {
      report.writeJson(config.output.json, summary);
    } catch (error) {
      log.error(`cannot write ${config.output.json}: ${(error as Error).message}`);
    }
  };
  const test = await start(config, log);
  let closing = false;
  const done = test.finished.then(
    (summary) => {
      if (closing) return new Promise<number>(() => {});
      print(summary);
      return report.validResponses(summary) > 0 ? 0 : EXIT_NO_RESPONSES;
    },
    (error: unknown) => {
      log.error(`load test failed: ${(error as Error).message}`);
      return 1;
    },
  );
  return {
    done,
    async close() {
      closing = true;
      print(await test.close());
    },
  };
}
