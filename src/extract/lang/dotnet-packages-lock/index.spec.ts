import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { run, runPeer } from '../../../../test/support/extract.js';
import { dotnetPackagesLockExtractor as ex } from './index.js';

const T = 'trivy/pkg/dependency/parser/nuget/lock/testdata';

describe('lang/dotnet-packages-lock required', () => {
  it.each([
    ['packages.lock.json', true],
    ['src/App/packages.lock.json', true],
    ['package-lock.json', false],
  ])('%s → %s', (p, want) => expect(ex.required(p)).toBe(want));
});

// Transcribed from aquasecurity/trivy pkg/dependency/parser/nuget/lock/parse_testcase.go:
// name, version, direct (Relationship), start lines of every location.
describe('lang/dotnet-packages-lock on trivy fixtures', () => {
  it.each([
    [
      'packages_lock_simple.json',
      [
        ['Newtonsoft.Json', '12.0.3', true, [5]],
        ['NuGet.Frameworks', '5.7.0', true, [11]],
      ],
    ],
    [
      'packages_lock_legacy.json',
      [
        ['AWSSDK.Core', '3.5.1.30', true, [5]],
        ['Newtonsoft.Json', '12.0.3', true, [11]],
      ],
    ],
    [
      'packages_lock_subdependencies.json',
      [
        ['Microsoft.Extensions.ApiDescription.Server', '3.0.0', false, [29]],
        ['Microsoft.OpenApi', '1.1.4', false, [34]],
        ['Newtonsoft.Json', '12.0.3', true, [5]],
        ['NuGet.Frameworks', '5.7.0', true, [11]],
        ['Swashbuckle.AspNetCore', '5.5.1', true, [17]],
        ['Swashbuckle.AspNetCore.Swagger', '5.5.1', false, [39]],
        ['Swashbuckle.AspNetCore.SwaggerGen', '5.5.1', false, [47]],
        ['Swashbuckle.AspNetCore.SwaggerUI', '5.5.1', false, [55]],
      ],
    ],
  ] as const)('%s', async (file, want) => {
    const out = await runPeer(ex, T, file);
    expect(out.packages.map((p) => [p.name, p.version, p.direct, p.locations.map((l) => l.line)])).toEqual(want);
    expect(out.packages.every((p) => p.ecosystem === 'NuGet' && p.purl === `pkg:nuget/${p.name}@${p.version}`)).toBe(true);
  });

  it('packages_lock_multi.json: 40 packages (the peer lists 40), one location per framework', async () => {
    const out = await runPeer(ex, T, 'packages_lock_multi.json');
    expect(out.packages).toHaveLength(40);
    const get = (id: string) => out.packages.find((p) => `${p.name}@${p.version}` === id);
    expect(get('AWSSDK.Core@3.5.1.30')?.locations.map((l) => l.line)).toEqual([5, 33, 61, 89, 436]);
    expect(get('AWSSDK.Core@3.5.1.30')?.direct).toBe(true);
    expect(get('NETStandard.Library@1.6.1')).toMatchObject({ direct: true, locations: [{ line: 95 }] });
    expect(get('NETStandard.Library@2.0.3')).toMatchObject({ direct: true, locations: [{ line: 445 }] });
    expect(get('Newtonsoft.Json@12.0.3')?.locations.map((l) => l.line)).toEqual([20, 48, 76, 126, 454]);
    expect(get('Microsoft.NETCore.Platforms@1.1.0')).toMatchObject({ direct: false });
    expect(get('Microsoft.NETCore.Platforms@1.1.0')?.locations.map((l) => l.line)).toEqual([148, 468]);
    expect(get('System.Runtime.CompilerServices.Unsafe@4.5.2')).toMatchObject({ direct: false, locations: [{ line: 473 }] });
  });

  it('integration nuget/packages.lock.json: 2 packages (counted by hand with jq)', async () => {
    const out = await runPeer(ex, 'trivy/integration/testdata/fixtures/repo/nuget/packages.lock.json');
    expect(out.packages).toHaveLength(2);
    expect(out.problems).toBeUndefined();
  });
});

describe('lang/dotnet-packages-lock formats', () => {
  it('skips Project entries, reads CentralTransitive as transitive', async () => {
    const text = JSON.stringify(
      {
        version: 2,
        dependencies: {
          'net8.0': {
            Lib: { type: 'Project', dependencies: { X: '[1.0.0, )' } },
            X: { type: 'CentralTransitive', requested: '[1.0.0, )', resolved: '1.0.0' },
          },
        },
      },
      null,
      2,
    );
    const out = await run(ex, 'packages.lock.json', text);
    expect(out.packages.map((p) => [p.name, p.version, p.direct, p.locations[0]?.line])).toEqual([['X', '1.0.0', false, 11]]);
  });
  it('truncated JSON → ParseError', async () => {
    await expect(run(ex, 'a/packages.lock.json', '{"version": 1, "dependencies": {')).rejects.toSatisfy(
      (e: unknown) => e instanceof ParseError && e.path === 'a/packages.lock.json',
    );
  });
  it('an entry without resolved is dropped and recorded', async () => {
    const out = await run(ex, 'packages.lock.json', JSON.stringify({ dependencies: { net6: { A: { type: 'Direct' } } } }));
    expect(out.packages).toEqual([]);
    expect(out.problems).toHaveLength(1);
  });
});
