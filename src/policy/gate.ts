import { UsageError } from '../core/errors.js';
import type { Finding, GateResult } from '../core/report.js';
import type { Severity } from '../core/severity.js';
import { severityRank } from '../core/severity.js';

export type UnknownSeverityPolicy = 'fail' | 'ignore';
export type IncompletePolicy = 'fail' | 'warn';

export interface GateOptions {
  /** Lowest severity that fails the gate; 'NONE' turns the severity check off. */
  failOn: Severity | 'NONE';
  /** Count findings that have no fix yet. */
  includeUnfixed: boolean;
  /** Leave development-only dependencies out. */
  excludeDev: boolean;
  /** Findings of UNKNOWN severity fail the gate whatever failOn says ('fail'), or count only as failOn says ('ignore'). */
  unknownSeverity: UnknownSeverityPolicy;
  /** A scan that could not judge everything fails the gate ('fail') or passes it with a warning ('warn'). */
  incomplete: IncompletePolicy;
}

export const DEFAULT_GATE: GateOptions = { failOn: 'HIGH', includeUnfixed: false, excludeDev: false, unknownSeverity: 'fail', incomplete: 'fail' };

/**
 * Whether one finding breaks the gate: at or above failOn (or of UNKNOWN severity, unless unknownSeverity is
 * 'ignore'), with a fix (or any, with includeUnfixed), not suppressed, and not dev-only when excludeDev.
 */
export function breaksGate(f: Finding, opts: Pick<GateOptions, 'failOn' | 'includeUnfixed' | 'excludeDev' | 'unknownSeverity'>): boolean {
  if (opts.failOn === 'NONE' || f.suppressed) return false;
  if (opts.excludeDev && f.package.dev) return false;
  const unrated = f.severity === 'UNKNOWN' && opts.unknownSeverity === 'fail';
  if (!unrated && severityRank(f.severity) < severityRank(opts.failOn)) return false;
  return f.fixState === 'fixed' || opts.includeUnfixed;
}

export type FindingsVerdict = Pick<GateResult, 'failOn' | 'includeUnfixed' | 'excludeDev' | 'unknownSeverity' | 'passed' | 'reason' | 'violations'>;

/** The findings part of the gate: fail when a finding at or above `failOn` has a fix (or any, with includeUnfixed). */
export function evaluateGate(findings: readonly Finding[], opts: GateOptions): FindingsVerdict {
  const base = { failOn: opts.failOn, includeUnfixed: opts.includeUnfixed, excludeDev: opts.excludeDev, unknownSeverity: opts.unknownSeverity };
  if (opts.failOn === 'NONE') return { ...base, passed: true, reason: 'no severity fails it (--fail-on none)', violations: [] };
  const violating = findings.filter((f) => breaksGate(f, opts));
  const unrated = opts.unknownSeverity === 'fail' && opts.failOn !== 'UNKNOWN' ? ' (or of unknown severity)' : '';
  const scope = `${opts.failOn} or worse${unrated}${opts.includeUnfixed ? '' : ' with a fix available'}${opts.excludeDev ? ', production dependencies only' : ''}`;
  if (violating.length === 0) {
    return { ...base, passed: true, reason: `no finding ${scope}`, violations: [] };
  }
  const ids = violating.map((f) => `${f.id} ${f.package.purl}`);
  const named = violating.slice(0, 3).map((f) => `${f.id} in ${f.package.name} ${f.package.version}${f.severity === 'UNKNOWN' ? ' (severity unknown)' : ''}`);
  return {
    ...base,
    passed: false,
    reason: `${violating.length} finding(s) ${scope}: ${named.join(', ')}${violating.length > 3 ? ', …' : ''}`,
    violations: ids,
  };
}

export function parseFailOn(value: string): Severity | 'NONE' {
  const v = value.trim().toUpperCase();
  if (v === 'NONE' || v === 'CRITICAL' || v === 'HIGH' || v === 'MEDIUM' || v === 'LOW') return v;
  if (v === 'UNKNOWN') return 'UNKNOWN';
  throw new UsageError(`--fail-on takes critical, high, medium, low, unknown or none, not ${JSON.stringify(value)}`);
}

export function parseUnknownSeverity(value: string): UnknownSeverityPolicy {
  const v = value.trim().toLowerCase();
  if (v === 'fail' || v === 'ignore') return v;
  throw new UsageError(`--unknown-severity takes fail or ignore, not ${JSON.stringify(value)}`);
}

export function parseIncomplete(value: string): IncompletePolicy {
  const v = value.trim().toLowerCase();
  if (v === 'fail' || v === 'warn') return v;
  throw new UsageError(`--incomplete takes fail or warn, not ${JSON.stringify(value)}`);
}
