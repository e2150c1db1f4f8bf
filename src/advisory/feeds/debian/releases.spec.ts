import { describe, expect, it } from 'vitest';
import { DEBIAN_CODENAMES, debianCodenameToVersion, debianEcosystem } from './releases.js';
import { debianUrgencyToSeverity } from './urgency.js';

describe('debianCodenameToVersion', () => {
  it.each([
    ['squeeze', '6'],
    ['wheezy', '7'],
    ['jessie', '8'],
    ['stretch', '9'],
    ['buster', '10'],
    ['bullseye', '11'],
    ['bookworm', '12'],
    ['trixie', '13'],
    ['forky', '14'],
    ['sid', 'sid'],
    ['woody', '3.0'],
    ['sarge', '3.1'],
    ['etch', '4'],
    ['lenny', '5'],
    [' Bookworm ', '12'],
  ])('%j → %s', (codename, version) => {
    expect(debianCodenameToVersion(codename)).toBe(version);
  });

  it.each(['experimental', 'unstable', 'potato', '', 'bookworm-security', 'toString', '__proto__'])('knows nothing of %j', (codename) => {
    expect(debianCodenameToVersion(codename)).toBeUndefined();
    expect(debianEcosystem(codename)).toBeUndefined();
  });

  it('builds the ecosystem string', () => {
    expect(debianEcosystem('bookworm')).toBe('Debian:12');
    expect(debianEcosystem('sid')).toBe('Debian:sid');
    expect(DEBIAN_CODENAMES.at(-1)).toBe('sid');
  });
});

describe('debianUrgencyToSeverity', () => {
  it.each([
    ['unimportant', 'LOW'],
    ['low', 'LOW'],
    ['low*', 'LOW'],
    ['medium', 'MEDIUM'],
    ['medium**', 'MEDIUM'],
    ['high', 'HIGH'],
    ['high**', 'HIGH'],
    ['not yet assigned', 'UNKNOWN'],
    ['end-of-life', 'UNKNOWN'],
    ['critical', 'UNKNOWN'],
    ['', 'UNKNOWN'],
  ])('%j → %s', (urgency, severity) => {
    expect(debianUrgencyToSeverity(urgency)).toBe(severity);
  });
});
