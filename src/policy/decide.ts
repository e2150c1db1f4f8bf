import type { GateResult, ScanReport, UndecidedReport } from '../core/report.js';
import { assessCompleteness, shortNotChecked } from './completeness.js';
import type { GateOptions } from './gate.js';
import { evaluateGate } from './gate.js';
import type { SuppressionRule } from './suppress.js';
import { applySuppressions } from './suppress.js';

/** Everything a decision depends on besides the report and the clock (src/policy/load.ts builds it from files). */
export interface Policy {
  gate: GateOptions;
  /** Profile exceptions, VEX statements and .bulwarkignore lines, in that order (the first live match wins). */
  rules: readonly SuppressionRule[];
  /** Display name of the security profile that applied, when one did. */
  profile?: string;
}

export interface Decision {
  /** The report with suppressions applied and the gate decided. */
  report: ScanReport;
  /** For humans, on stderr: expired exceptions, an incomplete scan let through by `incomplete: warn`. */
  warnings: string[];
}

/**
 * The one place a scan is judged: suppressions (profile exceptions with their expiry, VEX, .bulwarkignore),
 * then the gate over the findings, then completeness. Pure: the same report, policy and clock give the same
 * decision, so the CLI and the server decide alike. A report that already carries a gate is decided afresh.
 */
export function decide(report: UndecidedReport & { gate?: GateResult }, policy: Policy, now: Date): Decision {
  const { gate: _previous, ...undecided } = report;
  // Completeness looks at what the scan produced, before suppression warnings join report.errors.
  const completeness = assessCompleteness(undecided);
  const applied = applySuppressions(undecided, policy.rules, now);
  const findings = evaluateGate(applied.report.findings, policy.gate);
  const warnings = [...applied.warnings];
  let passed = findings.passed;
  let reason = findings.reason;
  if (!completeness.complete) {
    const what = `the scan is incomplete: ${shortNotChecked(completeness.notChecked)}`;
    if (policy.gate.incomplete === 'fail') {
      passed = false;
      reason = findings.passed ? what : `${reason}; ${what}`;
    } else {
      reason = `${reason}; ${what}, let through by incomplete: warn`;
      warnings.push(
        `the scan is incomplete (${shortNotChecked(completeness.notChecked)}): the gate judged only what was checked, because incomplete is set to warn`,
      );
    }
  }
  const gate: GateResult = {
    ...findings,
    incomplete: policy.gate.incomplete,
    complete: completeness.complete,
    notChecked: completeness.notChecked,
    passed,
    reason,
    ...(policy.profile !== undefined ? { profile: policy.profile } : {}),
  };
  return { report: { ...applied.report, gate }, warnings };
}
