import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { ids, run, runPeer } from '../../../../test/support/extract.js';
import { cocoapodsPodfileLockExtractor as ex } from './index.js';

const T = 'trivy/pkg/dependency/parser/swift/cocoapods/testdata';

describe('lang/cocoapods-podfile-lock required', () => {
  it.each([
    ['Podfile.lock', true],
    ['ios/Podfile.lock', true],
    ['Podfile', false],
    ['Pods/Manifest.lock', false],
  ])('%s → %s', (p, want) => expect(ex.required(p)).toBe(want));
});

// Provenance: aquasecurity/trivy pkg/dependency/parser/swift/cocoapods/parse_test.go (TestParse). "happy path"
// expects five libraries: AppCenter, AppCenter/Analytics, AppCenter/Core, AppCenter/Crashes (all 4.2.0) and
// KeychainAccess 4.2.1; subspecs are packages of their own. "empty" and "sad path" expect none.
const TRIVY_HAPPY: [string, string][] = [
  ['AppCenter', '4.2.0'],
  ['AppCenter/Analytics', '4.2.0'],
  ['AppCenter/Core', '4.2.0'],
  ['AppCenter/Crashes', '4.2.0'],
  ['KeychainAccess', '4.2.1'],
];

describe('lang/cocoapods-podfile-lock on trivy fixtures', () => {
  it('happy.lock: the five libraries trivy expects, subspecs with a subpath purl', async () => {
    const out = await runPeer(ex, T, 'happy.lock');
    expect(out.packages.map((p) => [p.name, p.version])).toEqual(TRIVY_HAPPY);
    expect(out.packages.map((p) => [p.name, p.purl, p.locations.map((l) => l.line)])).toEqual([
      ['AppCenter', 'pkg:cocoapods/AppCenter@4.2.0', [2]],
      ['AppCenter/Analytics', 'pkg:cocoapods/AppCenter@4.2.0#Analytics', [5]],
      ['AppCenter/Core', 'pkg:cocoapods/AppCenter@4.2.0#Core', [7]],
      ['AppCenter/Crashes', 'pkg:cocoapods/AppCenter@4.2.0#Crashes', [8]],
      ['KeychainAccess', 'pkg:cocoapods/KeychainAccess@4.2.1', [10]],
    ]);
    expect(out.packages.every((p) => p.ecosystem === 'CocoaPods' && p.direct === false)).toBe(true);
  });
  it('empty.lock: no PODS', async () => {
    expect((await runPeer(ex, T, 'empty.lock')).packages).toEqual([]);
  });
  it('sad.lock: a PODS entry in the wrong format is dropped (the peer drops it too) and recorded', async () => {
    const out = await runPeer(ex, T, 'sad.lock');
    expect(out.packages).toEqual([]);
    expect(out.problems).toHaveLength(1);
  });
  it('integration cocoapods/Podfile.lock: _NIODataStructures 2.41.0, direct', async () => {
    const out = await runPeer(ex, 'trivy/integration/testdata/fixtures/repo/cocoapods/Podfile.lock');
    expect(out.packages.map((p) => [p.name, p.version, p.direct])).toEqual([['_NIODataStructures', '2.41.0', true]]);
  });
});

describe('lang/cocoapods-podfile-lock formats', () => {
  it('DEPENDENCIES with subspecs and external sources mark the pod direct', async () => {
    const text = ['PODS:', '  - Firebase/Core (10.0.0):', '    - FirebaseCore (= 10.0.0)', '  - FirebaseCore (10.0.0)', '  - Local (0.1.0)', '', 'DEPENDENCIES:', '  - Firebase/Core', '  - Local (from `../Local`)', ''].join('\n');
    const out = await run(ex, 'Podfile.lock', text);
    expect(out.packages.map((p) => [p.name, p.version, p.direct])).toEqual([
      ['Firebase/Core', '10.0.0', true],
      ['FirebaseCore', '10.0.0', false],
      ['Local', '0.1.0', true],
    ]);
    expect(ids(out)).toHaveLength(3);
  });
  it('bad YAML → ParseError', async () => {
    await expect(run(ex, 'Podfile.lock', 'PODS:\n  - [a\n')).rejects.toBeInstanceOf(ParseError);
  });
});
