/**
 * Conformance of the group-A list (src/extract/lists/lang-a.ts), and a sweep over every peer fixture:
 * each file is routed by `required()` the way the core would, and every claimed file extracts without
 * throwing, except the fixtures that are broken on purpose.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { PEER_FIXTURES_DIR } from '../../../../test/support/shared.js';
import { extractorsFor } from '../../registry.js';
import { dirTree } from './testing.js';

const langExtractorsA = extractorsFor('npm', 'Go', 'PyPI');

function walk(dir: string, rel = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? walk(path.join(dir, e.name), r) : [r];
  });
}

const BROKEN_ON_PURPOSE = [
  'trivy/pkg/dependency/parser/nodejs/bun/testdata/bun_invalid.lock',
  'trivy/pkg/dependency/parser/python/pylock/testdata/sad.toml',
];

describe('lists/lang-a', () => {
  it('ids are unique, path-like and versioned', () => {
    const ids = langExtractorsA.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const e of langExtractorsA) {
      expect(e.id).toMatch(/^lang\/(npm|yarn|pnpm|bun|go|python)[a-z-]*$/);
      expect(Number.isInteger(e.version) && e.version >= 1).toBe(true);
    }
  });

  it('routes the peer lockfiles to the expected extractor', () => {
    const who = (p: string) => langExtractorsA.filter((e) => e.required(p)).map((e) => e.id);
    const I = 'trivy/integration/testdata/fixtures/repo';
    expect(who(`${I}/npm/package-lock.json`)).toEqual(['lang/npm-lock']);
    expect(who(`${I}/npm/node_modules/react/package.json`)).toEqual(['lang/npm-installed']);
    expect(who(`${I}/yarn/yarn.lock`)).toEqual(['lang/yarn-lock']);
    expect(who(`${I}/pnpm/pnpm-lock.yaml`)).toEqual(['lang/pnpm-lock']);
    expect(who(`${I}/bun/bun.lock`)).toEqual(['lang/bun-lock']);
    expect(who(`${I}/gomod/go.mod`)).toEqual(['lang/go-mod']);
    expect(who(`${I}/gomod/go.sum`)).toEqual(['lang/go-sum']);
    expect(who(`${I}/pip/requirements.txt`)).toEqual(['lang/python-requirements']);
    expect(who(`${I}/pipenv/Pipfile.lock`)).toEqual(['lang/python-pipfile-lock']);
    expect(who(`${I}/poetry/poetry.lock`)).toEqual(['lang/python-poetry-lock']);
    expect(who(`${I}/uv/uv.lock`)).toEqual(['lang/python-uv-lock']);
    expect(who(`${I}/pylock/pylock.toml`)).toEqual(['lang/python-pylock']);
    expect(who('usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA')).toEqual(['lang/python-installed']);
    expect(who('vendor/modules.txt')).toEqual(['lang/go-vendor']);
    expect(who('Gopkg.lock')).toEqual(['lang/go-dep']);
    expect(who('usr/local/bin/app')).toEqual(['lang/go-binary']);
  });

  it('every claimed peer fixture extracts (or fails as a ParseError when broken on purpose)', async () => {
    const tree = dirTree(PEER_FIXTURES_DIR);
    let claimed = 0;
    let packages = 0;
    for (const rel of walk(PEER_FIXTURES_DIR)) {
      for (const ex of langExtractorsA) {
        if (!ex.required(rel)) continue;
        claimed++;
        const content = fs.readFileSync(path.join(PEER_FIXTURES_DIR, rel));
        try {
          const out = await ex.extract({ path: rel, content, tree });
          packages += out.packages.length;
          for (const p of out.packages) {
            expect(p.foundBy).toBe(ex.id);
            expect(p.purl.startsWith('pkg:')).toBe(true);
            expect(p.locations.length).toBeGreaterThan(0);
          }
        } catch (e) {
          expect(e, `${ex.id} on ${rel}`).toBeInstanceOf(ParseError);
          expect(BROKEN_ON_PURPOSE.includes(rel) || rel.endsWith('invalid_package.json')).toBe(true);
        }
      }
    }
    // Most trivy unit fixtures carry test names (package-lock_v1.json, yarn_happy.lock) that no scanner would
    // claim; the per-format specs feed those directly. What a real walk claims here:
    console.log(`lang-a sweep: ${claimed} files claimed, ${packages} packages`);
    expect(claimed).toBeGreaterThanOrEqual(20);
    expect(packages).toBeGreaterThanOrEqual(200);
  });
});
