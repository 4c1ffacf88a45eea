// Every error the tracker raises on purpose, in one place. Each has a stable code so that
// callers (the CLI, tests, embedders) branch on `err.code`, never on message text.

export const ErrorCode = {
  /** A configuration value is missing, unknown, of the wrong type or out of range. */
  CONFIG_INVALID: 'AQUATIC_ERR_CONFIG_INVALID',
  /** The configuration file could not be read or is not valid TOML. */
  CONFIG_FILE: 'AQUATIC_ERR_CONFIG_FILE',
  /** A socket could not be created or bound. */
  BIND: 'AQUATIC_ERR_BIND',
  /** The command line was misused. */
  USAGE: 'AQUATIC_ERR_USAGE',
  /** Embedding hooks that are not functions, or hooks with worker threads (they cannot cross threads). */
  HOOKS_INVALID: 'AQUATIC_ERR_HOOKS_INVALID',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An expected failure: the CLI prints its message (no stack trace) and exits non-zero. */
export class AquaticError extends Error {
  readonly code: ErrorCode;
  /** Every problem found, for errors that collect several (configuration). */
  readonly details: readonly string[];

  constructor(code: ErrorCode, message: string, details: readonly string[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AquaticError';
    this.code = code;
    this.details = details;
  }
}

export function isAquaticError(error: unknown): error is AquaticError {
  return error instanceof AquaticError;
}
