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
  /** [privileges] drop_privileges is set but the process is not root. */
  NOT_ROOT: 'AQUATIC_ERR_NOT_ROOT',
  /** [privileges] user names no user of this system (or names root). */
  UNKNOWN_USER: 'AQUATIC_ERR_UNKNOWN_USER',
  /** [privileges] chroot_path cannot be entered: not a directory, no native addon, or chroot(2) failed. */
  CHROOT: 'AQUATIC_ERR_CHROOT',
  /** Switching to the user failed, or root could still be regained afterwards. */
  PRIVILEGE_DROP: 'AQUATIC_ERR_PRIVILEGE_DROP',
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
