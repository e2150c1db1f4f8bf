import type { Finding, ScanReport } from '../core/report.js';
import type { Severity } from '../core/severity.js';
import { REPORT_SCHEMA_VERSION } from '../core/report.js';
import { VERSION } from '../version.js';

/** Deterministic pseudo-random numbers (mulberry32), so seeded data is the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEVS: Severity[] = ['CRITICAL', 'HIGH', 'HIGH', 'MEDIUM', 'MEDIUM', 'MEDIUM', 'LOW', 'LOW', 'UNKNOWN'];

/**
 * A schema-valid scan report with `findings` findings over `packages` npm packages, for seeding and
 * benchmarks. Vulnerability ids come from a shared pool (`vulnPool`), so cross-project search finds hits.
 */
export function syntheticReport(opts: { seed: number; findings: number; packages?: number; vulnPool?: number; passed?: boolean; createdAt?: string }): ScanReport {
  const rnd = prng(opts.seed);
  const nPackages = opts.packages ?? Math.max(1, Math.ceil(opts.findings / 3));
  const pool = opts.vulnPool ?? 5000;
  const packages = Array.from({ length: nPackages }, (_, i) => {
    const name = `pkg-${(opts.seed * 7 + i) % 20000}`;
    const version = `1.${i % 50}.${Math.floor(rnd() * 10)}`;
    return { ecosystem: 'npm', name, version, purl: `pkg:npm/${name}@${version}`, locations: [{ path: 'package-lock.json' }], foundBy: 'lang/npm-lock', dev: false };
  });
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (let i = 0; findings.length < opts.findings && i < opts.findings * 4; i++) {
    const p = packages[i % nPackages]!;
    const v = Math.floor(rnd() * pool);
    const id = `GHSA-syn${String(v).padStart(5, '0')}`;
    if (seen.has(`${id} ${p.purl}`)) continue;
    seen.add(`${id} ${p.purl}`);
    const severity = SEVS[Math.floor(rnd() * SEVS.length)]!;
    const fixed = rnd() < 0.8;
    findings.push({
      id,
      aliases: [`CVE-2099-${String(v).padStart(5, '0')}`],
      package: { ecosystem: p.ecosystem, name: p.name, version: p.version, purl: p.purl, dev: false },
      severity,
      severitySource: 'CVSS_V3 (synthetic)',
      cvss: null,
      fixedVersion: fixed ? `2.0.${v % 10}` : null,
      fixState: fixed ? 'fixed' : 'not-fixed',
      title: `Synthetic vulnerability ${v}`,
      references: [],
      why: '<2.0.0 (SEMVER)',
      advisories: [{ id, feed: 'osv/npm' }],
      locations: [{ path: 'package-lock.json' }],
      ...(rnd() < 0.03 ? { suppressed: { by: 'ignore-file', reason: 'accepted risk' } } : {}),
    });
  }
  const passed = opts.passed ?? !findings.some((f) => (f.severity === 'CRITICAL' || f.severity === 'HIGH') && f.fixedVersion && !f.suppressed);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'bulwark', version: VERSION },
    createdAt: opts.createdAt ?? new Date().toISOString(),
    target: { kind: 'directory', name: `/src/project-${opts.seed}` },
    os: null,
    database: null,
    packages,
    findings,
    unknowns: [],
    errors: [],
    gate: {
      failOn: 'HIGH',
      includeUnfixed: false,
      excludeDev: false,
      passed,
      reason: passed ? 'no finding HIGH or worse with a fix' : 'findings HIGH or worse with a fix available',
      violations: [],
    },
  };
}
