import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { extractText, peerText, runPeer } from '../../../../test/support/extract.js';
import { condaEnvironmentExtractor as ex } from './index.js';
import { parseMatchSpec } from './parse.js';

const T = 'trivy/pkg/dependency/parser/conda/environment/testdata';

describe('lang/conda-environment required', () => {
  it.each([
    ['environment.yml', true],
    ['app/environment.yaml', true],
    ['environment.yml.bak', false],
    ['conda-lock.yml', false],
  ])('%s → %s', (p, want) => expect(ex.required(p)).toBe(want));
});

// aquasecurity/trivy pkg/dependency/parser/conda/environment/parse_test.go ("happy path"): name, version and line of
// every dependency. Trivy lists unpinned specs with an empty version; Bulwark reports them as unresolved-version
// unknowns. Trivy lists the pip entries (asgiref, django) as conda packages; Bulwark as PyPI packages.
const TRIVY_HAPPY: [name: string, version: string, line: number][] = [
  ['_openmp_mutex', '', 6],
  ['asgiref', '3.8.1', 21],
  ['blas', '1.0', 5],
  ['bzip2', '1.0.8', 19],
  ['ca-certificates', '2024.2', 7],
  ['django', '5.0.6', 22],
  ['ld_impl_linux-aarch64', '', 8],
  ['libblas', '', 9],
  ['libcblas', '', 10],
  ['libexpat', '2.6.2', 11],
  ['libffi', '3.4.2', 12],
  ['libgcc-ng', '', 13],
  ['libgfortran-ng', '', 14],
  ['libgfortran5', '', 15],
  ['libgomp', '13.2.0', 16],
  ['liblapack', '', 17],
  ['libnsl', '2.0.1', 18],
];

describe('lang/conda-environment on trivy fixtures', () => {
  it('happy.yaml: the pinned specs at Trivy\'s versions and lines, the unpinned ones as unknowns', async () => {
    const out = await runPeer(ex, T, 'happy.yaml');
    const got = out.packages.map((p) => [p.name, p.version, p.locations[0]?.line] as const);
    const pinned = TRIVY_HAPPY.filter(([, v]) => v !== '');
    expect([...got].sort((a, b) => a[0].localeCompare(b[0]))).toEqual(pinned);
    const unpinned = TRIVY_HAPPY.filter(([, v]) => v === '').map(([n]) => n);
    expect((out.unknowns ?? []).map((u) => u.package?.name).sort()).toEqual(unpinned);
    expect(out.unknowns?.every((u) => u.kind === 'unresolved-version' && u.ecosystem === 'conda')).toBe(true);
    expect(out.packages.filter((p) => p.ecosystem === 'PyPI').map((p) => p.purl)).toEqual(['pkg:pypi/asgiref@3.8.1', 'pkg:pypi/django@5.0.6']);
    expect(out.packages.find((p) => p.name === 'libffi')).toMatchObject({ ecosystem: 'conda', purl: 'pkg:conda/libffi@3.4.2?build=h3557bc0_5', foundBy: 'lang/conda-environment' });
    expect(out.packages.find((p) => p.name === 'ca-certificates')?.purl).toBe('pkg:conda/ca-certificates@2024.2');
  });

  it('the integration fixture (repo/conda-environment): bzip2 1.0.8', async () => {
    const out = await runPeer(ex, 'trivy/integration/testdata/fixtures/repo/conda-environment/environment.yaml');
    expect(out.packages.map((p) => `${p.name}@${p.version}`)).toEqual(['bzip2@1.0.8']);
  });

  it('operator-only-dep.yaml: specs without a name ("=", "==") are skipped', async () => {
    const out = await extractText(ex, 'environment.yml', peerText(T, 'operator-only-dep.yaml'));
    expect(out.packages.map((p) => [p.name, p.version, p.locations[0]?.line])).toEqual([['numpy', '1.26.4', 7]]);
  });

  // Trivy's error cases: the file is invalid as a whole.
  it.each([
    ['invalid.yaml', /top level is a string/],
    ['wrong-deps-type.yaml', /unsupported dependency: a number on line 5/],
    ['wrong-nested-type.yaml', /`pip:` holds a string, not a list on line 5/],
    ['wrong-nested-dep-type.yaml', /unsupported dependency: a mapping on line 6/],
  ])('%s → ParseError naming the file', async (file, message) => {
    const err = await runPeer(ex, T, file).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ParseError);
    expect(err).toMatchObject({ path: `${T}/${file}` });
    expect((err as Error).message).toMatch(message);
  });

  it('an empty file or one without dependencies yields nothing', async () => {
    expect((await extractText(ex, 'environment.yml', '')).packages).toEqual([]);
    expect((await extractText(ex, 'environment.yml', 'name: x\nchannels: [defaults]\n')).packages).toEqual([]);
  });
});

describe('conda match specs (conda-build package-spec examples, read as Trivy reads them)', () => {
  it.each([
    ['numpy 1.8.1', { name: 'numpy', version: '1.8.1' }],
    ['numpy ==1.8.1', { name: 'numpy', version: '1.8.1' }],
    ['numpy 1.8.1 py27_0', { name: 'numpy', version: '1.8.1', build: 'py27_0' }],
    ['numpy=1.8.1=py27_0', { name: 'numpy', version: '1.8.1', build: 'py27_0' }],
    ['numpy 1.8*', { name: 'numpy' }],
    ['numpy >=1.8,<2', { name: 'numpy' }],
    ['numpy 1.8.1|1.8.2', { name: 'numpy' }],
    ['numpy', { name: 'numpy' }],
    ['==', undefined],
  ])('%s', (spec, want) => expect(parseMatchSpec(spec)).toEqual(want));
});
