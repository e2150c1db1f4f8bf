import type { ScanReport } from '../core/report.js';
import { escapeXml, findingBreaksGate, findingSummary, primaryLocation, sortedFindings } from './common.js';

/**
 * JUnit XML for CI test tabs: one test case per finding, failing where it breaks the gate, skipped
 * where an exception, VEX statement or ignore entry suppresses it; a single passing test case when
 * there are no findings at all.
 */
export function renderJunit(report: ScanReport): string {
  const findings = sortedFindings(report);
  const cases: string[] = [];
  let failures = 0;
  let skipped = 0;
  for (const f of findings) {
    const loc = primaryLocation(f);
    const attrs = `classname="${escapeXml(`${f.package.ecosystem}.${f.package.name}`)}" name="${escapeXml(`${f.id} ${f.package.name}@${f.package.version}`)}"${loc ? ` file="${escapeXml(loc.path)}"` : ''}${loc?.line ? ` line="${loc.line}"` : ''}`;
    const body = [
      findingSummary(f),
      `package: ${f.package.purl}`,
      ...(f.aliases.length ? [`aliases: ${f.aliases.join(', ')}`] : []),
      `why: ${f.why}`,
      ...f.locations.map((l) => `location: ${l.path}${l.line ? `:${l.line}` : ''}`),
      ...f.references.slice(0, 5).map((r) => `reference: ${r.url}`),
    ].join('\n');
    if (f.suppressed) {
      skipped++;
      cases.push(`    <testcase ${attrs} time="0">\n      <skipped message="${escapeXml(`suppressed by ${f.suppressed.by}: ${f.suppressed.reason}`)}"/>\n    </testcase>`);
    } else if (findingBreaksGate(report, f)) {
      failures++;
      cases.push(`    <testcase ${attrs} time="0">\n      <failure message="${escapeXml(findingSummary(f))}" type="${f.severity}">${escapeXml(body)}</failure>\n    </testcase>`);
    } else {
      cases.push(`    <testcase ${attrs} time="0">\n      <system-out>${escapeXml(`${body}\n(does not break the gate: ${report.gate.reason})`)}</system-out>\n    </testcase>`);
    }
  }
  if (findings.length === 0) {
    cases.push(`    <testcase classname="bulwark" name="no known vulnerabilities in ${escapeXml(report.target.name)}" time="0"/>`);
  }
  const tests = Math.max(1, findings.length);
  const suite = escapeXml(`bulwark ${report.target.name}`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="bulwark" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}">`,
    `  <testsuite name="${suite}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" timestamp="${report.createdAt.replace(/\.\d+Z$/, '')}">`,
    `    <properties>\n      <property name="gate" value="${escapeXml(`${report.gate.passed ? 'passed' : 'failed'}: ${report.gate.reason}`)}"/>\n    </properties>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
  ].join('\n');
}
