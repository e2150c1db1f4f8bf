import { describe, expect, it } from 'vitest';
import { readPeerFixture } from '../../../../test/support/fixtures.js';
import { emptyTree } from '../../../../test/support/extract.js';
import { apkExtractor, apkRequired } from './index.js';

describe('apkRequired (trivy TestRequired)', () => {
  it.each([
    ['lib/apk/db/installed', true],
    ['usr/lib/apk/db/installed', true],
    ['etc/os-release', false],
    ['lib/apk/db/other', false],
    ['lib/apk/db/installed.bak', false],
  ])('%s → %s', (p, want) => expect(apkRequired(p)).toBe(want));
});

describe('apkExtractor', () => {
  it('maps to apk packages with origin as source, sorted by name', async () => {
    const path = 'lib/apk/db/installed';
    const out = await apkExtractor.extract({ path, content: readPeerFixture('trivy/pkg/fanal/analyzer/pkg/apk/testdata/apk'), tree: emptyTree });
    expect(out.packages).toHaveLength(15);
    expect(out.packages[0]?.name).toBe('ada-libs');
    expect(out.packages.find((p) => p.name === 'libssl1.0')).toEqual({
      ecosystem: 'apk',
      name: 'libssl1.0',
      version: '1.0.2h-r1',
      purl: 'pkg:apk/libssl1.0@1.0.2h-r1?arch=x86_64',
      locations: [{ path, line: expect.any(Number) }],
      foundBy: 'os/apk',
      source: { name: 'openssl', version: '1.0.2h-r1' },
      arch: 'x86_64',
    });
  });
});
