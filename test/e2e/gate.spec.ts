import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScanReport } from '../../src/core/report.js';
import { validateReport } from '../../src/report/schema.js';
import { runCli } from '../support/cli.js';
import { osvEntry, writeZip } from '../support/zip.js';

/**
 * The gate of the built CLI over a tiny advisory mirror made here, so every case is exact:
 *   lodash 4.17.4   GHSA-1111 (CVE-2099-1111)  HIGH    fixed in 4.17.5
 *   jquery 3.3.9    GHSA-2222                  HIGH    no fix
 *   minimist 1.2.0  GHSA-3333                  MEDIUM  fixed in 1.2.6
 * Dates: exceptions "expired" end 2020-01-01, live ones 2099-12-31 (the CLI runs on the real clock).
 */
let work: string;
let cacheDir: string;
let project: string;

const LODASH = 'GHSA-1111-1111-1111';
const JQUERY = 'GHSA-2222-2222-2222';
const MINIMIST = 'GHSA-3333-3333-3333';

function write(file: string, text: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

function scan(args: string[], target = project): { code: number | null; report: ScanReport; stderr: string } {
  const r = runCli(['--cache-dir', cacheDir, 'scan', target, '--offline', '--format', 'json', ...args]);
  expect(r.code, r.stderr).not.toBe(2);
  const report = JSON.parse(r.stdout) as ScanReport;
  expect(validateReport(report)).toEqual([]);
  return { code: r.code, report, stderr: r.stderr };
}

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', args, {
    cwd,
    stdio: 'ignore',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.org', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.org' },
  });
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-gate-'));
  const mirror = path.join(work, 'mirror');
  fs.mkdirSync(path.join(mirror, 'osv/npm'), { recursive: true });
  await writeZip(path.join(mirror, 'osv/npm/all.zip'), {
    [`${LODASH}.json`]: osvEntry(LODASH, 'npm', 'lodash', '4.17.5', { aliases: ['CVE-2099-1111'], summary: 'prototype pollution', database_specific: { severity: 'HIGH' } }),
    [`${JQUERY}.json`]: JSON.stringify({
      schema_version: '1.6.0',
      id: JQUERY,
      modified: '2024-01-01T00:00:00Z',
      summary: 'XSS without a fix',
      affected: [{ package: { ecosystem: 'npm', name: 'jquery' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }],
      database_specific: { severity: 'HIGH' },
    }),
    [`${MINIMIST}.json`]: osvEntry(MINIMIST, 'npm', 'minimist', '1.2.6', { database_specific: { severity: 'MODERATE' } }),
  });
  cacheDir = path.join(work, 'cache');
  const r = runCli(['--cache-dir', cacheDir, 'db', 'update', '--source', mirror, '--ecosystem', 'npm']);
  expect(r.code, r.stderr).toBe(0);
  project = path.join(work, 'app');
  write(
    path.join(project, 'package-lock.json'),
    JSON.stringify({
      name: 'app',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'app', version: '1.0.0', dependencies: { lodash: '4.17.4', jquery: '3.3.9', minimist: '1.2.0' } },
        'node_modules/lodash': { version: '4.17.4' },
        'node_modules/jquery': { version: '3.3.9' },
        'node_modules/minimist': { version: '1.2.0' },
      },
    }, null, 2),
  );
}, 120_000);

function profile(name: string, yaml: string): string {
  return write(path.join(work, 'profiles', name), yaml);
}

describe('the gate', () => {
  it('a fixed HIGH fails it (exit 1); the unfixed HIGH and the MEDIUM do not count', () => {
    const { code, report } = scan([]);
    expect(code).toBe(1);
    expect(report.findings.map((f) => f.id).sort()).toEqual([LODASH, JQUERY, MINIMIST].sort());
    expect(report.gate.violations).toEqual([`${LODASH} pkg:npm/lodash@4.17.4`]);
  });

  it('--fail-on critical passes it', () => {
    expect(scan(['--fail-on', 'critical']).code).toBe(0);
  });

  it('an unfixed HIGH fails it only with --include-unfixed', () => {
    const ignore = write(path.join(work, 'ignore-lodash'), `${LODASH} # fixed upstream next sprint\n`);
    expect(scan(['--ignore-file', ignore]).code).toBe(0);
    const { code, report } = scan(['--ignore-file', ignore, '--include-unfixed']);
    expect(code).toBe(1);
    expect(report.gate.violations).toEqual([`${JQUERY} pkg:npm/jquery@3.3.9`]);
  });
});

describe('profile exceptions', () => {
  it('an exception (by alias) suppresses exactly the finding it names: exit 0, listed as suppressed', () => {
    const file = profile(
      'accept.yaml',
      `exceptions:\n  - id: CVE-2099-1111\n    package: lodash\n    reason: only used at build time\n    expires: 2099-12-31\n    approvedBy: sec-team\n`,
    );
    const { code, report } = scan(['--profile', file]);
    expect(code).toBe(0);
    const lodash = report.findings.find((f) => f.id === LODASH)!;
    expect(lodash.suppressed).toEqual({ by: expect.stringMatching(/^profile:.*accept\.yaml#exceptions\[0\]$/) as unknown, reason: 'only used at build time', expires: '2099-12-31' });
    expect(report.findings.filter((f) => f.suppressed)).toHaveLength(1);
    expect(report.gate.profile).toMatch(/accept\.yaml$/);
    const table = runCli(['--cache-dir', cacheDir, 'scan', project, '--offline', '--profile', file]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/\[suppressed: only used at build time\]/);
    expect(table.stdout).toMatch(/1 suppressed/);
  });

  it('an exception for another package does not suppress it', () => {
    const file = profile('other.yaml', `exceptions:\n  - id: ${LODASH}\n    package: pkg:npm/underscore\n    reason: wrong package\n    expires: 2099-12-31\n`);
    expect(scan(['--profile', file]).code).toBe(1);
  });

  it('an expired exception stops suppressing: exit 1, a warning on stderr and in report.errors', () => {
    const file = profile('expired.yaml', `exceptions:\n  - id: ${LODASH}\n    reason: temporary\n    expires: 2020-01-01\n`);
    const { code, report, stderr } = scan(['--profile', file]);
    expect(code).toBe(1);
    expect(report.findings.find((f) => f.id === LODASH)!.suppressed).toBeUndefined();
    expect(stderr).toMatch(/expired on 2020-01-01/);
    expect(report.errors).toContainEqual(expect.objectContaining({ code: 'BULWARK_W_EXCEPTION_EXPIRED' }));
  });

  it("the profile's gate applies, and flags given on the command line override it", () => {
    const file = profile(
      'strict.yaml',
      `gate:\n  failOn: medium\nexceptions:\n  - id: ${LODASH}\n    reason: accepted\n    expires: 2099-12-31\n`,
    );
    const strict = scan(['--profile', file]);
    expect(strict.code).toBe(1);
    expect(strict.report.gate).toMatchObject({ failOn: 'MEDIUM', violations: [`${MINIMIST} pkg:npm/minimist@1.2.0`] });
    const relaxed = scan(['--profile', file, '--fail-on', 'high']);
    expect(relaxed.code).toBe(0);
    expect(relaxed.report.gate.failOn).toBe('HIGH');
  });

  it('extends: a profile builds on a default one', () => {
    profile('base.yaml', `gate:\n  failOn: high\nexceptions:\n  - id: ${LODASH}\n    reason: accepted org-wide\n    expires: 2099-12-31\n`);
    const file = profile('child.yaml', `extends: base.yaml\ngate:\n  includeUnfixed: true\n`);
    const { code, report } = scan(['--profile', file]);
    expect(code).toBe(1);
    expect(report.gate.violations).toEqual([`${JQUERY} pkg:npm/jquery@3.3.9`]);
    expect(report.findings.find((f) => f.id === LODASH)!.suppressed?.by).toMatch(/base\.yaml#exceptions\[0\]$/);
  });

  it('an invalid profile is refused with file:line (exit 2)', () => {
    const file = profile('bad.yaml', `exceptions:\n  - id: ${LODASH}\n    reason: no date\n`);
    const r = runCli(['--cache-dir', cacheDir, 'scan', project, '--offline', '--profile', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:2:\d+: exceptions\.0: missing required key "expires"/);
  });
});

describe('VEX and .bulwarkignore', () => {
  it('an OpenVEX not_affected statement suppresses the finding with its justification', () => {
    const vex = write(
      path.join(work, 'app.openvex.json'),
      JSON.stringify({
        '@context': 'https://openvex.dev/ns/v0.2.0',
        '@id': 'https://example.org/vex/1',
        author: 'sec',
        timestamp: '2024-01-01T00:00:00Z',
        version: 1,
        statements: [
          { vulnerability: { name: 'CVE-2099-1111' }, products: [{ '@id': 'pkg:npm/lodash@4.17.4' }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' },
          { vulnerability: { name: MINIMIST }, products: [{ '@id': 'pkg:npm/minimist@1.2.0' }], status: 'affected' },
        ],
      }),
    );
    const { code, report } = scan(['--vex', vex]);
    expect(code).toBe(0);
    expect(report.findings.find((f) => f.id === LODASH)!.suppressed).toMatchObject({ by: `vex:${vex}`, reason: 'vulnerable_code_not_in_execute_path' });
    expect(report.findings.find((f) => f.id === MINIMIST)!.suppressed).toBeUndefined();
  });

  it('a CycloneDX VEX (analysis not_affected) is honoured the same way', () => {
    const vex = write(
      path.join(work, 'app.cdx-vex.json'),
      JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        version: 1,
        vulnerabilities: [{ id: LODASH, analysis: { state: 'not_affected', justification: 'code_not_reachable' }, affects: [{ ref: 'pkg:npm/lodash@4.17.4' }] }],
      }),
    );
    expect(scan(['--vex', vex]).code).toBe(0);
  });

  it('.bulwarkignore in the scanned directory is read; an expired line stops suppressing', () => {
    const dir = path.join(work, 'app-ignored');
    fs.cpSync(project, dir, { recursive: true });
    write(path.join(dir, '.bulwarkignore'), `# accepted risks\n${LODASH} exp:2099-12-31 # build-time only\n`);
    const { code, report } = scan([], dir);
    expect(code).toBe(0);
    expect(report.findings.find((f) => f.id === LODASH)!.suppressed).toEqual({ by: '.bulwarkignore:2', reason: 'build-time only', expires: '2099-12-31' });
    write(path.join(dir, '.bulwarkignore'), `${LODASH} exp:2020-01-01\n`);
    expect(scan([], dir).code).toBe(1);
  });
});

describe('a profile repository', () => {
  let bare: string;
  beforeAll(() => {
    const repo = path.join(work, 'profiles-src');
    write(path.join(repo, 'defaults.yaml'), `gate:\n  failOn: high\nexceptions:\n  - id: ${LODASH}\n    reason: accepted org-wide\n    expires: 2099-12-31\n`);
    write(path.join(repo, 'projects/web.yaml'), `gate:\n  includeUnfixed: true\n`);
    write(path.join(repo, 'projects/api.yaml'), `notify:\n  - slack: "#api"\n`);
    git(repo, 'init', '-q');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'profiles');
    bare = path.join(work, 'profiles.git');
    git(work, 'clone', '-q', '--bare', repo, bare);
  });

  it('--profile-repo <local bare repo> --project applies the project over the defaults', () => {
    const web = scan(['--profile-repo', bare, '--project', 'web']);
    expect(web.code).toBe(1);
    expect(web.report.gate.violations).toEqual([`${JQUERY} pkg:npm/jquery@3.3.9`]);
    expect(web.report.gate.profile).toMatch(/projects\/web\.yaml$/);
    const api = scan(['--profile-repo', bare, '--project', 'api']);
    expect(api.code).toBe(0);
    expect(api.report.findings.find((f) => f.id === LODASH)!.suppressed?.by).toMatch(/defaults\.yaml#exceptions\[0\]$/);
  });

  it('a file:// URL is cloned too; an unknown project is a usage error', () => {
    expect(scan(['--profile-repo', pathToFileURL(bare).href, '--project', 'api']).code).toBe(0);
    const r = runCli(['--cache-dir', cacheDir, 'scan', project, '--offline', '--profile-repo', bare, '--project', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/known projects: api, web/);
  });

  it('profile validate passes a good repository (exit 0)', () => {
    const r = runCli(['--cache-dir', cacheDir, 'profile', 'validate', bare]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/3 profile file\(s\) checked: 0 error\(s\)/);
  });

  it('profile validate flags an expired exception (error, exit 1), an unknown id and a duplicate, at file:line', () => {
    const repo = path.join(work, 'profiles-bad');
    write(
      path.join(repo, 'defaults.yaml'),
      [
        'gate:',
        '  failOn: high',
        'exceptions:',
        `  - id: ${LODASH}`,
        '    reason: old acceptance',
        '    expires: 2020-01-01',
        '  - id: GHSA-zzzz-zzzz-zzzz',
        '    reason: typo in the id',
        '    expires: 2099-12-31',
        `  - id: ${MINIMIST}`,
        '    reason: first',
        '    expires: 2099-12-31',
        `  - id: ${MINIMIST}`,
        '    reason: again',
        '    expires: 2099-12-31',
        '',
      ].join('\n'),
    );
    write(path.join(repo, 'projects/web.yaml'), 'gate:\n  failOn: severe\n');
    const r = runCli(['--cache-dir', cacheDir, 'profile', 'validate', repo]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^defaults\.yaml:6:\d+: error: exception for GHSA-1111-1111-1111 expired on 2020-01-01$/m);
    expect(r.stdout).toMatch(/^defaults\.yaml:7:\d+: warning: unknown vulnerability id GHSA-zzzz-zzzz-zzzz/m);
    expect(r.stdout).toMatch(/^defaults\.yaml:13:\d+: error: exceptions\[3\] duplicates exceptions\[2\]/m);
    expect(r.stdout).toMatch(/^projects\/web\.yaml:2:\d+: error: gate\.failOn/m);
  });

  it('profile validate without a database warns that ids were not checked', () => {
    const r = runCli(['--cache-dir', path.join(work, 'no-cache'), 'profile', 'validate', bare]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/warning: no advisory database/);
  });
});
