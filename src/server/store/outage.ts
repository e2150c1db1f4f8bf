/**
 * Whether an error means "the store is down or overloaded now" (answered 503 + Retry-After, retried by the
 * worker without counting an attempt), as opposed to a bug or a refused value.
 */

/** SQLSTATE classes: 08 connection, 53 insufficient resources, 57 operator intervention (terminated, shutting
 * down), 58 system error, 40 transaction rollback (serialization failure, deadlock); plus 3D000 (database
 * gone) and 28xxx (the server refuses our credentials). */
const PG_OUTAGE_CLASSES = ['08', '53', '57', '58', '40'];
const PG_OUTAGE_CODES = ['3D000', '28000', '28P01', '55000', '55006'];

const NET_CODES = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED'];

const SQLITE_PREFIXES = ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_READONLY', 'SQLITE_CANTOPEN', 'SQLITE_PROTOCOL'];

const MESSAGES =
  /driver has already been destroyed|Connection terminated|timeout exceeded when trying to connect|not queryable|The database connection is not open|Cannot use a pool after calling end|Client was closed|terminating connection/i;

export function isStoreUnavailable(e: unknown, depth = 0): boolean {
  if (depth > 4 || e === null || typeof e !== 'object') return false;
  const err = e as { code?: unknown; message?: unknown; errors?: unknown; cause?: unknown };
  const code = typeof err.code === 'string' ? err.code : '';
  if (/^[0-9A-Z]{5}$/.test(code) && (PG_OUTAGE_CLASSES.includes(code.slice(0, 2)) || PG_OUTAGE_CODES.includes(code))) return true;
  if (NET_CODES.includes(code)) return true;
  if (SQLITE_PREFIXES.some((p) => code.startsWith(p))) return true;
  if (typeof err.message === 'string' && MESSAGES.test(err.message)) return true;
  // Node's happy-eyeballs connect fails with an AggregateError of the per-address errors.
  if (Array.isArray(err.errors) && err.errors.some((x) => isStoreUnavailable(x, depth + 1))) return true;
  return err.cause !== undefined && isStoreUnavailable(err.cause, depth + 1);
}
