import { describe, expect, it } from 'vitest';
import type { FileProblem, Unknown } from '../core/package.js';
import type { Finding, UndecidedReport } from '../core/report.js';
import type { Severity } from '../core/severity.js';
import { assessCompleteness } from './completeness.js';
import type { Policy } from './decide.js';
import { decide } from './decide.js';
import type { GateOptions } from './gate.js';
import { DEFAULT_GATE } from './gate.js';

const NOW = new Date('2025-06-15T12:00:00Z');

function finding(id: string, severity: Severity, extra: Partial<Finding> = {}): Finding {
  return {
    id,
    aliases: [],
    package: { ecosystem: 'npm', name: `pkg-${id}`, version: '1.0.0', purl: `pkg:npm/pkg-${id}@1.0.0`, dev: false },
    severity,
    severitySource: null,
    cvss: null,
    fixedVersion: '2.0.0',
    fixState: 'fixed',
    title: null,
    references: [],
    why: '',
    advisories: [{ id, feed: 'osv/npm' }],
    locations: [{ path: 'package-lock.json' }],
    ...extra,
  };
}

function report(parts: { findings?: readonly Finding[]; unknowns?: readonly Unknown[]; errors?: readonly FileProblem[] } = {}): UndecidedReport {
  return {
    schemaVersion: '1.1.0',
    tool: { name: 'bulwark', version: '0' },
    createdAt: NOW.toISOString(),
    target: { kind: 'directory', name: '.' },
    os: null,
    database: null,
    packages: [],
    findings: [...(parts.findings ?? [])],
    unknowns: [...(parts.unknowns ?? [])],
    errors: [...(parts.errors ?? [])],
  };
}

function policy(gate: Partial<GateOptions> = {}, rules: Policy['rules'] = []): Policy {
  return { gate: { ...DEFAULT_GATE, ...gate }, rules };
}

const PARSE_ERROR: FileProblem = { path: 'package-lock.json', extractor: 'lang/npm-lock', code: 'BULWARK_E_PARSE', message: 'invalid JSON: Unexpected end of JSON input' };
const NO_DATA: Unknown = { kind: 'no-advisory-data', message: 'no advisories for Debian:12 in the database: 88 package(s) not checked', ecosystem: 'Debian:12' };

describe('decide: the gate over findings', () => {
  it.each([
    ['a fixed HIGH fails the default gate', [finding('A', 'HIGH')], {}, false],
    ['a fixed MEDIUM passes it', [finding('A', 'MEDIUM')], {}, true],
    ['an unfixed HIGH passes it', [finding('A', 'HIGH', { fixedVersion: null, fixState: 'not-fixed' })], {}, true],
    ['… and fails it with includeUnfixed', [finding('A', 'HIGH', { fixedVersion: null, fixState: 'not-fixed' })], { includeUnfixed: true }, false],
    ['a fixed UNKNOWN fails it (unknownSeverity: fail is the default)', [finding('A', 'UNKNOWN')], {}, false],
    ['… even with failOn critical', [finding('A', 'UNKNOWN')], { failOn: 'CRITICAL' }, false],
    ['… but not with unknownSeverity: ignore', [finding('A', 'UNKNOWN')], { unknownSeverity: 'ignore' }, true],
    ['an unfixed UNKNOWN passes it', [finding('A', 'UNKNOWN', { fixedVersion: null, fixState: 'not-fixed' })], {}, true],
    ['a dev-only UNKNOWN passes it with excludeDev', [finding('A', 'UNKNOWN', { package: { ecosystem: 'npm', name: 'd', version: '1', purl: 'pkg:npm/d@1', dev: true } })], { excludeDev: true }, true],
    ['failOn none passes any finding', [finding('A', 'CRITICAL'), finding('B', 'UNKNOWN')], { failOn: 'NONE' }, true],
  ] as const)('%s', (_name, findings, gate, passed) => {
    const d = decide(report({ findings: [...findings] }), policy(gate), NOW);
    expect(d.report.gate.passed).toBe(passed);
    expect(d.report.gate.complete).toBe(true);
    expect(d.report.gate.notChecked).toEqual([]);
  });

  it('names a finding of unknown severity as such in the reason', () => {
    const d = decide(report({ findings: [finding('GO-1', 'UNKNOWN')] }), policy(), NOW);
    expect(d.report.gate.reason).toMatch(/HIGH or worse \(or of unknown severity\) with a fix available: GO-1 in pkg-GO-1 1\.0\.0 \(severity unknown\)/);
    expect(d.report.gate).toMatchObject({ unknownSeverity: 'fail', incomplete: 'fail', violations: ['GO-1 pkg:npm/pkg-GO-1@1.0.0'] });
  });
});

describe('decide: suppressions, exceptions and their expiry', () => {
  const findings = [finding('GHSA-a', 'HIGH', { aliases: ['CVE-1'] })];

  it('a live rule suppresses (by alias) and the gate passes; an expired one suppresses nothing and warns', () => {
    const live = decide(report({ findings }), policy({}, [{ id: 'CVE-1', reason: 'ok', expires: '2025-06-15', by: 'profile:p.yaml#exceptions[0]' }]), NOW);
    expect(live.report.gate.passed).toBe(true);
    expect(live.report.findings[0]!.suppressed).toEqual({ by: 'profile:p.yaml#exceptions[0]', reason: 'ok', expires: '2025-06-15' });
    const expired = decide(report({ findings }), policy({}, [{ id: 'CVE-1', reason: 'ok', expires: '2025-06-14', by: '.bulwarkignore:1' }]), NOW);
    expect(expired.report.gate.passed).toBe(false);
    expect(expired.warnings).toEqual([expect.stringMatching(/expired on 2025-06-14/)]);
    // The expiry warning joins report.errors, but it is not a file that was not read: the scan stays complete.
    expect(expired.report.errors).toEqual([expect.objectContaining({ code: 'BULWARK_W_EXCEPTION_EXPIRED' })]);
    expect(expired.report.gate.complete).toBe(true);
  });

  it('records the profile and replaces a gate the report already carries', () => {
    const first = decide(report({ findings }), { ...policy(), profile: 'p.yaml' }, NOW).report;
    expect(first.gate).toMatchObject({ passed: false, profile: 'p.yaml' });
    const again = decide(first, policy({ failOn: 'CRITICAL' }), NOW).report;
    expect(again.gate.passed).toBe(true);
    expect(again.gate.profile).toBeUndefined();
  });
});

describe('decide: completeness', () => {
  it.each([
    ['a file that failed to parse', { errors: [PARSE_ERROR] }, 'file'],
    ['an image layer entry that was refused', { errors: [{ path: 'sha256:ab', code: 'BULWARK_E_ARCHIVE', message: 'refused: escapes the root' }] }, 'file'],
    ['an ecosystem or release without advisory data', { unknowns: [NO_DATA] }, 'no-advisory-data'],
    ['a failed feed', { unknowns: [{ kind: 'no-advisory-data', message: 'advisory feed osv/npm failed its last update (corrupt)', ecosystem: 'npm' }] }, 'no-advisory-data'],
    ['a version that could not be compared', { unknowns: [{ kind: 'unparseable-version', message: 'npm x 1.x: could not decide 1 advisory(ies)', package: { name: 'x', version: '1.x' } }] }, 'unparseable-version'],
    ['OS packages of an unknown distro', { unknowns: [{ kind: 'os-not-covered', message: 'deb package a 1: the operating system could not be identified' }] }, 'os-not-covered'],
    ['a jar without a groupId', { unknowns: [{ kind: 'not-evaluable', message: 'x.jar: no pom.properties' }] }, 'not-evaluable'],
    ['an SBOM component without a purl', { unknowns: [{ kind: 'unsupported', message: 'SBOM component x has no purl: not checked' }] }, 'unsupported'],
  ] as const)('%s makes the scan incomplete and fails the gate', (_name, parts, kind) => {
    const d = decide(report({ findings: [finding('A', 'LOW')], ...parts }), policy(), NOW);
    expect(d.report.gate.complete).toBe(false);
    expect(d.report.gate.notChecked!.map((n) => n.kind)).toEqual([kind]);
    expect(d.report.gate.passed).toBe(false);
    expect(d.report.gate.reason).toMatch(/^the scan is incomplete: 1 /);
    expect(d.warnings).toEqual([]);
  });

  it('a dependency that is not a registry release (unresolved-version) does not make it incomplete', () => {
    const d = decide(report({ unknowns: [{ kind: 'unresolved-version', message: 'x is locked to "file:../x", not a registry version' }] }), policy(), NOW);
    expect(d.report.gate).toMatchObject({ complete: true, passed: true, notChecked: [] });
  });

  it('incomplete: warn lets the gate decide on what was checked, with a warning', () => {
    const d = decide(report({ errors: [PARSE_ERROR], unknowns: [NO_DATA] }), policy({ incomplete: 'warn' }), NOW);
    expect(d.report.gate).toMatchObject({ complete: false, passed: true, incomplete: 'warn' });
    expect(d.report.gate.reason).toMatch(/let through by incomplete: warn$/);
    expect(d.warnings).toEqual([expect.stringMatching(/^the scan is incomplete \(1 file not read or parsed, 1 ecosystem or feed without advisory data\): the gate judged only what was checked/)]);
    const failing = decide(report({ findings: [finding('A', 'HIGH')], errors: [PARSE_ERROR] }), policy({ incomplete: 'warn' }), NOW);
    expect(failing.report.gate.passed).toBe(false);
  });

  it('failOn none does not let an incomplete scan pass: that takes incomplete: warn', () => {
    expect(decide(report({ errors: [PARSE_ERROR] }), policy({ failOn: 'NONE' }), NOW).report.gate.passed).toBe(false);
    expect(decide(report({ errors: [PARSE_ERROR] }), policy({ failOn: 'NONE', incomplete: 'warn' }), NOW).report.gate.passed).toBe(true);
  });

  it('both reasons are given when findings fail it and the scan is incomplete', () => {
    const d = decide(report({ findings: [finding('A', 'CRITICAL')], unknowns: [NO_DATA] }), policy(), NOW);
    expect(d.report.gate.reason).toMatch(/^1 finding\(s\) HIGH .*; the scan is incomplete: 1 ecosystem/);
  });
});

describe('assessCompleteness: summaries', () => {
  it('one line per kind, naming what was not checked', () => {
    const c = assessCompleteness({
      errors: [PARSE_ERROR, { path: 'a/Cargo.lock', code: 'BULWARK_E_PARSE', message: 'bad' }, { path: '.bulwarkignore', code: 'BULWARK_W_EXCEPTION_EXPIRED', message: 'expired' }],
      unknowns: [NO_DATA, { kind: 'no-advisory-data', message: 'no advisories for Pub', ecosystem: 'Pub' }],
    });
    expect(c.notChecked).toEqual([
      { kind: 'file', count: 2, summary: '2 files not read or parsed: package-lock.json, a/Cargo.lock' },
      { kind: 'no-advisory-data', count: 2, summary: 'no advisory data for Debian:12, Pub: their packages were not checked' },
    ]);
  });

  it('a single entry is its own message, on one line and bounded', () => {
    const c = assessCompleteness({ errors: [{ path: 'x.lock', code: 'BULWARK_E_PARSE', message: `line 1\n${'y'.repeat(500)}` }], unknowns: [] });
    expect(c.notChecked[0]!.summary).toMatch(/^x\.lock: line 1 y+…$/);
    expect(c.notChecked[0]!.summary.length).toBeLessThanOrEqual(160);
  });
});
