import type { FastifyRequest } from 'fastify';
import { SEVERITIES, isSeverity } from '../core/severity.js';
import type { Severity } from '../core/severity.js';
import { decodeCursor } from './store/queries.js';
import { InvalidRequestError } from './errors.js';

/** Query-string helpers: strict, with 400s that say what was wrong. */
export type Query = Record<string, string | string[] | undefined>;

export function query(req: FastifyRequest): Query {
  return (req.query ?? {}) as Query;
}

export function one(q: Query, name: string): string | undefined {
  const v = q[name];
  if (Array.isArray(v)) return v[v.length - 1];
  return v === '' ? undefined : v;
}

export function intParam(q: Query, name: string, def: number, min: number, max: number): number {
  const v = one(q, name);
  if (v === undefined) return def;
  if (!/^\d+$/.test(v)) throw new InvalidRequestError(`${name} must be an integer`);
  const n = Number(v);
  if (n < min || n > max) throw new InvalidRequestError(`${name} must be between ${min} and ${max}`);
  return n;
}

export function boolParam(q: Query, name: string): boolean | undefined {
  const v = one(q, name);
  if (v === undefined) return undefined;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new InvalidRequestError(`${name} must be true or false`);
}

export function severityParam(q: Query, name: string): Severity[] | undefined {
  const v = one(q, name);
  if (v === undefined) return undefined;
  const out: Severity[] = [];
  for (const s of v.split(',').map((x) => x.trim().toUpperCase()).filter(Boolean)) {
    if (!isSeverity(s)) throw new InvalidRequestError(`${name} must be a comma-separated list of ${SEVERITIES.join(', ')}`);
    out.push(s);
  }
  return out;
}

/** Pagination: `limit` plus either `cursor` (from nextCursor) or `offset`. */
export function pageParams(q: Query, maxLimit = 500): { limit: number; offset: number; cursor: string | undefined } {
  const limit = intParam(q, 'limit', 50, 1, maxLimit);
  const cursor = one(q, 'cursor');
  let offset = intParam(q, 'offset', 0, 0, 10_000_000);
  if (cursor !== undefined) {
    const fromCursor = decodeCursor(cursor, (v): v is number => Number.isInteger(v));
    if (fromCursor !== undefined) offset = fromCursor;
  }
  return { limit, offset, cursor };
}

export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function checkName(what: string, v: unknown): string {
  if (typeof v !== 'string' || !NAME_RE.test(v)) {
    throw new InvalidRequestError(`${what} must be 1-128 characters: letters, digits, '.', '_' or '-', starting with a letter or digit`);
  }
  return v;
}

export function body(req: FastifyRequest): Record<string, unknown> {
  const b = req.body;
  if (b === undefined || b === null) return {};
  if (typeof b !== 'object' || Array.isArray(b)) throw new InvalidRequestError('the body must be a JSON object');
  return b as Record<string, unknown>;
}
