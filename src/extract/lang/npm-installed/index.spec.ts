import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { PEER_FIXTURES_DIR, readPeerFixture } from '../../../../test/support/fixtures.js';
import { extractFile, extractText, ids } from '../../../../test/support/extract.js';
import { npmInstalledExtractor as ex } from './index.js';

describe('lang/npm-installed required()', () => {
  it.each([
    ['node_modules/lodash/package.json', true],
    ['app/node_modules/@babel/core/package.json', true],
    ['node_modules/a/node_modules/b/package.json', true],
    ['node_modules/.pnpm/lodash@4.17.4/node_modules/lodash/package.json', true],
    ['package.json', false],
    ['node_modules/lodash/test/package.json', false],
    ['node_modules/@scope/package.json', false],
    ['node_modules/.bin/package.json', false],
  ])('%s → %s', (p, want) => expect(ex.required(p)).toBe(want));
});

describe('lang/npm-installed on trivy integration fixtures', () => {
  // trivy integration testdata repo/npm/node_modules: jquery, promise, react, react-is, redux, z-lock
  it.each([
    ['npm/node_modules/jquery/package.json', 'jquery@3.3.9'],
    ['npm/node_modules/z-lock/package.json', 'z-lock@1.0.0'],
    ['pnpm/node_modules/.pnpm/lodash@4.17.4/node_modules/lodash/package.json', 'lodash@4.17.4'],
    ['pnpm/node_modules/.pnpm/jquery@3.3.9/node_modules/jquery/package.json', 'jquery@3.3.9'],
  ])('%s → %s', async (f, want) => {
    const out = await extractFile(ex, PEER_FIXTURES_DIR, `trivy/integration/testdata/fixtures/repo/${f}`);
    expect(ids(out.packages)).toEqual([want]);
    expect(out.packages[0]?.foundBy).toBe('lang/npm-installed');
  });
});

// trivy pkg/dependency/parser/nodejs/packagejson/testdata: packages without name or version are skipped.
describe('lang/npm-installed edge cases', () => {
  const DIR = ['trivy', 'pkg', 'dependency', 'parser', 'nodejs', 'packagejson', 'testdata'];
  it.each(['without_version_package.json', 'without_name_and_version_package.json'])('%s → nothing', async (f) => {
    expect((await extractText(ex, 'node_modules/x/package.json', readPeerFixture(...DIR, f))).packages).toEqual([]);
  });
  it('scoped name purl', async () => {
    const out = await extractText(ex, 'node_modules/@babel/core/package.json', '{\n  "name": "@babel/core",\n  "version": "7.1.0"\n}');
    expect(out.packages[0]).toMatchObject({ purl: 'pkg:npm/%40babel/core@7.1.0', locations: [{ path: 'node_modules/@babel/core/package.json', line: 2 }] });
  });
  it('invalid_name.json → dropped with a problem', async () => {
    const out = await extractText(ex, 'node_modules/x/package.json', readPeerFixture(...DIR, 'invalid_name.json'));
    expect(out.packages).toEqual([]);
    expect(out.problems?.[0]?.message).toContain('@invalid/packageName/');
  });
  it('invalid_package.json → ParseError', async () => {
    const err = await extractText(ex, 'node_modules/x/package.json', readPeerFixture(...DIR, 'invalid_package.json')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParseError);
  });
});
