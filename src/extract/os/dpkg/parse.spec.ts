import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { readPeerFixture } from '../../../../test/support/fixtures.js';
import { peerText, txtarFile } from '../../../../test/support/extract.js';
import { parseDebVersion, parseDpkgStatus } from './parse.js';

const TRIVY = 'trivy/pkg/fanal/analyzer/pkg/dpkg/testdata';
const SYFT = 'syft/syft/pkg/cataloger/debian/testdata';
const status = (name: string) => txtarFile(peerText(TRIVY, name), 'var/lib/dpkg/status');

describe('parseDebVersion', () => {
  it.each([
    ['1:2.31.1-0.4ubuntu3.1', { epoch: 1, upstream: '2.31.1', revision: '0.4ubuntu3.1' }],
    ['3.116ubuntu1', { upstream: '3.116ubuntu1' }],
    ['8-20180414-1ubuntu2', { upstream: '8-20180414', revision: '1ubuntu2' }],
    ['5:20.10.7~3-0~debian-buster', { epoch: 5, upstream: '20.10.7~3-0~debian', revision: 'buster' }],
    ['2:6.2.1+dfsg1-1.1', { epoch: 2, upstream: '6.2.1+dfsg1', revision: '1.1' }],
  ])('%s', (v, want) => expect(parseDebVersion(v)).toEqual(want));
  it.each(['1:5.#', 'abc-1', '', 'x:1.0', '1.0-', ' 1.0'])('rejects %j', (v) => expect(typeof parseDebVersion(v)).toBe('string'));
});

describe('parseDpkgStatus on trivy fixtures (pkg/fanal/analyzer/pkg/dpkg/dpkg_test.go)', () => {
  it('valid.txtar: 90 installed packages, the deinstalled one left out', () => {
    const { records, problems } = parseDpkgStatus(status('valid.txtar'), 'var/lib/dpkg/status');
    expect(records).toHaveLength(90);
    expect(problems).toEqual([]);
    const by = new Map(records.map((r) => [r.name, r]));
    // Transcribed from dpkg_test.go "valid": Name, Epoch, Version, Release, SrcName, SrcVersion, Arch.
    const expected: [string, number | undefined, string, string | undefined, string, string, string][] = [
      ['adduser', undefined, '3.116ubuntu1', undefined, 'adduser', '3.116ubuntu1', 'all'],
      ['apt', undefined, '1.6.3ubuntu0.1', undefined, 'apt', '1.6.3ubuntu0.1', 'amd64'],
      ['bash', undefined, '4.4.18', '2ubuntu1', 'bash', '4.4.18-2ubuntu1', 'amd64'],
      // Source: util-linux (2.31.1-0.4ubuntu3.1): the source version is given without the epoch (trivy: no SrcEpoch).
      ['bsdutils', 1, '2.31.1', '0.4ubuntu3.1', 'util-linux', '2.31.1-0.4ubuntu3.1', 'amd64'],
      ['diffutils', 1, '3.6', '1', 'diffutils', '1:3.6-1', 'amd64'],
      ['fdisk', undefined, '2.31.1', '0.4ubuntu3.1', 'util-linux', '2.31.1-0.4ubuntu3.1', 'amd64'],
      ['gcc-8-base', undefined, '8-20180414', '1ubuntu2', 'gcc-8', '8-20180414-1ubuntu2', 'amd64'],
      ['gpgv', undefined, '2.2.4', '1ubuntu1.1', 'gnupg2', '2.2.4-1ubuntu1.1', 'amd64'],
      ['libattr1', 1, '2.4.47', '2build1', 'attr', '1:2.4.47-2build1', 'amd64'],
      ['libaudit-common', 1, '2.8.2', '1ubuntu1', 'audit', '1:2.8.2-1ubuntu1', 'all'],
      ['libc6', undefined, '2.27', '3ubuntu1', 'glibc', '2.27-3ubuntu1', 'amd64'],
      ['libdebconfclient0', undefined, '0.213ubuntu1', undefined, 'cdebconf', '0.213ubuntu1', 'amd64'],
      ['libustr-1.0-1', undefined, '1.0.4', '3+b2', 'ustr', '1.0.4-3', 'amd64'],
      ['login', 1, '4.5', '1ubuntu1', 'shadow', '1:4.5-1ubuntu1', 'amd64'],
      ['procps', 2, '3.3.12', '3ubuntu1.1', 'procps', '2:3.3.12-3ubuntu1.1', 'amd64'],
      ['tar', undefined, '1.29b', '2', 'tar', '1.29b-2', 'amd64'],
      ['zlib1g', 1, '1.2.11.dfsg', '0ubuntu2', 'zlib', '1:1.2.11.dfsg-0ubuntu2', 'amd64'],
    ];
    for (const [name, epoch, upstream, revision, srcName, srcVersion, arch] of expected) {
      const r = by.get(name);
      expect(r, name).toBeDefined();
      expect(r?.parsed, name).toEqual({ upstream, ...(epoch !== undefined && { epoch }), ...(revision !== undefined && { revision }) });
      expect([r?.sourceName, r?.sourceVersion, r?.arch], name).toEqual([srcName, srcVersion, arch]);
    }
    expect(by.get('bsdutils')?.version).toBe('1:2.31.1-0.4ubuntu3.1');
  });

  it('corrupsed.txtar: the 4 sound packages, the broken and invalid stanzas as problems', () => {
    const { records, problems } = parseDpkgStatus(status('corrupsed.txtar'), 'var/lib/dpkg/status');
    expect(records.map((r) => `${r.name}@${r.version}`).sort()).toEqual([
      'libgcc1@1:5.1.1-12ubuntu1',
      'libpam-modules-bin@1.1.8-3.1ubuntu3',
      'libpam-runtime@1.1.8-3.1ubuntu3',
      'makedev@2.3.1-93ubuntu1',
    ]);
    const libgcc1 = records.find((r) => r.name === 'libgcc1');
    expect([libgcc1?.sourceName, libgcc1?.sourceVersion, libgcc1?.parsed.epoch]).toEqual(['gcc-5', '5.1.1-12ubuntu1', 1]);
    expect(problems.map((p) => p.message)).toEqual([
      'package brokenPackageWithNoVersionThatShouldGetThrownOut: no Version',
      'package invalidpkg: invalid version "1:5.#": invalid character in upstream version',
    ]);
  });

  it('only-apt.txtar and third-party.txtar', () => {
    expect(parseDpkgStatus(status('only-apt.txtar'), 's').records.map((r) => [r.name, r.version, r.sourceName, r.arch])).toEqual([
      ['apt', '1.6.3ubuntu0.1', 'apt', 'amd64'],
    ]);
    const third = parseDpkgStatus(status('third-party.txtar'), 's').records;
    expect(third.map((r) => [r.name, r.version, r.parsed.epoch])).toEqual([
      ['docker-ce', '5:20.10.7~3-0~debian-buster', 5],
      ['apt', '1.6.3ubuntu0.1', undefined],
    ]);
  });
});

describe('parseDpkgStatus on syft fixtures (syft/pkg/cataloger/debian/parse_dpkg_db_test.go)', () => {
  const parse = (...p: string[]) => parseDpkgStatus(readPeerFixture(SYFT, ...p), p.join('/'));

  it('image-dpkg status: libpam-runtime, the empty Package stanza a problem', () => {
    const { records, problems } = parse('image-dpkg/var/lib/dpkg/status');
    expect(records.map((r) => [r.name, r.version, r.sourceName, r.arch])).toEqual([['libpam-runtime', '1.1.8-3.6', 'pam', 'all']]);
    expect(problems).toEqual([{ line: 1, message: 'stanza without a Package name' }]);
  });

  it('distroless status.d entry without Status', () => {
    const { records } = parse('image-distroless-deb/var/lib/dpkg/status.d/libsqlite3-0');
    expect(records.map((r) => [r.name, r.version, r.sourceName, r.sourceVersion, r.arch])).toEqual([
      ['libsqlite3-0', '3.34.1-3', 'sqlite3', '3.34.1-3', 'arm64'],
    ]);
  });

  it('status.d/multiple: tzdata and util-linux; empty and version-less stanzas are problems', () => {
    const { records, problems } = parse('var/lib/dpkg/status.d/multiple');
    expect(records.map((r) => [r.name, r.version, r.sourceName, r.arch])).toEqual([
      ['tzdata', '2020a-0+deb10u1', 'tzdata-dev', 'all'],
      ['util-linux', '2.33.1-0.1', 'util-linux', 'amd64'],
    ]);
    expect(problems.map((p) => p.message)).toEqual(['stanza without a Package name', 'package no-version: no Version']);
  });

  it('status.d/coreutils-relationships: Source with a version in parentheses', () => {
    const { records } = parse('var/lib/dpkg/status.d/coreutils-relationships');
    expect(records).toHaveLength(9);
    const sel = records.find((r) => r.name === 'libselinux1');
    expect([sel?.version, sel?.sourceName, sel?.sourceVersion]).toEqual(['3.4-1+b6', 'libselinux', '3.4-1']);
    const gmp = records.find((r) => r.name === 'libgmp10');
    expect([gmp?.parsed.epoch, gmp?.sourceName, gmp?.sourceVersion]).toEqual([2, 'gmp', '2:6.2.1+dfsg1-1.1']);
  });

  it('status.d/deinstall: only the installed kernel image', () => {
    const { records, problems } = parse('var/lib/dpkg/status.d/deinstall');
    expect(records.map((r) => r.name)).toEqual(['linux-image-6.14.0-1012-aws']);
    expect(problems).toEqual([]);
  });

  it('status.d/corrupt is a ParseError (syft Test_corruptEntry expects an error)', () => {
    expect(() => parse('var/lib/dpkg/status.d/corrupt')).toThrow(ParseError);
    expect(() => parse('var/lib/dpkg/status.d/corrupt')).toThrow(/var\/lib\/dpkg\/status.d\/corrupt: no package stanza could be read/);
  });

  it('status.d/empty ("Package:" and nothing else) is a ParseError', () => {
    expect(() => parse('var/lib/dpkg/status.d/empty')).toThrow(ParseError);
  });
});

describe('parseDpkgStatus on damaged input', () => {
  it.each([
    ['empty', ''],
    ['whitespace', '\n \n\t\n'],
    ['binary', 'Package: a\u0000\u0001\u0002'],
    ['garbage', 'this is not\na dpkg status file\n'],
  ])('%s → ParseError with the path', (_, text) => {
    expect(() => parseDpkgStatus(text, 'var/lib/dpkg/status')).toThrow(/^var\/lib\/dpkg\/status: /);
  });

  it('a garbage line inside a stanza drops that stanza only', () => {
    const text = 'Package: a\nVersion: 1.0\n\nPackage: b\nVersion: 2.0\nnot a field\n';
    const r = parseDpkgStatus(text, 's');
    expect(r.records.map((x) => x.name)).toEqual(['a']);
    expect(r.problems).toEqual([{ line: 4, message: 'package b: malformed line 6' }]);
  });

  it('a file of only removed packages is an empty success, not an error', () => {
    expect(parseDpkgStatus('Package: a\nStatus: deinstall ok config-files\nVersion: 1\n', 's')).toEqual({ records: [], problems: [] });
  });

  it('accepts CRLF line endings', () => {
    expect(parseDpkgStatus('Package: a\r\nVersion: 1.0-1\r\nArchitecture: amd64\r\n', 's').records[0]?.arch).toBe('amd64');
  });
});
