import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SHARED_DIR } from '../support/shared.js';
import { describeFixtureTable, reportFiles } from '../import/table.js';

/**
 * Every one of the 81 real scanner reports in ../shared/import-fixtures (DefectDojo's samples; see its
 * README) through the import table: detected format, exact (vulnerability, package, version) triples,
 * severities, fixed versions, and the invalid samples refused.
 */
const ROOT = path.join(SHARED_DIR, 'import-fixtures');
const present = fs.existsSync(ROOT);

if (!present) {
  describe.skip(`import fixtures: ${ROOT} is absent (lay ../shared beside the clone or set BULWARK_SHARED_DIR)`, () => {
    it('imports every shared fixture', () => undefined);
  });
} else {
  const table = describeFixtureTable('import of ../shared/import-fixtures', ROOT);
  describe('the shared fixture folder', () => {
    it('holds the 81 files its README lists', () => {
      const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
      const listed = [...readme.matchAll(/^\| ([\w./-]+\.(?:json|xml)) \|/gm)].map((m) => m[1]!).sort();
      expect(listed).toHaveLength(81);
      expect(reportFiles(ROOT).map((f) => f.rel).sort()).toEqual(listed);
    });
  });
  afterAll(() => {
    expect(table.total()).toBeGreaterThan(1000);
  });
}
