/**
 * SemVer 2.0.0 (semver.org) as npm reads it: an optional leading 'v', surrounding whitespace trimmed,
 * build metadata ignored for precedence; prerelease identifiers compare numerically when numeric (numeric <
 * alphanumeric) and by ASCII otherwise. Used for npm, crates.io, Hex and Pub.
 */
import { compareDigits, compareStrings, defineScheme } from '../util.js';

export interface SemVer {
  major: string;
  minor: string;
  patch: string;
  prerelease: string[];
  build: string[];
}

const NUM = '0|[1-9]\\d*';
const PRE_ID = '(?:0|[1-9]\\d*|\\d*[a-zA-Z-][a-zA-Z0-9-]*)';
const BUILD_ID = '[0-9A-Za-z-]+';
const SEMVER_RE = new RegExp(
  `^(${NUM})\\.(${NUM})\\.(${NUM})(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+(${BUILD_ID}(?:\\.${BUILD_ID})*))?$`,
);
const MAX_SAFE = String(Number.MAX_SAFE_INTEGER);

/** Strict SemVer 2.0.0 after removing one leading 'v' (as npm's strict parser does); numbers must fit in a safe integer. */
export function parseSemVerCore(v: string, scheme: string, allowPrefix: boolean): SemVer | string {
  let s = v.trim();
  if (s.length > 256) return 'longer than 256 characters';
  if (allowPrefix && s.startsWith('v')) s = s.slice(1);
  const m = SEMVER_RE.exec(s);
  if (!m) return `not a ${scheme} version (MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD])`;
  const [, major, minor, patch, pre, build] = m;
  for (const n of [major!, minor!, patch!]) if (compareDigits(n, MAX_SAFE) > 0) return 'number too large';
  return {
    major: major!,
    minor: minor!,
    patch: patch!,
    prerelease: pre ? pre.split('.') : [],
    build: build ? build.split('.') : [],
  };
}

const isNumeric = (s: string): boolean => /^[0-9]+$/.test(s);

export function comparePrerelease(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    const xn = isNumeric(x);
    const yn = isNumeric(y);
    if (xn && yn) return compareDigits(x, y);
    if (xn) return -1;
    if (yn) return 1;
    return compareStrings(x, y);
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function compareSemVer(a: SemVer, b: SemVer): number {
  return (
    compareDigits(a.major, b.major) ||
    compareDigits(a.minor, b.minor) ||
    compareDigits(a.patch, b.patch) ||
    comparePrerelease(a.prerelease, b.prerelease)
  );
}

export function formatSemVer(v: SemVer): string {
  return `${v.major}.${v.minor}.${v.patch}${v.prerelease.length ? `-${v.prerelease.join('.')}` : ''}`;
}

const semverStrict = defineScheme('semver', (v) => parseSemVerCore(v, 'semver', true), compareSemVer, formatSemVer);

/**
 * Advisories sometimes give partial versions ("introduced": "1.0" in GHSA-r683-j2x4-v87g); like osv-scanner,
 * read the missing parts as zero there rather than leaving the range undecidable.
 */
function coerceSemVer(v: string): string | undefined {
  const m = /^v?((?:0|[1-9]\d*)(?:\.(?:0|[1-9]\d*))?)$/.exec(v.trim());
  if (!m) return undefined;
  return m[1]!.includes('.') ? `${m[1]}.0` : `${m[1]}.0.0`;
}

export const semverScheme: typeof semverStrict = Object.assign(semverStrict, { coerce: coerceSemVer });
