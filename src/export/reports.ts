import { createHash } from 'node:crypto';
import { ParseError } from '../core/errors.js';
import type { ScanReport } from '../core/report.js';
import { importReport } from '../import/index.js';
import { validateReport } from '../report/schema.js';
import type { ExportOptions } from './ecs.js';
import { reportDocuments } from './ecs.js';
import type { ExportBatch, ExportSource } from './sink.js';

/**
 * A report to export: a Bulwark JSON report as it is (checked against the report schema), or any report
 * `importReport` reads.
 */
export function readAnyReport(bytes: Uint8Array, file: string): ScanReport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    parsed = undefined;
  }
  if (typeof parsed === 'object' && parsed !== null && (parsed as { tool?: { name?: unknown } }).tool?.name === 'bulwark' && 'schemaVersion' in parsed) {
    const errors = validateReport(parsed);
    if (errors.length > 0) throw new ParseError(file, `not a valid Bulwark report: ${errors.slice(0, 3).join('; ')}`);
    return parsed as ScanReport;
  }
  return importReport(bytes, { filename: file });
}

export interface ReportFile {
  name: string;
  bytes: Uint8Array;
}

/**
 * Report files as an export source: one batch per file, position "<index>:<sha256 prefix>". A cursor written
 * for another list of files is refused rather than silently skipping reports.
 */
export class ReportFilesSource implements ExportSource {
  constructor(
    private readonly files: readonly ReportFile[],
    private readonly opts: ExportOptions,
  ) {}

  private positionOf(i: number): string {
    return `${String(i).padStart(6, '0')}:${createHash('sha256').update(this.files[i]!.bytes).digest('hex').slice(0, 16)}`;
  }

  async *batchesAfter(position: string | undefined): AsyncIterable<ExportBatch> {
    let start = 0;
    if (position !== undefined) {
      const m = /^(\d{6}):([0-9a-f]{16})$/.exec(position);
      const i = m ? Number(m[1]) : -1;
      if (!m || i >= this.files.length || this.positionOf(i) !== position) {
        throw new Error(`the export cursor (${position}) was written for another list of reports; remove it to export these from the start`);
      }
      start = i + 1;
    }
    for (let i = start; i < this.files.length; i++) {
      const f = this.files[i]!;
      yield { position: this.positionOf(i), documents: reportDocuments(readAnyReport(f.bytes, f.name), this.opts) };
    }
  }
}
