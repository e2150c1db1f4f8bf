import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanReport } from '../../src/core/report.js';
import { dailyIndex, reportDocuments, splitImageReference } from '../../src/export/ecs.js';
import { bulkBody, ndjsonLines } from '../../src/export/bulk.js';
import { checkAgainstMappings, indexMatchesTemplate, templateMappings } from '../../src/export/mapping-check.js';
import { importReport } from '../../src/import/index.js';
import { REPO_ROOT } from '../support/shared.js';
import { reportFiles } from './table.js';

const TEMPLATE: unknown = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'docs/elastic/index-template.json'), 'utf8'));
const MAPPINGS = templateMappings(TEMPLATE);
const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/import');
const NOW = new Date('2026-03-01T12:00:00Z');
const load = (rel: string): ScanReport => importReport(fs.readFileSync(path.join(FIXTURES, rel)), { filename: rel, now: NOW });

describe('ECS documents', () => {
  const valid = reportFiles(FIXTURES).filter((f) => !f.invalid && fs.statSync(path.join(FIXTURES, f.rel)).size > 0);

  it.each(valid.map((f) => f.rel))('%s: every document fits the shipped index template', (rel) => {
    const report = load(rel);
    const docs = reportDocuments(report, { project: 'payments', service: 'checkout' });
    expect(docs).toHaveLength(report.findings.length + 1);
    for (const d of docs) {
      expect(indexMatchesTemplate(d._index, TEMPLATE), d._index).toBe(true);
      expect(checkAgainstMappings(d.doc, MAPPINGS), `${d._index}/${d._id}`).toEqual([]);
    }
  });

  it('carries the ECS fields the dashboards use', () => {
    const report = load('trivy/all_statuses.json');
    const [finding] = reportDocuments(report, { project: 'payments' });
    expect(finding!.doc).toMatchObject({
      '@timestamp': report.createdAt,
      labels: { project: 'payments' },
      event: { kind: 'state', category: ['vulnerability'], dataset: 'bulwark.finding' },
      vulnerability: { id: report.findings[0]!.id, scanner: { vendor: 'trivy' } },
      package: { name: report.findings[0]!.package.name, version: report.findings[0]!.package.version, type: 'deb' },
      container: { image: { name: 'noppaknopsta/example-app', tag: ['main-159'] } },
      bulwark: { imported_from: { format: 'trivy', scanner: 'trivy' } },
    });
    expect(['Critical', 'High', 'Medium', 'Low', 'Unknown']).toContain((finding!.doc.vulnerability as { severity: string }).severity);
  });

  it('gives deterministic ids and daily indices: re-exporting a report yields the same documents', () => {
    const a = reportDocuments(load('anchore_grype/many_vulns4.json'), { project: 'p' });
    const b = reportDocuments(load('anchore_grype/many_vulns4.json'), { project: 'p' });
    expect(b.map((d) => `${d._index}/${d._id}`)).toEqual(a.map((d) => `${d._index}/${d._id}`));
    expect(new Set(a.map((d) => d._id)).size).toBe(a.length);
    const other = reportDocuments(load('anchore_grype/many_vulns4.json'), { project: 'q' });
    expect(other[0]!._id).not.toBe(a[0]!._id);
    expect(dailyIndex('bulwark', 'findings', '2024-02-29T23:59:59.999Z')).toBe('bulwark-findings-2024.02.29');
    expect(dailyIndex('bulwark', 'events', '2024-03-01T01:00:00+02:00')).toBe('bulwark-events-2024.02.29');
  });

  it('writes NDJSON lines and _bulk bodies', () => {
    const docs = reportDocuments(load('npm_audit_7_plus/one_vuln.json'), { project: 'web' });
    const lines = ndjsonLines(docs).trimEnd().split('\n');
    expect(lines).toHaveLength(docs.length);
    lines.forEach((l, i) => {
      const d = JSON.parse(l) as Record<string, unknown>;
      expect(d).toHaveProperty('labels.project', 'web');
      expect(d).toHaveProperty('event.id', docs[i]!._id);
      expect(checkAgainstMappings(d, MAPPINGS)).toEqual([]);
    });
    const bulk = bulkBody(docs);
    expect(bulk.endsWith('\n')).toBe(true);
    const bl = bulk.trimEnd().split('\n');
    expect(bl).toHaveLength(docs.length * 2);
    expect(JSON.parse(bl[0]!)).toEqual({ index: { _index: docs[0]!._index, _id: docs[0]!._id } });
  });

  it('splits image references', () => {
    expect(splitImageReference('registry:5000/team/app:1.2@sha256:abcd')).toEqual({ name: 'registry:5000/team/app', tag: '1.2', digest: 'sha256:abcd' });
    expect(splitImageReference('alpine')).toEqual({ name: 'alpine' });
  });
});

describe('the mapping check (what Elasticsearch would refuse with dynamic: strict)', () => {
  const doc = (): Record<string, unknown> => reportDocuments(load('trivy/all_statuses.json'), { project: 'p' })[0]!.doc;
  it.each([
    ['an unmapped field', (d: Record<string, unknown>) => (d.surprise = 'x'), /surprise: not in the mappings/],
    ['a string where a float is mapped', (d: Record<string, unknown>) => ((d.vulnerability as Record<string, unknown>).score = { base: '7.5' }), /vulnerability.score.base/],
    ['a number where a keyword is mapped', (d: Record<string, unknown>) => ((d.labels as Record<string, unknown>).project = 42), /labels.project/],
    ['a bad date', (d: Record<string, unknown>) => (d['@timestamp'] = 'yesterday'), /@timestamp/],
    ['a scalar where an object is mapped', (d: Record<string, unknown>) => (d.package = 'openssl'), /package: "openssl" is not an object/],
    ['a float where a long is mapped', (d: Record<string, unknown>) => (d.bulwark = { packages: 1.5 }), /bulwark.packages/],
  ])('catches %s', (_name, mutate, message) => {
    const d = doc();
    mutate(d);
    expect(checkAgainstMappings(d, MAPPINGS).join('\n')).toMatch(message);
  });
});

describe('what export reads', () => {
  it('takes Bulwark reports as they are, checks them against the report schema, and imports everything else', async () => {
    const { readAnyReport } = await import('../../src/export/reports.js');
    const imported = load('trivy/all_statuses.json');
    const asBulwark = readAnyReport(new TextEncoder().encode(JSON.stringify(imported)), 'bulwark.json');
    expect(asBulwark.findings).toHaveLength(imported.findings.length);
    const broken = { ...imported, findings: [{ id: 'CVE-1' }] };
    expect(() => readAnyReport(new TextEncoder().encode(JSON.stringify(broken)), 'broken.json')).toThrow(/broken.json: not a valid Bulwark report/);
    expect(() => readAnyReport(new TextEncoder().encode('{"hello": 1}'), 'other.json')).toThrow(/other.json: not a report Bulwark can import/);
    expect(readAnyReport(bytesOf('npm_audit_7_plus/one_vuln.json'), 'audit.json').tool).toMatchObject({ importedFrom: { format: 'npm-audit' } });
  });
});

function bytesOf(rel: string): Uint8Array {
  return fs.readFileSync(path.join(FIXTURES, rel));
}
