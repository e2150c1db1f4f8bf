import { UsageError } from '../core/errors.js';
import type { Finding, GateResult } from '../core/report.js';
import type { Severity } from '../core/severity.js';
import { severityRank } from '../core/severity.js';

export interface GateOptions {
  /** Lowest severity that fails the gate; 'NONE' turns the gate off. */
  failOn: Severity | 'NONE';
  /** Count findings that have no fix yet. */
  includeUnfixed: boolean;
  /** Leave development-only dependencies out. */
  excludeDev: boolean;
}

export const DEFAULT_GATE: GateOptions = { failOn: 'HIGH', includeUnfixed: false, excludeDev: false };

/** Whether one finding breaks the gate. */
export function breaksGate(f: Finding, opts: GateOptions): boolean {
  if (opts.failOn === 'NONE' || f.suppressed) return false;
  if (severityRank(f.severity) < severityRank(opts.failOn)) return false;
  if (opts.excludeDev && f.package.dev) return false;
  return f.fixState === 'fixed' || opts.includeUnfixed;
}

/** The gate: fail when a finding at or above `failOn` has a fix (or any, with includeUnfixed). */
export function evaluateGate(findings: readonly Finding[], opts: GateOptions): GateResult {
  const base = { failOn: opts.failOn, includeUnfixed: opts.includeUnfixed, excludeDev: opts.excludeDev };
  if (opts.failOn === 'NONE') return { ...base, passed: true, reason: 'the gate is off (--fail-on none)', violations: [] };
  const violating = findings.filter((f) => breaksGate(f, opts));
  const scope = `${opts.failOn} or worse${opts.includeUnfixed ? '' : ' with a fix available'}${opts.excludeDev ? ', production dependencies only' : ''}`;
  if (violating.length === 0) {
    return { ...base, passed: true, reason: `no finding ${scope}`, violations: [] };
  }
  const ids = violating.map((f) => `${f.id} ${f.package.purl}`);
  return {
    ...base,
    passed: false,
    reason: `${violating.length} finding(s) ${scope}: ${violating.slice(0, 3).map((f) => `${f.id} in ${f.package.name} ${f.package.version}`).join(', ')}${violating.length > 3 ? ', …' : ''}`,
    violations: ids,
  };
}

export function parseFailOn(value: string): Severity | 'NONE' {
  const v = value.trim().toUpperCase();
  if (v === 'NONE' || v === 'CRITICAL' || v === 'HIGH' || v === 'MEDIUM' || v === 'LOW') return v;
  if (v === 'UNKNOWN') return 'UNKNOWN';
  throw new UsageError(`--fail-on takes critical, high, medium, low, unknown or none, not ${JSON.stringify(value)}`);
}
