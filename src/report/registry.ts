import { UsageError } from '../core/errors.js';
import type { ScanReport } from '../core/report.js';
import { renderCycloneDx } from './cyclonedx.js';
import { renderGitlab } from './gitlab.js';
import { renderHtml } from './html.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';
import { renderSpdx } from './spdx.js';
import { renderTable } from './table.js';

export interface RenderOptions {
  /** ANSI colours (table only). */
  color: boolean;
}

export interface Reporter {
  readonly name: string;
  readonly description: string;
  /** Usual file extension, for docs and CI snippets. */
  readonly extension: string;
  render(report: ScanReport, opts: RenderOptions): string;
}

/** The output formats of `bulwark scan`, an explicit list: name → renderer. */
export const REPORTERS: readonly Reporter[] = [
  { name: 'table', description: 'findings grouped per file, for terminals', extension: 'txt', render: (r, o) => renderTable(r, { color: o.color }) },
  { name: 'json', description: 'the versioned Bulwark report (schemas/report.schema.json)', extension: 'json', render: (r) => JSON.stringify(r, null, 2) },
  { name: 'sarif', description: 'SARIF 2.1.0 for GitHub code scanning', extension: 'sarif', render: (r) => renderSarif(r) },
  { name: 'cyclonedx', description: 'CycloneDX 1.6 JSON SBOM with vulnerabilities', extension: 'cdx.json', render: (r) => renderCycloneDx(r) },
  { name: 'spdx-json', description: 'SPDX 2.3 JSON SBOM (inventory only: SPDX 2.3 has no vulnerabilities)', extension: 'spdx.json', render: (r) => renderSpdx(r) },
  { name: 'junit', description: 'JUnit XML, one test case per finding', extension: 'xml', render: (r) => renderJunit(r) },
  { name: 'gitlab', description: 'GitLab dependency-scanning / container-scanning report', extension: 'json', render: (r) => renderGitlab(r) },
  { name: 'html', description: 'one self-contained HTML page with sorting and filtering', extension: 'html', render: (r) => renderHtml(r) },
  { name: 'markdown', description: 'a merge-request comment', extension: 'md', render: (r) => renderMarkdown(r) },
];

export const FORMAT_NAMES: readonly string[] = REPORTERS.map((r) => r.name);

export function reporter(name: string): Reporter {
  const found = REPORTERS.find((r) => r.name === name);
  if (!found) throw new UsageError(`unknown format ${JSON.stringify(name)}`, `use one of: ${FORMAT_NAMES.join(', ')}`);
  return found;
}

export function render(report: ScanReport, format: string, opts: RenderOptions): string {
  return reporter(format).render(report, opts);
}
