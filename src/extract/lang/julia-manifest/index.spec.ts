import { describe, expect, it } from 'vitest';
import { extractText, runPeer } from '../../../../test/support/extract.js';
import { juliaManifestExtractor as ex } from './index.js';

const T = 'trivy/pkg/dependency/parser/julia/manifest/testdata';

describe('lang/julia-manifest required', () => {
  it.each([
    ['Manifest.toml', true],
    ['env/Manifest.toml', true],
    ['JuliaManifest.toml', true],
    ['Manifest-v1.11.toml', true],
    ['Project.toml', false],
    ['manifest.toml', false],
  ])('%s → %s', (p, want) => expect(ex.required(p)).toBe(want));
});

const summary = async (...parts: string[]): Promise<string[]> => (await runPeer(ex, ...parts)).packages.map((p) => `${p.name}@${p.version}`);

// aquasecurity/trivy pkg/dependency/parser/julia/manifest (parse_test.go): registry packages at their version,
// standard-library packages at the manifest's julia_version.
describe('lang/julia-manifest on trivy fixtures', () => {
  it('primary/Manifest_v1.8.toml (format 2.0)', async () => {
    expect(await summary(T, 'primary/Manifest_v1.8.toml')).toEqual([
      'Dates@1.8.5',
      'JSON@0.21.4',
      'Mmap@1.8.5',
      'Parsers@2.5.10',
      'PrecompileTools@1.1.1',
      'Preferences@1.4.0',
      'Printf@1.8.5',
      'Random@1.8.5',
      'SHA@0.7.0',
      'Serialization@1.8.5',
      'TOML@1.0.0',
      'UUIDs@1.8.5',
      'Unicode@1.8.5',
    ]);
    const out = await runPeer(ex, T, 'primary/Manifest_v1.8.toml');
    expect(out.packages.find((p) => p.name === 'JSON')).toMatchObject({
      ecosystem: 'Julia',
      purl: 'pkg:julia/JSON@0.21.4?uuid=682c06a0-de6a-54ab-a142-c8b1cf79cde6',
      locations: [{ line: 11 }],
    });
  });

  it('no_deps_v1.9 and no_deps_v1.6: no packages', async () => {
    expect(await summary(T, 'no_deps_v1.9/Manifest.toml')).toEqual([]);
    expect(await summary(T, 'no_deps_v1.6/Manifest.toml')).toEqual([]);
  });

  it('julia_v1.0_format: development checkouts and versionless entries are unknowns, never guessed', async () => {
    const out = await runPeer(ex, T, 'julia_v1.0_format/Manifest.toml');
    expect(out.packages).toEqual([]);
    expect(out.unknowns?.map((u) => u.package?.name).sort()).toEqual(['Bar', 'Baz', 'Foo', 'Foo', 'Qux']);
  });

  it('dep_ext_v1.9 and the integration project', async () => {
    expect(await summary(T, 'dep_ext_v1.9/Manifest.toml')).toContain('AbstractFFTs@1.3.1');
    expect((await summary('trivy/integration/testdata/fixtures/repo/julia/Manifest.toml')).length).toBeGreaterThan(0);
  });

  it('hostile: bad TOML and an unknown manifest_format name the file', async () => {
    await expect(extractText(ex, 'Manifest.toml', '[[deps.A]\n')).rejects.toThrow(/Manifest\.toml: invalid TOML/);
    await expect(extractText(ex, 'Manifest.toml', 'manifest_format = "9.0"\n')).rejects.toThrow(/Manifest\.toml: manifest_format "9.0"/);
  });
});
