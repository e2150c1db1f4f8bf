import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { PEER_FIXTURES_DIR } from '../../../../test/support/fixtures.js';
import { byId, extractFile, extractText, ids } from '../../../../test/support/extract.js';
import type { ExtractOutput } from '../../types.js';
import { npmLockExtractor } from './index.js';

const DIR = 'trivy/pkg/dependency/parser/nodejs/npm/testdata';
const run = (f: string) => extractFile(npmLockExtractor, PEER_FIXTURES_DIR, `${DIR}/${f}`);
/** The dependencies, without the project itself and its workspace members. */
const deps = (out: ExtractOutput) => out.packages.filter((p) => p.relationship === undefined);
/** The project and its workspace members: name@version relationship. */
const projects = (out: ExtractOutput) => out.packages.filter((p) => p.relationship !== undefined).map((p) => `${p.name}@${p.version} ${p.relationship}`);

// Expected lists transcribed from aquasecurity/trivy pkg/dependency/parser/nodejs/npm/parse_testcase.go
// (npmV1Pkgs / npmV2Pkgs: 31 packages; StartLine of each entry = our location line).
const V1_IDS = [
  '@babel/helper-string-parser@7.19.4', 'asap@2.0.6', 'body-parser@1.18.3', 'bytes@3.0.0', 'content-type@1.0.5',
  'debug@2.5.2', 'debug@2.6.9', 'depd@1.1.2', 'ee-first@1.1.1', 'encodeurl@1.0.2', 'escape-html@1.0.3',
  'finalhandler@1.1.1', 'http-errors@1.6.3', 'iconv-lite@0.4.23', 'inherits@2.0.3', 'media-typer@0.3.0',
  'mime-db@1.52.0', 'mime-types@2.1.35', 'ms@0.7.2', 'ms@1.0.0', 'ms@2.0.0', 'on-finished@2.3.0', 'parseurl@1.3.3',
  'promise@8.3.0', 'qs@6.5.2', 'raw-body@2.3.3', 'safer-buffer@2.1.2', 'setprototypeof@1.1.0', 'statuses@1.4.0',
  'type-is@1.6.18', 'unpipe@1.0.0',
];

describe('lang/npm-lock required()', () => {
  it.each([
    ['package-lock.json', true],
    ['app/npm-shrinkwrap.json', true],
    ['node_modules/x/package-lock.json', false],
    ['a/node_modules/.package-lock.json', false],
    ['package.json', false],
  ])('%s → %s', (p, want) => expect(npmLockExtractor.required(p)).toBe(want));
});

describe('lang/npm-lock on trivy fixtures', () => {
  it('v1: 31 packages, lines and dev as trivy npmV1Pkgs', async () => {
    const out = await run('package-lock_v1.json');
    expect(ids(out.packages)).toEqual(V1_IDS);
    // sample of StartLine values from trivy
    expect(byId(out.packages, 'body-parser@1.18.3')?.locations).toEqual([{ path: `${DIR}/package-lock_v1.json`, line: 18 }]);
    expect(byId(out.packages, 'debug@2.6.9')?.locations[0]?.line).toBe(35);
    expect(byId(out.packages, 'ms@2.0.0')?.locations[0]?.line).toBe(43);
    expect(byId(out.packages, 'unpipe@1.0.0')?.locations[0]?.line).toBe(235);
    // Dev: true only for debug@2.5.2 and ms@0.7.2
    expect(out.packages.filter((p) => p.dev).map((p) => `${p.name}@${p.version}`)).toEqual(['debug@2.5.2', 'ms@0.7.2']);
    // no package.json beside the fixture: v1 cannot tell direct from transitive (trivy: RelationshipUnknown)
    expect(out.packages.every((p) => p.direct === undefined)).toBe(true);
    expect(out.packages[0]).toMatchObject({
      ecosystem: 'npm',
      purl: 'pkg:npm/%40babel/helper-string-parser@7.19.4',
      foundBy: 'lang/npm-lock',
    });
  });

  it.each(['package-lock_v2.json', 'package-lock_v3.json'])('%s: 31 packages, direct as trivy npmV2Pkgs', async (f) => {
    const out = await run(f);
    expect(ids(deps(out))).toEqual(V1_IDS);
    expect(projects(out)).toEqual(['node_v1@1.0.0 root']);
    expect(byId(out.packages, 'node_v1@1.0.0')).toMatchObject({ relationship: 'root', purl: 'pkg:npm/node_v1@1.0.0' });
    expect(byId(out.packages, 'node_v1@1.0.0')?.locations[0]?.line).toBe(7);
    expect(byId(out.packages, 'node_v1@1.0.0')?.direct).toBeUndefined();
    const direct = out.packages.filter((p) => p.direct).map((p) => `${p.name}@${p.version}`);
    expect(direct).toEqual([
      '@babel/helper-string-parser@7.19.4', 'body-parser@1.18.3', 'debug@2.5.2', 'finalhandler@1.1.1', 'ms@1.0.0', 'promise@8.3.0',
    ]);
    expect(byId(out.packages, 'debug@2.5.2')).toMatchObject({ dev: true, direct: true });
    expect(byId(out.packages, 'ms@0.7.2')).toMatchObject({ dev: true, direct: false });
    expect(byId(out.packages, '@babel/helper-string-parser@7.19.4')?.locations[0]?.line).toBe(24);
    expect(byId(out.packages, 'ms@2.0.0')?.locations[0]?.line).toBe(66);
    expect(byId(out.packages, 'unpipe@1.0.0')?.locations[0]?.line).toBe(300);
  });

  it('v3 with peer dependencies (trivy npmV3WithPeerDependenciesPkgs)', async () => {
    const out = await run('package-lock_v3_with_peer.json');
    expect(ids(deps(out))).toEqual(['lodash@4.17.21', 'mustache@2.3.2', 'triple-beam@1.4.1', 'winston@3.17.0', 'winston-mail@2.0.0']);
    expect(projects(out)).toEqual(['node_v3_with_peer@1.0.0 root']);
    expect(out.packages.filter((p) => p.direct).map((p) => p.name)).toEqual(['lodash', 'winston-mail']);
  });

  it('v3 with the same package as dev and non-dev (trivy npmV3WithSameDevAndNonDevPkgs)', async () => {
    const out = await run('package-lock_v3_with-same-dev-and-non-dev.json');
    expect(byId(out.packages, 'fsevents@1.2.9')).toMatchObject({ direct: true, dev: true });
    expect(byId(out.packages, 'minimist@0.0.8')).toMatchObject({ direct: true, dev: false });
    expect(byId(out.packages, 'mkdirp@0.5.1')).toMatchObject({ direct: false, dev: true });
  });

  it('v3 with workspaces: link entries skipped, their dependencies kept', async () => {
    // trivy npmV3WithWorkspacePkgs lists debug@2.5.2, debug@2.6.9, ms@0.7.2, ms@2.0.0 plus the workspace
    // members function1 (no version) and nested_func@1.0.0, named by their node_modules links. We record the
    // members that have a version as relationship workspace, and the project itself (packages[""], which Trivy's
    // npm parser leaves out) as root. debug@2.6.9 is a dependency of a workspace, so we call it direct (trivy calls
    // it indirect because it puts the workspace member in between).
    const out = await run('package-lock_v3_with_workspace.json');
    expect(ids(deps(out))).toEqual(['debug@2.5.2', 'debug@2.6.9', 'ms@0.7.2', 'ms@2.0.0']);
    expect(projects(out)).toEqual(['nested_func@1.0.0 workspace', 'node_v3_with_workspace@1.0.0 root']);
    expect(byId(out.packages, 'debug@2.5.2')?.locations[0]?.line).toBe(39);
    expect(byId(out.packages, 'ms@2.0.0')?.locations[0]?.line).toBe(56);
    const noRoot = await run('package-lock_v3_without_root_deps_field.json');
    expect(ids(deps(noRoot))).toEqual(['debug@2.6.9', 'ms@2.0.0']);
    expect(projects(noRoot)).toEqual(['func1@1.0.0 workspace', 'node_v3_without_direct_deps@1.0.0 root']); // trivy: func1@1.0.0 too
  });

  it('v3 with a broken link: no dependency and no workspace member (trivy: nil), the project itself as root', async () => {
    const out = await run('package-lock_v3_broken_link.json');
    expect(deps(out)).toEqual([]);
    expect(projects(out)).toEqual(['node_v3_without_direct_deps@1.0.0 root']);
  });
});

describe('lang/npm-lock edge cases', () => {
  it('aliases, nested paths, scoped names, non-registry versions', async () => {
    const lock = {
      lockfileVersion: 3,
      packages: {
        '': { dependencies: { 'my-lodash': 'npm:lodash@^4', '@s/a': '1', gitdep: 'github:x/y' } },
        'node_modules/my-lodash': { name: 'lodash', version: '4.17.21' },
        'node_modules/@s/a': { version: '1.0.0' },
        'node_modules/@s/a/node_modules/b': { version: '2.0.0', optional: true },
        'node_modules/gitdep': { version: 'git+ssh://git@github.com/x/y.git#abc' },
        'node_modules/nover': {},
        'packages/ws': { name: 'ws', version: '0.0.1', dependencies: { c: '3' } },
        'node_modules/ws': { resolved: 'packages/ws', link: true },
        'node_modules/c': { version: '3.0.0' },
      },
    };
    const out = await extractText(npmLockExtractor, 'package-lock.json', JSON.stringify(lock, null, 2));
    expect(ids(deps(out))).toEqual(['@s/a@1.0.0', 'b@2.0.0', 'c@3.0.0', 'lodash@4.17.21']);
    expect(projects(out)).toEqual(['ws@0.0.1 workspace']); // the root has no name: not recorded
    expect(byId(out.packages, 'lodash@4.17.21')).toMatchObject({ direct: true, purl: 'pkg:npm/lodash@4.17.21' });
    expect(byId(out.packages, 'b@2.0.0')?.direct).toBe(false);
    expect(byId(out.packages, 'c@3.0.0')?.direct).toBe(true);
    expect(out.unknowns).toEqual([expect.objectContaining({ kind: 'unresolved-version', package: expect.objectContaining({ name: 'gitdep' }) })]);
    expect(out.problems).toEqual([expect.objectContaining({ message: expect.stringContaining('node_modules/nover') })]);
  });

  it('v1 with a package.json beside it marks top-level declared deps as direct; npm: aliases resolve', async () => {
    const lock = {
      lockfileVersion: 1,
      dependencies: {
        a: { version: '1.0.0', dependencies: { a: { version: '0.9.0' } } },
        b: { version: '2.0.0', dev: true },
        alias: { version: 'npm:real@3.0.0' },
      },
    };
    const out = await extractText(npmLockExtractor, 'x/package-lock.json', JSON.stringify(lock, null, 2), {
      'x/package.json': JSON.stringify({ dependencies: { a: '^1' }, devDependencies: { b: '2' } }),
    });
    expect(out.packages.map((p) => [p.name, p.version, p.direct, p.dev])).toEqual([
      ['a', '0.9.0', false, false],
      ['a', '1.0.0', true, false],
      ['b', '2.0.0', true, true],
      ['real', '3.0.0', false, false],
    ]);
  });

  it.each([
    ['truncated JSON', '{"lockfileVersion": 3, "packages": {'],
    ['wrong lockfileVersion', '{"lockfileVersion": 7, "packages": {}}'],
    ['not an object', '[1,2]'],
    ['v2 without packages', '{"lockfileVersion": 2}'],
  ])('%s → ParseError naming the path', async (_n, text) => {
    const err = await extractText(npmLockExtractor, 'dir/package-lock.json', text).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParseError);
    expect((err as ParseError).path).toBe('dir/package-lock.json');
    expect((err as ParseError).message).toContain('dir/package-lock.json');
  });
});
