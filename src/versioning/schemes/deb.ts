/**
 * Debian (and Ubuntu) package versions: [epoch:]upstream[-revision], compared as dpkg does
 * (deb-version(7); dpkg lib/dpkg/version.c verrevcmp): '~' sorts before everything, even the end.
 */
import { defineScheme, sign } from '../util.js';

export interface DebVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

const UPSTREAM = /^[0-9][A-Za-z0-9.+~:-]*$/;
const REVISION = /^[A-Za-z0-9.+~]*$/;

export function parseDeb(input: string): DebVersion | string {
  const v = input.trim();
  if (v === '') return 'empty version';
  if (/\s/.test(v)) return 'embedded whitespace';
  let epoch = 0;
  let rest = v;
  const colon = v.indexOf(':');
  if (colon >= 0) {
    const e = v.slice(0, colon);
    if (!/^[0-9]+$/.test(e)) return 'epoch is not a number';
    epoch = Number(e);
    if (epoch > 2147483647) return 'epoch is too big';
    rest = v.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  const upstream = dash >= 0 ? rest.slice(0, dash) : rest;
  const revision = dash >= 0 ? rest.slice(dash + 1) : '';
  if (upstream === '') return 'empty upstream version';
  if (!UPSTREAM.test(upstream)) return 'upstream version must start with a digit and contain only [A-Za-z0-9.+~:-]';
  if (!REVISION.test(revision)) return 'revision may contain only [A-Za-z0-9.+~]';
  return { epoch, upstream, revision };
}

function order(s: string, i: number): number {
  if (i >= s.length) return 0;
  const c = s.charCodeAt(i);
  if (c >= 48 && c <= 57) return 0;
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) return c;
  if (c === 126) return -1; // '~'
  return c + 256;
}

const isDigit = (s: string, i: number): boolean => {
  if (i >= s.length) return false;
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
};

/** dpkg's verrevcmp on one version part. */
export function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a, i)) || (j < b.length && !isDigit(b, j))) {
      const ac = order(a, i);
      const bc = order(b, j);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (i < a.length && a.charCodeAt(i) === 48) i++;
    while (j < b.length && b.charCodeAt(j) === 48) j++;
    while (isDigit(a, i) && isDigit(b, j)) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a, i)) return 1;
    if (isDigit(b, j)) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

export function compareDeb(a: DebVersion, b: DebVersion): number {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  const u = verrevcmp(a.upstream, b.upstream);
  if (u !== 0) return sign(u);
  return sign(verrevcmp(a.revision, b.revision));
}

export function formatDeb(v: DebVersion): string {
  return `${v.epoch > 0 ? `${v.epoch}:` : ''}${v.upstream}${v.revision !== '' ? `-${v.revision}` : ''}`;
}

export const debScheme = defineScheme('deb', parseDeb, compareDeb, formatDeb);
