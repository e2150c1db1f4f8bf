/**
 * Alpine apk versions, compared as apk-tools (src/version.c): digits('.'digits)*[letter](_suffix[N])*[-rN],
 * pre-release suffixes _alpha < _beta < _pre < _rc sort before the bare version, post-release suffixes
 * _cvs < _svn < _git < _hg < _p after it. A component after '.' that starts with '0' compares as a
 * decimal fraction (1.05 < 1.5).
 */
import { defineScheme } from '../util.js';

const enum T {
  Invalid = -1,
  DigitOrZero = 0,
  Digit = 1,
  Letter = 2,
  Suffix = 3,
  SuffixNo = 4,
  RevisionNo = 5,
  End = 6,
}

const PRE = ['alpha', 'beta', 'pre', 'rc'];
const POST = ['cvs', 'svn', 'git', 'hg', 'p'];

interface Cursor {
  s: string;
  p: number;
  t: T;
}

const isDigitAt = (s: string, p: number): boolean => p < s.length && s.charCodeAt(p) >= 48 && s.charCodeAt(p) <= 57;
const isLowerAt = (s: string, p: number): boolean => p < s.length && s.charCodeAt(p) >= 97 && s.charCodeAt(p) <= 122;

function nextToken(c: Cursor): void {
  let n = T.Invalid;
  if (c.p >= c.s.length) n = T.End;
  else if ((c.t === T.Digit || c.t === T.DigitOrZero) && isLowerAt(c.s, c.p)) n = T.Letter;
  else if (c.t === T.Letter && isDigitAt(c.s, c.p)) n = T.Digit;
  else if (c.t === T.Suffix && isDigitAt(c.s, c.p)) n = T.SuffixNo;
  else {
    const ch = c.s[c.p];
    if (ch === '.') n = T.DigitOrZero;
    else if (ch === '_') n = T.Suffix;
    else if (ch === '-') {
      if (c.s[c.p + 1] === 'r') {
        n = T.RevisionNo;
        c.p++;
      }
    }
    c.p++;
  }
  if (n < c.t) {
    if (
      !(
        (n === T.DigitOrZero && c.t === T.Digit) ||
        (n === T.Suffix && c.t === T.SuffixNo) ||
        (n === T.Digit && c.t === T.Letter)
      )
    )
      n = T.Invalid;
  }
  c.t = n;
}

function readNumber(c: Cursor): number {
  let i = c.p;
  while (isDigitAt(c.s, i)) i++;
  if (i === c.p) return NaN;
  if (i - c.p > 15) return NaN;
  const v = Number(c.s.slice(c.p, i));
  c.p = i;
  return v;
}

/** Value of the current token; advances the cursor and sets c.t to the type of the next token. */
function getToken(c: Cursor): number {
  if (c.p >= c.s.length) {
    c.t = T.End;
    return 0;
  }
  let v: number;
  let forced: T | undefined;
  switch (c.t) {
    case T.DigitOrZero:
      if (c.s[c.p] === '0') {
        let i = 0;
        while (c.p + i + 1 < c.s.length && c.s[c.p + i + 1] === '0') i++;
        forced = T.Digit;
        v = -i;
        c.p += i;
        break;
      }
    // falls through
    case T.Digit:
    case T.SuffixNo:
    case T.RevisionNo:
      v = readNumber(c);
      if (Number.isNaN(v)) {
        c.t = T.Invalid;
        return -1;
      }
      break;
    case T.Letter:
      v = c.s.charCodeAt(c.p);
      c.p++;
      break;
    case T.Suffix: {
      const rest = c.s.slice(c.p);
      const pre = PRE.findIndex((x) => rest.startsWith(x));
      if (pre >= 0) {
        v = pre - PRE.length;
        c.p += PRE[pre]!.length;
        break;
      }
      const post = POST.findIndex((x) => rest.startsWith(x));
      if (post >= 0) {
        v = post;
        c.p += POST[post]!.length;
        break;
      }
      c.t = T.Invalid;
      return -1;
    }
    default:
      c.t = T.Invalid;
      return -1;
  }
  if (c.p >= c.s.length) c.t = T.End;
  else if (forced !== undefined) c.t = forced;
  else nextToken(c);
  return v;
}

export interface ApkVersion {
  raw: string;
}

export function parseApk(input: string): ApkVersion | string {
  const v = input.trim();
  if (v === '') return 'empty version';
  if (!isDigitAt(v, 0)) return 'must start with a digit';
  const c: Cursor = { s: v, p: 0, t: T.Digit };
  while (c.t !== T.End && c.t !== T.Invalid) getToken(c);
  if (c.t === T.Invalid) return 'not of the form digits(.digits)*[letter](_suffix[N])*[-rN]';
  return { raw: v };
}

export function compareApk(x: ApkVersion, y: ApkVersion): number {
  const a: Cursor = { s: x.raw, p: 0, t: T.Digit };
  const b: Cursor = { s: y.raw, p: 0, t: T.Digit };
  let av = 0;
  let bv = 0;
  while (a.t === b.t && a.t !== T.End && a.t !== T.Invalid && av === bv) {
    av = getToken(a);
    bv = getToken(b);
  }
  if (av < bv) return -1;
  if (av > bv) return 1;
  if (a.t === b.t) return 0;
  if (a.t === T.Suffix && getToken({ ...a }) < 0) return -1;
  if (b.t === T.Suffix && getToken({ ...b }) < 0) return 1;
  if (a.t > b.t) return -1;
  if (b.t > a.t) return 1;
  return 0;
}

export const apkScheme = defineScheme('apk', parseApk, compareApk, (p) => p.raw);
