import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InvalidVersionError, UnknownSchemeError } from '../core/errors.js';
import { ECOSYSTEM_SCHEMES, getScheme, SCHEMES, schemeForEcosystem } from './registry.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');

describe('SCHEMES', () => {
  it('has unique ids and implements the interface', () => {
    const ids = SCHEMES.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(['apk', 'composer', 'deb', 'generic', 'go', 'maven', 'nuget', 'pep440', 'rpm', 'rubygems', 'semver']);
    for (const s of SCHEMES) {
      expect(typeof s.isValid).toBe('function');
      expect(typeof s.compare).toBe('function');
    }
  });

  it.each(SCHEMES.filter((s) => s.id !== 'generic').map((s) => s.id))('%s has a fixtures file', (id) => {
    expect(fs.existsSync(path.join(FIXTURES, `${id}-versions.txt`))).toBe(true);
  });

  it.each(SCHEMES.map((s) => s.id))('%s throws InvalidVersionError, never guesses', (id) => {
    const s = getScheme(id);
    expect(s.isValid('')).toBe(false);
    expect(() => s.compare('', '')).toThrow(InvalidVersionError);
    expect(() => s.compare('not a version at all!', 'not a version at all!')).toThrow(InvalidVersionError);
  });

  it('generic cannot compare anything', () => {
    const g = getScheme('generic');
    expect(g.isValid('1.0.0')).toBe(false);
    expect(() => g.compare('1.0.0', '1.0.0')).toThrow(/cannot compare/);
  });
});

describe('ecosystem mapping', () => {
  it.each(Object.entries(ECOSYSTEM_SCHEMES))('%s resolves to %s', (eco, id) => {
    expect(getScheme(eco).id).toBe(id);
    expect(schemeForEcosystem(eco).id).toBe(id);
    expect(schemeForEcosystem(`${eco}:1`).id).toBe(id);
  });

  it.each([
    ['npm', 'semver'],
    ['PyPI', 'pep440'],
    ['Go', 'go'],
    ['Maven', 'maven'],
    ['crates.io', 'semver'],
    ['RubyGems', 'rubygems'],
    ['Packagist', 'composer'],
    ['NuGet', 'nuget'],
    ['Hex', 'semver'],
    ['Pub', 'semver'],
    ['Debian', 'deb'],
    ['Debian:12', 'deb'],
    ['Ubuntu', 'deb'],
    ['Ubuntu:22.04:LTS', 'deb'],
    ['Ubuntu:Pro:18.04:LTS', 'deb'],
    ['Alpine', 'apk'],
    ['Alpine:v3.18', 'apk'],
    ['Wolfi', 'apk'],
    ['Chainguard', 'apk'],
    ['Red Hat', 'rpm'],
    ['Red Hat:enterprise_linux:9::appstream', 'rpm'],
    ['Rocky Linux', 'rpm'],
    ['AlmaLinux:8', 'rpm'],
    ['openSUSE', 'rpm'],
    ['SUSE:Linux Enterprise Server 15 SP5', 'rpm'],
    ['Photon OS:5.0', 'rpm'],
    ['Mageia:9', 'rpm'],
    ['openEuler:22.03-LTS', 'rpm'],
  ])('getScheme(%j) is %s', (name, id) => {
    expect(getScheme(name).id).toBe(id);
  });

  it('scheme ids are accepted by getScheme, case-insensitively', () => {
    for (const s of SCHEMES) expect(getScheme(s.id.toUpperCase())).toBe(s);
  });

  it('unknown names throw UnknownSchemeError from getScheme and give generic from schemeForEcosystem', () => {
    expect(() => getScheme('Hackage')).toThrow(UnknownSchemeError);
    expect(() => getScheme('nope')).toThrow(/unknown version scheme/);
    expect(schemeForEcosystem('Hackage').id).toBe('generic');
    expect(schemeForEcosystem('GHC').id).toBe('generic');
    expect(schemeForEcosystem('').id).toBe('generic');
  });
});
