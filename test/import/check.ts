import { expect } from 'vitest';
import type { Finding } from '../../src/core/report.js';
import type { ImportedReport } from '../../src/import/index.js';
import { validateReport } from '../../src/report/schema.js';
import { expectedOf } from './expected.js';

/** DefectDojo's folder names (the fixtures' layout) → the importer's format names. */
export const FOLDER_FORMAT: Readonly<Record<string, string>> = {
  trivy: 'trivy',
  trivy_operator: 'trivy-operator',
  anchore_grype: 'grype',
  dependency_check: 'dependency-check-xml',
  dependency_check_json: 'dependency-check-json',
  osv_scanner: 'osv-scanner',
  gitlab_dep_scan: 'gitlab',
  gitlab_container_scan: 'gitlab',
  govulncheck: 'govulncheck',
  npm_audit_7_plus: 'npm-audit',
  cyclonedx: 'cyclonedx',
};

function findingKey(format: string, f: Finding): string {
  if (format === 'gitlab') return JSON.stringify([[...new Set([f.id, ...f.aliases])].sort().join(' '), f.package.name, f.package.version]);
  return JSON.stringify([f.id, f.package.name, f.package.version]);
}

const clean = (v: string): string => v.trim().replace(/^(>=|>|=)\s*/, '');

/**
 * The import of `bytes` holds exactly what the file contains: one finding per distinct (vulnerability,
 * package, version), the file's severities and fixed versions, and a report that validates against the
 * report schema. Returns the number of findings checked.
 */
export function checkImport(format: string, bytes: Uint8Array, report: ImportedReport): number {
  const exp = expectedOf(format, bytes);
  expect(validateReport(report)).toEqual([]);
  expect(report.tool.importedFrom.format).toBe(format);
  expect(report.findings.length).toBe(exp.triples.size);
  if (exp.keyKind === 'count') {
    expect(new Set(report.findings.map((f) => f.id))).toEqual(exp.vulnIds);
    return report.findings.length;
  }
  const actual = new Map(report.findings.map((f) => [findingKey(format, f), f]));
  expect([...actual.keys()].sort()).toEqual([...exp.triples.keys()].sort());
  for (const [key, facts] of exp.triples) {
    const f = actual.get(key)!;
    if (facts.severities.size > 0) expect([...facts.severities], `severity of ${key}`).toContain(f.severity);
    if (format === 'gitlab') {
      // GitLab gives the fix only in prose ("Upgrade to version 2.2.3 or above."): the version must come from it.
      if (f.fixedVersion) expect([...facts.fixed].some((solution) => solution.includes(f.fixedVersion!)), `fix of ${key}`).toBe(true);
      continue;
    }
    const fixed = new Set([...facts.fixed].map(clean).filter((v) => v));
    if (fixed.size > 0) expect([...fixed], `fixed version of ${key}`).toContain(f.fixedVersion);
    else expect(f.fixedVersion, `fixed version of ${key}`).toBeNull();
    // Every package of a finding is in the inventory with a purl.
    expect(report.packages.some((p) => p.purl === f.package.purl && p.name === f.package.name)).toBe(true);
  }
  return report.findings.length;
}
