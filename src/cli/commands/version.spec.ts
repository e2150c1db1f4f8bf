import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(ROOT, 'bin/bulwark.js');

function run(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// End-to-end: runs the built CLI. `npm test` builds dist/ before vitest starts (specs never build, so that
// parallel test files do not rebuild dist/ under each other's feet).
beforeAll(() => {
  expect(fs.existsSync(path.join(ROOT, 'bundle/main.js')), 'the CLI is not built: run `npm run build` first').toBe(true);
});

describe('bulwark version compare', () => {
  it.each([
    [['deb', '1:1.0', '2.0'], '1'],
    [['deb', '1.0~rc1', '1.0'], '-1'],
    [['Debian:12', '1.0-1', '1.0-1'], '0'],
    [['apk', '1.2.3_rc1-r0', '1.2.3-r0'], '-1'],
    [['rpm', '1:1.0-1.el9', '2.0-1.el9'], '1'],
    [['pep440', '1.0.post1', '1.0'], '1'],
    [['PyPI', '1.0rc1', '1.0'], '-1'],
    [['maven', '1.0-SNAPSHOT', '1.0'], '-1'],
    [['semver', '1.0.0-alpha', '1.0.0'], '-1'],
    [['npm', 'v2.0.0', '2.0.0'], '0'],
    [['go', 'v1.2.4-0.20191109021931-daa7c04131f5', 'v1.2.4'], '-1'],
    [['nuget', '1.0.0-BETA', '1.0.0-beta'], '0'],
    [['rubygems', '1.0.a', '1.0'], '-1'],
    [['composer', '1.0.0-beta2', '1.0.0-RC1'], '-1'],
  ])('%j prints %s', (args, want) => {
    const r = run(['version', 'compare', ...args]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${want}\n`);
  });

  it('an invalid version is an error: exit 2 with the error code on stderr', () => {
    const r = run(['version', 'compare', 'deb', 'abc', '1.0']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('BULWARK_E_INVALID_VERSION');
    expect(r.stderr).toContain('"abc"');
  });

  it('an unknown scheme is an error that lists the known ones', () => {
    const r = run(['version', 'compare', 'cobol', '1', '2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('BULWARK_E_UNKNOWN_SCHEME');
    expect(r.stderr).toContain('pep440');
  });

  it('--batch answers one line per input line, errors included', () => {
    const input = ['1.0\t1.0~rc1', '1:0.1\t2.0', '2.0-1\t2.0-1', 'not a pair', '1.0\t:bad', '1.0\t1.0-0'].join('\n') + '\n';
    const r = run(['version', 'compare', 'deb', '--batch'], input);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines.slice(0, 3)).toEqual(['1', '1', '0']);
    expect(lines[3]).toMatch(/^error: /);
    expect(lines[4]).toMatch(/^error: invalid deb version ":bad"/);
    expect(lines[5]).toBe('0');
  });

  it('--batch streams thousands of pairs in one process', () => {
    const n = 20_000;
    const input = Array.from({ length: n }, (_, i) => `1.${i}.0\t1.${n - i}.0`).join('\n') + '\n';
    const r = run(['version', 'compare', 'semver', '--batch'], input);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(n);
    expect(lines[0]).toBe('-1');
    expect(lines[n / 2]).toBe('0');
    expect(lines[n - 1]).toBe('1');
  });
});
