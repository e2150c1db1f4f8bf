import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { ids, run, runPeer } from '../../../../test/support/extract.js';
import { dotnetDirectoryPackagesExtractor as ex } from './index.js';

const T = 'trivy/pkg/dependency/parser/nuget/packagesprops/testdata';

describe('lang/dotnet-directory-packages required', () => {
  it.each([
    ['Directory.Packages.props', true],
    ['src/directory.packages.props', true],
    ['Packages.props', true],
    ['Directory.Build.props', false],
  ])('%s → %s', (p, want) => expect(ex.required(p)).toBe(want));
});

// Transcribed from aquasecurity/trivy pkg/dependency/parser/nuget/packagesprops/parse_test.go.
describe('lang/dotnet-directory-packages on trivy fixtures', () => {
  it.each([
    ['packages.props', ['Microsoft.Extensions.Configuration@2.1.1', 'Microsoft.Extensions.DependencyInjection.Abstractions@2.2.1', 'Microsoft.Extensions.Http@3.2.1']],
    ['Directory.Packages.props', ['PackageOne@6.2.3', 'PackageThree@2.4.1', 'PackageTwo@6.0.0']],
    ['several_item_groups', ['PackageOne@6.2.3', 'PackageThree@2.4.1', 'PackageTwo@6.0.0']],
    ['variables_and_empty', ['PackageFour@2.4.1']],
    ['no_item_group.props', []],
  ])('%s', async (file, want) => {
    const out = await runPeer(ex, T, file);
    expect(ids(out)).toEqual(want);
  });

  it('variables_and_empty: properties become unknowns, empty attributes problems', async () => {
    const out = await runPeer(ex, T, 'variables_and_empty');
    expect(out.unknowns?.map((u) => u.package?.name)).toEqual(['PackageOne', '$(variable2)']);
    expect(out.unknowns?.every((u) => u.kind === 'unresolved-version')).toBe(true);
    expect(out.problems).toHaveLength(2);
  });

  it('packages.props: lines and purls', async () => {
    const out = await runPeer(ex, T, 'packages.props');
    expect(out.packages[0]).toMatchObject({ purl: 'pkg:nuget/Microsoft.Extensions.Configuration@2.1.1', locations: [{ line: 4 }], direct: true });
  });

  it('no_project.props (root <ItemGroup>) → ParseError, as the peer fails to decode it', async () => {
    await expect(runPeer(ex, T, 'no_project.props')).rejects.toBeInstanceOf(ParseError);
  });

  it('integration packagesprops/Directory.Packages.props: one central PackageVersion pin', async () => {
    const out = await runPeer(ex, 'trivy/integration/testdata/fixtures/repo/packagesprops/Directory.Packages.props');
    expect(out.packages.map((p) => [p.name, p.version, p.locations[0]?.line])).toEqual([['Newtonsoft.Json', '9.0.1', 5]]);
  });
});

describe('lang/dotnet-directory-packages formats', () => {
  it('central PackageVersion pins, a range and a GlobalPackageReference', async () => {
    const text = [
      '<Project>',
      '  <PropertyGroup><ManagePackageVersionsCentrally>true</ManagePackageVersionsCentrally></PropertyGroup>',
      '  <ItemGroup>',
      '    <PackageVersion Include="Newtonsoft.Json" Version="13.0.3" />',
      '    <PackageVersion Include="Serilog" Version="[3.0,4.0)" />',
      '    <GlobalPackageReference Include="Nerdbank.GitVersioning" Version="3.6.133" />',
      '  </ItemGroup>',
      '</Project>',
    ].join('\n');
    const out = await run(ex, 'Directory.Packages.props', text);
    expect(out.packages.map((p) => [p.name, p.version, p.locations[0]?.line])).toEqual([
      ['Nerdbank.GitVersioning', '3.6.133', 6],
      ['Newtonsoft.Json', '13.0.3', 4],
    ]);
    expect(out.unknowns).toMatchObject([{ kind: 'unresolved-version', package: { name: 'Serilog', version: '[3.0,4.0)' } }]);
  });
  it('bad XML → ParseError', async () => {
    await expect(run(ex, 'Directory.Packages.props', '<Project><ItemGroup></Project>')).rejects.toBeInstanceOf(ParseError);
  });
});
