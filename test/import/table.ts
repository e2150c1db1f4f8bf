import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BulwarkError } from '../../src/core/errors.js';
import type { ImportFormat } from '../../src/import/index.js';
import { importReport } from '../../src/import/index.js';
import { checkImport, FOLDER_FORMAT } from './check.js';

/** Every report file under `root` (DefectDojo's layout: <tool folder>/<file>, invalid samples in <tool>/invalid/). */
export function reportFiles(root: string): { rel: string; folder: string; invalid: boolean }[] {
  const out: { rel: string; folder: string; invalid: boolean }[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.(json|xml)$/.test(e.name)) {
        const rel = path.relative(root, full).split(path.sep).join('/');
        const parts = rel.split('/');
        out.push({ rel, folder: parts[0]!, invalid: parts.includes('invalid') });
      }
    }
  };
  walk(root);
  return out.sort((a, b) => a.rel.localeCompare(b.rel));
}

/** Empty files are a report only when the format is named (osv-scanner writes nothing when it scanned nothing). */
const isEmpty = (bytes: Uint8Array): boolean => new TextDecoder().decode(bytes).trim().length === 0;

/**
 * The table: for every file, the format detected from content is the folder's format; the import (detected
 * and forced) holds exactly the file's (vulnerability, package, version) triples with their severities and
 * fixed versions; invalid samples are refused with an error naming the file.
 */
export function describeFixtureTable(name: string, root: string): { total: () => number } {
  const files = fs.existsSync(root) ? reportFiles(root) : [];
  let total = 0;
  describe(name, () => {
    it.each(files.filter((f) => !f.invalid).map((f) => [f.rel, f] as const))('%s', (_rel, f) => {
      const format = FOLDER_FORMAT[f.folder];
      expect(format, `a format for folder ${f.folder}`).toBeDefined();
      const bytes = fs.readFileSync(path.join(root, f.rel));
      const now = new Date('2026-01-01T00:00:00Z');
      if (isEmpty(bytes)) {
        expect(() => importReport(bytes, { filename: f.rel })).toThrow(/the file is empty/);
      } else {
        const detected = importReport(bytes, { filename: f.rel, now });
        expect(detected.tool.importedFrom.format).toBe(format);
      }
      const forced = importReport(bytes, { filename: f.rel, format: format as ImportFormat, now });
      total += checkImport(format!, bytes, forced);
    });
    it.each(files.filter((f) => f.invalid).map((f) => [f.rel, f] as const))('refuses %s', (_rel, f) => {
      const bytes = fs.readFileSync(path.join(root, f.rel));
      let error: unknown;
      try {
        importReport(bytes, { filename: f.rel });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(BulwarkError);
      expect((error as BulwarkError).code).toBe('BULWARK_E_PARSE');
      expect((error as Error).message).toContain(f.rel);
      expect((error as Error).message).toMatch(/not a report|empty|SARIF/);
      // Forcing the folder's format does not make it one.
      expect(() => importReport(bytes, { filename: f.rel, format: FOLDER_FORMAT[f.folder] as ImportFormat })).toThrow(f.rel);
    });
  });
  return { total: () => total };
}
