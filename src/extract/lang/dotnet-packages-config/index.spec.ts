import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { run, runPeer } from '../../../../test/support/extract.js';
import { dotnetPackagesConfigExtractor as ex } from './index.js';

const T = 'trivy/pkg/dependency/parser/nuget/config/testdata';

describe('lang/dotnet-packages-config required', () => {
  it.each([
    ['packages.config', true],
    ['src/Web/packages.config', true],
    ['web.config', false],
  ])('%s → %s', (p, want) => expect(ex.required(p)).toBe(want));
});

// aquasecurity/trivy pkg/dependency/parser/nuget/config/parse_test.go: "Config" wants Newtonsoft.Json 6.0.4 and
// Microsoft.AspNet.WebApi 5.2.2; "with development dependency" wants only Newtonsoft.Json 8.0.3 because the peer
// drops developmentDependency packages. We keep Microsoft.Net.Compilers 1.0.0 flagged dev instead.
describe('lang/dotnet-packages-config on trivy fixtures', () => {
  it('packages.config (with a BOM)', async () => {
    const out = await runPeer(ex, T, 'packages.config');
    expect(out.packages.map((p) => [p.name, p.version, p.dev, p.locations[0]?.line, p.purl])).toEqual([
      ['Microsoft.AspNet.WebApi', '5.2.2', false, 3, 'pkg:nuget/Microsoft.AspNet.WebApi@5.2.2'],
      ['Newtonsoft.Json', '6.0.4', false, 4, 'pkg:nuget/Newtonsoft.Json@6.0.4'],
    ]);
  });
  it('dev_dependency.config', async () => {
    const out = await runPeer(ex, T, 'dev_dependency.config');
    expect(out.packages.map((p) => [p.name, p.version, p.dev])).toEqual([
      ['Microsoft.Net.Compilers', '1.0.0', true],
      ['Newtonsoft.Json', '8.0.3', false],
    ]);
    expect(out.packages.filter((p) => !p.dev).map((p) => `${p.name}@${p.version}`)).toEqual(['Newtonsoft.Json@8.0.3']);
  });
  it('malformed_xml.config (unclosed <packages>) → ParseError naming the path', async () => {
    await expect(runPeer(ex, T, 'malformed_xml.config')).rejects.toSatisfy(
      (e: unknown) => e instanceof ParseError && e.path === `${T}/malformed_xml.config` && /invalid XML/.test(e.message),
    );
  });
});

describe('lang/dotnet-packages-config formats', () => {
  it('a <package> without version is dropped and recorded', async () => {
    const out = await run(ex, 'packages.config', '<packages>\n<package id="A"/>\n<package id="B" version="1.0"/>\n</packages>');
    expect(out.packages.map((p) => p.name)).toEqual(['B']);
    expect(out.problems?.[0]?.message).toContain('line 2');
  });
  it('another root element → ParseError', async () => {
    await expect(run(ex, 'packages.config', '<configuration/>')).rejects.toBeInstanceOf(ParseError);
  });
});
