import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { PEER_FIXTURES_DIR } from '../../../../test/support/fixtures.js';
import { byId, extractFile, extractText, ids } from '../../../../test/support/extract.js';
import { pnpmLockExtractor } from './index.js';

const DIR = 'trivy/pkg/dependency/parser/nodejs/pnpm/testdata';
const run = (f: string) => extractFile(pnpmLockExtractor, PEER_FIXTURES_DIR, `${DIR}/${f}`);
const prod = (pkgs: { name: string; version: string; dev?: boolean; direct?: boolean }[]) =>
  pkgs.filter((p) => !p.dev).map((p) => `${p.name}@${p.version}${p.direct ? ' direct' : ''}`);

// Expected production packages from aquasecurity/trivy pkg/dependency/parser/nodejs/pnpm/parse_testcase.go
// (pnpmNormal, pnpmWithDev, pnpmMany, pnpmV6WithDev: `pnpm list --prod`; Indirect:false = direct).
describe('lang/pnpm-lock on trivy fixtures', () => {
  it.each(['pnpm-lock_normal.yaml', 'pnpm-lock_v6.yaml'])('%s (pnpmNormal / pnpmV6)', async (f) => {
    const out = await run(f);
    expect(prod(out.packages)).toEqual(['asap@2.0.6', 'jquery@3.6.0 direct', 'promise@8.1.0 direct']);
    expect(byId(out.packages, 'asap@2.0.6')?.locations[0]?.line).toBe(13);
  });

  it('pnpm-lock_with_dev.yaml (v5.4): 6 production packages as pnpmWithDev, 79 dev-only', async () => {
    const out = await run('pnpm-lock_with_dev.yaml');
    expect(prod(out.packages)).toEqual([
      '@babel/runtime@7.18.3', 'js-tokens@4.0.0', 'loose-envify@1.4.0', 'react@18.1.0 direct', 'redux@4.2.0 direct', 'regenerator-runtime@0.13.9',
    ]);
    expect(out.packages).toHaveLength(85); // counted by hand: 85 keys under packages:
    expect(byId(out.packages, 'mocha@10.0.0')).toMatchObject({ direct: true, dev: true });
  });

  it('pnpm-lock_v6_with_dev.yaml: production packages as pnpmV6WithDev', async () => {
    const out = await run('pnpm-lock_v6_with_dev.yaml');
    expect(prod(out.packages)).toEqual([
      '@babel/runtime@7.22.3', 'js-tokens@4.0.0', 'loose-envify@1.4.0', 'react@18.1.0 direct', 'redux@4.2.0 direct', 'regenerator-runtime@0.13.11',
    ]);
  });

  it('pnpm-lock_many.yaml: 56 production packages as pnpmMany, 6 direct', async () => {
    const out = await run('pnpm-lock_many.yaml');
    const p = prod(out.packages);
    expect(p).toHaveLength(56);
    expect(p.filter((x) => x.endsWith('direct'))).toEqual([
      'chalk@5.0.1 direct', 'commander@9.3.0 direct', 'lodash@4.17.21 direct', 'react@18.1.0 direct', 'redux@4.2.0 direct', 'request@2.88.2 direct',
    ]);
    expect(p).toContain('verror@1.10.0');
    expect(p).toContain('json-schema@0.4.0');
  });

  // Provenance: trivy parse_testcase.go pnpmArchives: 6 packages, the tarball (debug, is-negative), file: tarball
  // (lodash) and directory (package1) ones at the version they declare.
  it('pnpm-lock_archives.yaml: the six packages of pnpmArchives; non-registry ones carry an unknown', async () => {
    const out = await run('pnpm-lock_archives.yaml');
    expect(out.packages.map((p) => `${p.name}@${p.version}${p.direct ? ' direct' : ''}`)).toEqual([
      'asynckit@0.4.0', 'debug@4.3.4 direct', 'is-negative@2.0.1 direct', 'lodash@4.17.21 direct', 'ms@2.1.2', 'package1@1.0.0 direct',
    ]);
    expect(byId(out.packages, 'debug@4.3.4')).toMatchObject({ purl: 'pkg:npm/debug@4.3.4', dev: false });
    expect(out.unknowns?.map((u) => `${u.package?.name}@${u.package?.version}`).sort()).toEqual([
      'debug@4.3.4', 'is-negative@2.0.1', 'lodash@4.17.21', 'package1@1.0.0',
    ]);
    expect(out.unknowns?.every((u) => u.kind === 'unresolved-version' && /not from the registry/.test(u.message))).toBe(true);
  });

  // Provenance: trivy parse_testcase.go pnpmV9: 22 packages; we give 21, all but `package1` (a local directory
  // that declares no version: trivy lists it without one, we cannot match a package without a version).
  it('pnpm-lock_v9.yaml: the packages of pnpmV9 with their direct/dev flags; dev computed from importers', async () => {
    const out = await run('pnpm-lock_v9.yaml');
    expect(out.packages.map((p) => `${p.name}@${p.version}${p.direct ? ' direct' : ''}${p.dev ? ' dev' : ''}`)).toEqual([
      '@babel/helper-string-parser@7.24.1 direct',
      'asap@2.0.6',
      'asynckit@0.4.0',
      'await-sleep@0.0.1 direct dev',
      'debug@4.3.4',
      'debug@4.3.5 direct',
      'ee-first@1.1.1',
      'encodeurl@1.0.2',
      'escape-html@1.0.3',
      'finalhandler@1.1.1 direct',
      'is-negative@2.0.1 direct',
      'jquery@3.6.0 direct dev',
      'lodash@4.17.21 direct dev',
      'ms@2.0.0 direct',
      'ms@2.1.2',
      'on-finished@2.3.0 direct',
      'parseurl@1.3.3',
      'promise@8.1.0 direct',
      'sleep-utils@1.0.3 direct',
      'statuses@1.4.0',
      'unpipe@1.0.0',
    ]);
    expect(byId(out.packages, '@babel/helper-string-parser@7.24.1')?.locations[0]?.line).toBe(56);
    expect(out.unknowns?.map((u) => `${u.package?.name}@${u.package?.version}`).sort()).toEqual([
      'asynckit@0.4.0', 'debug@4.3.5', 'is-negative@2.0.1', 'lodash@4.17.21',
    ]);
  });

  it('v9 variants: cyclic imports, multiple versions, peers, two YAML documents', async () => {
    expect(ids((await run('pnpm-lock_v9_cyclic_import.yaml')).packages)).toEqual([
      'browserslist@4.23.0', 'caniuse-lite@1.0.30001627', 'electron-to-chromium@1.4.789', 'escalade@3.1.2',
      'node-releases@2.0.14', 'picocolors@1.0.1', 'update-browserslist-db@1.0.16',
    ]);
    expect(ids((await run('pnpm-lock_v9_multi_version.yaml')).packages)).toEqual(['is-number@6.0.0', 'is-number@7.0.0']);
    const peers = await run('pnpm-lock_v9_same-vers-diff-peers.yaml');
    expect(ids(peers.packages)).toEqual([
      'jest-config@30.0.3', 'jest-pnp-resolver@1.2.3', 'jest-resolve@27.5.1', 'jest-resolve@30.0.2', 'jest-runner@27.5.1', 'jest-runner@30.0.3',
    ]);
    // the first document is pnpm's own toolchain lock (@pnpm/exe); the project is the second one
    expect(ids((await run('pnpm-lock_v9_multiple_documents.yaml')).packages)).toEqual(['is-number@7.0.0']);
  });

  it('integration repo', async () => {
    const out = await extractFile(pnpmLockExtractor, PEER_FIXTURES_DIR, 'trivy/integration/testdata/fixtures/repo/pnpm/pnpm-lock.yaml');
    expect(prod(out.packages)).toEqual(['jquery@3.3.9 direct', 'lodash@4.17.4 direct']);
  });
});

describe('lang/pnpm-lock malformed', () => {
  it.each([
    ['bad YAML', 'lockfileVersion: 5.4\npackages: [\n'],
    ['wrong lockfileVersion', "lockfileVersion: '3.0'\npackages: {}\n"],
    ['no lockfileVersion', 'packages: {}\n'],
  ])('%s → ParseError naming the path', async (_n, text) => {
    const err = await extractText(pnpmLockExtractor, 'a/pnpm-lock.yaml', text).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParseError);
    expect((err as ParseError).path).toBe('a/pnpm-lock.yaml');
  });
});
