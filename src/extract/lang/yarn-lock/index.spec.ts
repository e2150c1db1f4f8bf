import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { PEER_FIXTURES_DIR } from '../../../../test/support/fixtures.js';
import { byId, extractFile, extractText, ids } from '../../../../test/support/extract.js';
import { yarnLockExtractor } from './index.js';

const DIR = 'trivy/pkg/dependency/parser/nodejs/yarn/testdata';
const run = (f: string) => extractFile(yarnLockExtractor, PEER_FIXTURES_DIR, `${DIR}/${f}`);
const idLines = (pkgs: { name: string; version: string; locations: { line?: number }[] }[]) =>
  pkgs.map((p) => `${p.name}@${p.version}:${p.locations[0]?.line}`);

// Expected values from aquasecurity/trivy pkg/dependency/parser/nodejs/yarn/parse_testcase.go
// (name@version:StartLine).
describe('lang/yarn-lock on trivy fixtures', () => {
  it('yarn_happy.lock (yarnHappy, 18 packages)', async () => {
    const out = await run('yarn_happy.lock');
    expect(idLines(out.packages)).toEqual([
      '@babel/helper-regex@7.4.4:4', 'ansi-regex@2.1.1:11', 'ansi-regex@3.0.0:16', 'asap@2.0.6:21', 'inherits@2.0.3:26',
      'is-fullwidth-code-point@2.0.0:31', 'jquery@3.4.1:41', 'js-tokens@4.0.0:36', 'lodash@4.17.11:46', 'promise@8.0.3:51',
      'safe-buffer@5.1.2:58', 'safer-buffer@2.1.2:63', 'statuses@1.5.0:68', 'string-width@2.1.1:73', 'strip-ansi@3.0.1:82',
      'strip-ansi@4.0.0:89', 'whatwg-fetch@3.0.0:96', 'wide-align@1.1.3:101',
    ]);
    expect(out.packages.every((p) => p.direct === undefined && p.dev === undefined)).toBe(true);
  });

  it('yarn_v2_happy.lock (yarnV2Happy, 16 packages + the patched fsevents)', async () => {
    const out = await run('yarn_v2_happy.lock');
    // trivy drops `fsevents@patch:...`; we report a patch of an npm package at its underlying version.
    expect(idLines(out.packages)).toEqual([
      '@types/color-name@1.1.1:8', 'abbrev@1.1.1:15', 'ansi-styles@3.2.1:22', 'ansi-styles@4.2.1:31', 'assert-plus@1.0.0:41',
      'async@3.2.0:48', 'color-convert@1.9.3:63', 'color-convert@2.0.1:72', 'color-name@1.1.3:81', 'color-name@1.1.4:88',
      'fsevents@2.1.3:95', 'ipaddr.js@1.9.1:104', 'js-tokens@4.0.0:111', 'loose-envify@1.4.0:118', 'node-gyp@7.1.0:129',
      'once@1.4.0:138', 'wrappy@1.0.2:147',
    ]);
    expect(byId(out.packages, '@types/color-name@1.1.1')?.purl).toBe('pkg:npm/%40types/color-name@1.1.1');
  });

  it.each([
    ['yarn_with_local.lock', ['asap@2.0.6:5', 'jquery@3.4.1:10', 'promise@8.0.3:15']],
    ['yarn_with_npm.lock', ['jquery@3.6.0:1']],
    ['yarn_with_bad_protocol.lock', ['jquery@3.4.1:4']],
    ['yarn_v2_deps_with_protocol.lock', ['debug@4.3.4:16', 'ms@2.1.2:28']],
    ['yarn_with_git.lock', []],
  ])('%s', async (f, want) => {
    expect(idLines((await run(f)).packages)).toEqual(want);
  });

  it('git and unknown protocols become unknowns, not packages', async () => {
    const git = await run('yarn_with_git.lock');
    expect(git.unknowns?.map((u) => [u.kind, u.package?.name])).toEqual([['unresolved-version', 'mapbox-gl-feature-drag-and-drop']]);
    const bad = await run('yarn_with_bad_protocol.lock');
    expect(bad.unknowns?.map((u) => u.package?.name)).toEqual(['asap']);
  });

  it('integration repo: direct and dev from the package.json beside yarn.lock', async () => {
    const out = await extractFile(yarnLockExtractor, PEER_FIXTURES_DIR, 'trivy/integration/testdata/fixtures/repo/yarn/yarn.lock');
    expect(out.packages.map((p) => [p.name, p.version, p.direct, p.dev])).toEqual([
      ['asap', '2.0.6', false, true],
      ['jquery', '3.2.1', true, false],
      ['promise', '8.0.3', true, true],
    ]);
  });
});

describe('lang/yarn-lock edge cases', () => {
  it('v1 aliases, multi-spec keys, shared transitive deps stay production', async () => {
    const lock = [
      '# yarn lockfile v1',
      '',
      '"my-lodash@npm:lodash@^4.17.0":',
      '  version "4.17.21"',
      '',
      'a@^1.0.0, a@^1.1.0:',
      '  version "1.1.0"',
      '  dependencies:',
      '    shared "^2.0.0"',
      '',
      'd@^1:',
      '  version "1.0.0"',
      '  dependencies:',
      '    shared "^2.0.0"',
      '',
      'shared@^2.0.0:',
      '  version "2.3.0"',
      '',
    ].join('\n');
    const out = await extractText(yarnLockExtractor, 'yarn.lock', lock, {
      'package.json': JSON.stringify({ dependencies: { a: '^1.0.0', 'my-lodash': 'npm:lodash@^4.17.0' }, devDependencies: { d: '^1' } }),
    });
    expect(out.packages.map((p) => [p.name, p.version, p.direct, p.dev, p.locations[0]?.line])).toEqual([
      ['a', '1.1.0', true, false, 6],
      ['d', '1.0.0', true, true, 11],
      ['lodash', '4.17.21', true, false, 3],
      ['shared', '2.3.0', false, false, 16],
    ]);
  });

  it('berry: workspace/link/portal skipped, git is unknown', async () => {
    const lock = [
      '__metadata:',
      '  version: 6',
      '',
      '"root@workspace:.":',
      '  version: 0.0.0-use.local',
      '  resolution: "root@workspace:."',
      '',
      '"l@link:../l::locator=root%40workspace%3A.":',
      '  version: 0.0.0-use.local',
      '  resolution: "l@link:../l::locator=root%40workspace%3A."',
      '',
      '"g@https://github.com/a/g.git":',
      '  version: 1.0.0',
      '  resolution: "g@https://github.com/a/g.git#commit=abc"',
      '',
      '"x@npm:^1.0.0":',
      '  version: 1.2.3',
      '  resolution: "x@npm:1.2.3"',
      '',
    ].join('\n');
    const out = await extractText(yarnLockExtractor, 'yarn.lock', lock);
    expect(ids(out.packages)).toEqual(['x@1.2.3']);
    expect(out.unknowns?.map((u) => u.package?.name)).toEqual(['g']);
  });

  it.each([
    ['bad YAML (berry)', '__metadata:\n  version: 6\n"x@npm:1": [\n'],
    ['not a lockfile', '{"hello": "world"}'],
  ])('%s → ParseError naming the path', async (_n, text) => {
    const err = await extractText(yarnLockExtractor, 'web/yarn.lock', text).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParseError);
    expect((err as ParseError).path).toBe('web/yarn.lock');
  });
});
