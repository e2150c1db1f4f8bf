import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { readPeerFixture } from '../../../../test/support/fixtures.js';
import { emptyTree } from '../../../../test/support/extract.js';
import { dpkgExtractor, dpkgRequired } from './index.js';

const SYFT = 'syft/syft/pkg/cataloger/debian/testdata';

describe('dpkgRequired (trivy Test_dpkgAnalyzer_Required, minus md5sums which we do not read)', () => {
  it.each([
    ['var/lib/dpkg/status', true],
    ['/var/lib/dpkg/status', true],
    ['var/lib/dpkg/status.d/gcc', true],
    ['var/lib/dpkg/status.d/base-files.md5sums', false],
    ['var/lib/dpkg/info/bash.md5sums', false],
    ['var/lib/dpkg/info/bash.list', false],
    ['var/lib/dpkg/available', false],
    ['var/lib/dpkg/status/bash.md5sums', false],
    ['var/lib/dpkg/status-old', false],
    ['var/lib/dpkg/status.d/nested/x', false],
  ])('%s → %s', (p, want) => expect(dpkgRequired(p)).toBe(want));
});

describe('dpkgExtractor', () => {
  it('maps records to deb packages with distro-less purls, sorted', async () => {
    const path = 'var/lib/dpkg/status.d/coreutils-relationships';
    const out = await dpkgExtractor.extract({ path, content: readPeerFixture(SYFT, path), tree: emptyTree });
    expect(out.packages.map((p) => p.name)).toEqual([
      'coreutils', 'gcc-12-base', 'libacl1', 'libattr1', 'libc6', 'libgcc-s1', 'libgmp10', 'libpcre2-8-0', 'libselinux1',
    ]);
    expect(out.packages.find((p) => p.name === 'libgmp10')).toEqual({
      ecosystem: 'deb',
      name: 'libgmp10',
      version: '2:6.2.1+dfsg1-1.1',
      purl: 'pkg:deb/libgmp10@2:6.2.1+dfsg1-1.1?arch=arm64',
      locations: [{ path, line: expect.any(Number) }],
      foundBy: 'os/dpkg',
      source: { name: 'gmp', version: '2:6.2.1+dfsg1-1.1' },
      epoch: 2,
      release: '1.1',
      arch: 'arm64',
    });
    expect(out.problems).toBeUndefined();
  });

  it('reports dropped stanzas as problems with path, extractor and line', async () => {
    const path = 'var/lib/dpkg/status.d/multiple';
    const out = await dpkgExtractor.extract({ path, content: readPeerFixture(SYFT, path), tree: emptyTree });
    expect(out.packages.map((p) => p.name)).toEqual(['tzdata', 'util-linux']);
    expect(out.problems).toEqual([
      { path, extractor: 'os/dpkg', code: 'BULWARK_E_PARSE', message: 'line 1: stanza without a Package name' },
      { path, extractor: 'os/dpkg', code: 'BULWARK_E_PARSE', message: 'line 3: package no-version: no Version' },
    ]);
  });

  it('throws ParseError for an empty file', () => {
    expect(() => dpkgExtractor.extract({ path: 'var/lib/dpkg/status', content: new Uint8Array(), tree: emptyTree })).toThrow(ParseError);
  });
});
