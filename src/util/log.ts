// A levelled logger writing single lines to stderr. Hot paths test the cached `*Enabled`
// flags before building a message, so a disabled level costs one property read.

export const LOG_LEVELS = ['off', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogSink {
  write(line: string): void;
}

const stderrSink: LogSink = { write: (line) => process.stderr.write(line) };

export class Logger {
  readonly errorEnabled: boolean;
  readonly warnEnabled: boolean;
  readonly infoEnabled: boolean;
  readonly debugEnabled: boolean;
  readonly traceEnabled: boolean;

  constructor(
    readonly level: LogLevel,
    readonly name: string,
    private readonly sink: LogSink = stderrSink,
  ) {
    const rank = LOG_LEVELS.indexOf(level);
    this.errorEnabled = rank >= 1;
    this.warnEnabled = rank >= 2;
    this.infoEnabled = rank >= 3;
    this.debugEnabled = rank >= 4;
    this.traceEnabled = rank >= 5;
  }

  /** The same sink and level under another name (e.g. a worker's). */
  child(name: string): Logger {
    return new Logger(this.level, name, this.sink);
  }

  error(message: string): void {
    if (this.errorEnabled) this.emit('ERROR', message);
  }
  warn(message: string): void {
    if (this.warnEnabled) this.emit('WARN', message);
  }
  info(message: string): void {
    if (this.infoEnabled) this.emit('INFO', message);
  }
  debug(message: string): void {
    if (this.debugEnabled) this.emit('DEBUG', message);
  }
  trace(message: string): void {
    if (this.traceEnabled) this.emit('TRACE', message);
  }

  private emit(label: string, message: string): void {
    this.sink.write(`${new Date().toISOString()} ${label.padEnd(5)} ${this.name}: ${message}\n`);
  }
}
