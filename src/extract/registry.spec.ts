import { describe, expect, it } from 'vitest';
import { DEFAULT_EXTRACTORS } from './registry.js';

// Conformance: every registered extractor obeys the Extractor contract (renovate's manager index.spec.ts idea).
describe('extractor registry', () => {
  it('has unique, path-like ids', () => {
    const ids = DEFAULT_EXTRACTORS.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^(os|lang)\/[a-z0-9-]+$/);
  });

  it.each(DEFAULT_EXTRACTORS.map((e) => [e.id, e] as const))('%s has an integer version and a cheap required()', (_id, e) => {
    expect(Number.isInteger(e.version) && e.version >= 1).toBe(true);
    expect(typeof e.required('some/dir/unrelated.txt')).toBe('boolean');
    expect(typeof e.extract).toBe('function');
  });

  it('claims the canonical file names of each ecosystem', () => {
    const claims = (p: string): string[] => DEFAULT_EXTRACTORS.filter((e) => e.required(p)).map((e) => e.id);
    const expected: Record<string, string> = {
      'package-lock.json': 'npm',
      'yarn.lock': 'yarn',
      'pnpm-lock.yaml': 'pnpm',
      'go.mod': 'go',
      'requirements.txt': 'python',
      'poetry.lock': 'poetry',
      'Cargo.lock': 'cargo',
      'Gemfile.lock': 'gemfile',
      'composer.lock': 'composer',
      'pom.xml': 'maven',
      'packages.lock.json': 'dotnet',
      'var/lib/dpkg/status': 'dpkg',
      'lib/apk/db/installed': 'apk',
      'var/lib/rpm/rpmdb.sqlite': 'rpm',
    };
    for (const [file, fragment] of Object.entries(expected)) expect(claims(file).join(' ')).toContain(fragment);
    expect(claims('README.md')).toEqual([]);
  });
});
