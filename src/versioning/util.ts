import { InvalidVersionError } from '../core/errors.js';
import type { VersionScheme } from './types.js';

/** Sign of a number as -1, 0 or 1. */
export function sign(n: number): -1 | 0 | 1 {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Compare two strings of ASCII digits as unbounded non-negative integers (leading zeros ignored). */
export function compareDigits(a: string, b: string): -1 | 0 | 1 {
  let i = 0;
  while (i < a.length - 1 && a.charCodeAt(i) === 48) i++;
  let j = 0;
  while (j < b.length - 1 && b.charCodeAt(j) === 48) j++;
  const la = a.length - i;
  const lb = b.length - j;
  if (la !== lb) return la < lb ? -1 : 1;
  for (; i < a.length; i++, j++) {
    const d = a.charCodeAt(i) - b.charCodeAt(j);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Plain code-unit comparison (C strcmp / Ruby / Java String.compareTo on ASCII). */
export function compareStrings(a: string, b: string): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Strip leading zeros from a digit string ("007" → "7", "000" → "0"). */
export function stripZeros(d: string): string {
  let i = 0;
  while (i < d.length - 1 && d.charCodeAt(i) === 48) i++;
  return i === 0 ? d : d.slice(i);
}

/** Parsed versions are cached per scheme (4096 entries); the benchmark turns this off to measure parsing. */
export const parseCache = { enabled: true };

/**
 * Build a scheme from a parser and a comparator of parsed values. Parsing failures throw InvalidVersionError;
 * a small cache keeps repeated versions (advisory bounds) cheap.
 */
export function defineScheme<T>(
  id: string,
  parse: (v: string) => T | string,
  cmp: (a: T, b: T) => number,
  format?: (p: T) => string,
): VersionScheme & { parse(v: string): T; canonicalize?: (v: string) => string } {
  const cache = new Map<string, T>();
  const parseOrThrow = (v: string): T => {
    const hit = parseCache.enabled ? cache.get(v) : undefined;
    if (hit !== undefined) return hit;
    if (typeof v !== 'string') throw new InvalidVersionError(id, String(v), 'not a string');
    const r = parse(v);
    if (typeof r === 'string') throw new InvalidVersionError(id, v, r);
    if (parseCache.enabled) {
      if (cache.size > 4096) cache.clear();
      cache.set(v, r);
    }
    return r;
  };
  const scheme: VersionScheme & { parse(v: string): T; canonicalize?: (v: string) => string } = {
    id,
    parse: parseOrThrow,
    isValid(v: string): boolean {
      if (typeof v !== 'string') return false;
      if (parseCache.enabled && cache.has(v)) return true;
      try {
        parseOrThrow(v);
        return true;
      } catch {
        return false;
      }
    },
    compare(a: string, b: string): number {
      return sign(cmp(parseOrThrow(a), parseOrThrow(b)));
    },
  };
  if (format) scheme.canonicalize = (v: string) => format(parseOrThrow(v));
  return scheme;
}
