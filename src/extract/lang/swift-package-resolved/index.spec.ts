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

// Transcribed from aquasecurity/trivy pkg/dependency/parser/swift/swift/parse_test.go (name, version, StartLine).
describe('lang/swift-package-resolved on trivy fixtures', () => {
  it('happy-v1-Package.resolved', async () => {
    const out = await runPeer(ex, T, 'happy-v1-Package.resolved');
    expect(out.packages.map((p) => [p.name, p.version, p.locations[0]?.line])).toEqual([
      ['github.com/Quick/Nimble', '9.2.1', 4],
      ['github.com/ReactiveCocoa/ReactiveSwift', '7.1.1', 13],
    ]);
    expect(out.packages[0]?.purl).toBe('pkg:swift/github.com/Quick/Nimble@9.2.1');
    expect(out.packages[0]?.ecosystem).toBe('SwiftURL');
  });

  // The peer also lists github.com/element-hq/swift-ogg@0.0.1, taken from `"branch": "0.0.1"` (no version in the
  // pin). A branch is not a release; we report that pin as an unresolved-version unknown.
  it('happy-v2-Package.resolved', async () => {
    const out = await runPeer(ex, T, 'happy-v2-Package.resolved');
    expect(out.packages.map((p) => [p.name, p.version, p.locations[0]?.line])).toEqual([
      ['github.com/Quick/Nimble', '9.2.1', 21],
      ['github.com/Quick/Quick', '7.2.0', 30],
      ['github.com/ReactiveCocoa/ReactiveSwift', '7.1.1', 39],
      ['github.com/mattgallagher/CwlCatchException', '2.1.2', 3],
      ['github.com/mattgallagher/CwlPreconditionTesting', '2.1.2', 12],
    ]);
    expect(out.unknowns).toMatchObject([{ kind: 'unresolved-version', package: { name: 'github.com/element-hq/swift-ogg' } }]);
  });

  it('empty-Package.resolved', async () => {
    expect((await runPeer(ex, T, 'empty-Package.resolved')).packages).toEqual([]);
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

  it('v3 with a registry pin and a revision-only pin', async () => {
    const text = JSON.stringify(
      {
        originHash: 'x',
        pins: [
          { identity: 'mona.linkedlist', kind: 'registry', location: '', state: { version: '1.0.0' } },
          { identity: 'x', kind: 'remoteSourceControl', location: 'https://github.com/a/x.git', state: { revision: 'abc' } },
        ],
        version: 3,
      },
      null,
      2,
    );
    const out = await run(ex, 'Package.resolved', text);
    expect(out.packages.map((p) => [p.name, p.version, p.locations[0]?.line])).toEqual([['mona.linkedlist', '1.0.0', 4]]);
    expect(out.unknowns?.[0]?.message).toContain('revision abc');
  });

  it('truncated JSON → ParseError', async () => {
    await expect(run(ex, 'Package.resolved', '{"pins": [')).rejects.toBeInstanceOf(ParseError);
  });
});
