import type { Finding, ScanReport } from '../core/report.js';
import { SEVERITIES } from '../core/severity.js';
import { advisoryUrl, gateProfile, cveOf, findingBreaksGate, severityCounts, sortedFindings } from './common.js';

/** A merge-request comment: gate verdict, counts per severity, findings worst first. */
export interface MarkdownOptions {
  /** Most findings listed in the table; the rest are counted. */
  maxRows?: number;
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ').replace(/</g, '&lt;');
}

function idCell(f: Finding): string {
  const url = advisoryUrl(f.id, f);
  const id = url ? `[${cell(f.id)}](${url})` : cell(f.id);
  const cve = cveOf(f);
  return cve && cve !== f.id ? `${id} (${cell(cve)})` : id;
}

export function renderMarkdown(report: ScanReport, opts: MarkdownOptions = {}): string {
  const max = opts.maxRows ?? 50;
  const findings = sortedFindings(report);
  const active = findings.filter((f) => !f.suppressed);
  const suppressed = findings.filter((f) => f.suppressed);
  const counts = severityCounts(report);
  const lines: string[] = [];
  lines.push(`### ${report.gate.passed ? '✅' : '❌'} Bulwark: gate ${report.gate.passed ? 'passed' : 'failed'}`);
  lines.push('');
  lines.push(`${cell(report.gate.reason)}${gateProfile(report) ? ` (profile: \`${cell(gateProfile(report) ?? '')}\`)` : ''}`);
  lines.push('');
  lines.push(`Scanned \`${cell(report.target.name)}\` (${report.target.kind}): ${report.packages.length} packages, ${active.length} findings${suppressed.length ? `, ${suppressed.length} suppressed` : ''}.`);
  lines.push('');
  lines.push(`| ${SEVERITIES.map((s) => s.charAt(0) + s.slice(1).toLowerCase()).join(' | ')} |`);
  lines.push(`| ${SEVERITIES.map(() => '---:').join(' | ')} |`);
  lines.push(`| ${SEVERITIES.map((s) => String(counts[s])).join(' | ')} |`);
  if (active.length > 0) {
    lines.push('', '| | Severity | ID | Package | Installed | Fixed in | Title |', '| --- | --- | --- | --- | --- | --- | --- |');
    for (const f of active.slice(0, max)) {
      lines.push(
        `| ${findingBreaksGate(report, f) ? '🛑' : ''} | ${f.severity} | ${idCell(f)} | ${cell(f.package.name)}${f.package.dev ? ' (dev)' : ''} | ${cell(f.package.version)} | ${cell(f.fixedVersion ?? (f.fixState === 'wont-fix' ? "won't fix" : '—'))} | ${cell((f.title ?? '').slice(0, 120))} |`,
      );
    }
    if (active.length > max) lines.push('', `… and ${active.length - max} more (see the full report).`);
    lines.push('', '🛑 breaks the gate.');
  }
  if (suppressed.length > 0) {
    lines.push('', `<details><summary>${suppressed.length} suppressed finding(s)</summary>`, '', '| ID | Package | By | Reason | Expires |', '| --- | --- | --- | --- | --- |');
    for (const f of suppressed.slice(0, max)) {
      lines.push(`| ${idCell(f)} | ${cell(f.package.name)} ${cell(f.package.version)} | ${cell(f.suppressed!.by)} | ${cell(f.suppressed!.reason)} | ${f.suppressed!.expires ?? ''} |`);
    }
    lines.push('', '</details>');
  }
  const warnings = report.errors.filter((e) => e.code.startsWith('BULWARK_W_'));
  if (warnings.length > 0) {
    lines.push('', '**Warnings**', '', ...warnings.map((w) => `- ${cell(w.path)}: ${cell(w.message)}`));
  }
  if (report.unknowns.length > 0) {
    lines.push('', `⚠️ ${report.unknowns.length} package(s) or file(s) could not be decided; they were **not** checked (see the JSON report).`);
  }
  return lines.join('\n');
}
