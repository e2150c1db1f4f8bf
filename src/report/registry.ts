import { UsageError } from '../core/errors.js';
import type { ScanReport } from '../core/report.js';

export interface RenderOptions {
  /** ANSI colours (table only). */
  color: boolean;
}

export interface Reporter {
  readonly name: string;
  readonly description: string;
  /** Usual file extension, for docs and CI snippets. */
  readonly extension: string;
  /** Formats load their module (and its libraries) only when used: a table scan does not load CycloneDX. */
  render(report: ScanReport, opts: RenderOptions): Promise<string>;
}

/** The output formats of `bulwark scan`, an explicit list: name → renderer. */
export const REPORTERS: readonly Reporter[] = [
  { name: 'table', description: 'findings grouped per file, for terminals', extension: 'txt', render: async (r, o) => (await import('./table.js')).renderTable(r, { color: o.color }) },
  { name: 'json', description: 'the versioned Bulwark report (schemas/report.schema.json)', extension: 'json', render: async (r) => JSON.stringify(r, null, 2) },
  { name: 'sarif', description: 'SARIF 2.1.0 for GitHub code scanning', extension: 'sarif', render: async (r) => (await import('./sarif.js')).renderSarif(r) },
  { name: 'cyclonedx', description: 'CycloneDX 1.6 JSON SBOM with vulnerabilities', extension: 'cdx.json', render: async (r) => (await import('./cyclonedx.js')).renderCycloneDx(r) },
  { name: 'spdx-json', description: 'SPDX 2.3 JSON SBOM (inventory only: SPDX 2.3 has no vulnerabilities)', extension: 'spdx.json', render: async (r) => (await import('./spdx.js')).renderSpdx(r) },
  { name: 'junit', description: 'JUnit XML, one test case per finding', extension: 'xml', render: async (r) => (await import('./junit.js')).renderJunit(r) },
  { name: 'gitlab', description: 'GitLab dependency-scanning / container-scanning report', extension: 'json', render: async (r) => (await import('./gitlab.js')).renderGitlab(r) },
  { name: 'html', description: 'one self-contained HTML page with sorting and filtering', extension: 'html', render: async (r) => (await import('./html.js')).renderHtml(r) },
  { name: 'markdown', description: 'a merge-request comment', extension: 'md', render: async (r) => (await import('./markdown.js')).renderMarkdown(r) },
];

export const FORMAT_NAMES: readonly string[] = REPORTERS.map((r) => r.name);

export function reporter(name: string): Reporter {
  const found = REPORTERS.find((r) => r.name === name);
  if (!found) throw new UsageError(`unknown format ${JSON.stringify(name)}`, `use one of: ${FORMAT_NAMES.join(', ')}`);
  return found;
}

export function render(report: ScanReport, format: string, opts: RenderOptions): Promise<string> {
  return reporter(format).render(report, opts);
}
