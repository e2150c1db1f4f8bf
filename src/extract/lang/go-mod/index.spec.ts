import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { PEER_FIXTURES_DIR } from '../../../../test/support/fixtures.js';
import { byId, extractFile, extractText } from '../../../../test/support/extract.js';
import { goModExtractor, goModStdlib } from './index.js';

const DIR = 'trivy/pkg/dependency/parser/golang/mod/testdata';
const run = (f: string) => extractFile(goModExtractor, PEER_FIXTURES_DIR, `${DIR}/${f}`);
const summary = (pkgs: { name: string; version: string; direct?: boolean }[]) => pkgs.map((p) => `${p.name}@${p.version}${p.direct ? '' : ' indirect'}`);

const DEP_PARSER_OLD = 'github.com/aquasecurity/go-dep-parser@v0.0.0-20211224170007-df43bca6b6ff';
const DEP_PARSER_NEW = 'github.com/aquasecurity/go-dep-parser@v0.0.0-20220406074731-71021a481237';
const XERRORS = 'golang.org/x/xerrors@v0.0.0-20200804184101-5ec99f83aff1 indirect';
const YAML3 = 'gopkg.in/yaml.v3@v3.0.0-20210107192922-496545a6307b indirect';

// Expected from aquasecurity/trivy pkg/dependency/parser/golang/mod/parse_testcase.go (trivy strips the
// leading "v"; we keep versions as written, which is also what the golang purl uses). Indirect=true ↔ direct=false.
describe('lang/go-mod on trivy fixtures', () => {
  it.each([
    ['replaced/go.mod', [DEP_PARSER_NEW, XERRORS]], // GoModReplaced
    ['replaced-with-version/go.mod', [DEP_PARSER_NEW, XERRORS]], // GoModReplacedWithVersion
    ['replaced-with-version-mismatch/go.mod', [DEP_PARSER_OLD, XERRORS, YAML3]], // GoModReplacedWithVersionMismatch
    ['replaced-with-local-path/go.mod', [DEP_PARSER_OLD, YAML3]], // GoModReplacedWithLocalPath
    ['replaced-with-local-path-and-version/go.mod', [DEP_PARSER_OLD, YAML3]], // GoModReplacedWithLocalPathAndVersion
    ['replaced-with-local-path-and-version-mismatch/go.mod', [DEP_PARSER_OLD, XERRORS, YAML3]],
    ['no-go-version/gomod', [DEP_PARSER_OLD]], // GoModNoGoVersion (no go.sum beside it)
  ])('%s', async (f, want) => {
    expect(summary((await run(f)).packages)).toEqual(want);
  });

  it('normal/go.mod: the toolchain line gives stdlib (as Trivy and govulncheck take it); lines of requires', async () => {
    const out = await run('normal/go.mod');
    expect(summary(out.packages)).toEqual([
      'github.com/aquasecurity/go-version@v0.0.0-20240603093900-cf8a8d29271d',
      'github.com/davecgh/go-spew@v1.1.2-0.20180830191138-d8f796af33cc indirect',
      'github.com/pmezard/go-difflib@v1.0.1-0.20181226105442-5d4384ee4fb2 indirect',
      'github.com/stretchr/testify@v1.9.0 indirect',
      'golang.org/x/xerrors@v0.0.0-20231012003039-104605ab7028 indirect',
      'stdlib@v1.22.5',
    ]);
    expect(out.packages.find((p) => p.name === 'stdlib')).toMatchObject({ purl: 'pkg:golang/stdlib@v1.22.5', direct: true });
    expect(out.packages[0]).toMatchObject({
      ecosystem: 'Go',
      purl: 'pkg:golang/github.com/aquasecurity/go-version@v0.0.0-20240603093900-cf8a8d29271d',
      locations: [{ path: `${DIR}/normal/go.mod`, line: 7 }],
      foundBy: 'lang/go-mod',
    });
    expect(out.packages.some((p) => p.name === 'toolchain')).toBe(false);
  });

  it.each([
    ['go1.22.5', '1.22.0', 'v1.22.5'],
    ['go1.23.1+auto', undefined, 'v1.23.1'],
    ['default', '1.21.3', 'v1.21.3'],
    [undefined, '1.22', 'v1.22.0'],
    [undefined, '1.21rc2', 'v1.21.0-rc.2'],
    [undefined, '1.20', undefined], // before Go 1.21 the go line is a language version, not a toolchain
    [undefined, '1.16', undefined],
    [undefined, undefined, undefined],
  ])('stdlib from toolchain %j and go %j → %j', (toolchain, go, want) => {
    expect(goModStdlib(toolchain, go)).toBe(want);
  });

  it('local replacements become unknowns', async () => {
    const out = await run('replaced-with-local-path/go.mod');
    expect(out.unknowns).toEqual([
      expect.objectContaining({ kind: 'unresolved-version', package: { name: 'golang.org/x/xerrors', version: 'v0.0.0-20200804184101-5ec99f83aff1' } }),
    ]);
  });

  it('go 1.16: modules from the go.sum beside it are added as indirect, highest version each', async () => {
    // trivy's parser returns only the direct requirement for go116 (GoMod116) and leaves go.sum to its analyzer.
    const out = await run('go116/go.mod');
    expect(byId(out.packages, DEP_PARSER_OLD.split(' ')[0] ?? '')).toMatchObject({ direct: true, locations: [{ path: `${DIR}/go116/go.mod`, line: 5 }] });
    expect(byId(out.packages, 'gopkg.in/yaml.v3@v3.0.0-20210107192922-496545a6307b')?.direct).toBe(false);
    expect(byId(out.packages, 'github.com/BurntSushi/toml@v0.4.1')).toMatchObject({ direct: false, locations: [{ path: `${DIR}/go116/go.sum`, line: 2 }] });
    expect(out.packages.filter((p) => p.name === 'github.com/BurntSushi/toml')).toHaveLength(1);
    expect(byId(out.packages, 'golang.org/x/net@v0.0.0-20210119194325-5f4716e94777')).toBeDefined();
    expect(out.packages).toHaveLength(37); // 35 modules in go.sum besides the two required ones, checked by hand
  });

  it('integration repo: gomod and its sub-modules', async () => {
    const root = await extractFile(goModExtractor, PEER_FIXTURES_DIR, 'trivy/integration/testdata/fixtures/repo/gomod/go.mod');
    expect(root.packages).toHaveLength(18);
    expect(root.packages.filter((p) => p.direct).map((p) => p.name)).toEqual([
      'github.com/open-policy-agent/opa', 'golang.org/x/net', 'golang.org/x/sys',
    ]);
  });
});

describe('lang/go-mod grammar', () => {
  it('blocks, quoted paths, exclude, version-specific and module-wide replace', async () => {
    const gomod = [
      'module example.com/app',
      '',
      'go 1.21',
      '',
      'require (',
      '\t"example.com/quoted" v1.0.0',
      '\texample.com/a v1.2.3 // indirect',
      '\texample.com/b v0.1.0 // indirect; reason',
      '\texample.com/excluded v1.0.0',
      ')',
      'require example.com/single v2.0.0+incompatible',
      'exclude example.com/excluded v1.0.0',
      'replace example.com/a v1.2.3 => example.com/a-fork v1.2.4',
      'replace (',
      '\texample.com/b => example.com/b v0.2.0',
      ')',
      'retract v0.0.1',
    ].join('\n');
    const out = await extractText(goModExtractor, 'go.mod', gomod);
    expect(out.packages.map((p) => [p.name, p.version, p.direct, p.locations[0]?.line])).toEqual([
      ['example.com/a-fork', 'v1.2.4', false, 7],
      ['example.com/b', 'v0.2.0', false, 8],
      ['example.com/quoted', 'v1.0.0', true, 6],
      ['example.com/single', 'v2.0.0+incompatible', true, 11],
      ['stdlib', 'v1.21.0', true, undefined], // from `go 1.21`
    ]);
    expect(out.unknowns?.map((u) => u.package?.name)).toEqual(['example.com/excluded']);
  });

  it.each([
    ['unterminated block', 'module x\nrequire (\n a v1.0.0\n'],
    ['not a go.mod', '{"json": true}'],
    ['unknown directive', 'module x\nfrobnicate y\n'],
  ])('%s → ParseError naming the path', async (_n, text) => {
    const err = await extractText(goModExtractor, 'svc/go.mod', text).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParseError);
    expect((err as ParseError).path).toBe('svc/go.mod');
  });
});
