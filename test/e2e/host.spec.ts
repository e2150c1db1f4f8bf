import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScanReport } from '../../src/core/report.js';
import { runCli, snapshotCache } from '../support/cli.js';
import { hasShared } from '../support/shared.js';

/**
 * Scanning the machine the tests run on. CI runs on Debian: `scan rootfs:/` must list exactly what
 * `dpkg-query -W` lists (packages of the machine's own var/lib/dpkg/status; dpkg databases of unpacked trees
 * elsewhere on the disk, such as the test images, are reported at their own paths).
 */
const hasDpkg = spawnSync('dpkg-query', ['--version']).status === 0 && fs.existsSync('/var/lib/dpkg/status');
/** The scans below match against an advisory database built from ../shared/vulndata. */
const SHARED = hasShared('test/e2e/host.spec.ts (scans with an advisory database)', 'vulndata');

describe.skipIf(!hasDpkg || !SHARED)('scan rootfs:/ on a Debian machine (skipped where dpkg-query is missing: not Debian)', () => {
  let cacheDir: string;
  beforeAll(() => {
    cacheDir = snapshotCache(['Debian']);
  });

  it('finds the dpkg inventory equal to dpkg-query -W, within --timeout', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-host-')), 'r.json');
    const r = runCli(['--cache-dir', cacheDir, 'scan', 'rootfs:/', '--offline', '--timeout', '20m', '--format', 'json', '-o', `json=${out}`]);
    expect(r.code, r.stderr).not.toBe(2);
    const report = JSON.parse(fs.readFileSync(out, 'utf8')) as ScanReport;
    expect(report.target).toEqual({ kind: 'rootfs', name: '/' });
    expect(report.os?.family).toBe('debian');
    const fromBulwark = report.packages
      .filter((p) => p.foundBy === 'os/dpkg' && p.locations.some((l) => l.path === 'var/lib/dpkg/status'))
      .map((p) => `${p.name} ${p.version}`)
      .sort();
    const fromDpkg = execFileSync('dpkg-query', ['-W', '-f', '${Package} ${Version}\\n'], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
    expect(fromBulwark).toEqual(fromDpkg);
    // pseudo filesystems are not walked: nothing under proc/ or sys/ is reported, not even as an error
    expect(report.errors.filter((e) => /^(proc|sys|dev)\//.test(e.path))).toEqual([]);
  }, 25 * 60_000);

  it('--timeout stops the scan with exit 2 and says so', () => {
    const r = runCli(['--cache-dir', cacheDir, 'scan', 'rootfs:/', '--offline', '--timeout', '1s', '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/did not finish within --timeout 1s/);
    expect(r.stdout).toBe('');
  }, 60_000);
});

describe('host walks from the command line', () => {
  it('scan /proc is refused at once (pseudo filesystem), not a hang', () => {
    if (!fs.existsSync('/proc/self/mountinfo')) return;
    const r = runCli(['scan', '/proc', '--offline']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/proc is on a proc filesystem/);
  });

  it.skipIf(!SHARED)('a FIFO named like a lockfile is never opened; --skip-dirs/--skip-files leave parts out', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-fifo-'));
    const cacheDir = snapshotCache(['npm']);
    fs.mkdirSync(path.join(dir, 'pipe'));
    execFileSync('mkfifo', [path.join(dir, 'pipe/package-lock.json')]);
    fs.mkdirSync(path.join(dir, 'app'));
    fs.mkdirSync(path.join(dir, 'testdata'));
    const lock = (name: string, version: string): string =>
      JSON.stringify({ name: 'x', lockfileVersion: 3, packages: { '': { name: 'x' }, [`node_modules/${name}`]: { version } } });
    fs.writeFileSync(path.join(dir, 'app/package-lock.json'), lock('left-pad', '1.3.0'));
    fs.writeFileSync(path.join(dir, 'testdata/package-lock.json'), lock('lodash', '4.17.20'));
    const scan = (extra: string[]): ScanReport => {
      const r = runCli(['--cache-dir', cacheDir, 'scan', dir, '--offline', '--format', 'json', '--fail-on', 'none', ...extra]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as ScanReport;
    };
    expect(scan([]).packages.map((p) => p.name).sort()).toEqual(['left-pad', 'lodash']);
    expect(scan(['--skip-dirs', './testdata']).packages.map((p) => p.name)).toEqual(['left-pad']);
    expect(scan(['--skip-files', '**/app/package-lock.json']).packages.map((p) => p.name)).toEqual(['lodash']);
  }, 60_000);
});
