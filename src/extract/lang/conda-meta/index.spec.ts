import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { extractText, peerText, runPeer } from '../../../../test/support/extract.js';
import { condaMetaExtractor as ex } from './index.js';
import { channelName } from './parse.js';

const T = 'trivy/pkg/dependency/parser/conda/meta/testdata';
const ENV = 'trivy/integration/testdata/fixtures/repo/conda/miniconda3/envs/testenv/conda-meta';

describe('lang/conda-meta required', () => {
  it.each([
    ['opt/conda/conda-meta/openssl-1.1.1q-h7f8727e_0.json', true],
    ['conda-meta/pip-22.2.2-py38h06a4308_0.json', true],
    ['opt/conda/conda-meta/history', false],
    ['opt/conda/pkgs/openssl-1.1.1q-h7f8727e_0/info/index.json', false],
    ['app/package.json', false],
  ])('%s → %s', (p, want) => expect(ex.required(p)).toBe(want));
});

// aquasecurity/trivy pkg/dependency/parser/conda/meta/parse_test.go: one package per file, name and version (and the
// licence, which Bulwark does not report).
describe('lang/conda-meta on trivy fixtures', () => {
  it.each([
    ['_libgcc_mutex-0.1-main.json', '_libgcc_mutex', '0.1', 'pkg:conda/_libgcc_mutex@0.1?build=main&channel=main&subdir=linux-64'],
    ['libgomp-11.2.0-h1234567_1.json', 'libgomp', '11.2.0', 'pkg:conda/libgomp@11.2.0?build=h1234567_1&channel=main&subdir=linux-64'],
  ])('%s → %s %s', async (file, name, version, purl) => {
    const out = await extractText(ex, `opt/conda/conda-meta/${file}`, peerText(T, file));
    expect(out.packages).toEqual([{ ecosystem: 'conda', name, version, purl, locations: [{ path: `opt/conda/conda-meta/${file}` }], foundBy: 'lang/conda-meta' }]);
  });

  // Trivy: "JSON decode error: invalid character" and "unable to parse conda package".
  it.each([
    ['invalid_json.json', /invalid JSON/],
    ['invalid_package.json', /no "name" or no "version"/],
  ])('%s → ParseError naming the file', async (file, message) => {
    const err = await extractText(ex, `conda-meta/${file}`, peerText(T, file)).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ParseError);
    expect(err).toMatchObject({ path: `conda-meta/${file}` });
    expect((err as Error).message).toMatch(message);
  });

  // trivy integration/testdata/fixtures/repo/conda (conda-pkg): openssl 1.1.1q and pip 22.2.2.
  it('the integration environment: openssl 1.1.1q and pip 22.2.2', async () => {
    const found = [];
    for (const f of ['openssl-1.1.1q-h7f8727e_0.json', 'pip-22.2.2-py38h06a4308_0.json']) found.push(...(await runPeer(ex, ENV, f)).packages.map((p) => `${p.name}@${p.version}`));
    expect(found).toEqual(['openssl@1.1.1q', 'pip@22.2.2']);
  });

  it('channel names from channel URLs', () => {
    expect(channelName('https://repo.anaconda.com/pkgs/main/linux-64', 'linux-64')).toBe('main');
    expect(channelName('https://conda.anaconda.org/conda-forge/noarch', 'noarch')).toBe('conda-forge');
    expect(channelName('conda-forge', 'linux-64')).toBe('conda-forge');
  });
});
