/**
 * RubyGems versions (Gem::Version): dot-separated numeric and alphabetic segments; a letter segment marks a
 * prerelease (1.0.a < 1.0); '-' reads as '.pre.'; trailing zero segments of each numeric run are ignored.
 */
import { compareDigits, compareStrings, defineScheme, stripZeros } from '../util.js';

const PATTERN = /^[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

export type Segment = string | { n: string };
export interface GemVersion {
  segments: Segment[];
}

export function parseGem(input: string): GemVersion | string {
  let v = input.trim();
  // Gem::Version reads "" as "0"; a scanner must not: an empty version is no version.
  if (v === '') return 'empty version';
  if (!PATTERN.test(v)) return 'malformed version number string';
  v = v.replace(/-/g, '.pre.');
  const segs: Segment[] = (v.match(/[0-9]+|[a-z]+/gi) ?? []).map((s) => (/^[0-9]/.test(s) ? { n: stripZeros(s) } : s));
  return { segments: canonical(segs) };
}

/** Gem::Version#canonical_segments: drop trailing zeros of the numeric prefix and of the rest. */
function canonical(segs: Segment[]): Segment[] {
  const firstString = segs.findIndex((s) => typeof s === 'string');
  const numeric = firstString < 0 ? segs.slice() : segs.slice(0, firstString);
  const rest = firstString < 0 ? [] : segs.slice(firstString);
  const trim = (xs: Segment[]): Segment[] => {
    let end = xs.length;
    while (end > 0) {
      const s = xs[end - 1]!;
      if (typeof s !== 'string' && s.n === '0') end--;
      else break;
    }
    return xs.slice(0, end);
  };
  return [...trim(numeric), ...trim(rest)];
}

const ZERO = { n: '0' };

export function compareGem(a: GemVersion, b: GemVersion): number {
  const n = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const l = a.segments[i] ?? ZERO;
    const r = b.segments[i] ?? ZERO;
    const ls = typeof l === 'string';
    const rs = typeof r === 'string';
    if (ls && !rs) return -1;
    if (!ls && rs) return 1;
    const c = ls && rs ? compareStrings(l, r) : compareDigits((l as { n: string }).n, (r as { n: string }).n);
    if (c !== 0) return c;
  }
  return 0;
}

export const rubygemsScheme = defineScheme('rubygems', parseGem, compareGem);
