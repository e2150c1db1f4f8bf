import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { run, runPeer } from '../../../../test/support/extract.js';
import { swiftPackageResolvedExtractor as ex } from './index.js';
import { swiftUrlName } from './parse.js';

const T = 'trivy/pkg/dependency/parser/swift/swift/testdata';

describe('lang/swift-package-resolved required', () => {
  it.each([
    ['Package.resolved', true],
    ['App.xcworkspace/xcshareddata/swiftpm/Package.resolved', true],
    ['Package.swift', false],
  ])('%s → %s', (p, want) => expect(ex.required(p)).toBe(want));
});

// Provenance: aquasecurity/trivy pkg/dependency/parser/swift/swift/parse_test.go (TestParser_Parse): name, version,
// StartLine of each expected package. v1: 2 packages; v2: 6 (swift-ogg from `"branch": "0.0.1"`); empty: none.
const TRIVY: Record<string, [string, string, number][]> = {
  'happy-v1-Package.resolved': [
    ['github.com/Quick/Nimble', '9.2.1', 4],
    ['github.com/ReactiveCocoa/ReactiveSwift', '7.1.1', 13],
  ],
  'happy-v2-Package.resolved': [
    ['github.com/Quick/Nimble', '9.2.1', 21],
    ['github.com/Quick/Quick', '7.2.0', 30],
    ['github.com/ReactiveCocoa/ReactiveSwift', '7.1.1', 39],
    ['github.com/element-hq/swift-ogg', '0.0.1', 48],
    ['github.com/mattgallagher/CwlCatchException', '2.1.2', 3],
    ['github.com/mattgallagher/CwlPreconditionTesting', '2.1.2', 12],
  ],
  'empty-Package.resolved': [],
};

describe('lang/swift-package-resolved on trivy fixtures', () => {
  it.each(Object.entries(TRIVY))('%s: the packages trivy expects', async (file, want) => {
    const out = await runPeer(ex, T, file);
    expect(out.packages.map((p) => [p.name, p.version, p.locations[0]?.line])).toEqual(want);
    expect(out.unknowns ?? []).toEqual([]);
    expect(out.packages.every((p) => p.ecosystem === 'SwiftURL')).toBe(true);
  });

  it('purl of a repository pin', async () => {
    const out = await runPeer(ex, T, 'happy-v1-Package.resolved');
    expect(out.packages[0]?.purl).toBe('pkg:swift/github.com/Quick/Nimble@9.2.1');
  });

  it('integration swift/Package.resolved', async () => {
    const out = await runPeer(ex, 'trivy/integration/testdata/fixtures/repo/swift/Package.resolved');
    expect(out.packages.map((p) => `${p.name}@${p.version}`)).toEqual(['github.com/apple/swift-atomics@1.1.0', 'github.com/apple/swift-nio@2.41.0']);
  });
});

describe('lang/swift-package-resolved formats', () => {
  it.each([
    ['https://github.com/Quick/Nimble.git', 'github.com/Quick/Nimble'],
    ['https://github.com/apple/swift-nio/', 'github.com/apple/swift-nio'],
    ['git@github.com:org/repo.git', 'github.com/org/repo'],
    ['ssh://git@gitlab.example.com/team/lib.git', 'gitlab.example.com/team/lib'],
    ['file:///Users/me/lib', undefined],
  ])('swiftUrlName(%s) → %s', (url, want) => expect(swiftUrlName(url)).toBe(want));

  it('v3: a registry pin, a revision-only pin, a moving branch and a version-named branch', async () => {
    const text = JSON.stringify(
      {
        originHash: 'x',
        pins: [
          { identity: 'mona.linkedlist', kind: 'registry', location: '', state: { version: '1.0.0' } },
          { identity: 'x', kind: 'remoteSourceControl', location: 'https://github.com/a/x.git', state: { revision: 'abc' } },
          { identity: 'y', kind: 'remoteSourceControl', location: 'https://github.com/a/y.git', state: { branch: 'main', revision: 'def' } },
          { identity: 'z', kind: 'remoteSourceControl', location: 'https://github.com/a/z.git', state: { branch: 'v2.0.0-beta.1', revision: '123' } },
        ],
        version: 3,
      },
      null,
      2,
    );
    const out = await run(ex, 'Package.resolved', text);
    expect(out.packages.map((p) => [p.name, p.version, p.locations[0]?.line])).toEqual([
      ['github.com/a/z', 'v2.0.0-beta.1', 29],
      ['mona.linkedlist', '1.0.0', 4],
    ]);
    expect(out.unknowns?.map((u) => u.message)).toEqual(['github.com/a/x is pinned to revision abc, not a version', 'github.com/a/y is pinned to branch main, not a version']);
  });

  it('truncated JSON → ParseError', async () => {
    await expect(run(ex, 'Package.resolved', '{"pins": [')).rejects.toBeInstanceOf(ParseError);
  });
});
