/**
 * Pipfile.lock, poetry.lock, uv.lock, pdm.lock and pylock.toml on the trivy fixtures.
 * Where trivy's expected list was read (uv: pkg/dependency/parser/python/uv/parse_testcase.go uvNormal) the
 * values are transcribed; other counts and samples were checked by hand against the fixture files and are
 * marked so.
 */
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import type { Extractor } from '../../types.js';
import { PEER_FIXTURES_DIR } from '../../../../test/support/fixtures.js';
import { byId, extractFile, extractText, ids } from '../../../../test/support/extract.js';
import { pythonPdmLockExtractor } from '../python-pdm-lock/index.js';
import { pythonPipfileLockExtractor } from '../python-pipfile-lock/index.js';
import { pythonPoetryLockExtractor } from '../python-poetry-lock/index.js';
import { pythonPylockExtractor } from '../python-pylock/index.js';
import { pythonUvLockExtractor } from '../python-uv-lock/index.js';

const T = 'trivy/pkg/dependency/parser/python';
const I = 'trivy/integration/testdata/fixtures/repo';
const run = (ex: Extractor, f: string) => extractFile(ex, PEER_FIXTURES_DIR, f);

describe('lang/python-pipfile-lock', () => {
  it('Pipfile_normal.lock (hand-checked: 6 packages in default)', async () => {
    const out = await run(pythonPipfileLockExtractor, `${T}/pipenv/testdata/Pipfile_normal.lock`);
    expect(ids(out.packages)).toEqual(['certifi@2019.3.9', 'chardet@3.0.4', 'idna@2.8', 'pyyaml@5.1', 'requests@2.21.0', 'urllib3@1.24.2']);
    expect(out.packages[0]).toMatchObject({ ecosystem: 'PyPI', purl: 'pkg:pypi/certifi@2019.3.9', locations: [{ line: 19 }], dev: false });
  });
  it('Pipfile_django.lock / Pipfile_many.lock (hand-checked counts 10 / 24)', async () => {
    expect((await run(pythonPipfileLockExtractor, `${T}/pipenv/testdata/Pipfile_django.lock`)).packages).toHaveLength(10);
    const many = await run(pythonPipfileLockExtractor, `${T}/pipenv/testdata/Pipfile_many.lock`);
    expect(many.packages).toHaveLength(24);
    expect(byId(many.packages, 'botocore@1.12.137')).toBeDefined();
  });
  it('develop section is dev (integration trivy-ci-test)', async () => {
    const out = await run(pythonPipfileLockExtractor, `${I}/trivy-ci-test/Pipfile.lock`);
    expect(out.packages).toHaveLength(85);
    expect(byId(out.packages, 'black@18.6b4')?.dev).toBe(true);
    expect(byId(out.packages, 'django@2.0.9')?.dev).toBe(false);
  });
  it('direct from the Pipfile beside it; git entries are unknowns', async () => {
    const lock = JSON.stringify({ _meta: {}, default: { Requests: { version: '==2.0.0' }, idna: { version: '==3.0' }, mylib: { git: 'https://x/y.git', ref: 'abc' } }, develop: { pytest: { version: '==8.0.0' } } }, null, 2);
    const out = await extractText(pythonPipfileLockExtractor, 'Pipfile.lock', lock, { Pipfile: '[packages]\nrequests = "*"\n[dev-packages]\npytest = "*"\n' });
    expect(out.packages.map((p) => [p.name, p.direct, p.dev])).toEqual([['idna', false, false], ['pytest', true, true], ['requests', true, false]]);
    expect(out.unknowns?.map((u) => u.package?.name)).toEqual(['mylib']);
  });
  it.each(['{"default": ', '[]', '{"x": 1}'])('malformed %s → ParseError', async (text) => {
    const err = await extractText(pythonPipfileLockExtractor, 'p/Pipfile.lock', text).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParseError);
    expect((err as ParseError).path).toBe('p/Pipfile.lock');
  });
});

describe('lang/python-poetry-lock', () => {
  it('poetry_normal.lock: one package', async () => {
    expect(ids((await run(pythonPoetryLockExtractor, `${T}/poetry/testdata/poetry_normal.lock`)).packages)).toEqual(['pypi@2.1']);
  });
  it.each(['poetry_flask.lock', 'poetry_v2_flask.lock'])('%s: 15 packages, 7 dev (category v1 / groups v2, hand-checked)', async (f) => {
    const out = await run(pythonPoetryLockExtractor, `${T}/poetry/testdata/${f}`);
    expect(out.packages).toHaveLength(15);
    expect(out.packages.filter((p) => p.dev).map((p) => p.name)).toEqual(['atomicwrites', 'attrs', 'more-itertools', 'packaging', 'py', 'pytest', 'wcwidth']);
    expect(byId(out.packages, 'flask@1.0.3')?.dev).toBe(false);
  });
  it('integration repo: direct from pyproject.toml', async () => {
    const out = await run(pythonPoetryLockExtractor, `${I}/poetry/poetry.lock`);
    expect(out.packages.map((p) => [p.name, p.version, p.direct])).toEqual([['click', '8.1.3', true], ['colorama', '0.4.6', false], ['werkzeug', '0.14', true]]);
  });
  it('bad TOML → ParseError', async () => {
    const err = await extractText(pythonPoetryLockExtractor, 'poetry.lock', '[[package]\nname = ').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParseError);
  });
});

describe('lang/python-uv-lock', () => {
  it('uv_normal.lock matches trivy uvNormal (the project normal@0.1.0 with relationship root)', async () => {
    const out = await run(pythonUvLockExtractor, `${T}/uv/testdata/uv_normal.lock`);
    expect(out.packages.filter((p) => p.relationship).map((p) => [`${p.name}@${p.version}`, p.relationship, p.direct])).toEqual([['normal@0.1.0', 'root', undefined]]);
    expect(ids(out.packages.filter((p) => !p.relationship))).toEqual([
      'anyio@4.7.0', 'certifi@2024.12.14', 'charset-normalizer@3.4.0', 'colorama@0.4.6', 'exceptiongroup@1.2.2', 'h11@0.14.0',
      'httpcore@1.0.7', 'httpx@0.28.1', 'idna@3.10', 'iniconfig@2.0.0', 'orjson@3.10.12', 'packaging@24.2', 'pluggy@1.5.0',
      'pytest@8.3.4', 'requests@2.32.0', 'sniffio@1.3.1', 'socksio@1.0.0', 'tomli@2.2.1', 'typing-extensions@4.12.2', 'urllib3@2.2.3',
    ]);
    expect(out.packages.filter((p) => p.direct).map((p) => p.name)).toEqual(['httpx', 'orjson', 'pytest', 'requests']);
    expect(out.packages.filter((p) => p.dev).map((p) => p.name)).toEqual(['colorama', 'iniconfig', 'packaging', 'pluggy', 'pytest', 'tomli']);
    expect(byId(out.packages, 'anyio@4.7.0')?.locations[0]?.line).toBe(4);
  });
  it('multiple roots and no root', async () => {
    // trivy: "uv lockfile must contain 1 root package"; two projects at "." are recorded, neither as the root
    const multi = await run(pythonUvLockExtractor, `${T}/uv/testdata/uv_multiple_roots.lock`);
    expect(multi.packages.map((p) => [`${p.name}@${p.version}`, p.relationship])).toEqual([['asyncio@3.4.3', undefined], ['bar@0.1.0', 'workspace'], ['foo@0.1.0', 'workspace']]);
    const noRoot = await run(pythonUvLockExtractor, `${T}/uv/testdata/uv_without_root.lock`);
    expect(noRoot.packages.map((p) => [p.name, p.direct])).toEqual([['asyncio', undefined]]);
  });
  it('wrong version → ParseError', async () => {
    const err = await extractText(pythonUvLockExtractor, 'uv.lock', 'version = 9\n').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParseError);
  });
});

describe('lang/python-pdm-lock (hand-made input: no pdm.lock among the peer fixtures)', () => {
  it('groups give dev; git and path sources', async () => {
    const lock = [
      '[metadata]', 'groups = ["default", "dev"]', 'lock_version = "4.4"', '',
      '[[package]]', 'name = "Requests"', 'version = "2.31.0"', 'groups = ["default"]', '',
      '[[package]]', 'name = "pytest"', 'version = "8.0.0"', 'groups = ["dev"]', '',
      '[[package]]', 'name = "mylib"', 'version = "0.1"', 'git = "https://x/y.git"', '',
      '[[package]]', 'name = "local"', 'version = "0.0.1"', 'path = "./local"', '',
    ].join('\n');
    const out = await extractText(pythonPdmLockExtractor, 'pdm.lock', lock);
    expect(out.packages.map((p) => [p.name, p.version, p.dev, p.locations[0]?.line])).toEqual([['pytest', '8.0.0', true, 10], ['requests', '2.31.0', false, 5]]);
    expect(out.unknowns?.map((u) => u.package?.name)).toEqual(['mylib']);
  });
  it('not a pdm.lock → ParseError', async () => {
    expect(await extractText(pythonPdmLockExtractor, 'pdm.lock', 'a = 1\n').catch((e: unknown) => e)).toBeInstanceOf(ParseError);
  });
});

describe('lang/python-pylock', () => {
  it('trivy pylock testdata (hand-checked: 9 packages, spam in two versions)', async () => {
    const out = await run(pythonPylockExtractor, `${T}/pylock/testdata/pylock.toml`);
    expect(ids(out.packages)).toEqual([
      'attrs@25.4.0', 'certifi@2025.10.5', 'charset-normalizer@3.4.3', 'ham@3.0.0', 'idna@3.10', 'requests@2.32.5', 'spam@1.0.0', 'spam@1.1.0', 'urllib3@2.5.0',
    ]);
  });
  it('sad.toml → ParseError', async () => {
    const err = await run(pythonPylockExtractor, `${T}/pylock/testdata/sad.toml`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParseError);
  });
  it('integration repo', async () => {
    expect(ids((await run(pythonPylockExtractor, `${I}/pylock/pylock.toml`)).packages)).toEqual(['click@8.1.3', 'colorama@0.4.6', 'werkzeug@0.11.1']);
  });
  it('required()', () => {
    expect(pythonPylockExtractor.required('a/pylock.toml')).toBe(true);
    expect(pythonPylockExtractor.required('pylock.dev.toml')).toBe(true);
    expect(pythonPylockExtractor.required('pyproject.toml')).toBe(false);
  });
});
