// The command line every aquatic executable shares: -c FILE, -p, -P, -v, -h, environment
// overrides, error reporting without stack traces, the privilege drop once a tracker is
// bound, and graceful shutdown on signals.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { ENV_PREFIX, loadConfig, renderToml } from '../config/load.js';
import { type Fields, type Infer, type Section, defaultsOf } from '../config/schema.js';
import { isAquaticError } from '../errors.js';
import { Logger, type LogLevel } from '../util/log.js';
import { type PrivilegeDrop, type PrivilegesConfig, preparePrivilegeDrop } from './privileges.js';

/** Something started by an executable that can be stopped gracefully. */
export interface Service {
  close(): Promise<void>;
  /** Resolves if the service stops by itself (e.g. a worker thread died). */
  readonly failure?: Promise<Error>;
  /** Resolves with the exit code when the service finishes its work (a load test's duration). */
  readonly done?: Promise<number>;
}

export interface ExecutableSpec<S extends Section<Fields>> {
  /** e.g. "aquatic_udp". */
  readonly name: string;
  readonly description: string;
  readonly schema: S;
  /** An environment override to show in -p and --help, e.g. "NETWORK__ADDRESS=127.0.0.1:3000". */
  readonly envExample?: string;
  /** Starts the service with a validated, frozen configuration. */
  start(config: Infer<S>, log: Logger): Promise<Service>;
}

/** Seconds a graceful shutdown may take before the process exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

export function packageVersion(): string {
  const text = readFileSync(new URL('../../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

function header(name: string, envExample: string): string[] {
  return [
    `${name} configuration (TOML). Every key is optional: a missing key takes the default shown.`,
    'Unknown keys are an error. Any key can also be set from the environment:',
    `${ENV_PREFIX}<SECTION>__<KEY> for a key in a section, ${ENV_PREFIX}<KEY> for a top-level key,`,
    `e.g. ${ENV_PREFIX}${envExample} or ${ENV_PREFIX}LOG_LEVEL=debug.`,
    'The environment overrides the file.',
  ];
}

/** Runs an executable; resolves with the exit code (the process keeps running while serving). */
export async function runExecutable<S extends Section<Fields>>(spec: ExecutableSpec<S>, argv: readonly string[]): Promise<number> {
  const envExample = spec.envExample ?? 'NETWORK__ADDRESS=127.0.0.1:3000';
  const program = new Command(spec.name)
    .description(spec.description)
    .version(packageVersion(), '-v, --version', 'print the version and exit')
    .helpOption('-h, --help', 'print this help and exit')
    .option('-c, --config-file <FILE>', 'run with the configuration in FILE (TOML)')
    .option('-p, --print-config', 'print the default configuration as commented TOML and exit')
    .option('-P, --print-parsed-config', 'print the configuration as parsed (file, environment, defaults) and exit')
    .addHelpText(
      'after',
      `\nConfiguration keys can also be set from the environment, e.g.\n  ${ENV_PREFIX}${envExample} ${spec.name}\n` +
        `Run ${spec.name} -p to see every key with its default and meaning.`,
    )
    .allowExcessArguments(false)
    .configureOutput({ outputError: (text, write) => write(`${spec.name}: ${text.replace(/^error: /, '')}`) })
    .exitOverride();

  try {
    program.parse(argv as string[]);
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    return code === 0 ? 0 : 2;
  }
  const options = program.opts<{ configFile?: string; printConfig?: boolean; printParsedConfig?: boolean }>();

  if (options.printConfig) {
    process.stdout.write(renderToml(spec.schema, defaultsOf(spec.schema), header(spec.name, envExample)));
    return 0;
  }
  let config: Infer<S>;
  try {
    const loaded = loadConfig(spec.schema, { file: options.configFile });
    for (const warning of loaded.warnings) process.stderr.write(`${spec.name}: warning: ${warning}\n`);
    config = loaded.config;
  } catch (error) {
    if (!isAquaticError(error)) throw error;
    process.stderr.write(`${spec.name}: ${error.message}\n`);
    return 2;
  }
  if (options.printParsedConfig) {
    process.stdout.write(renderToml(spec.schema, config, [`${spec.name} configuration as parsed.`]));
    return 0;
  }

  const log = new Logger((config as { log_level?: LogLevel }).log_level ?? 'info', spec.name);
  // Signals are caught from the start: without a listener SIGTERM kills the process outright,
  // and one that comes while the service starts stops it as soon as it is up.
  let stopping = false;
  let signalled: () => void = () => {};
  const firstSignal = new Promise<void>((resolve) => (signalled = resolve));
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    log.info(`${signal}: shutting down`);
    signalled();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  let service: Service;
  try {
    // Checked before anything is bound; applied once every socket of every worker is.
    const privileges = (config as { privileges?: PrivilegesConfig }).privileges;
    const drop = privileges === undefined ? null : preparePrivilegeDrop(privileges, log);
    service = await spec.start(config, log);
    await applyOrClose(drop, service);
  } catch (error) {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    if (!isAquaticError(error)) throw error;
    process.stderr.write(`${spec.name}: ${error.message}\n`);
    return 1;
  }
  return new Promise<number>((resolve) => {
    void firstSignal.then(() => {
      const timer = setTimeout(() => {
        log.error(`shutdown took over ${SHUTDOWN_TIMEOUT_MS} ms: exiting`);
        process.exit(1);
      }, SHUTDOWN_TIMEOUT_MS);
      timer.unref();
      service.close().then(
        () => resolve(0),
        (error: unknown) => {
          log.error(`shutdown failed: ${String(error)}`);
          resolve(1);
        },
      );
    });
    void service.done?.then((code) => resolve(code));
    void service.failure?.then((error) => {
      log.error(`stopping after a failure: ${error.message}`);
      void service.close().finally(() => resolve(1));
    });
  });
}

/** Drops privileges for a started service; if that fails, the service is closed and the error thrown. */
async function applyOrClose(drop: PrivilegeDrop | null, service: Service): Promise<void> {
  try {
    drop?.apply();
  } catch (error) {
    await service.close();
    throw error;
  }
}

/** Entry point used by the bin scripts: run, then exit with the code. */
export function main<S extends Section<Fields>>(spec: ExecutableSpec<S>): void {
  runExecutable(spec, process.argv).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${spec.name}: internal error: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(70);
    },
  );
}
