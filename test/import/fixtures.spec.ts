import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/shared.js';
import { describeFixtureTable, reportFiles } from './table.js';

/** The unit table over the fixtures copied into the repository (test/fixtures/import, see its README). */
const ROOT = path.join(REPO_ROOT, 'test/fixtures/import');
const table = describeFixtureTable('import of the repository fixtures', ROOT);

describe('the repository fixtures', () => {
  it('cover every supported format and both invalid samples', () => {
    const folders = new Set(reportFiles(ROOT).map((f) => f.folder));
    for (const f of ['trivy', 'trivy_operator', 'anchore_grype', 'dependency_check', 'dependency_check_json', 'osv_scanner', 'gitlab_dep_scan', 'gitlab_container_scan', 'govulncheck', 'npm_audit_7_plus']) expect(folders).toContain(f);
    expect(reportFiles(ROOT).filter((f) => f.invalid)).toHaveLength(2);
  });
});

afterAll(() => {
  // The table checked real findings, not only empty reports.
  expect(table.total()).toBeGreaterThan(50);
});
