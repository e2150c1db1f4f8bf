import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_GATE } from './gate.js';
import { loadPolicy } from './load.js';

let dir: string;

function write(rel: string, text: string): string {
  const file = path.join(dir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-policy-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('loadPolicy', () => {
  it('without any file: the default gate, no rules, no profile', () => {
    const target = write('plain/package-lock.json', '{}');
    expect(loadPolicy({ target: path.dirname(target), gate: {} })).toEqual({ gate: DEFAULT_GATE, rules: [] });
  });

  it('the gate: defaults, then the profile, then flags given on the command line', () => {
    const profile = write('p/strict.yaml', 'gate:\n  failOn: medium\n  incomplete: warn\n  unknownSeverity: ignore\n');
    const fromProfile = loadPolicy({ target: dir, profile, gate: {} });
    expect(fromProfile.gate).toEqual({ ...DEFAULT_GATE, failOn: 'MEDIUM', incomplete: 'warn', unknownSeverity: 'ignore' });
    expect(fromProfile.profile).toBe(profile);
    const overridden = loadPolicy({ target: dir, profile, gate: { incomplete: 'fail', failOn: 'CRITICAL' } });
    expect(overridden.gate).toEqual({ ...DEFAULT_GATE, failOn: 'CRITICAL', incomplete: 'fail', unknownSeverity: 'ignore' });
  });

  it('rules in order: profile exceptions, VEX, then the .bulwarkignore beside a named lockfile', () => {
    const lock = write('app/package-lock.json', '{}');
    write('app/.bulwarkignore', 'GHSA-3 # from the ignore file\n');
    const profile = write('p/ex.yaml', 'exceptions:\n  - id: GHSA-1\n    reason: accepted\n    expires: 2099-12-31\n');
    const vex = write('p/vex.json', JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', statements: [{ vulnerability: { name: 'GHSA-2' }, status: 'not_affected' }] }));
    const policy = loadPolicy({ target: lock, profile, vex: [vex], gate: {}, display: (f) => path.relative(dir, f) });
    expect(policy.rules.map((r) => [r.id, r.by])).toEqual([
      ['GHSA-1', 'profile:p/ex.yaml#exceptions[0]'],
      ['GHSA-2', `vex:${vex}`],
      ['GHSA-3', '.bulwarkignore:1'],
    ]);
    // --ignore-file replaces the one found beside the target; image and SBOM targets have none.
    const other = write('other.ignore', 'GHSA-9\n');
    expect(loadPolicy({ target: lock, ignoreFile: other, gate: {} }).rules.map((r) => r.id)).toEqual(['GHSA-9']);
    expect(loadPolicy({ target: `sbom:${lock}`, gate: {} }).rules).toEqual([]);
  });

  it('refuses --project without --profile-repo, and --profile with --profile-repo', () => {
    expect(() => loadPolicy({ target: dir, project: 'web', gate: {} })).toThrow(/--project needs --profile-repo/);
    expect(() => loadPolicy({ target: dir, profile: 'a.yaml', profileRepo: dir, gate: {} })).toThrow(/not both/);
  });

  it('an invalid switch value in a profile is refused with file:line', () => {
    const bad = write('p/bad.yaml', 'gate:\n  failOn: high\n  incomplete: pass\n');
    expect(() => loadPolicy({ target: dir, profile: bad, gate: {} })).toThrow(/bad\.yaml:3:\d+: gate\.incomplete: .*\(fail, warn\)/);
  });
});
