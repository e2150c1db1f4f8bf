import pc from 'picocolors';
import type { Finding, ScanReport } from '../core/report.js';
import type { Severity } from '../core/severity.js';
import { SEVERITIES } from '../core/severity.js';

export interface TableOptions {
  color: boolean;
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/** Paths of installed-package metadata (what a package manager unpacked), as opposed to a lockfile that declared it. */
const INSTALLED_METADATA = /(^|\/)(node_modules|site-packages|dist-packages|vendor|\.bundle|gems)\/|\.(dist|egg)-info\//;

/**
 * The file a finding is filed under: the lockfile that declared the package when it has one (yarn.lock, not
 * node_modules/x/package.json), the shallowest such path, then the first.
 */
export function declaringLocation(paths: readonly string[]): string | undefined {
  const depth = (p: string): number => p.split('/').length;
  return [...paths].sort((a, b) => Number(INSTALLED_METADATA.test(a)) - Number(INSTALLED_METADATA.test(b)) || depth(a) - depth(b) || a.localeCompare(b))[0];
}

/** Which group a finding is shown under: OS packages, or the file that declared it. */
function groupOf(f: Finding): string {
  if (f.package.ecosystem.includes(':') && f.package.source) return `OS packages (${f.package.ecosystem})`;
  return declaringLocation(f.locations.map((l) => l.path)) ?? '(unknown location)';
}

/**
 * A fixed version written the way the installed one is: Go modules are `v1.2.3` where advisories say `1.2.3`,
 * so the v is added (or dropped) to match; each of several comma-separated versions alike.
 */
export function fixedLikeInstalled(installed: string, fixed: string): string {
  const withV = /^v\d/.test(installed);
  return fixed
    .split(', ')
    .map((v) => (withV && /^\d/.test(v) ? `v${v}` : !withV && /^\d/.test(installed) && /^v\d/.test(v) ? v.slice(1) : v))
    .join(', ');
}

/** The default human output: findings grouped per file, coloured by severity, then a summary line. */
export function renderTable(report: ScanReport, opts: TableOptions): string {
  const c = pc.createColors(opts.color);
  const paint: Record<Severity, (s: string) => string> = {
    CRITICAL: (s) => c.bold(c.red(s)),
    HIGH: c.red,
    MEDIUM: c.yellow,
    LOW: c.blue,
    UNKNOWN: c.dim,
  };
  const lines: string[] = [];
  const t = report.target;
  lines.push(c.bold(`${t.name} (${t.kind}${report.os ? `, ${report.os.name}` : ''})`));
  lines.push(`${report.packages.length} packages, ${report.findings.length} findings`);
  const groups = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const g = groupOf(f);
    const list = groups.get(g) ?? [];
    list.push(f);
    groups.set(g, list);
  }
  for (const [group, findings] of [...groups].sort((a, b) => a[0].localeCompare(b[0]))) {
    lines.push('', c.bold(`${group}  [${findings[0]!.package.ecosystem}]`));
    const rows = findings.map((f) => ({
      sev: f.severity,
      id: f.id + (f.aliases.find((a) => a.startsWith('CVE-') && a !== f.id) ? ` (${f.aliases.find((a) => a.startsWith('CVE-'))})` : ''),
      pkg: f.package.name + (f.package.dev ? ' (dev)' : ''),
      installed: f.package.version,
      fixed: f.fixedVersion ? fixedLikeInstalled(f.package.version, f.fixedVersion) : f.fixState === 'wont-fix' ? "won't fix" : 'no fix',
      title: (f.suppressed ? `[suppressed: ${f.suppressed.reason}] ` : '') + (f.title ?? ''),
    }));
    const w = {
      id: Math.min(40, Math.max(2, ...rows.map((r) => r.id.length))),
      pkg: Math.min(40, Math.max(7, ...rows.map((r) => r.pkg.length))),
      installed: Math.min(30, Math.max(9, ...rows.map((r) => r.installed.length))),
      fixed: Math.min(30, Math.max(5, ...rows.map((r) => r.fixed.length))),
    };
    lines.push(c.dim(`  ${'SEVERITY'.padEnd(8)}  ${'ID'.padEnd(w.id)}  ${'PACKAGE'.padEnd(w.pkg)}  ${'INSTALLED'.padEnd(w.installed)}  ${'FIXED'.padEnd(w.fixed)}  TITLE`));
    for (const r of rows) {
      lines.push(
        `  ${paint[r.sev](r.sev.padEnd(8))}  ${truncate(r.id, w.id).padEnd(w.id)}  ${truncate(r.pkg, w.pkg).padEnd(w.pkg)}  ${truncate(r.installed, w.installed).padEnd(w.installed)}  ${truncate(r.fixed, w.fixed).padEnd(w.fixed)}  ${truncate(r.title, 70)}`,
      );
    }
  }
  if (report.unknowns.length > 0) {
    lines.push('', c.bold(c.yellow(`Not decided (${report.unknowns.length}): these were NOT checked, do not read them as clean`)));
    for (const u of report.unknowns.slice(0, 50)) lines.push(`  ${u.kind}: ${u.message}`);
    if (report.unknowns.length > 50) lines.push(`  … and ${report.unknowns.length - 50} more (see --format json)`);
  }
  if (report.errors.length > 0) {
    lines.push('', c.bold(c.red(`Errors (${report.errors.length})`)));
    for (const e of report.errors) lines.push(`  ${e.path}: ${e.message}${e.extractor ? ` [${e.extractor}]` : ''}`);
  }
  const counts = SEVERITIES.map((s) => `${s} ${report.findings.filter((f) => f.severity === s && !f.suppressed).length}`).join(', ');
  const suppressed = report.findings.filter((f) => f.suppressed).length;
  lines.push(
    '',
    `Total: ${report.findings.length - suppressed} findings (${counts})${suppressed ? `, ${suppressed} suppressed` : ''} in ${report.packages.length} packages; ${report.unknowns.length} not decided; ${report.errors.length} errors`,
  );
  lines.push(report.gate.passed ? c.green(`Gate: PASSED (${report.gate.reason})`) : c.bold(c.red(`Gate: FAILED (${report.gate.reason})`)));
  // An incomplete scan ends with one line saying what was not checked, so "PASSED" is never read as "all checked".
  const notChecked = report.gate.complete === false ? (report.gate.notChecked ?? []) : [];
  if (notChecked.length > 0) lines.push(c.bold(c.yellow(`Not checked: ${notChecked.map((n) => n.summary).join('; ')}`)));
  return lines.join('\n');
}
