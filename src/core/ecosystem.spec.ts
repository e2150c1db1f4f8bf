import { describe, expect, it } from 'vitest';
import { ecosystemBase, ecosystemRelease, packageLookupName, pep503 } from './ecosystem.js';

describe('ecosystem strings', () => {
  it.each([
    ['npm', 'npm', undefined],
    ['Debian:12', 'Debian', '12'],
    ['Alpine:v3.18', 'Alpine', 'v3.18'],
    ['Ubuntu:22.04:LTS', 'Ubuntu', '22.04:LTS'],
    ['', '', undefined],
  ])('%j → base %j, release %j', (eco, base, release) => {
    expect(ecosystemBase(eco)).toBe(base);
    expect(ecosystemRelease(eco)).toBe(release);
  });
});

describe('pep503', () => {
  it.each([
    ['Django', 'django'],
    ['zope.interface', 'zope-interface'],
    ['typing_extensions', 'typing-extensions'],
    ['A-_.-b', 'a-b'],
    ['Foo__Bar..baz', 'foo-bar-baz'],
  ])('%j → %j', (name, key) => {
    expect(pep503(name)).toBe(key);
  });
});

describe('packageLookupName: folded only where the registry folds names', () => {
  it.each([
    ['PyPI', ' Zope.Interface ', 'zope-interface'],
    ['NuGet', 'Newtonsoft.Json', 'newtonsoft.json'],
    ['Packagist', 'Guzzlehttp/PSR7', 'guzzlehttp/psr7'],
    ['Pub', 'HTTP', 'http'],
    ['Hex', 'Phoenix', 'phoenix'],
    ['npm', 'JSONStream', 'JSONStream'],
    ['Go', 'github.com/BurntSushi/toml', 'github.com/BurntSushi/toml'],
    ['Maven', 'com.fasterxml.jackson.core:jackson-databind', 'com.fasterxml.jackson.core:jackson-databind'],
    ['crates.io', 'Inflector', 'Inflector'],
    ['Debian:12', 'libc6 ', 'libc6'],
  ])('%s: %j → %j', (eco, name, key) => {
    expect(packageLookupName(eco, name)).toBe(key);
  });
});
