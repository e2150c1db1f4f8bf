import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { VULNDATA_DIR, hasShared } from '../support/shared.js';

/** The db update cases read ../shared/vulndata. */
const SHARED = hasShared('test/e2e/cli-conventions.spec.ts (db update cases)', 'vulndata');

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-cli-'));

describe('CLI conventions (Trivy users)', () => {
  it('bulwark version prints the version (exit 0), and JSON with --format json', () => {
    const r = runCli(['--cache-dir', tmp(), 'version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Version: \d+\.\d+\.\d+/);
    expect(r.stdout).toMatch(/Advisory database: none/);
    const j = runCli(['--cache-dir', tmp(), 'version', '--format', 'json']);
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({ version: expect.stringMatching(/^\d+\.\d+\.\d+/), database: null });
    // the subcommand still works
    expect(runCli(['version', 'compare', 'npm', '1.2.3', '1.10.0']).stdout.trim()).toBe('-1');
  });

  it.each([['scan'], ['db'], ['db', 'update'], ['db', 'status'], ['version'], ['profile', 'validate']])('%s --help has examples', (...cmd) => {
    const r = runCli([...cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Examples:\n {2}(#.*\n {2})?\$ bulwark /);
  });

  it('every --format option names the human format "table"', () => {
    for (const cmd of [['scan'], ['db', 'status'], ['version'], ['profile', 'validate']]) {
      expect(runCli([...cmd, '--help']).stdout, cmd.join(' ')).toMatch(/--format <format>[\s\S]*"table"/);
    }
  });

  it.skipIf(!SHARED)('db update --ecosystem matches names case-insensitively; an unknown one lists the valid names', () => {
    const cacheDir = tmp();
    const r = runCli(['--cache-dir', cacheDir, 'db', 'update', '--source', VULNDATA_DIR, '--ecosystem', 'pypi']);
    expect(r.code, r.stderr).toBe(0);
    const status = JSON.parse(runCli(['--cache-dir', cacheDir, 'db', 'status', '--format', 'json']).stdout) as { feeds: { id: string; records: number }[] };
    expect(status.feeds.find((f) => f.id === 'osv/PyPI')?.records).toBeGreaterThan(0);
    const bad = runCli(['--cache-dir', cacheDir, 'db', 'update', '--source', VULNDATA_DIR, '--ecosystem', 'pipy']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--ecosystem "pipy": no such ecosystem \(use one of: npm, PyPI, Go/);
  });

  it.skipIf(!SHARED)('db update on a cache it cannot write is a permission error naming the path, not "a bug in Bulwark"', () => {
    const dir = tmp();
    // The tests may run as root, whom permission bits do not stop: an immutable directory does (ext4, xfs, …).
    if (spawnSync('chattr', ['+i', dir]).status !== 0) return;
    try {
      const r = runCli(['--cache-dir', path.join(dir, 'cache'), 'db', 'update', '--source', VULNDATA_DIR, '--ecosystem', 'npm']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${path.join(dir, 'cache')}`);
      expect(r.stderr).toMatch(/operation not permitted|permission denied/);
      expect(r.stderr).not.toMatch(/bug in Bulwark/);
    } finally {
      execFileSync('chattr', ['-i', dir]);
    }
  });

  it('profile validate takes one profile file; YAML syntax errors come at file:line:column', () => {
    const dir = tmp();
    const good = path.join(dir, 'profile.yaml');
    fs.writeFileSync(good, 'gate:\n  failOn: critical\n');
    const ok = runCli(['--cache-dir', tmp(), 'profile', 'validate', good]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/1 profile file\(s\) checked: 0 error\(s\)/);
    const bad = path.join(dir, 'broken.yaml');
    fs.writeFileSync(bad, 'gate:\n  failOn: critical\n exceptions: [\n');
    const r = runCli(['--cache-dir', tmp(), 'profile', 'validate', bad]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3:\\d+: error: YAML: `));
    const json = JSON.parse(runCli(['--cache-dir', tmp(), 'profile', 'validate', bad, '--format', 'json']).stdout) as { file: string; problems: { severity: string; line: number; column: number }[] };
    expect(json.file).toBe(bad);
    expect(json.problems.find((p) => p.severity === 'error')).toMatchObject({ line: 3, column: 1 });
    // a scan with that profile names the same place
    const scan = runCli(['--cache-dir', tmp(), 'scan', dir, '--offline', '--profile', bad]);
    expect(scan.code).toBe(2);
    expect(scan.stderr).toMatch(/broken\.yaml:3:\d+: YAML/);
  });
});
