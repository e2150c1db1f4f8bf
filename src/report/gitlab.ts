import path from 'node:path';
import type { Finding, ScanReport } from '../core/report.js';
import type { Severity } from '../core/severity.js';
import { advisoryUrl, findingSummary, primaryLocation, sortedFindings, uuidOf } from './common.js';

/**
 * GitLab security reports, so merge requests and the vulnerability report show findings natively:
 * the dependency-scanning report for source trees and SBOMs, the container-scanning report for
 * images and root filesystems. Schema version 15.0.7 (what GitLab 15.0+ accepts).
 */
export const GITLAB_SCHEMA_VERSION = '15.0.7';

const SEVERITY: Record<Severity, string> = { CRITICAL: 'Critical', HIGH: 'High', MEDIUM: 'Medium', LOW: 'Low', UNKNOWN: 'Unknown' };

/** The package manager a lockfile belongs to, by file name, falling back to the ecosystem. */
const MANAGERS: Record<string, string> = {
  'package-lock.json': 'npm', 'npm-shrinkwrap.json': 'npm', 'yarn.lock': 'yarn', 'pnpm-lock.yaml': 'pnpm', 'bun.lock': 'bun',
  'requirements.txt': 'pip', 'Pipfile.lock': 'pipenv', 'poetry.lock': 'poetry', 'uv.lock': 'uv', 'pdm.lock': 'pdm',
  'go.mod': 'go', 'go.sum': 'go', 'Cargo.lock': 'cargo', 'Gemfile.lock': 'bundler', 'composer.lock': 'composer',
  'pom.xml': 'maven', 'gradle.lockfile': 'gradle', 'packages.lock.json': 'nuget', 'pubspec.lock': 'pub', 'mix.lock': 'hex',
};

function packageManager(file: string, ecosystem: string): string {
  return MANAGERS[path.posix.basename(file)] ?? ecosystem.split(':')[0]!.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

function identifier(id: string, f: Finding): Record<string, string> {
  const type = id.startsWith('CVE-') ? 'cve' : id.startsWith('GHSA-') ? 'ghsa' : (id.split('-')[0] ?? 'id').toLowerCase() || 'id';
  const url = id === f.id ? advisoryUrl(id, f) : advisoryUrl(id);
  return { type, name: id, value: id, ...(url && /^(https?|ftp):\/\/.+/.test(url) ? { url } : {}) };
}

/** yyyy-mm-ddThh:mm:ss, as the schema wants it. */
function gitlabTime(iso: string): string {
  return iso.slice(0, 19);
}

export function renderGitlab(report: ScanReport): string {
  const container = report.target.kind === 'image' || report.target.kind === 'rootfs';
  const type = container ? 'container_scanning' : 'dependency_scanning';
  const tool = { id: 'bulwark', name: 'Bulwark', version: report.tool.version, vendor: { name: 'Bulwark' }, url: 'https://github.com/bulwark-scanner/bulwark' };
  const os = report.os ? `${report.os.name || report.os.family} ${report.os.version}`.trim() : 'unknown';
  const image = report.target.image?.reference ?? report.target.name;
  const vulnerabilities = sortedFindings(report).map((f) => {
    const loc = primaryLocation(f);
    const file = loc?.path ?? report.target.name;
    const dependency = { package: { name: f.package.name }, version: f.package.version };
    const links = f.references.filter((r) => /^(https?|ftp):\/\/.+/.test(r.url)).slice(0, 20).map((r) => ({ url: r.url }));
    return {
      id: uuidOf(f.id, f.package.purl, file),
      name: (f.title ?? `${f.id} in ${f.package.name}`).slice(0, 255),
      description: findingSummary(f).slice(0, 1048576),
      severity: SEVERITY[f.severity],
      ...(f.fixedVersion ? { solution: `Upgrade ${f.package.name} to ${f.fixedVersion} or later.` } : {}),
      identifiers: [f.id, ...f.aliases.filter((a) => a !== f.id)].map((id) => identifier(id, f)),
      ...(f.cvss && f.cvss.vector.length >= 16 ? { cvss_vectors: [{ vendor: f.severitySource?.split(' ')[0] ?? 'unknown', vector: f.cvss.vector }] } : {}),
      ...(links.length ? { links } : {}),
      ...(f.suppressed
        ? { flags: [{ type: 'flagged-as-likely-false-positive', origin: 'bulwark', description: `suppressed by ${f.suppressed.by}: ${f.suppressed.reason}` }] }
        : {}),
      location: container ? { dependency, operating_system: os, image } : { file, dependency },
    };
  });
  const out: Record<string, unknown> = {
    version: GITLAB_SCHEMA_VERSION,
    schema: `https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v${GITLAB_SCHEMA_VERSION}/dist/${container ? 'container' : 'dependency'}-scanning-report-format.json`,
    scan: {
      analyzer: tool,
      scanner: tool,
      type,
      start_time: gitlabTime(report.createdAt),
      end_time: gitlabTime(report.createdAt),
      status: 'success',
      messages: [
        { level: report.gate.passed ? 'info' : 'warn', value: `gate ${report.gate.passed ? 'passed' : 'failed'}: ${report.gate.reason}` },
        ...report.errors.slice(0, 50).map((e) => ({ level: 'warn', value: `${e.path}: ${e.message}` })),
      ],
    },
    vulnerabilities,
  };
  if (!container) {
    const files = new Map<string, { path: string; package_manager: string; dependencies: { package: { name: string }; version: string; direct?: boolean }[] }>();
    for (const p of report.packages) {
      const file = p.locations.find((l) => !/(^|\/)(node_modules|site-packages|vendor)\//.test(l.path))?.path ?? p.locations[0]?.path;
      if (!file) continue;
      let entry = files.get(file);
      if (!entry) {
        entry = { path: file, package_manager: packageManager(file, p.ecosystem), dependencies: [] };
        files.set(file, entry);
      }
      entry.dependencies.push({ package: { name: p.name }, version: p.version, ...(p.direct !== undefined ? { direct: p.direct } : {}) });
    }
    out.dependency_files = [...files.values()].sort((a, b) => a.path.localeCompare(b.path));
  }
  return JSON.stringify(out, null, 2);
}
