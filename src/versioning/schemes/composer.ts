/**
 * Composer (Packagist) versions, ordered as composer/semver's Comparator: VersionParser::normalize
 * (up to four numeric parts, 'v' prefix, stability suffixes dev < alpha < beta < RC < stable < patch,
 * with an optional number list) then PHP's version_compare on the normalized form.
 * Branch names (dev-master, 1.x-dev) have no order against releases and are invalid here.
 */
import { compareDigits, defineScheme, stripZeros } from '../util.js';

export interface ComposerVersion {
  parts: string[];
  /** 0 dev, 1 alpha, 2 beta, 3 RC, 4 stable, 5 patch */
  stability: number;
  stabilityNumbers: string[];
  /** A trailing '-dev' after a stability suffix (1.0.0-beta2-dev). */
  dev: boolean;
}

const STABILITY: Record<string, number> = {
  dev: 0,
  alpha: 1,
  a: 1,
  beta: 2,
  b: 2,
  rc: 3,
  stable: 4,
  patch: 5,
  pl: 5,
  p: 5,
};
const NAMES = ['dev', 'alpha', 'beta', 'RC', '', 'patch'];

const CLASSIC =
  /^v?(\d+)(\.\d+)?(\.\d+)?(\.\d+)?[._-]?(?:(stable|beta|b|rc|alpha|a|patch|pl|p)((?:[.-]?\d+)*)?)?([.-]?dev)?$/i;

export function parseComposer(input: string): ComposerVersion | string {
  let v = input.trim();
  v = v.replace(/^([^,\s]+) +as +[^,\s]+$/, '$1'); // "1.0 as 1.1" aliases
  v = v.replace(/@(?:stable|rc|beta|alpha|dev)$/i, '');
  v = v.replace(/\+[^\s]*$/, ''); // build metadata
  if (/^dev-/i.test(v) || /\.x-dev$/i.test(v) || /^[^\d]/.test(v.replace(/^v/i, ''))) {
    return 'branch or non-numeric version has no order';
  }
  const m = CLASSIC.exec(v);
  if (!m) return 'not a Composer version';
  const parts = [m[1], m[2], m[3], m[4]].filter((p): p is string => p !== undefined).map((p) => stripZeros(p.replace(/^\./, '')));
  while (parts.length < 4) parts.push('0');
  let stability = 4;
  let stabilityNumbers: string[] = [];
  let dev = false;
  if (m[5]) {
    stability = STABILITY[m[5].toLowerCase()]!;
    stabilityNumbers = (m[6] ?? '').split(/[.-]/).filter((x) => x !== '').map(stripZeros);
    // Composer returns early for "stable": its numbers and a "-dev" after it are dropped.
    if (stability === 4) stabilityNumbers = [];
    else if (m[7]) dev = true;
  } else if (m[7]) {
    stability = 0;
  }
  return { parts, stability, stabilityNumbers, dev };
}

/** PHP version_compare over the canonical forms "a.b.c.d.<stability>.<n>...[.dev]". */
export function compareComposer(a: ComposerVersion, b: ComposerVersion): number {
  for (let i = 0; i < 4; i++) {
    const c = compareDigits(a.parts[i]!, b.parts[i]!);
    if (c !== 0) return c;
  }
  const ta = tail(a);
  const tb = tail(b);
  const n = Math.max(ta.length, tb.length);
  for (let i = 0; i < n; i++) {
    const x = ta[i];
    const y = tb[i];
    const c = x === undefined ? -rankAgainstMissing(y!) : y === undefined ? rankAgainstMissing(x) : compareToken(x, y);
    if (c !== 0) return c;
  }
  return 0;
}

type Tok = { num: string } | { special: number };
function tail(v: ComposerVersion): Tok[] {
  const t: Tok[] = [];
  if (v.stability !== 4) t.push({ special: specialRank(v.stability) });
  for (const n of v.stabilityNumbers) t.push({ num: n });
  if (v.dev) t.push({ special: specialRank(0) });
  return t;
}
/** PHP special forms: dev < alpha < beta < RC < (number) < patch. */
function specialRank(stability: number): number {
  return [0, 1, 2, 3, 4, 5][stability]!;
}
function compareToken(x: Tok, y: Tok): number {
  if ('num' in x && 'num' in y) return compareDigits(x.num, y.num);
  const rx = 'num' in x ? 4 : x.special;
  const ry = 'num' in y ? 4 : y.special;
  return rx === ry ? 0 : rx < ry ? -1 : 1;
}
/** version_compare when the other side has run out: a number or patch wins, a pre-release suffix loses. */
function rankAgainstMissing(x: Tok): number {
  if ('num' in x) return 1;
  return x.special === 5 ? 1 : -1;
}

export function formatComposer(v: ComposerVersion): string {
  const base = v.parts.join('.');
  if (v.stability === 4) return base;
  if (v.stability === 0 && !v.dev) return `${base}-dev`;
  return `${base}-${NAMES[v.stability]}${v.stabilityNumbers.join('.')}${v.dev ? '-dev' : ''}`;
}

export const composerScheme = defineScheme('composer', parseComposer, compareComposer, formatComposer);
