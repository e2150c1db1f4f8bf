import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { run, runPeer } from '../../../../test/support/extract.js';
import { dotnetDepsJsonExtractor as ex } from './index.js';

const T = 'trivy/pkg/dependency/parser/dotnet/core_deps/testdata';

describe('lang/dotnet-deps-json required', () => {
  it.each([
    ['app/ExampleApp1.deps.json', true],
    ['datacollector.deps.json', true],
    ['app/ExampleApp1.runtimeconfig.json', false],
    ['deps.json.bak', false],
  ])('%s → %s', (p, want) => expect(ex.required(p)).toBe(want));
});

// Transcribed from aquasecurity/trivy pkg/dependency/parser/dotnet/core_deps/parse_test.go (TestParse,
// TestParseMultiProject): name, version, direct (RelationshipDirect), StartLine, and the projects as
// RelationshipRoot / RelationshipWorkspace.
describe('lang/dotnet-deps-json on trivy fixtures', () => {
  it.each([
    [
      'happy.deps.json',
      [
        ['ExampleApp1', '1.0.0', undefined, 28, 'root'],
        ['Newtonsoft.Json', '13.0.1', true, 33, undefined],
      ],
    ],
    [
      // "happy path with skipped libs": reference-only packages without runtime assets are skipped.
      'without-runtime.deps.json',
      [
        ['JsonDiffPatch', '2.0.61', true, 66, undefined],
        ['Libuv', '1.9.1', false, 73, undefined],
        ['System.Collections.Immutable', '1.3.0', false, 101, undefined],
        ['hello2', '1.0.0', undefined, 61, 'root'],
      ],
    ],
    ['no-libraries.deps.json', []],
    [
      'self-contained.deps.json',
      [
        ['ExampleApp1', '1.0.0', undefined, 46, 'root'],
        ['Microsoft.AspNetCore.App.Runtime.linux-x64', '8.0.0', true, 63, undefined],
        ['Microsoft.NETCore.App.Runtime.linux-x64', '8.0.0', true, 58, undefined],
        ['Newtonsoft.Json', '13.0.1', true, 51, undefined],
      ],
    ],
    [
      'multi-project.deps.json',
      [
        ['Api', '1.0.0', undefined, 60, 'workspace'],
        ['Data', '1.0.0', undefined, 65, 'workspace'],
        ['Newtonsoft.Json', '13.0.3', true, 53, undefined],
        ['Web', '1.0.0', undefined, 48, 'root'],
      ],
    ],
  ] as const)('%s', async (file, want) => {
    const out = await runPeer(ex, T, file);
    expect(out.packages.map((p) => [p.name, p.version, p.direct, p.locations[0]?.line, p.relationship])).toEqual(want);
  });

  // Two unreferenced projects (Web, Worker), so there is no root; both are workspace members, as in Trivy's
  // TestCollectPackagesWithAmbiguousRoot. A package that any project library depends on is direct (Web →
  // Newtonsoft.Json), checked by hand against the fixture.
  it('ambiguous-root.deps.json: no root, two workspace members, direct through the Web project', async () => {
    const out = await runPeer(ex, T, 'ambiguous-root.deps.json');
    expect(out.packages.map((p) => [p.name, p.version, p.direct, p.relationship])).toEqual([
      ['Newtonsoft.Json', '13.0.3', true, undefined],
      ['Web', '1.0.0', undefined, 'workspace'],
      ['Worker', '1.0.0', undefined, 'workspace'],
    ]);
  });

  it('missing-target.deps.json: the runtime target is absent, so the package is kept and direct is unknown', async () => {
    const out = await runPeer(ex, T, 'missing-target.deps.json');
    expect(out.packages.map((p) => [p.name, p.version, p.direct, p.locations[0]?.line, p.relationship])).toEqual([
      ['ExampleApp1', '1.0.0', undefined, 28, 'root'],
      ['Newtonsoft.Json', '13.0.1', undefined, 33, undefined],
    ]);
  });

  it('invalid.deps.json (truncated) → ParseError naming the path', async () => {
    await expect(runPeer(ex, T, 'invalid.deps.json')).rejects.toSatisfy((e: unknown) => e instanceof ParseError && e.path === `${T}/invalid.deps.json`);
  });

  // Checked by hand: one "package" library (Newtonsoft.Json/9.0.1) beside one "project" (the root).
  it('integration dotnet/datacollector.deps.json', async () => {
    const out = await runPeer(ex, 'trivy/integration/testdata/fixtures/repo/dotnet/datacollector.deps.json');
    expect(out.packages.map((p) => `${p.name}@${p.version} ${p.relationship ?? '-'}`)).toEqual([
      'Microsoft.VisualStudio.TestPlatform.Common@17.2.0-release-20220408-11 root',
      'Newtonsoft.Json@9.0.1 -',
    ]);
  });
});

describe('lang/dotnet-deps-json formats', () => {
  it('builds nuget purls; a malformed library key is dropped and recorded', async () => {
    const text = JSON.stringify({ libraries: { 'A.B/1.0.0': { type: 'package' }, nokey: { type: 'package' } } }, null, 2);
    const out = await run(ex, 'x.deps.json', text);
    expect(out.packages).toMatchObject([{ name: 'A.B', version: '1.0.0', purl: 'pkg:nuget/A.B@1.0.0', locations: [{ path: 'x.deps.json', line: 3 }] }]);
    expect(out.problems).toHaveLength(1);
  });
});
