import { createHash } from 'node:crypto';
import type { Finding, GateResult, ScanReport } from '../core/report.js';
import type { Location } from '../core/package.js';
import type { Severity } from '../core/severity.js';
import { severityRank } from '../core/severity.js';
import { breaksGate } from '../policy/gate.js';

/** Worst first: severity, then CVSS score, then id and package, so every format lists findings alike. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    (b.cvss?.score ?? -1) - (a.cvss?.score ?? -1) ||
    a.id.localeCompare(b.id) ||
    a.package.purl.localeCompare(b.package.purl)
  );
}

export function sortedFindings(report: ScanReport): Finding[] {
  return [...report.findings].sort(compareFindings);
}

/** Whether a finding breaks the gate the report was evaluated with (reports before 1.1.0 ignored UNKNOWN severity). */
export function findingBreaksGate(report: ScanReport, f: Finding): boolean {
  const g = report.gate;
  return breaksGate(f, { failOn: g.failOn, includeUnfixed: g.includeUnfixed, excludeDev: g.excludeDev, unknownSeverity: g.unknownSeverity ?? 'ignore' });
}

/**
 * The location a finding is reported at in formats that take one: the manifest or lockfile that pins
 * the package rather than an installed copy under node_modules/ or site-packages/ when both are known.
 */
export function primaryLocation(f: Finding): Location | undefined {
  const declared = f.locations.find((l) => !/(^|\/)(node_modules|site-packages|dist-packages|vendor)\//.test(l.path));
  return declared ?? f.locations[0];
}

/** Stable hex digest of its parts, for fingerprints and ids that must not change between runs. */
export function digestOf(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/** A UUID-shaped deterministic id (GitLab recommends UUIDs for vulnerability ids). */
export function uuidOf(...parts: string[]): string {
  const h = digestOf(...parts);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A score for severity-only findings, in the middle of the CVSS v3 band of that severity. */
export const SEVERITY_SCORE: Record<Severity, number> = { CRITICAL: 9.5, HIGH: 8.0, MEDIUM: 5.5, LOW: 2.0, UNKNOWN: 0 };

/** Counts of unsuppressed findings per severity. */
export function severityCounts(report: ScanReport): Record<Severity, number> {
  const counts: Record<Severity, number> = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 };
  for (const f of report.findings) if (!f.suppressed) counts[f.severity]++;
  return counts;
}

/** The advisory page a human would open for an id, when there is a well-known one. */
export function advisoryUrl(id: string, f?: Finding): string | undefined {
  if (id.startsWith('CVE-')) return `https://nvd.nist.gov/vuln/detail/${id}`;
  if (id.startsWith('GHSA-')) return `https://github.com/advisories/${id}`;
  if (/^(GO|PYSEC|RUSTSEC|OSV|MAL|PSF|RSEC|GSD|UVI)-/.test(id)) return `https://osv.dev/vulnerability/${id}`;
  const ref = f?.references.find((r) => /^https?:\/\//.test(r.url) && (r.type === 'ADVISORY' || r.type === 'WEB'));
  return ref?.url ?? f?.references.find((r) => /^https?:\/\//.test(r.url))?.url;
}

/** The id a finding is best known by for humans: the CVE alias when it has one. */
export function cveOf(f: Finding): string | undefined {
  return f.id.startsWith('CVE-') ? f.id : f.aliases.find((a) => a.startsWith('CVE-'));
}

export function escapeXml(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export function escapeHtml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** One-line summary of a finding for messages. */
export function findingSummary(f: Finding): string {
  const fix = f.fixedVersion ? `fixed in ${f.fixedVersion}` : f.fixState === 'wont-fix' ? "won't be fixed" : 'no fix yet';
  return `${f.package.name} ${f.package.version} is vulnerable to ${f.id}${f.title ? `: ${f.title}` : ''} (${f.severity}, ${fix})`;
}

/** The security profile recorded in the gate (`gate.profile` in the report schema). */
export function gateProfile(report: ScanReport): string | undefined {
  return (report.gate as GateResult & { profile?: string }).profile;
}
