import { describe, expect, it } from 'vitest';
import { readPeerFixture } from '../../../../test/support/fixtures.js';
import { emptyTree } from '../../../../test/support/extract.js';
import { rpmExtractor, rpmRecordToPackage, rpmRequired, rpmVersionString } from './index.js';

describe('rpmRequired', () => {
  it.each([
    ['var/lib/rpm/Packages', true],
    ['var/lib/rpm/Packages.db', true],
    ['var/lib/rpm/rpmdb.sqlite', true],
    ['usr/lib/sysimage/rpm/Packages', true],
    ['usr/lib/sysimage/rpm/Packages.db', true],
    ['usr/lib/sysimage/rpm/rpmdb.sqlite', true],
    ['/var/lib/rpm/rpmdb.sqlite', true],
    ['var/lib/rpm/rpmdb.sqlite-wal', false],
    ['var/lib/rpm/Name', false],
    ['usr/share/Packages', false],
  ])('%s → %s', (p, want) => expect(rpmRequired(p)).toBe(want));
});

describe('rpmVersionString', () => {
  it.each([
    [undefined, '7.76.0', '6.cm2', '7.76.0-6.cm2'],
    [0, '2.4.3', '56.el5', '2.4.3-56.el5'],
    [1, '10.21.0', '3.module_el8.2.0+391+8da3adc6', '1:10.21.0-3.module_el8.2.0+391+8da3adc6'],
  ])('epoch %s', (e, v, r, want) => expect(rpmVersionString(e, v, r)).toBe(want));
});

describe('rpmRecordToPackage', () => {
  it('epoch goes to the version prefix, Package.epoch and the purl qualifier', () => {
    const p = rpmRecordToPackage(
      { id: 1, name: 'nodejs', version: '10.21.0', release: '3.module_el8.2.0+391+8da3adc6', epoch: 1, arch: 'x86_64', sourceRpm: 'x', source: { name: 'nodejs', version: '10.21.0', release: '3.module_el8.2.0+391+8da3adc6' } },
      'var/lib/rpm/Packages',
    );
    expect(p).toEqual({
      ecosystem: 'rpm',
      name: 'nodejs',
      version: '1:10.21.0-3.module_el8.2.0+391+8da3adc6',
      purl: 'pkg:rpm/nodejs@10.21.0-3.module_el8.2.0+391+8da3adc6?arch=x86_64&epoch=1',
      locations: [{ path: 'var/lib/rpm/Packages' }],
      foundBy: 'os/rpm',
      release: '3.module_el8.2.0+391+8da3adc6',
      source: { name: 'nodejs', version: '1:10.21.0-3.module_el8.2.0+391+8da3adc6' },
      epoch: 1,
      arch: 'x86_64',
    });
  });
});

describe('rpmExtractor', () => {
  it.each([
    ['libuuid/Packages', 'var/lib/rpm/Packages', 1],
    ['sle15-bci/Packages.db', 'usr/lib/sysimage/rpm/Packages.db', 35],
    ['cbl-mariner-2.0/rpmdb.sqlite', 'var/lib/rpm/rpmdb.sqlite', 129],
  ])('%s → %d packages, sorted, with source packages', async (fixture, path, n) => {
    const out = await rpmExtractor.extract({ path, content: readPeerFixture('go-rpmdb/pkg/testdata', fixture), tree: emptyTree });
    expect(out.packages).toHaveLength(n);
    expect(out.problems).toBeUndefined();
    const names = out.packages.map((p) => p.name);
    expect(names).toEqual([...names].sort());
    for (const p of out.packages) {
      expect(p.ecosystem).toBe('rpm');
      expect(p.source?.name).toBeTruthy();
      expect(p.purl.startsWith(`pkg:rpm/`)).toBe(true);
    }
  });

  it('curl from the Mariner sqlite db', async () => {
    const path = 'var/lib/rpm/rpmdb.sqlite';
    const out = await rpmExtractor.extract({ path, content: readPeerFixture('go-rpmdb/pkg/testdata/cbl-mariner-2.0/rpmdb.sqlite'), tree: emptyTree });
    expect(out.packages.find((p) => p.name === 'curl')).toEqual({
      ecosystem: 'rpm',
      name: 'curl',
      version: '7.76.0-6.cm2',
      purl: 'pkg:rpm/curl@7.76.0-6.cm2?arch=x86_64',
      locations: [{ path }],
      foundBy: 'os/rpm',
      release: '6.cm2',
      source: { name: 'curl', version: '7.76.0-6.cm2' },
      arch: 'x86_64',
    });
  });
});
