// The error family of the library. The CLI alone turns these into
// `abort: <message>` / `(<hint>)` lines and an exit code, as hg's
// scmutil.callcatch does.

export type ErrorCode =
  | 'ABORT'
  | 'INPUT'
  | 'STATE'
  | 'CONFIG'
  | 'CANCELED'
  | 'STORAGE'
  | 'LOOKUP'
  | 'AMBIGUOUS_PREFIX'
  | 'UNSUPPORTED'
  | 'MANIFEST'
  | 'LOCK_HELD'
  | 'IO'
  | 'REPO_NOT_FOUND';

export interface HgErrorOptions {
  hint?: string;
  cause?: unknown;
}

export class HgError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  /** Exit code with `ui.detailed-exit-code` (hg's detailed_exit_code); plain mode always uses 255. */
  readonly detailedExitCode: number;

  constructor(code: ErrorCode, message: string, detailedExitCode: number, opts: HgErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = opts.hint;
    this.detailedExitCode = detailedExitCode;
  }
}

/** A generic `abort:` error (hg's error.Abort). */
export class AbortError extends HgError {
  constructor(message: string, opts?: HgErrorOptions) {
    super('ABORT', message, 255, opts);
  }
}

/** Bad user input: unknown flags, malformed arguments (hg's InputError). */
export class InputError extends HgError {
  constructor(message: string, opts?: HgErrorOptions) {
    super('INPUT', message, 10, opts);
  }
}

/** The repository is in the wrong state for the operation (hg's StateError). */
export class StateError extends HgError {
  constructor(message: string, opts?: HgErrorOptions) {
    super('STATE', message, 20, opts);
  }
}

export class ConfigError extends HgError {
  constructor(message: string, opts?: HgErrorOptions) {
    super('CONFIG', message, 30, opts);
  }
}

export class CanceledError extends HgError {
  constructor(message: string, opts?: HgErrorOptions) {
    super('CANCELED', message, 250, opts);
  }
}

/** The repository's files are damaged or inconsistent (hg's StorageError / RevlogError). */
export class StorageError extends HgError {
  constructor(message: string, opts?: HgErrorOptions) {
    super('STORAGE', message, 50, opts);
  }
}

/** A revision, node or path that does not exist (hg's RepoLookupError / LookupError). */
export class LookupError extends HgError {
  constructor(message: string, opts?: HgErrorOptions) {
    super('LOOKUP', message, 10, opts);
  }
}

export class AmbiguousPrefixError extends HgError {
  constructor(message: string, opts?: HgErrorOptions) {
    super('AMBIGUOUS_PREFIX', message, 10, opts);
  }
}

/** An unknown requirement or on-disk format hgkit cannot handle. */
export class UnsupportedFeatureError extends HgError {
  constructor(message: string, opts?: HgErrorOptions) {
    super('UNSUPPORTED', message, 255, opts);
  }
}

export class RepoNotFoundError extends HgError {
  constructor(message: string, opts?: HgErrorOptions) {
    super('REPO_NOT_FOUND', message, 10, opts);
  }
}

/** Malformed manifest text or a bad manifest operation. */
export class ManifestError extends HgError {
  constructor(message: string, opts?: HgErrorOptions) {
    super('MANIFEST', message, 50, opts);
  }
}

export class LockHeldError extends HgError {
  constructor(message: string, opts?: HgErrorOptions) {
    super('LOCK_HELD', message, 20, opts);
  }
}

/** A failed file-system call; `op` and `path` say which. */
export class IoError extends HgError {
  readonly op: string;
  readonly path: string;
  readonly errno?: string;
  constructor(op: string, path: string, message: string, errno?: string, opts?: HgErrorOptions) {
    super('IO', message, 255, opts);
    this.op = op;
    this.path = path;
    this.errno = errno;
  }
}
