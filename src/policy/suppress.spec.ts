import { describe, expect, it } from 'vitest';
import type { Finding, UndecidedReport } from '../core/report.js';
import { DEFAULT_GATE, evaluateGate } from './gate.js';
import { packageMatches } from './glob.js';
import { parseIgnoreFile } from './ignore-file.js';
import { applySuppressions } from './suppress.js';
import { parseVex } from './vex.js';

function finding(id: string, name: string, version: string, extra: Partial<Finding> = {}): Finding {
  return {
    id,
    aliases: [],
    package: { ecosystem: 'npm', name, version, purl: `pkg:npm/${name}@${version}`, dev: false },
    severity: 'HIGH',
    severitySource: null,
    cvss: null,
    fixedVersion: '9.9.9',
    fixState: 'fixed',
    title: null,
    references: [],
    why: '',
    advisories: [{ id, feed: 'osv/npm' }],
    locations: [{ path: 'services/api/package-lock.json', line: 3 }],
    ...extra,
  };
}

function report(findings: Finding[]): UndecidedReport {
  return {
    schemaVersion: '1.1.0',
    tool: { name: 'bulwark', version: '0' },
    createdAt: '2025-01-01T00:00:00.000Z',
    target: { kind: 'directory', name: '.' },
    os: null,
    database: null,
    packages: [],
    findings,
    unknowns: [],
    errors: [],
  };
}

const NOW = new Date('2025-06-15T12:00:00Z');

describe('applySuppressions', () => {
  const r = report([finding('GHSA-a', 'lodash', '4.17.4', { aliases: ['CVE-1'] }), finding('GHSA-a', 'other', '1.0.0', { aliases: ['CVE-1'] })]);

  it('suppresses only what the rule names: id or alias, package, path', () => {
    const out = applySuppressions(r, [{ id: 'cve-1', package: 'lodash', path: 'services/*', reason: 'ok', expires: '2025-06-15', by: 'profile:p.yaml#exceptions[0]' }], NOW);
    expect(out.report.findings.map((f) => f.suppressed?.by)).toEqual(['profile:p.yaml#exceptions[0]', undefined]);
    expect(evaluateGate(out.report.findings, DEFAULT_GATE).violations).toEqual(['GHSA-a pkg:npm/other@1.0.0']);
    expect(applySuppressions(r, [{ id: 'CVE-1', path: 'web/*', reason: 'x', by: 'b' }], NOW).report.findings.every((f) => !f.suppressed)).toBe(true);
  });

  it('expires at the end of its day: the day after, it suppresses nothing and says so', () => {
    const rule = { id: 'GHSA-a', reason: 'ok', expires: '2025-06-14', by: '.bulwarkignore:1' };
    const out = applySuppressions(r, [rule], NOW);
    expect(out.report.findings.every((f) => !f.suppressed)).toBe(true);
    expect(out.warnings[0]).toMatch(/expired on 2025-06-14/);
    expect(out.report.errors).toEqual([expect.objectContaining({ path: '.bulwarkignore', code: 'BULWARK_W_EXCEPTION_EXPIRED' })]);
    // A live rule after the expired one still applies, and then nothing is reported.
    const both = applySuppressions(r, [rule, { id: 'GHSA-a', reason: 'renewed', expires: '2026-01-01', by: 'p' }], NOW);
    expect(both.report.findings.every((f) => f.suppressed?.reason === 'renewed')).toBe(true);
    expect(both.warnings).toEqual([]);
  });
});

describe('package patterns', () => {
  const pkg = { name: '@scope/pkg', purl: 'pkg:npm/%40scope/pkg@1.2.3' };
  it.each([
    ['@scope/pkg', true],
    ['@scope/*', true],
    ['pkg:npm/@scope/pkg', true],
    ['pkg:npm/%40scope/pkg@1.2.3', true],
    ['pkg:npm/@scope/pkg@1.2.4', false],
    ['pkg:npm/@scope/pkg@1.*', true],
    ['pkg:pypi/pkg', false],
  ])('%s → %s', (pattern, expected) => {
    expect(packageMatches(pattern, pkg)).toBe(expected);
  });
});

describe('.bulwarkignore', () => {
  it('ids, exp: dates, comments as reasons', () => {
    expect(parseIgnoreFile('# header\n\nGHSA-1 exp:2025-01-01 # why\nCVE-2\n', '/x/.bulwarkignore')).toEqual([
      { id: 'GHSA-1', reason: 'why', by: '.bulwarkignore:3', expires: '2025-01-01' },
      { id: 'CVE-2', reason: 'listed in .bulwarkignore', by: '.bulwarkignore:4' },
    ]);
    expect(() => parseIgnoreFile('GHSA-1 until:2025\n', 'f')).toThrow(/line 1/);
  });
});

describe('VEX', () => {
  it('OpenVEX: not_affected and fixed statements per product; affected ones ignored', () => {
    const rules = parseVex(
      JSON.stringify({
        '@context': 'https://openvex.dev/ns/v0.2.0',
        statements: [
          { vulnerability: { name: 'CVE-1', aliases: ['GHSA-a'] }, products: [{ '@id': 'pkg:npm/lodash@4.17.4' }], status: 'not_affected', justification: 'inline_mitigations_already_exist' },
          { vulnerability: 'CVE-2', products: ['pkg:npm/x'], status: 'affected' },
        ],
      }),
      'v.json',
    );
    expect(rules).toEqual([
      { id: 'CVE-1', package: 'pkg:npm/lodash@4.17.4', reason: 'inline_mitigations_already_exist', by: 'vex:v.json' },
      { id: 'GHSA-a', package: 'pkg:npm/lodash@4.17.4', reason: 'inline_mitigations_already_exist', by: 'vex:v.json' },
    ]);
  });

  it('CycloneDX VEX: affects refs resolved through bom-refs', () => {
    const rules = parseVex(
      JSON.stringify({
        bomFormat: 'CycloneDX',
        components: [{ 'bom-ref': 'c1', purl: 'pkg:npm/lodash@4.17.4' }],
        vulnerabilities: [{ id: 'CVE-1', analysis: { state: 'resolved', detail: 'patched in our fork' }, affects: [{ ref: 'c1' }] }],
      }),
      'c.json',
    );
    expect(rules).toEqual([{ id: 'CVE-1', package: 'pkg:npm/lodash@4.17.4', reason: 'patched in our fork', by: 'vex:c.json' }]);
  });
});
