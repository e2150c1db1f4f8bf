import type { ScanReport } from '../../src/core/report.js';

/**
 * What a scan found, reduced to what must not change when the code is restructured: the packages
 * (name@version@ecosystem) and the findings (id, package, fixed version), each sorted. Severity and the gate are
 * left out on purpose (they are changed deliberately elsewhere); so are createdAt, versions and locations.
 */
export interface ReportDigest {
  packages: string[];
  findings: string[];
  errors: string[];
}

export function digestReport(report: ScanReport): ReportDigest {
  const sorted = (xs: string[]): string[] => xs.sort();
  return {
    packages: sorted(report.packages.map((p) => `${p.name}@${p.version}@${p.ecosystem}`)),
    findings: sorted(report.findings.map((f) => `${f.id} ${f.package.name}@${f.package.version}@${f.package.ecosystem} fixed:${f.fixedVersion ?? '-'}`)),
    errors: sorted(report.errors.map((e) => e.path)),
  };
}
