import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { ids, run, runPeer } from '../../../../test/support/extract.js';
import { conanLockExtractor as ex } from './index.js';

const T = 'trivy/pkg/dependency/parser/c/conan/testdata';

describe('lang/conan-lock required', () => {
  it.each([
    ['conan.lock', true],
    ['build/conan.lock', true],
    ['conanfile.txt', false],
  ])('%s → %s', (p, want) => expect(ex.required(p)).toBe(want));
});

// Transcribed from aquasecurity/trivy pkg/dependency/parser/c/conan/parse_test.go: name, version, direct
// (= !Indirect / RelationshipDirect), StartLine.
describe('lang/conan-lock on trivy fixtures', () => {
  it('happy_v1_case1.lock', async () => {
    const out = await runPeer(ex, T, 'happy_v1_case1.lock');
    expect(out.packages.map((p) => [p.name, p.version, p.direct, p.locations[0]?.line])).toEqual([
      ['pkga', '0.0.1', true, 13],
      ['pkgb', 'system', false, 23],
      ['pkgc', '0.1.1', true, 30],
    ]);
    expect(out.packages[2]?.purl).toBe('pkg:conan/user/pkgc@0.1.1?channel=testing');
    expect(out.packages.every((p) => p.ecosystem === 'ConanCenter' && p.dev === false)).toBe(true);
  });
  it('happy_v1_case2.lock (revisions)', async () => {
    const out = await runPeer(ex, T, 'happy_v1_case2.lock');
    expect(out.packages.map((p) => [p.name, p.version, p.direct, p.locations[0]?.line, p.purl])).toEqual([
      ['openssl', '3.0.3', true, 12, 'pkg:conan/openssl@3.0.3'],
      ['zlib', '1.2.12', false, 23, 'pkg:conan/zlib@1.2.12'],
    ]);
  });
  it('happy_v2.lock: requires as the peer lists them, build_requires added as dev', async () => {
    const out = await runPeer(ex, T, 'happy_v2.lock');
    expect(out.packages.filter((p) => !p.dev).map((p) => [p.name, p.version, p.locations[0]?.line])).toEqual([
      ['matrix', '1.3', 5],
      ['sound32', '1.0', 4],
    ]);
    expect(out.packages.filter((p) => p.dev).map((p) => `${p.name}@${p.version}`)).toEqual(['autoconf@2.71', 'automake@1.16.5']);
  });
  it('empty_v1.lock', async () => {
    expect((await runPeer(ex, T, 'empty_v1.lock')).packages).toEqual([]);
  });
  it('sad_v1.lock: a wrong ref is dropped (the peer drops it too) and recorded', async () => {
    const out = await runPeer(ex, T, 'sad_v1.lock');
    expect(out.packages).toEqual([]);
    expect(out.problems?.[0]?.message).toContain('wrong/ref/format');
  });
  it('integration conan/conan.lock: 7 nodes with refs (counted by hand), poco direct', async () => {
    const out = await runPeer(ex, 'trivy/integration/testdata/fixtures/repo/conan/conan.lock');
    expect(ids(out)).toEqual(['bzip2@1.0.8', 'expat@2.4.8', 'openssl@1.1.1q', 'pcre@8.43', 'poco@1.9.4', 'sqlite3@3.39.2', 'zlib@1.2.12']);
    expect(out.packages.filter((p) => p.direct).map((p) => p.name)).toEqual(['poco']);
  });
});

describe('lang/conan-lock malformed', () => {
  it('truncated JSON → ParseError', async () => {
    await expect(run(ex, 'conan.lock', '{"graph_lock": {"nodes": {')).rejects.toBeInstanceOf(ParseError);
  });
  it('JSON of another shape → ParseError', async () => {
    await expect(run(ex, 'conan.lock', '{"version": "0.5"}')).rejects.toBeInstanceOf(ParseError);
  });
});
