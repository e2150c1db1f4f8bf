/**
 * RPM versions: [epoch:]version[-release], compared as rpm's rpmverCmp/rpmvercmp (rpmio/rpmvercmp.c):
 * alphanumeric segments, digits beat letters, '~' sorts before everything, '^' after the base but before
 * any further segment. A version without a release sorts before the same version with one, as OSV
 * scanners (osv-scanner, scalibr) order them; rpm's rpmverCmp would call the two equal, which would let an
 * installed "1.2" pass a "fixed: 1.2-5" bound.
 */
import { compareDigits, compareStrings, defineScheme } from '../util.js';

export interface RpmVersion {
  epoch: string;
  version: string;
  release: string | undefined;
}

export function parseRpm(input: string): RpmVersion | string {
  const v = input.trim();
  if (v === '') return 'empty version';
  if (/\s/.test(v)) return 'embedded whitespace';
  let epoch = '0';
  let rest = v;
  const m = /^([0-9]*):/.exec(v);
  if (m) {
    if (m[1] === '') return 'empty epoch';
    epoch = m[1]!;
    rest = v.slice(m[0].length);
  }
  const dash = rest.lastIndexOf('-');
  const version = dash >= 0 ? rest.slice(0, dash) : rest;
  const release = dash >= 0 ? rest.slice(dash + 1) : undefined;
  if (version === '') return 'empty version part';
  return { epoch, version, release };
}

const isAsciiDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAsciiAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** rpmvercmp on one part. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  const at = (s: string, k: number): number => (k < s.length ? s.charCodeAt(k) : 0);
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAsciiDigit(at(a, i)) && !isAsciiAlpha(at(a, i)) && at(a, i) !== 126 && at(a, i) !== 94) i++;
    while (j < b.length && !isAsciiDigit(at(b, j)) && !isAsciiAlpha(at(b, j)) && at(b, j) !== 126 && at(b, j) !== 94) j++;
    const ca = at(a, i);
    const cb = at(b, j);
    if (ca === 126 || cb === 126) {
      if (ca !== 126) return 1;
      if (cb !== 126) return -1;
      i++;
      j++;
      continue;
    }
    if (ca === 94 || cb === 94) {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (ca !== 94) return 1;
      if (cb !== 94) return -1;
      i++;
      j++;
      continue;
    }
    if (!(i < a.length && j < b.length)) break;
    let ei = i;
    let ej = j;
    let isnum: boolean;
    if (isAsciiDigit(ca)) {
      while (ei < a.length && isAsciiDigit(at(a, ei))) ei++;
      while (ej < b.length && isAsciiDigit(at(b, ej))) ej++;
      isnum = true;
    } else {
      while (ei < a.length && isAsciiAlpha(at(a, ei))) ei++;
      while (ej < b.length && isAsciiAlpha(at(b, ej))) ej++;
      isnum = false;
    }
    if (ej === j) return isnum ? 1 : -1;
    const sa = a.slice(i, ei);
    const sb = b.slice(j, ej);
    const rc = isnum ? compareDigits(sa, sb) : compareStrings(sa, sb);
    if (rc !== 0) return rc;
    i = ei;
    j = ej;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i < a.length ? 1 : -1;
}

export function compareRpm(a: RpmVersion, b: RpmVersion): number {
  const e = compareDigits(a.epoch, b.epoch);
  if (e !== 0) return e;
  const v = rpmvercmp(a.version, b.version);
  if (v !== 0) return v;
  if (a.release === undefined || b.release === undefined) {
    return a.release === b.release ? 0 : a.release === undefined ? -1 : 1;
  }
  return rpmvercmp(a.release, b.release);
}

export const rpmScheme = defineScheme('rpm', parseRpm, compareRpm);
