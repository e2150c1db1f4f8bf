/**
 * Evaluation of an OSV `affected[]` entry against one installed version, following
 * https://ossf.github.io/osv-schema/#evaluation: events of each SEMVER/ECOSYSTEM range are sorted by
 * version ("0" first) and walked; a version is affected when the last event at or below it is an
 * `introduced` (a `last_affected` closes the range only above itself), and below a `limit` when the range has
 * limits. The `versions` list is an explicit enumeration. Whatever cannot be evaluated makes the answer
 * "unknown", never "not-affected", unless something else said "affected".
 */
import type { AffectedRange, RangeEvent } from '../core/advisory.js';
import { describeError } from '../core/errors.js';
import type { VersionScheme } from './types.js';

export type RangeVerdict =
  | { status: 'affected'; fixed?: string; why: string }
  | { status: 'not-affected' }
  | { status: 'unknown'; reason: string };

type Kind = 'introduced' | 'fixed' | 'last_affected' | 'limit';
interface Ev {
  kind: Kind;
  value: string;
  /** introduced "0" and limit "*" are sentinels, not versions. */
  sentinel: boolean;
}

const KINDS: readonly Kind[] = ['introduced', 'fixed', 'last_affected', 'limit'];

function eventOf(e: RangeEvent): Ev | string {
  const keys = KINDS.filter((k) => e[k] !== undefined);
  if (keys.length !== 1) return `event ${JSON.stringify(e)} must have exactly one of ${KINDS.join(', ')}`;
  const kind = keys[0]!;
  const value = e[kind]!;
  if (typeof value !== 'string') return `event ${kind} is not a string`;
  return { kind, value, sentinel: (kind === 'introduced' && value === '0') || (kind === 'limit' && value === '*') };
}

type RangeResult =
  | { kind: 'affected'; why: string }
  | { kind: 'not-affected' }
  | { kind: 'unknown'; reason: string };

/** An advisory's version as the scheme reads it: itself when valid, else the scheme's lenient reading, else undefined. */
function advisoryVersion(scheme: VersionScheme, v: string): string | undefined {
  if (scheme.isValid(v)) return v;
  const c = scheme.coerce?.(v);
  return c !== undefined && scheme.isValid(c) ? c : undefined;
}

/** Compare two event values; sentinels ("0", "*") sort first / last. */
function cmpEvents(scheme: VersionScheme, a: Ev, b: Ev): number {
  const rank = (e: Ev): number => (e.sentinel ? (e.kind === 'introduced' ? -1 : 1) : 0);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== 0 || rb !== 0) return ra === rb ? 0 : ra - rb;
  return scheme.compare(a.value, b.value);
}

function evaluateRange(scheme: VersionScheme, version: string, range: AffectedRange): RangeResult {
  const type = range.type;
  if (type === 'GIT') return { kind: 'unknown', reason: 'GIT ranges are not evaluable against a package version' };
  if (type !== 'SEMVER' && type !== 'ECOSYSTEM') return { kind: 'unknown', reason: `range type ${JSON.stringify(type)} is not supported` };
  const events: Ev[] = [];
  for (const raw of range.events ?? []) {
    const e = eventOf(raw);
    if (typeof e === 'string') return { kind: 'unknown', reason: `${type} range: ${e}` };
    if (!e.sentinel) {
      const value = advisoryVersion(scheme, e.value);
      if (value === undefined) {
        return { kind: 'unknown', reason: `${type} range has an invalid ${scheme.id} version in ${e.kind}: ${JSON.stringify(e.value)}` };
      }
      e.value = value;
    }
    events.push(e);
  }
  if (events.length === 0) return { kind: 'unknown', reason: `${type} range has no events` };
  const limits = events.filter((e) => e.kind === 'limit');
  if (limits.length > 0 && !limits.some((l) => l.sentinel || scheme.compare(version, l.value) < 0)) return { kind: 'not-affected' };

  const sorted = events.map((e, i) => ({ e, i })).sort((x, y) => cmpEvents(scheme, x.e, y.e) || x.i - y.i);
  let affected = false;
  let opener = -1;
  sorted.forEach(({ e }, idx) => {
    if (e.kind === 'introduced') {
      if (e.sentinel || scheme.compare(version, e.value) >= 0) {
        affected = true;
        opener = idx;
      }
    } else if (e.kind === 'fixed') {
      if (scheme.compare(version, e.value) >= 0) affected = false;
    } else if (e.kind === 'last_affected') {
      if (scheme.compare(version, e.value) > 0) affected = false;
    }
  });
  if (!affected) return { kind: 'not-affected' };
  const lower = sorted[opener]!.e;
  const upper = sorted.slice(opener + 1).find(({ e }) => e.kind === 'fixed' || e.kind === 'last_affected')?.e;
  const parts = [`>=${lower.value}`];
  if (upper) parts.push(`${upper.kind === 'fixed' ? '<' : '<='}${upper.value}`);
  const limit = limits.filter((l) => !l.sentinel).sort((a, b) => scheme.compare(a.value, b.value))[0];
  if (limit && !upper) parts.push(`<${limit.value} (limit)`);
  return { kind: 'affected', why: `${parts.join(', ')} (${type})` };
}

function listedIn(scheme: VersionScheme, version: string, versions: readonly string[], versionValid: boolean): string | undefined {
  for (const listed of versions) {
    if (listed === version) return listed;
    // An entry the scheme cannot read cannot name the same version as a valid one: skip it.
    if (versionValid && scheme.isValid(listed) && scheme.compare(listed, version) === 0) return listed;
  }
  return undefined;
}

/** Only the yes/no of the evaluable parts; used to check candidate fixed versions. */
function isAffectedBy(scheme: VersionScheme, version: string, affected: { ranges: readonly AffectedRange[]; versions: readonly string[] }): boolean {
  if (listedIn(scheme, version, affected.versions ?? [], true) !== undefined) return true;
  return affected.ranges.some((r) => evaluateRange(scheme, version, r).kind === 'affected');
}

function lowestFix(scheme: VersionScheme, version: string, affected: { ranges: readonly AffectedRange[]; versions: readonly string[] }): string | undefined {
  const candidates: string[] = [];
  for (const r of affected.ranges) {
    if (r.type !== 'SEMVER' && r.type !== 'ECOSYSTEM') continue;
    for (const e of r.events ?? []) {
      const fixed = e.fixed === undefined ? undefined : advisoryVersion(scheme, e.fixed);
      if (fixed !== undefined && scheme.compare(fixed, version) > 0) candidates.push(fixed);
    }
  }
  candidates.sort((a, b) => scheme.compare(a, b));
  // The lowest fixed version above the installed one that is itself outside every range.
  return candidates.find((c) => !isAffectedBy(scheme, c, affected));
}

export function evaluateAffected(
  scheme: VersionScheme,
  version: string,
  affected: { ranges: AffectedRange[]; versions: string[] },
): RangeVerdict {
  const ranges = affected.ranges ?? [];
  const versions = affected.versions ?? [];
  const valid = scheme.isValid(version);
  const listed = listedIn(scheme, version, versions, valid);
  if (!valid) {
    if (listed !== undefined) return { status: 'affected', why: `${JSON.stringify(listed)} listed in versions` };
    let reason = `invalid ${scheme.id} version ${JSON.stringify(version)}`;
    try {
      scheme.compare(version, version);
    } catch (e) {
      reason = describeError(e);
    }
    return { status: 'unknown', reason };
  }

  const issues: string[] = [];
  const whys: string[] = [];
  let evaluable = versions.length > 0;
  let gitRanges = 0;
  for (const r of ranges) {
    if (r.type === 'GIT') {
      gitRanges++;
      continue;
    }
    let res: RangeResult;
    try {
      res = evaluateRange(scheme, version, r);
    } catch (e) {
      res = { kind: 'unknown', reason: describeError(e) };
    }
    if (res.kind === 'affected') whys.push(res.why);
    else if (res.kind === 'unknown') issues.push(res.reason);
    else evaluable = true;
    if (res.kind !== 'unknown') evaluable = true;
  }
  if (listed !== undefined) whys.unshift(`${JSON.stringify(listed)} listed in versions`);
  if (whys.length > 0) {
    const verdict: RangeVerdict = { status: 'affected', why: whys.join('; ') };
    const fixed = lowestFix(scheme, version, { ranges, versions });
    if (fixed !== undefined) verdict.fixed = fixed;
    return verdict;
  }
  if (issues.length > 0) return { status: 'unknown', reason: issues.join('; ') };
  if (!evaluable) {
    if (gitRanges > 0) return { status: 'unknown', reason: 'only GIT ranges, which are not evaluable against a package version' };
    return { status: 'unknown', reason: 'no ranges or versions to evaluate' };
  }
  return { status: 'not-affected' };
}
