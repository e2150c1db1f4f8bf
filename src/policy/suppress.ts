import type { FileProblem } from '../core/package.js';
import type { Finding, UndecidedReport } from '../core/report.js';
import { globMatch, packageMatches } from './glob.js';

/**
 * One suppression rule, whatever it came from: a profile exception, a VEX statement or a line of
 * .bulwarkignore. It suppresses only the findings it names: the vulnerability (by id or any alias),
 * and when given, the package (name or purl pattern) and a location (glob on the finding's paths).
 */
export interface SuppressionRule {
  /** Vulnerability id or alias (case-insensitive). */
  id: string;
  package?: string;
  path?: string;
  reason: string;
  /** YYYY-MM-DD: the rule suppresses through that day (UTC) and stops the day after. */
  expires?: string;
  /** Where it came from: "profile:<file>#exceptions[i]", "vex:<file>", ".bulwarkignore:<line>". */
  by: string;
  approvedBy?: string;
}

export interface SuppressionResult<R extends UndecidedReport> {
  report: R;
  /** Rules that matched a finding but have expired: they suppressed nothing. */
  expired: { rule: SuppressionRule; findings: Finding[] }[];
  /** Warnings for humans (expired rules), also added to report.errors. */
  warnings: string[];
}

/** The UTC day of `now`, YYYY-MM-DD. */
export function dayOf(now: Date): string {
  return now.toISOString().slice(0, 10);
}

export function isExpired(expires: string | undefined, now: Date): boolean {
  return expires !== undefined && dayOf(now) > expires;
}

export function ruleMatches(rule: SuppressionRule, f: Finding): boolean {
  const id = rule.id.toUpperCase();
  if (f.id.toUpperCase() !== id && !f.aliases.some((a) => a.toUpperCase() === id)) return false;
  if (rule.package !== undefined && !packageMatches(rule.package, f.package)) return false;
  if (rule.path !== undefined && !f.locations.some((l) => globMatch(rule.path!, l.path))) return false;
  return true;
}

/** The file part of a rule's origin, for report.errors paths. */
function originPath(by: string): string {
  const m = /^(?:profile|vex):(.*?)(?:#.*)?$/.exec(by);
  if (m) return m[1]!;
  return by.replace(/:\d+$/, '');
}

/**
 * Applies the rules to the report's findings (after matching, before the gate): the first live rule
 * that matches a finding suppresses it. Expired rules suppress nothing; each one that would have
 * matched is reported as a warning in `report.errors` (code BULWARK_W_EXCEPTION_EXPIRED) so the
 * report says why the finding is back. Findings already suppressed keep their suppression. The gate
 * is not decided here: src/policy/decide.ts does that.
 */
export function applySuppressions<R extends UndecidedReport>(report: R, rules: readonly SuppressionRule[], now: Date): SuppressionResult<R> {
  const expired = new Map<SuppressionRule, Finding[]>();
  const findings = report.findings.map((f) => {
    if (f.suppressed) return f;
    let live: SuppressionRule | undefined;
    for (const rule of rules) {
      if (!ruleMatches(rule, f)) continue;
      if (isExpired(rule.expires, now)) {
        expired.set(rule, [...(expired.get(rule) ?? []), f]);
        continue;
      }
      live = rule;
      break;
    }
    if (!live) return f;
    return { ...f, suppressed: { by: live.by, reason: live.reason, ...(live.expires ? { expires: live.expires } : {}) } };
  });
  const warnings: string[] = [];
  const problems: FileProblem[] = [];
  for (const [rule, hit] of expired) {
    const stillOpen = hit.filter((f) => !findings.find((x) => x.id === f.id && x.package.purl === f.package.purl)?.suppressed);
    if (stillOpen.length === 0) continue;
    const msg = `exception ${rule.by} for ${rule.id} expired on ${rule.expires}; it no longer suppresses ${stillOpen.map((f) => `${f.id} in ${f.package.name} ${f.package.version}`).join(', ')}`;
    warnings.push(msg);
    problems.push({ path: originPath(rule.by), code: 'BULWARK_W_EXCEPTION_EXPIRED', message: msg });
  }
  return {
    report: { ...report, findings, errors: [...report.errors, ...problems] },
    expired: [...expired].map(([rule, f]) => ({ rule, findings: f })),
    warnings,
  };
}
