import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { PEER_FIXTURES_DIR } from '../../../../test/support/fixtures.js';
import { extractFile, extractText, ids } from '../../../../test/support/extract.js';
import { goSumExtractor } from './index.js';

const DIR = 'trivy/pkg/dependency/parser/golang/sum/testdata';
const run = (f: string) => extractFile(goSumExtractor, PEER_FIXTURES_DIR, `${DIR}/${f}`);

// Expected from aquasecurity/trivy pkg/dependency/parser/golang/sum/parse_testcase.go (`go list -m all`;
// trivy strips the "v").
describe('lang/go-sum on trivy fixtures (no go.mod beside them)', () => {
  it('gomod_normal.sum (GoModNormal)', async () => {
    expect(ids((await run('gomod_normal.sum')).packages)).toEqual(['golang.org/x/xerrors@v0.0.0-20200804184101-5ec99f83aff1']);
  });
  it('gomod_emptyline.sum (GoModEmptyLine)', async () => {
    expect(ids((await run('gomod_emptyline.sum')).packages)).toEqual(['github.com/karrick/godirwalk@v1.12.0', 'github.com/pkg/errors@v0.8.1']);
  });
  it('gomod_many.sum (GoModMany, 13 modules)', async () => {
    expect(ids((await run('gomod_many.sum')).packages)).toEqual([
      'github.com/BurntSushi/toml@v0.3.1', 'github.com/cpuguy83/go-md2man/v2@v2.0.0-20190314233015-f79a8a8ca69d',
      'github.com/davecgh/go-spew@v1.1.0', 'github.com/pmezard/go-difflib@v1.0.0', 'github.com/russross/blackfriday/v2@v2.0.1',
      'github.com/shurcooL/sanitized_anchor_name@v1.0.0', 'github.com/stretchr/objx@v0.1.0', 'github.com/stretchr/testify@v1.7.0',
      'github.com/urfave/cli@v1.22.5', 'golang.org/x/xerrors@v0.0.0-20200804184101-5ec99f83aff1',
      'gopkg.in/check.v1@v0.0.0-20161208181325-20d25e280405', 'gopkg.in/yaml.v2@v2.2.2', 'gopkg.in/yaml.v3@v3.0.0-20200313102051-9f266ea9e77c',
    ]);
  });
  it('gomod_trivy.sum (GoModTrivy): 336 modules, highest version each', async () => {
    const out = await run('gomod_trivy.sum');
    expect(out.packages).toHaveLength(336); // `awk '{print $1}' | sort -u | wc -l`
    const get = (n: string) => out.packages.find((p) => p.name === n)?.version;
    expect(get('cloud.google.com/go')).toBe('v0.65.0');
    expect(get('github.com/Azure/azure-sdk-for-go')).toBe('v38.0.0+incompatible');
    expect(get('github.com/Microsoft/go-winio')).toBe('v0.4.15-0.20190919025122-fc70bd9a86b5');
    expect(get('github.com/aquasecurity/trivy')).toBe('v0.16.0');
    expect(get('github.com/docker/docker')).toBe('v1.4.2-0.20190924003213-a8608b5b67c7');
    expect(get('github.com/cpuguy83/go-md2man/v2')).toBe('v2.0.0');
  });
});

describe('lang/go-sum rules', () => {
  it('defers to go.mod when one sits beside it', async () => {
    const out = await extractText(goSumExtractor, 'a/go.sum', 'x.org/y v1.0.0 h1:abc=\n', { 'a/go.mod': 'module a\n' });
    expect(out.packages).toEqual([]);
  });
  it('garbage → ParseError naming the path', async () => {
    const err = await extractText(goSumExtractor, 'a/go.sum', 'this is not\na go.sum file at all\n').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParseError);
    expect((err as ParseError).path).toBe('a/go.sum');
  });
});
