import type { ScanReport } from '../../core/report.js';
import type { Severity } from '../../core/severity.js';
import { severityRank } from '../../core/severity.js';
import type { Database } from './types.js';

/**
 * One finding as a report yields it: the `findings` row without what the store adds (id, project, first/last
 * seen), with its aliases still a list (stored as JSON text) and its severity typed.
 */
export type FindingRow = Omit<
  Database['findings'],
  'id' | 'project_id' | 'aliases' | 'severity' | 'first_seen_at' | 'last_seen_at' | 'first_seen_scan_id' | 'last_seen_scan_id' | 'content_hash' | 'is_open'
> & { aliases: string[]; severity: Severity };

/** One package of a report's inventory, as the `packages` row holds it. */
export type PackageRow = Pick<Database['packages'], 'purl' | 'ecosystem' | 'name' | 'version'>;

export interface ScanSummary {
  package_count: number;
  finding_count: number;
  open_critical: number;
  open_high: number;
  open_medium: number;
  open_low: number;
  open_unknown: number;
  suppressed_count: number;
  fixable_count: number;
  /** Rank of the worst unsuppressed finding (CRITICAL 4 … UNKNOWN 0), -1 when there is none. */
  worst_rank: number;
}

export function fingerprintOf(vulnId: string, purl: string): string {
  return `${vulnId} ${purl}`;
}

/**
 * Turns a validated report into the rows the store writes: findings and packages deduplicated by their keys
 * (a report may list one package from two lockfiles), and the per-scan summary that the portfolio reads
 * instead of counting findings.
 */
export function reportRows(report: ScanReport): { findings: FindingRow[]; packages: PackageRow[]; summary: ScanSummary } {
  const findings = new Map<string, FindingRow>();
  for (const f of report.findings) {
    const fp = fingerprintOf(f.id, f.package.purl);
    const prev = findings.get(fp);
    const row: FindingRow = {
      fingerprint: fp,
      vuln_id: f.id,
      aliases: [...new Set([f.id, ...f.aliases])],
      package_purl: f.package.purl,
      package_ecosystem: f.package.ecosystem,
      package_name: f.package.name,
      package_version: f.package.version,
      severity: f.severity,
      severity_rank: severityRank(f.severity),
      fixable: f.fixedVersion ? 1 : 0,
      fixed_version: f.fixedVersion,
      fix_state: f.fixState,
      title: f.title,
      suppressed: f.suppressed ? 1 : 0,
      suppressed_by: f.suppressed ? `${f.suppressed.by}: ${f.suppressed.reason}` : null,
      dev: f.package.dev ? 1 : 0,
    };
    // Two entries for one fingerprint: keep the more severe, unsuppressed if either is.
    if (!prev || row.severity_rank > prev.severity_rank || (prev.suppressed && !row.suppressed)) findings.set(fp, row);
  }
  const packages = new Map<string, PackageRow>();
  for (const p of report.packages) {
    if (!packages.has(p.purl)) packages.set(p.purl, { purl: p.purl, ecosystem: p.ecosystem, name: p.name, version: p.version });
  }
  const summary: ScanSummary = {
    package_count: packages.size,
    finding_count: findings.size,
    open_critical: 0,
    open_high: 0,
    open_medium: 0,
    open_low: 0,
    open_unknown: 0,
    suppressed_count: 0,
    fixable_count: 0,
    worst_rank: -1,
  };
  for (const f of findings.values()) {
    if (f.suppressed) {
      summary.suppressed_count++;
      continue;
    }
    if (f.fixable) summary.fixable_count++;
    summary.worst_rank = Math.max(summary.worst_rank, f.severity_rank);
    switch (f.severity) {
      case 'CRITICAL': summary.open_critical++; break;
      case 'HIGH': summary.open_high++; break;
      case 'MEDIUM': summary.open_medium++; break;
      case 'LOW': summary.open_low++; break;
      default: summary.open_unknown++;
    }
  }
  return { findings: [...findings.values()], packages: [...packages.values()], summary };
}

export const RANK_SEVERITY: readonly Severity[] = ['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
