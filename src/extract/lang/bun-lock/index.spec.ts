import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { PEER_FIXTURES_DIR } from '../../../../test/support/fixtures.js';
import { extractFile, extractText, ids } from '../../../../test/support/extract.js';
import { bunLockExtractor } from './index.js';

const DIR = 'trivy/pkg/dependency/parser/nodejs/bun/testdata';
const run = (f: string) => extractFile(bunLockExtractor, PEER_FIXTURES_DIR, `${DIR}/${f}`);

// Expected from aquasecurity/trivy pkg/dependency/parser/nodejs/bun/parse_testcase.go (normalPkgs,
// multipleWsPkgs): name@version, direct (RelationshipDirect), dev, StartLine.
describe('lang/bun-lock on trivy fixtures', () => {
  it('bun_happy.lock (normalPkgs)', async () => {
    const out = await run('bun_happy.lock');
    expect(out.packages.map((p) => [`${p.name}@${p.version}`, p.direct, p.dev, p.locations[0]?.line])).toEqual([
      ['@types/bun@1.2.13', true, true, 18],
      ['@types/node@22.15.18', false, true, 20],
      ['bun-types@1.2.13', false, true, 22],
      ['typescript@5.8.3', true, false, 24],
      ['undici-types@6.21.0', false, false, 26],
      ['zod@3.24.4', true, false, 28],
    ]);
  });

  it('bun_multiple_ws.lock (multipleWsPkgs; the members my-app / my-lib with relationship workspace)', async () => {
    const out = await run('bun_multiple_ws.lock');
    expect(out.packages.map((p) => [`${p.name}@${p.version}`, p.direct, p.relationship, p.locations[0]?.line])).toEqual([
      ['chalk@5.0.1', true, undefined, 23],
      ['lodash@4.17.21', true, undefined, 25],
      ['my-app@1.0.0', undefined, 'workspace', 27],
      ['my-lib@1.0.0', undefined, 'workspace', 29],
    ]);
  });

  it('bun_invalid.lock → ParseError', async () => {
    const err = await run('bun_invalid.lock').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParseError);
    expect((err as ParseError).path).toBe(`${DIR}/bun_invalid.lock`);
  });

  it('integration repo bun.lock', async () => {
    const out = await extractFile(bunLockExtractor, PEER_FIXTURES_DIR, 'trivy/integration/testdata/fixtures/repo/bun/bun.lock');
    expect(out.packages.length).toBeGreaterThan(0);
  });
});

describe('lang/bun-lock JSONC and nesting', () => {
  it('comments, trailing commas, nested copies, git and file entries', async () => {
    const text = `{
  // bun writes trailing commas
  "lockfileVersion": 1,
  "workspaces": { "": { "dependencies": { "a": "^1", "g": "github:x/g", "loc": "file:./loc", }, }, },
  /* block comment */
  "packages": {
    "a": ["a@1.0.0", "", { "dependencies": { "b": "^2" } }, "sha512-x"],
    "b": ["b@3.0.0", "", {}, "sha512-y"],
    "a/b": ["b@2.0.0", "", {}, "sha512-z"],
    "g": ["g@github:x/g#abc", {}, "x-g-abc"],
    "loc": ["loc@file:./loc", {}],
  },
}`;
    const out = await extractText(bunLockExtractor, 'bun.lock', text);
    expect(out.packages.map((p) => [`${p.name}@${p.version}`, p.direct, p.dev])).toEqual([
      ['a@1.0.0', true, false],
      ['b@2.0.0', false, false],
      ['b@3.0.0', false, false],
    ]);
    expect(ids(out.packages)).toHaveLength(3);
    expect(out.unknowns?.map((u) => u.package?.name)).toEqual(['g']);
  });

  it.each([['truncated', '{"lockfileVersion": 1, "packages": {'], ['wrong version', '{"lockfileVersion": 5, "packages": {}}']])('%s → ParseError', async (_n, t) => {
    expect(await extractText(bunLockExtractor, 'bun.lock', t).catch((e: unknown) => e)).toBeInstanceOf(ParseError);
  });
});
