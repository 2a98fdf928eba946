/**
 * One error type for everything the project reports to users, with a stable code (like undici's UND_ERR_*).
 * `userError` marks mistakes of the user (bad config, bad flag, missing file): the CLI prints the message alone,
 * without a stack trace, and exits non-zero.
 */
export type BeatsErrorCode =
  | 'BEAT_ERR_CONFIG'
  | 'BEAT_ERR_FLAG'
  | 'BEAT_ERR_IO'
  | 'BEAT_ERR_CONNECT'
  | 'BEAT_ERR_TIMEOUT'
  | 'BEAT_ERR_PROTOCOL'
  | 'BEAT_ERR_CLOSED'
  | 'BEAT_ERR_PERMISSION'
  | 'BEAT_ERR_UNSUPPORTED';

export class BeatsError extends Error {
  readonly code: BeatsErrorCode;
  readonly userError: boolean;
  constructor(code: BeatsErrorCode, message: string, opts: { cause?: unknown; userError?: boolean } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'BeatsError';
    this.code = code;
    this.userError = opts.userError ?? (code === 'BEAT_ERR_CONFIG' || code === 'BEAT_ERR_FLAG');
  }
}

/** A configuration mistake: names the file and the option path. */
export class ConfigError extends BeatsError {
  readonly file: string | undefined;
  readonly path: string;
  constructor(file: string | undefined, path: string, message: string) {
    super('BEAT_ERR_CONFIG', `${file ? `${file}: ` : ''}${path ? `${path}: ` : ''}${message}`, { userError: true });
    this.name = 'ConfigError';
    this.file = file;
    this.path = path;
  }
}

export function isUserError(err: unknown): err is BeatsError {
  return err instanceof BeatsError && err.userError;
}

/** Message of any thrown value, for logs. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
