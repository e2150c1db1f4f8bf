/**
 * Error classes with stable codes. Callers and tests branch on `code`; the message is free text.
 * Every error the CLI can print carries a hint: what the user can do about it.
 */
export type ErrorCode =
  | 'BULWARK_E_USAGE'
  | 'BULWARK_E_IO'
  | 'BULWARK_E_DB_MISSING'
  | 'BULWARK_E_DB_INCOMPATIBLE'
  | 'BULWARK_E_DB_LOCKED'
  | 'BULWARK_E_FEED'
  | 'BULWARK_E_FEED_MISSING'
  | 'BULWARK_E_FETCH'
  | 'BULWARK_E_ARCHIVE'
  | 'BULWARK_E_PARSE'
  | 'BULWARK_E_INVALID_VERSION'
  | 'BULWARK_E_UNKNOWN_SCHEME'
  | 'BULWARK_E_UNSUPPORTED'
  | 'BULWARK_E_TIMEOUT';

export class BulwarkError extends Error {
  readonly code: ErrorCode;
  /** What the user can do about it; printed after the message. */
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options?.hint;
  }
}

export class UsageError extends BulwarkError {
  constructor(message: string, hint?: string) {
    super('BULWARK_E_USAGE', message, { hint });
  }
}

export class FileError extends BulwarkError {
  readonly path: string;
  constructor(path: string, message: string, options?: { hint?: string; cause?: unknown }) {
    super('BULWARK_E_IO', `${path}: ${message}`, options);
    this.path = path;
  }
}

export class ParseError extends BulwarkError {
  readonly path: string;
  constructor(path: string, message: string, options?: { hint?: string; cause?: unknown }) {
    super('BULWARK_E_PARSE', `${path}: ${message}`, options);
    this.path = path;
  }
}

export class DatabaseMissingError extends BulwarkError {
  constructor(path: string) {
    super('BULWARK_E_DB_MISSING', `no advisory database at ${path}`, {
      hint: 'run `bulwark db update` (or `bulwark db update --source <mirror>` offline) first',
    });
  }
}

export class DatabaseIncompatibleError extends BulwarkError {
  constructor(path: string, found: string, expected: number) {
    super('BULWARK_E_DB_INCOMPATIBLE', `advisory database ${path} has schema model ${found}; this Bulwark reads model ${expected}`, {
      hint: 'run `bulwark db update` to rebuild it',
    });
  }
}

export class FeedError extends BulwarkError {
  readonly feed: string;
  constructor(feed: string, message: string, options?: { hint?: string; cause?: unknown; code?: ErrorCode }) {
    super(options?.code ?? 'BULWARK_E_FEED', `feed ${feed}: ${message}`, options);
    this.feed = feed;
  }
}

export class FetchError extends BulwarkError {
  readonly url: string;
  readonly status: number | undefined;
  /** Whether a retry may succeed (network fault, 5xx, 429, truncated body). */
  readonly retryable: boolean;
  constructor(url: string, message: string, options: { status?: number; retryable: boolean; cause?: unknown }) {
    super('BULWARK_E_FETCH', `${url}: ${message}`, { cause: options.cause });
    this.url = url;
    this.status = options.status;
    this.retryable = options.retryable;
  }
}

export class InvalidVersionError extends BulwarkError {
  readonly scheme: string;
  readonly version: string;
  constructor(scheme: string, version: string, reason?: string) {
    super('BULWARK_E_INVALID_VERSION', `invalid ${scheme} version ${JSON.stringify(version)}${reason ? `: ${reason}` : ''}`);
    this.scheme = scheme;
    this.version = version;
  }
}

export class UnknownSchemeError extends BulwarkError {
  constructor(name: string, known: readonly string[]) {
    super('BULWARK_E_UNKNOWN_SCHEME', `unknown version scheme ${JSON.stringify(name)}`, {
      hint: `use one of: ${known.join(', ')}`,
    });
  }
}

export function isBulwarkError(e: unknown): e is BulwarkError {
  return e instanceof BulwarkError;
}

/** One line for humans, whatever was thrown. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
