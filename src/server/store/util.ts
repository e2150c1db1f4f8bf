import crypto from 'node:crypto';

/** Timestamps are ISO-8601 UTC text on both engines. */
export function now(): string {
  return new Date().toISOString();
}

export function later(ms: number): string {
  return new Date(Date.now() + ms).toISOString();
}

export function chunks<T>(rows: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

export function randomId(): string {
  return crypto.randomBytes(8).toString('hex');
}

/** Escapes a user's text for `LIKE … ESCAPE '\'`: `%`, `_` and `\` match themselves. */
export function likeContains(text: string): string {
  return '%' + text.replace(/[\\%_]/g, (c) => '\\' + c) + '%';
}
