import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportedReport } from '../../src/import/index.js';
import { validateReport } from '../../src/report/schema.js';
import { runCli } from '../support/cli.js';
import { testImagesFor } from '../support/images.js';
import { peerFixture } from '../support/shared.js';
import { trivyFor } from '../support/trivy.js';

/**
 * Issue 16: `bulwark scan --engine trivy TARGET` runs the real Trivy binary (offline, on the synthetic Trivy DB of
 * make-test-images.sh --trivy-db, given through TRIVY_CACHE_DIR) and decides the gate on its imported verdicts with
 * Bulwark's formats, profiles and exit codes.
 */
const IMAGES = testImagesFor('test/e2e/engine-trivy.spec.ts');
const TRIVY = IMAGES || process.env.CI === 'true' ? trivyFor('test/e2e/engine-trivy.spec.ts', IMAGES) : undefined;

/** Trivy's verdicts on the extras image: the synthetic advisories and the installed binary packages they hit. */
const EXTRAS = ['CVE-TEST-0001 curl', 'CVE-TEST-0001 libcurl4', 'CVE-TEST-0003 libxml2', 'CVE-TEST-0004 wget', 'CVE-TEST-0005 tzdata', 'CVE-TEST-0006 libc-bin', 'CVE-TEST-0006 libc6'];

describe.skipIf(!TRIVY)('bulwark scan --engine trivy', () => {
  let work: string;
  const env = (): NodeJS.ProcessEnv => ({ TRIVY_CACHE_DIR: TRIVY!.cacheDir });
  const scan = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => runCli(['scan', '--engine', 'trivy', '--trivy', TRIVY!.bin, '--offline', ...args], { env: { ...env(), ...extraEnv } });

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-engine-trivy-'));
  });
  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('an image archive: Trivy\'s findings, every package, the gate failing on its fixable HIGH (exit 1), table on stdout and JSON + SARIF files', () => {
    const json = path.join(work, 'extras.json');
    const sarif = path.join(work, 'extras.sarif');
    const r = scan([`docker-archive:${path.join(IMAGES!, 'archives/extras.tar')}`, '-o', `json=${json}`, '-o', `sarif=${sarif}`]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('CVE-TEST-0001');
    const report = JSON.parse(fs.readFileSync(json, 'utf8')) as ImportedReport;
    expect(validateReport(report)).toEqual([]);
    expect(report.tool.importedFrom).toMatchObject({ format: 'trivy', scanner: 'trivy' });
    expect(report.target.kind).toBe('image');
    expect(report.findings.map((f) => `${f.id} ${f.package.name}`).sort()).toEqual(EXTRAS);
    // --list-all-pkgs: the whole dpkg inventory, each package identified (Debian 12, a purl) for re-matching.
    const dpkg = fs.readFileSync(path.join(IMAGES!, 'expected/extras.dpkg.tsv'), 'utf8').trim().split('\n').length;
    expect(report.packages.length).toBe(dpkg);
    expect(report.packages.every((p) => p.ecosystem === 'Debian:12' && p.purl.startsWith('pkg:deb/debian/'))).toBe(true);
    expect(report.gate.passed).toBe(false);
    expect(report.gate.violations.map((v) => v.replace(/ pkg:deb\/debian\/([^@]+)@.*$/, ' $1')).sort()).toEqual(['CVE-TEST-0001 curl', 'CVE-TEST-0001 libcurl4', 'CVE-TEST-0006 libc-bin', 'CVE-TEST-0006 libc6']);
    const s = JSON.parse(fs.readFileSync(sarif, 'utf8')) as { runs: { results: unknown[] }[] };
    expect(s.runs[0]!.results.length).toBe(EXTRAS.length);
  });

  it('a root filesystem with a profile whose exceptions cover the HIGHs: the gate passes (exit 0), the findings are marked suppressed', () => {
    const profile = path.join(work, 'profile.yaml');
    fs.writeFileSync(profile, ['gate:', '  failOn: high', 'exceptions:', '  - id: CVE-TEST-0001', '    reason: not reachable', '    expires: 2099-12-31', '  - id: CVE-TEST-0006', '    reason: accepted until the rebuild', '    expires: 2099-12-31', ''].join('\n'));
    const r = scan([`rootfs:${path.join(IMAGES!, 'rootfs/multi')}`, '--profile', profile, '-f', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as ImportedReport;
    expect(report.gate.passed).toBe(true);
    expect(report.findings.filter((f) => f.suppressed).map((f) => `${f.id} ${f.package.name}`).sort()).toEqual(['CVE-TEST-0001 curl', 'CVE-TEST-0001 libcurl4', 'CVE-TEST-0006 libc-bin', 'CVE-TEST-0006 libc6']);
    expect(report.findings.some((f) => f.id === 'CVE-TEST-0004')).toBe(false); // wget was purged in multi
  });

  it('a directory of lockfiles: trivy fs, its packages imported (no language advisories in the synthetic DB: gate passes)', () => {
    const r = scan([peerFixture('trivy/integration/testdata/fixtures/repo/npm'), '-f', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as ImportedReport;
    expect(report.target.kind).toBe('directory');
    expect(report.packages.length).toBeGreaterThan(0);
    expect(report.packages.every((p) => p.ecosystem === 'npm' && p.purl.startsWith('pkg:npm/'))).toBe(true);
  });

  it('errors: no trivy on PATH or at --trivy is one line saying how to install; trivy failing gives its stderr, exit 2', () => {
    const none = runCli(['scan', '--engine', 'trivy', '.'], { env: { PATH: path.dirname(process.execPath) } });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no trivy on PATH/);
    expect(none.stderr).toMatch(/install Trivy/);
    const wrong = runCli(['scan', '--engine', 'trivy', '--trivy', path.join(work, 'no-such-trivy'), '.']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--trivy .*no-such-trivy: no executable file there/);
    const bad = path.join(work, 'broken.tar');
    fs.writeFileSync(bad, 'this is not a tar archive\n'.repeat(100));
    const failed = scan([`docker-archive:${bad}`]);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(/trivy image exited with code \d+/);
    expect(failed.stderr.split('\n').length).toBeGreaterThan(2); // Trivy's own lines follow
    const misuse = runCli(['scan', '--trivy', TRIVY!.bin, '.']);
    expect(misuse.code).toBe(2);
    expect(misuse.stderr).toMatch(/--trivy goes with --engine trivy/);
  });
});
