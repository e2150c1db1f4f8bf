/**
 * PEP 440 versions (PyPI), ordered as pypa/packaging's Version: epoch, release (trailing zeros ignored),
 * pre (a < b < rc), post, dev, local. Legacy (non-PEP 440) versions are invalid.
 */
import { compareDigits, compareStrings, defineScheme, stripZeros } from '../util.js';

export interface Pep440Version {
  epoch: string;
  release: string[];
  pre: { l: 'a' | 'b' | 'rc'; n: string } | undefined;
  post: string | undefined;
  dev: string | undefined;
  local: string[] | undefined;
}

// The regular expression of PEP 440, appendix B (canonical public spec text).
const RE = new RegExp(
  '^\\s*v?' +
    '(?:(?<epoch>[0-9]+)!)?' +
    '(?<release>[0-9]+(?:\\.[0-9]+)*)' +
    '(?<pre>[-_.]?(?<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<pre_n>[0-9]+)?)?' +
    '(?<post>(?:-(?<post_n1>[0-9]+))|(?:[-_.]?(?<post_l>post|rev|r)[-_.]?(?<post_n2>[0-9]+)?))?' +
    '(?<dev>[-_.]?(?<dev_l>dev)[-_.]?(?<dev_n>[0-9]+)?)?' +
    '(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?' +
    '\\s*$',
  'i',
);

export function parsePep440(input: string): Pep440Version | string {
  const m = RE.exec(input);
  if (!m || !m.groups) return 'not a PEP 440 version';
  const g = m.groups;
  let pre: Pep440Version['pre'];
  if (g.pre_l) {
    const l = g.pre_l.toLowerCase();
    pre = { l: l === 'alpha' || l === 'a' ? 'a' : l === 'beta' || l === 'b' ? 'b' : 'rc', n: stripZeros(g.pre_n ?? '0') };
  }
  let post: string | undefined;
  if (g.post) post = stripZeros(g.post_n1 ?? g.post_n2 ?? '0');
  return {
    epoch: stripZeros(g.epoch ?? '0'),
    release: g.release!.split('.').map(stripZeros),
    pre,
    post,
    dev: g.dev ? stripZeros(g.dev_n ?? '0') : undefined,
    local: g.local ? g.local.toLowerCase().split(/[-_.]/) : undefined,
  };
}

const PRE_ORDER = { a: 0, b: 1, rc: 2 } as const;
const isNum = (s: string): boolean => /^[0-9]+$/.test(s);

function compareRelease(a: string[], b: string[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareDigits(a[i] ?? '0', b[i] ?? '0');
    if (c !== 0) return c;
  }
  return 0;
}

/** Rank of the pre-release slot: dev-only releases sort before every pre-release, finals after. */
function preKey(v: Pep440Version): number {
  if (v.pre) return 1;
  if (v.post === undefined && v.dev !== undefined) return 0;
  return 2;
}

export function comparePep440(a: Pep440Version, b: Pep440Version): number {
  let c = compareDigits(a.epoch, b.epoch) || compareRelease(a.release, b.release);
  if (c !== 0) return c;
  const ka = preKey(a);
  const kb = preKey(b);
  if (ka !== kb) return ka < kb ? -1 : 1;
  if (a.pre && b.pre) {
    c = PRE_ORDER[a.pre.l] - PRE_ORDER[b.pre.l] || compareDigits(a.pre.n, b.pre.n);
    if (c !== 0) return c;
  }
  if (a.post !== b.post) {
    if (a.post === undefined) return -1;
    if (b.post === undefined) return 1;
    c = compareDigits(a.post, b.post);
    if (c !== 0) return c;
  }
  if (a.dev !== b.dev) {
    if (a.dev === undefined) return 1;
    if (b.dev === undefined) return -1;
    c = compareDigits(a.dev, b.dev);
    if (c !== 0) return c;
  }
  const la = a.local;
  const lb = b.local;
  if (la === undefined || lb === undefined) return la === lb ? 0 : la === undefined ? -1 : 1;
  for (let i = 0; i < Math.min(la.length, lb.length); i++) {
    const x = la[i]!;
    const y = lb[i]!;
    const xn = isNum(x);
    const yn = isNum(y);
    if (xn && yn) c = compareDigits(x, y);
    else if (xn) c = 1;
    else if (yn) c = -1;
    else c = compareStrings(x, y);
    if (c !== 0) return c;
  }
  return la.length === lb.length ? 0 : la.length < lb.length ? -1 : 1;
}

/** packaging's str(Version). */
export function formatPep440(v: Pep440Version): string {
  let s = v.epoch !== '0' ? `${v.epoch}!` : '';
  s += v.release.join('.');
  if (v.pre) s += `${v.pre.l}${v.pre.n}`;
  if (v.post !== undefined) s += `.post${v.post}`;
  if (v.dev !== undefined) s += `.dev${v.dev}`;
  if (v.local) s += `+${v.local.map((p) => (isNum(p) ? stripZeros(p) : p)).join('.')}`;
  return s;
}

export const pep440Scheme = defineScheme('pep440', parsePep440, comparePep440, formatPep440);
