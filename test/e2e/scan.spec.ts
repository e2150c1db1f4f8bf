import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScanReport } from '../../src/core/report.js';
import { validateReport } from '../../src/report/schema.js';
import { BIN, runCli, snapshotCache } from '../support/cli.js';
import { SHARED_PEER_FIXTURES_DIR, REPO_ROOT, hasShared } from '../support/shared.js';

const LANGUAGE_ECOSYSTEMS = ['npm', 'PyPI', 'Go', 'crates.io', 'RubyGems', 'Maven', 'NuGet', 'Packagist'];
const TRIVY_REPO = path.join(SHARED_PEER_FIXTURES_DIR, 'trivy/integration/testdata/fixtures/repo');

// The e2e layer: an advisory DB built from ../shared/vulndata, scans of ../shared/peer-fixtures.
const SHARED = hasShared('test/e2e/scan.spec.ts', 'vulndata', 'peer-fixtures');

let cacheDir: string;
beforeAll(() => {
  if (SHARED) cacheDir = snapshotCache(LANGUAGE_ECOSYSTEMS);
}, 180_000);

function scanJson(target: string, extra: string[] = []): { code: number | null; report: ScanReport; stderr: string } {
  const r = runCli(['--cache-dir', cacheDir, 'scan', target, '--offline', '--format', 'json', ...extra]);
  expect(r.code, r.stderr).not.toBe(2);
  const report = JSON.parse(r.stdout) as ScanReport;
  expect(validateReport(report)).toEqual([]);
  return { code: r.code, report, stderr: r.stderr };
}

describe.skipIf(!SHARED)('a real npm project made with npm (test/fixtures/npm-project)', () => {
  // Findings checked by hand against the ranges of each advisory in ../shared/vulndata/osv/npm/all.zip
  // (installed versions from package-lock.json; every other package of the 467 is outside every range).
  const EXPECTED = [
    'GHSA-29mw-wpgm-hmr9 lodash@4.17.4',
    'GHSA-35jh-r3h4-6jhm lodash@4.17.4',
    'GHSA-3h5v-q93c-6h6q ws@7.4.0',
    'GHSA-4vvj-4cpr-p986 webpack@5.75.0',
    'GHSA-8hfj-j24r-96c4 moment@2.29.1',
    'GHSA-9c47-m6qq-7p4h json5@1.0.1',
    'GHSA-9wv6-86v2-598j path-to-regexp@0.1.7',
    'GHSA-c2qf-rxjj-qqgw semver@5.7.0',
    'GHSA-cm22-4g7w-348p serve-static@1.14.1',
    'GHSA-gxr4-xjj5-5px2 jquery@3.4.0',
    'GHSA-hrpp-h998-j3pp qs@6.7.0',
    'GHSA-jf85-cpcp-j695 lodash@4.17.4',
    'GHSA-jpcq-cgw6-v4j6 jquery@3.4.0',
    'GHSA-m6fv-jmcg-4jfg send@0.17.1',
    'GHSA-p6mc-m468-83gw lodash@4.17.4',
    'GHSA-pxg6-pf52-xh8x cookie@0.4.0',
    'GHSA-qw6h-vgh9-j6wx express@4.17.1',
    'GHSA-qwcr-r2fm-qrc7 body-parser@1.19.0',
    'GHSA-r683-j2x4-v87g node-fetch@2.6.0',
    'GHSA-rv95-896h-c2vc express@4.17.1',
    'GHSA-vh95-rmgr-6w4m minimist@1.2.0',
    'GHSA-wc69-rhjr-hc9g moment@2.29.1',
    'GHSA-wf5p-g6vw-rhxx axios@0.21.1',
    'GHSA-xvch-5gv4-984h minimist@1.2.0',
  ];

  it('finds exactly the advisories that cover its pinned versions, and fails the gate', () => {
    const { code, report } = scanJson(path.join(REPO_ROOT, 'test/fixtures/npm-project'));
    expect(report.packages.length).toBeGreaterThan(400);
    expect(report.findings.map((f) => `${f.id} ${f.package.name}@${f.package.version}`).sort()).toEqual(EXPECTED);
    const lodash = report.findings.find((f) => f.id === 'GHSA-jf85-cpcp-j695')!;
    expect(lodash).toMatchObject({ severity: 'CRITICAL', fixedVersion: '4.17.12', fixState: 'fixed', aliases: ['CVE-2019-10744'] });
    expect(lodash.locations[0]).toMatchObject({ path: 'package-lock.json' });
    expect(report.findings.find((f) => f.id === 'GHSA-9c47-m6qq-7p4h')!.package.dev).toBe(true);
    expect(code).toBe(1);
    expect(report.gate.passed).toBe(false);
  });

  it('--fail-on critical still fails (lodash, minimist), --fail-on none passes, --exclude-dev keeps prod findings', () => {
    expect(runCli(['--cache-dir', cacheDir, 'scan', 'test/fixtures/npm-project', '--offline', '--fail-on', 'critical', '-q']).code).toBe(1);
    expect(runCli(['--cache-dir', cacheDir, 'scan', 'test/fixtures/npm-project', '--offline', '--fail-on', 'none', '-q']).code).toBe(0);
  });

  it('prints a table grouped per file with a summary line', () => {
    const r = runCli(['--cache-dir', cacheDir, 'scan', 'test/fixtures/npm-project', '--offline']);
    expect(r.stdout).toMatch(/^package-lock\.json {2}\[npm\]$/m);
    expect(r.stdout).toMatch(/CRITICAL {2}GHSA-jf85-cpcp-j695 \(CVE-2019-10744\) +lodash +4\.17\.4 +4\.17\.12/);
    expect(r.stdout).toMatch(/^Total: 24 findings \(CRITICAL 2, HIGH 10, MEDIUM 11, LOW 1, UNKNOWN 0\) in \d+ packages/m);
    expect(r.stdout).toMatch(/^Gate: FAILED/m);
    expect(r.stdout.includes(String.fromCharCode(27))).toBe(false); // no colours when stdout is not a terminal
  });

  it('a reader that comes late still gets the whole report and the exit code (a scan ends its process itself once its output is out)', () => {
    // stdout is a non-blocking pipe: a scan that ended its process before the pipe took the report cut it at 64 KiB.
    // The late reader is a shell's (a paused stream of this process would be resumed and emptied by Node when the
    // child exits, whatever the child did).
    const r = spawnSync('bash', ['-c', 'node "$0" "$@" | { sleep 0.5; cat; }; exit "${PIPESTATUS[0]}"', BIN, '--cache-dir', cacheDir, 'scan', 'test/fixtures/npm-project', '--offline', '--format', 'json'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(r.stdout.length).toBeGreaterThan(128 * 1024);
    const report = JSON.parse(r.stdout) as ScanReport;
    expect(report.findings).toHaveLength(EXPECTED.length);
    expect(r.stderr).toMatch(/gate failed: 12 finding/);
    expect(r.status).toBe(1);
  });

  it('a reader that goes away (| head) ends the output quietly: no EPIPE stack, the gate still decides the exit code', async () => {
    const child = spawn(process.execPath, [BIN, '--cache-dir', cacheDir, 'scan', 'test/fixtures/npm-project', '--offline', '--format', 'json'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.once('data', () => child.stdout.destroy());
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(stderr).toMatch(/gate failed: 12 finding/);
    expect(code).toBe(1);
  });
});

describe.skipIf(!SHARED)('every folder of trivy integration repo fixtures', () => {
  const folders = !SHARED ? [] : fs.readdirSync(TRIVY_REPO).filter((d) => fs.statSync(path.join(TRIVY_REPO, d)).isDirectory());
  // Folders holding only an installed.json outside vendor/composer, a format Bulwark does not read there.
  const NOT_READ = new Set(['composer-vendor']);

  it.each(folders)('%s gives a complete, valid report', (folder) => {
    const { code, report } = scanJson(path.join(TRIVY_REPO, folder));
    expect(report.errors).toEqual([]);
    if (NOT_READ.has(folder)) {
      expect(report.packages).toEqual([]);
      return;
    }
    expect(report.packages.length).toBeGreaterThan(0);
    for (const p of report.packages) expect(p.purl).toMatch(/^pkg:/);
    expect(code).toBe(report.gate.passed ? 0 : 1);
  });

  // Checked by hand: the packages and advisories below were read in the fixture and in the snapshot.
  it.each([
    ['pnpm', 'GHSA-35jh-r3h4-6jhm', 'lodash', '4.17.4', 'HIGH'],
    ['pip', 'PYSEC-2023-221', 'werkzeug', '0.11', 'HIGH'],
    ['gradle', 'GHSA-57j2-w4cx-62h2', 'com.fasterxml.jackson.core:jackson-databind', '2.9.1', 'HIGH'],
    ['composer', 'GHSA-q7rv-6hp3-vh96', 'guzzlehttp/psr7', '1.8.3', 'HIGH'],
    ['gomod', 'GO-2021-0113', 'golang.org/x/text', 'v0.3.6', 'UNKNOWN'],
    ['trivy-ci-test', 'RUSTSEC-2019-0009', 'smallvec', '0.6.9', 'CRITICAL'],
  ])('%s: %s in %s %s', (folder, id, name, version, severity) => {
    const { report } = scanJson(path.join(TRIVY_REPO, folder));
    const f = report.findings.find((x) => x.id === id && x.package.name === name);
    expect(f, `${id} in ${name}`).toBeDefined();
    expect(f!.package.version).toBe(version);
    expect(f!.severity).toBe(severity);
    expect(f!.fixedVersion).not.toBeNull();
  });

  it('ecosystems without advisories in the database are reported, not counted as clean', () => {
    const { report } = scanJson(path.join(TRIVY_REPO, 'pubspec'));
    expect(report.findings).toEqual([]);
    expect(report.unknowns).toContainEqual(expect.objectContaining({ kind: 'no-advisory-data', ecosystem: 'Pub' }));
  });
});

describe.skipIf(!SHARED)('bad input', () => {
  it('a malformed lockfile is reported with its path and the scan goes on', () => {
    const dir = fs.mkdtempSync(path.join(REPO_ROOT, '.bench-out-'));
    try {
      fs.mkdirSync(path.join(dir, 'good'));
      fs.copyFileSync(path.join(REPO_ROOT, 'test/fixtures/npm-project/package-lock.json'), path.join(dir, 'good/package-lock.json'));
      fs.mkdirSync(path.join(dir, 'bad'));
      fs.writeFileSync(path.join(dir, 'bad/package-lock.json'), '{"lockfileVersion": 3, "packages": {');
      fs.writeFileSync(path.join(dir, 'bad/Cargo.lock'), '[[package]\nname = ');
      const { report } = scanJson(dir);
      expect(report.errors.map((e) => e.path).sort()).toEqual(['bad/Cargo.lock', 'bad/package-lock.json']);
      expect(report.findings.length).toBeGreaterThan(10);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a missing target and a missing database are one clear line and exit 2', () => {
    const r = runCli(['--cache-dir', cacheDir, 'scan', './no/such/dir', '--offline']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no\/such\/dir: no such file or directory/);
    const empty = fs.mkdtempSync(path.join(REPO_ROOT, '.bench-out-'));
    try {
      const m = runCli(['--cache-dir', empty, 'scan', 'test/fixtures/npm-project', '--offline']);
      expect(m.code).toBe(2);
      expect(m.stderr).toMatch(/no advisory database .*bulwark db update/);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
