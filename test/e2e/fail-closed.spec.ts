import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScanReport } from '../../src/core/report.js';
import { REPORT_SCHEMA_VERSION } from '../../src/core/report.js';
import { validateReport } from '../../src/report/schema.js';
import { runCli } from '../support/cli.js';
import { testImagesDir } from '../support/images.js';
import { upxElf } from '../support/upx.js';
import { REPO_ROOT } from '../support/shared.js';
import { osvEntry, writeZip } from '../support/zip.js';

/**
 * The gate fails closed (issue 10): what the scan could not judge does not pass, a target that cannot be read
 * at all is an error, and a finding of unknown severity with a fix fails the gate. The built CLI runs over a tiny
 * advisory mirror made here:
 *   lodash 4.17.4   GHSA-1111-1111-1111  HIGH             fixed in 4.17.5
 *   left-pad 1.0.0  GHSA-4444-4444-4444  (no severity)    fixed in 1.3.0
 */
let work: string;
let cacheDir: string;
let mirror: string;

const LODASH = 'GHSA-1111-1111-1111';
const LEFTPAD = 'GHSA-4444-4444-4444';
const TRUNCATED = fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/npm-project/package-lock.json'), 'utf8').slice(0, 300);

function write(file: string, text: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

function lockfile(deps: Record<string, string>): string {
  const packages: Record<string, unknown> = { '': { name: 'app', version: '1.0.0', dependencies: deps } };
  for (const [name, version] of Object.entries(deps)) packages[`node_modules/${name}`] = { version };
  return JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2);
}

/** A project directory holding the given files (relative path → content). */
function project(name: string, files: Record<string, string>): string {
  const dir = path.join(work, name);
  for (const [rel, text] of Object.entries(files)) write(path.join(dir, rel), text);
  return dir;
}

function scanJson(target: string, args: string[] = [], cache = cacheDir): { code: number | null; report: ScanReport; stderr: string } {
  const r = runCli(['--cache-dir', cache, 'scan', target, '--offline', '--format', 'json', ...args]);
  expect(r.code, r.stderr).not.toBe(2);
  const report = JSON.parse(r.stdout) as ScanReport;
  expect(validateReport(report)).toEqual([]);
  expect(report.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
  expect(r.code).toBe(report.gate.passed ? 0 : 1);
  return { code: r.code, report, stderr: r.stderr };
}

function scanTable(target: string, args: string[] = []): { code: number | null; stdout: string; stderr: string } {
  return runCli(['--cache-dir', cacheDir, 'scan', target, '--offline', ...args]);
}

function profile(name: string, yaml: string): string {
  return write(path.join(work, 'profiles', name), yaml);
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-fail-closed-'));
  mirror = path.join(work, 'mirror');
  fs.mkdirSync(path.join(mirror, 'osv/npm'), { recursive: true });
  await writeZip(path.join(mirror, 'osv/npm/all.zip'), {
    [`${LODASH}.json`]: osvEntry(LODASH, 'npm', 'lodash', '4.17.5', { summary: 'prototype pollution', database_specific: { severity: 'HIGH' } }),
    [`${LEFTPAD}.json`]: osvEntry(LEFTPAD, 'npm', 'left-pad', '1.3.0', { summary: 'an advisory nobody rated' }),
  });
  cacheDir = path.join(work, 'cache');
  const r = runCli(['--cache-dir', cacheDir, 'db', 'update', '--source', mirror, '--ecosystem', 'npm']);
  expect(r.code, r.stderr).toBe(0);
}, 120_000);

describe('an incomplete scan fails the gate', () => {
  it.each([
    ['empty', ''],
    ['truncated', TRUNCATED],
  ])('a directory with an %s package-lock.json: exit 1, gate.complete false, the table ends with what was not checked', (kind, text) => {
    const dir = project(`${kind}-lock`, { 'package-lock.json': text });
    const { code, report } = scanJson(dir);
    expect(code).toBe(1);
    expect(report.packages).toEqual([]);
    expect(report.gate).toMatchObject({ passed: false, complete: false, incomplete: 'fail', violations: [] });
    expect(report.gate.notChecked).toEqual([{ kind: 'file', count: 1, summary: expect.stringMatching(/^package-lock\.json: invalid JSON/) as unknown }]);
    expect(report.gate.reason).toBe('the scan is incomplete: 1 file not read or parsed');
    const table = scanTable(dir);
    expect(table.code).toBe(1);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines.at(-2)).toBe('Gate: FAILED (the scan is incomplete: 1 file not read or parsed)');
    expect(lines.at(-1)).toMatch(/^Not checked: package-lock\.json: invalid JSON: /);
  });

  it('one broken lockfile beside a good one still fails it: the good one is checked, the broken one is named', () => {
    const dir = project('mixed', { 'good/package-lock.json': lockfile({ 'left-pad': '1.3.0' }), 'bad/package-lock.json': TRUNCATED });
    const { code, report } = scanJson(dir);
    expect(code).toBe(1);
    // left-pad, and the project of the good lockfile (app 1.0.0, relationship root)
    expect(report.packages.map((p) => `${p.name} ${p.relationship ?? 'dependency'}`)).toEqual(['app root', 'left-pad dependency']);
    expect(report.gate.notChecked).toEqual([expect.objectContaining({ kind: 'file', summary: expect.stringMatching(/^bad\/package-lock\.json: /) as unknown })]);
  });

  it('gate.incomplete: warn in the profile passes it (PASSED, a warning on stderr); so does --incomplete warn', () => {
    const dir = project('truncated-warn', { 'package-lock.json': TRUNCATED });
    const warn = profile('warn.yaml', 'gate:\n  incomplete: warn\n');
    const { code, report, stderr } = scanJson(dir, ['--profile', warn]);
    expect(code).toBe(0);
    expect(report.gate).toMatchObject({ passed: true, complete: false, incomplete: 'warn' });
    expect(stderr).toMatch(/^warning: the scan is incomplete \(1 file not read or parsed\): the gate judged only what was checked/m);
    const table = scanTable(dir, ['--profile', warn]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^Gate: PASSED \(.*let through by incomplete: warn\)$/m);
    expect(table.stdout.trimEnd().split('\n').at(-1)).toMatch(/^Not checked: package-lock\.json: invalid JSON/);
    expect(scanJson(dir, ['--incomplete', 'warn']).code).toBe(0);
    // A flag given on the command line overrides the profile.
    expect(scanJson(dir, ['--profile', warn, '--incomplete', 'fail']).code).toBe(1);
  });

  it('--fail-on none does not let an incomplete scan through', () => {
    const dir = project('empty-none', { 'package-lock.json': '' });
    expect(scanJson(dir, ['--fail-on', 'none']).code).toBe(1);
  });

  it('an ecosystem without advisory data in the database: exit 1, naming it', () => {
    const dir = project('go-app', { 'go.mod': 'module example.org/app\n\ngo 1.21\n\nrequire golang.org/x/text v0.3.6\n' });
    const { code, report } = scanJson(dir);
    expect(code).toBe(1);
    // golang.org/x/text and stdlib (from `go 1.21`)
    expect(report.gate.notChecked).toEqual([{ kind: 'no-advisory-data', count: 1, summary: expect.stringMatching(/^no advisories for Go in the database: 2 package\(s\) not checked/) as unknown }]);
  });

  it('conda packages (no advisory feed covers conda) are reported not checked: exit 1, naming conda', () => {
    const dir = project('conda-env', {
      'environment.yml': 'name: app\ndependencies:\n  - openssl=1.1.1q=h7f8727e_0\n  - numpy\n',
      'env/conda-meta/pip-22.2.2-py38h06a4308_0.json': JSON.stringify({ name: 'pip', version: '22.2.2', build: 'py38h06a4308_0', channel: 'https://repo.anaconda.com/pkgs/main/linux-64', subdir: 'linux-64' }),
    });
    const { code, report } = scanJson(dir);
    expect(code).toBe(1);
    expect(report.packages.map((p) => `${p.ecosystem} ${p.name}@${p.version}`)).toEqual(['conda openssl@1.1.1q', 'conda pip@22.2.2']);
    expect(report.gate.notChecked).toEqual([{ kind: 'no-advisory-data', count: 1, summary: expect.stringMatching(/^no advisories for conda in the database: 2 package\(s\) not checked/) as unknown }]);
    expect(scanJson(dir, ['--incomplete', 'warn']).code).toBe(0);
  });

  it('a feed that failed its last update: exit 1, naming the feed', async () => {
    const cache = path.join(work, 'cache-failed-feed');
    const broken = path.join(work, 'mirror-broken');
    fs.cpSync(mirror, broken, { recursive: true });
    expect(runCli(['--cache-dir', cache, 'db', 'update', '--source', broken, '--ecosystem', 'npm']).code).toBe(0);
    // The next update reads a corrupt archive: the feed keeps its old data and is marked failed.
    fs.writeFileSync(path.join(broken, 'osv/npm/all.zip'), 'PK\u0003\u0004 this is not a zip archive');
    expect(runCli(['--cache-dir', cache, 'db', 'update', '--source', broken, '--ecosystem', 'npm']).code).toBe(2);
    const dir = project('after-failed-feed', { 'package-lock.json': lockfile({ 'left-pad': '1.3.0' }) });
    const { code, report } = scanJson(dir, [], cache);
    expect(code).toBe(1);
    expect(report.gate.notChecked).toEqual([{ kind: 'no-advisory-data', count: 1, summary: expect.stringMatching(/advisory feed osv\/npm failed its last update/) as unknown }]);
  });

  it('a dependency that is not a registry release does not make the scan incomplete (it is listed as not decided)', () => {
    const text = JSON.stringify({
      name: 'app',
      version: '1.0.0',
      lockfileVersion: 3,
      packages: { '': { name: 'app', version: '1.0.0', dependencies: { local: 'file:../local' } }, 'node_modules/local': { version: 'file:../local' } },
    });
    const { code, report } = scanJson(project('local-dep', { 'package-lock.json': text }));
    expect(code).toBe(0);
    expect(report.gate.complete).toBe(true);
    expect(report.unknowns).toContainEqual(expect.objectContaining({ kind: 'unresolved-version' }));
  });
});

describe('a target named on the command line that cannot be read is an error (exit 2, one line)', () => {
  function refused(target: string): string {
    const r = runCli(['--cache-dir', cacheDir, 'scan', target, '--offline']);
    expect(r.code, r.stdout).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    return lines[0]!;
  }

  it('a file no extractor reads (Gemfile_normal.lock)', () => {
    const file = write(path.join(work, 'named', 'Gemfile_normal.lock'), 'GEM\n  remote: https://rubygems.org/\n  specs:\n    rack (2.2.3)\n');
    expect(refused(file)).toMatch(/Gemfile_normal\.lock: no extractor reads a file of this name \(give the file the name its tool writes .*or scan the directory that holds it\) \[BULWARK_E_UNSUPPORTED\]$/);
  });

  it.each([
    ['empty', ''],
    ['truncated', TRUNCATED],
  ])('a named %s package-lock.json (its only result is a file problem)', (kind, text) => {
    const file = write(path.join(work, `named-${kind}`, 'package-lock.json'), text);
    expect(refused(file)).toMatch(/package-lock\.json: invalid JSON: .* \[lang\/npm-lock\] \(Bulwark could not read anything in it: .*\) \[BULWARK_E_PARSE\]$/);
  });

  it('a path that cannot be read: a symbolic-link loop', () => {
    const dir = path.join(work, 'loop');
    fs.mkdirSync(dir, { recursive: true });
    fs.symlinkSync('package-lock.json', path.join(dir, 'package-lock.json'));
    expect(refused(path.join(dir, 'package-lock.json'))).toMatch(/package-lock\.json: cannot read it: too many levels of symbolic links \(check the path and its permissions\) \[BULWARK_E_IO\]$/);
  });

  it.skipIf(process.getuid?.() === 0)('a file without read permission (skipped as root, who reads anything)', () => {
    const file = write(path.join(work, 'noperm', 'package-lock.json'), lockfile({ lodash: '4.17.4' }));
    fs.chmodSync(file, 0o000);
    expect(refused(file)).toMatch(/package-lock\.json: cannot read: EACCES/);
  });

  it('a UPX-packed Go binary (its build information is compressed away)', () => {
    const file = path.join(work, 'packed', 'app');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, upxElf(), { mode: 0o755 });
    expect(refused(file)).toMatch(/packed\/app: a UPX-packed executable: .*unpack it \(upx -d\) and scan the unpacked file \[lang\/go-binary\]/);
  });

  it('a missing path', () => {
    expect(refused(path.join(work, 'no', 'such', 'package-lock.json'))).toMatch(/no such file or directory/);
  });
});

describe('severity UNKNOWN', () => {
  const dir = (): string => project('unrated', { 'package-lock.json': lockfile({ 'left-pad': '1.0.0' }) });

  it('a finding of unknown severity with a fix fails the default gate, even with --fail-on critical', () => {
    const { code, report } = scanJson(dir());
    expect(code).toBe(1);
    expect(report.findings).toEqual([expect.objectContaining({ id: LEFTPAD, severity: 'UNKNOWN', fixedVersion: '1.3.0' })]);
    expect(report.gate).toMatchObject({ unknownSeverity: 'fail', complete: true, violations: [`${LEFTPAD} pkg:npm/left-pad@1.0.0`] });
    expect(report.gate.reason).toMatch(/\(or of unknown severity\).*\(severity unknown\)/);
    expect(scanJson(dir(), ['--fail-on', 'critical']).code).toBe(1);
  });

  it('gate.unknownSeverity: ignore (or --unknown-severity ignore) leaves it to --fail-on', () => {
    const ignore = profile('ignore-unknown.yaml', 'gate:\n  unknownSeverity: ignore\n');
    const { code, report } = scanJson(dir(), ['--profile', ignore]);
    expect(code).toBe(0);
    expect(report.gate).toMatchObject({ unknownSeverity: 'ignore', passed: true });
    expect(scanJson(dir(), ['--unknown-severity', 'ignore']).code).toBe(0);
    expect(scanJson(dir(), ['--unknown-severity', 'ignore', '--fail-on', 'unknown']).code).toBe(1);
  });

  it('--fail-on lists unknown in its help', () => {
    const r = runCli(['scan', '--help']);
    expect(r.stdout).toMatch(/--fail-on <severity>[\s\S]*unknown/);
    expect(r.stdout).toMatch(/--unknown-severity <policy>/);
    expect(r.stdout).toMatch(/--incomplete <policy>/);
  });
});

describe('profile validate knows the gate switches', () => {
  it('accepts incomplete: warn and unknownSeverity: ignore, and refuses other values at file:line', () => {
    const good = path.join(work, 'repo-good');
    write(path.join(good, 'defaults.yaml'), 'gate:\n  incomplete: warn\n  unknownSeverity: ignore\n');
    const ok = runCli(['--cache-dir', cacheDir, 'profile', 'validate', good]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const bad = path.join(work, 'repo-bad');
    write(path.join(bad, 'defaults.yaml'), 'gate:\n  incomplete: pass\n  unknownSeverity: low\n');
    const r = runCli(['--cache-dir', cacheDir, 'profile', 'validate', bad]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^defaults\.yaml:2:\d+: error: gate\.incomplete: .*\(fail, warn\)$/m);
    expect(r.stdout).toMatch(/^defaults\.yaml:3:\d+: error: gate\.unknownSeverity: .*\(fail, ignore\)$/m);
  });
});

const IMAGES = testImagesDir();
// CI builds the images (.ci/run); locally this skips when ../shared/tools/make-test-images.sh was not run.
describe.skipIf(!IMAGES && process.env.CI !== 'true')('an image whose distro release has no advisory data', () => {
  it('docker-archive minbase (Debian 12) against a database without Debian:12 data: exit 1, incomplete', () => {
    if (!IMAGES) throw new Error('BULWARK_TEST_IMAGES is not set and /tmp/bulwark-images has no images (run ../shared/tools/make-test-images.sh)');
    const { code, report } = scanJson(`docker-archive:${path.join(IMAGES, 'archives', 'minbase.tar')}`, ['--no-layer-cache']);
    expect(code).toBe(1);
    expect(report.packages.length).toBeGreaterThan(50);
    expect(report.findings).toEqual([]);
    expect(report.gate).toMatchObject({ passed: false, complete: false, violations: [] });
    expect(report.gate.notChecked).toEqual([
      { kind: 'no-advisory-data', count: 1, summary: expect.stringMatching(/^no advisories for Debian:12 in the database: \d+ package\(s\) not checked/) as unknown },
    ]);
    const table = runCli(['--cache-dir', cacheDir, 'scan', `docker-archive:${path.join(IMAGES, 'archives', 'minbase.tar')}`, '--offline', '--no-layer-cache']);
    expect(table.code).toBe(1);
    expect(table.stdout.trimEnd().split('\n').at(-1)).toMatch(/^Not checked: no advisories for Debian:12 in the database/);
  });
});
