import type { ScanReport } from '../core/report.js';

/** The report formats `importReport` reads. */
export const IMPORT_FORMATS = [
  'trivy',
  'trivy-operator',
  'grype',
  'dependency-check-xml',
  'dependency-check-json',
  'osv-scanner',
  'gitlab',
  'govulncheck',
  'npm-audit',
  'cyclonedx',
] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export function isImportFormat(s: string): s is ImportFormat {
  return (IMPORT_FORMATS as readonly string[]).includes(s);
}

/** Which scanner wrote an imported report, recorded in the report as `tool.importedFrom`. */
export interface ImportedFrom {
  /** The report format that was read. */
  format: ImportFormat;
  /** The scanner the report names ("trivy", "grype", "dependency-check", "gemnasium", …). */
  scanner: string;
  scannerVersion?: string;
  /** The file name the report came in as, when known. */
  file?: string;
}

/**
 * A Bulwark report made from another scanner's report. `tool` is still Bulwark's (the schema fixes its
 * name); `tool.importedFrom` says whose verdicts the findings are. The JSON Schema leaves `tool` open, so
 * an imported report validates as a Bulwark report.
 */
export interface ImportedReport extends ScanReport {
  tool: ScanReport['tool'] & { importedFrom: ImportedFrom };
}

export interface ImportOptions {
  /** Named in every error message; recorded in the report. */
  filename?: string;
  /** Skip detection and read the bytes as this format. */
  format?: ImportFormat;
  /** Report creation time when the source report has none (tests pass a fixed one). */
  now?: Date;
}
