import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanReport } from '../../src/core/report.js';
import { importReport } from '../../src/import/index.js';
import { REPORTERS } from '../../src/report/registry.js';
import { REPO_ROOT } from '../support/shared.js';

/**
 * An imported report is a Bulwark report: every output format renders it, and Bulwark's own CycloneDX and
 * GitLab outputs of it import back to the same findings (CycloneDX with vulnerabilities has no sample among
 * the real fixtures; this is how that reader meets real data).
 */
const fixture = (rel: string): Uint8Array => fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/import', rel));
const triples = (r: ScanReport): string[] => r.findings.map((f) => `${f.id} ${f.package.name} ${f.package.version} ${f.severity} ${f.fixedVersion ?? '-'}`).sort();

const SOURCES = ['trivy/all_statuses.json', 'anchore_grype/many_vulns4.json', 'osv_scanner/some_findings.json', 'govulncheck/many_vulns_new_version.json', 'trivy/cvssv4_severity_source.json'];

describe('imported reports in every output format', () => {
  it.each(SOURCES)('%s renders in every format', async (rel) => {
    const report = importReport(fixture(rel), { filename: rel, now: new Date('2026-01-01T00:00:00Z') });
    expect(report.findings.length).toBeGreaterThan(0);
    for (const r of REPORTERS) {
      const out = await r.render(report, { color: false });
      expect(out.length, r.name).toBeGreaterThan(0);
      if (r.name !== 'spdx-json') expect(out, r.name).toContain(report.findings[0]!.id);
    }
  });

  it.each(SOURCES)('%s → Bulwark CycloneDX → import: the same findings', async (rel) => {
    const report = importReport(fixture(rel), { filename: rel });
    const cdx = await REPORTERS.find((r) => r.name === 'cyclonedx')!.render(report, { color: false });
    const back = importReport(new TextEncoder().encode(cdx), { filename: 'bulwark.cdx.json' });
    expect(back.tool.importedFrom).toMatchObject({ format: 'cyclonedx', scanner: 'bulwark' });
    expect(triples(back)).toEqual(triples(report));
    expect(back.findings.map((f) => f.package.purl).sort()).toEqual(report.findings.map((f) => f.package.purl).sort());
  });

  it.each(SOURCES.filter((s) => !s.startsWith('osv')))('%s → Bulwark GitLab report → import: the same vulnerabilities and packages', async (rel) => {
    const report = importReport(fixture(rel), { filename: rel });
    const gl = await REPORTERS.find((r) => r.name === 'gitlab')!.render(report, { color: false });
    const back = importReport(new TextEncoder().encode(gl), { filename: 'gl.json' });
    expect(back.tool.importedFrom.format).toBe('gitlab');
    const key = (r: ScanReport): string[] => r.findings.map((f) => `${[f.id, ...f.aliases].sort().join(',')} ${f.package.name} ${f.package.version}`).sort();
    const ids = (r: ScanReport): string[] => r.findings.map((f) => `${f.package.name} ${f.package.version} ${f.severity}`).sort();
    expect(back.findings).toHaveLength(report.findings.length);
    expect(ids(back)).toEqual(ids(report));
    expect(key(back).length).toBe(key(report).length);
  });
});
