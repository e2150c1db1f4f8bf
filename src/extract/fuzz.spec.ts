/**
 * Fuzzing every extractor with fast-check: random bytes, and real fixtures mutated (bytes flipped, cut short,
 * random bytes inserted, slices duplicated, deep nesting injected). Whatever the input, an extractor either
 * returns its output or fails with a ParseError naming the file; no other exception leaves it (a stack
 * overflow, a TypeError on an unexpected shape, a library's own error class would all fail here).
 *
 * Seeds: the fixtures in this repository (test/fixtures, src/extract/**\/__fixtures__) always; the peer
 * fixtures of ../shared as well when they are present. Runs per property: FUZZ_RUNS (default 60).
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../core/errors.js';
import { PEER_FIXTURES_DIR } from '../../test/support/fixtures.js';
import { REPO_ROOT } from '../../test/support/shared.js';
import { DEFAULT_EXTRACTORS } from './registry.js';
import type { Extractor, ExtractOutput, TreeReader } from './types.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? '60');

/** A path each extractor claims; every registered extractor must find one here (a new extractor adds its own). */
const CANDIDATE_PATHS = [
  'package-lock.json', 'node_modules/left-pad/package.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lock',
  'go.mod', 'go.sum', 'vendor/modules.txt', 'Gopkg.lock', 'usr/local/bin/app',
  'requirements.txt', 'Pipfile.lock', 'poetry.lock', 'uv.lock', 'pdm.lock', 'pylock.toml',
  'usr/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA',
  'Cargo.lock', 'Gemfile.lock', 'usr/local/bundle/specifications/rack-3.0.8.gemspec', 'composer.lock',
  'vendor/composer/installed.json', 'pom.xml', 'gradle.lockfile', 'lib/app.jar', 'packages.lock.json',
  'packages.config', 'app.deps.json', 'Directory.Packages.props', 'pubspec.lock', 'mix.lock',
  'Package.resolved', 'Podfile.lock', 'conan.lock', 'var/lib/dpkg/status', 'lib/apk/db/installed',
  'var/lib/rpm/rpmdb.sqlite', 'build.sbt.lock', 'Manifest.toml', 'environment.yml', 'env/conda-meta/pip-22.2.2-py38h06a4308_0.json',
];

function claimedPath(ex: Extractor): string | undefined {
  return CANDIDATE_PATHS.find((p) => ex.required(p));
}

function walk(dir: string, rel = ''): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) return e.name === 'node_modules' && rel === '' ? [] : walk(path.join(dir, e.name), r);
    return e.isFile() ? [r] : [];
  });
}

/**
 * Extractors with no real file among the fixtures: compiled binaries (Go, Rust with cargo-auditable) and jars
 * are not kept as fixtures, and no pdm.lock is; they are fuzzed with random input only.
 */
const NO_REAL_SEED = new Set(['lang/go-binary', 'lang/cargo-auditable', 'lang/java-archive', 'lang/python-pdm-lock']);

/** Fixture names that do not follow the canonical file name (peer test data). */
const EXTRA_SEED_NAMES: Readonly<Record<string, RegExp>> = {
  'lang/gemfile-lock': /\/Gemfile[^/]*\.lock$/,
  'lang/dotnet-packages-lock': /\/packages_lock_[^/]*\.json$/,
};

/**
 * Seed files per extractor id: up to 4 files under 2 MB it claims, by path, by base name in its canonical
 * directory (a fixture's modules.txt is a vendor/modules.txt), or by the fixture names above.
 */
function seeds(): Map<string, Uint8Array[]> {
  const roots = [path.join(REPO_ROOT, 'test/fixtures'), path.join(REPO_ROOT, 'src/extract'), PEER_FIXTURES_DIR];
  const out = new Map<string, Uint8Array[]>();
  for (const root of roots) {
    for (const rel of walk(root)) {
      if (rel.endsWith('.ts') || rel.endsWith('README.md')) continue;
      const full = path.join(root, rel);
      if (fs.statSync(full).size > 2 * 1024 * 1024) continue;
      const base = rel.slice(rel.lastIndexOf('/') + 1);
      for (const ex of DEFAULT_EXTRACTORS) {
        const claimed = claimedPath(ex) ?? '';
        const inCanonicalDir = `${claimed.slice(0, claimed.lastIndexOf('/') + 1)}${base}`;
        if (!ex.required(rel) && !ex.required(inCanonicalDir) && !(EXTRA_SEED_NAMES[ex.id]?.test(`/${rel}`) ?? false)) continue;
        const list = out.get(ex.id) ?? [];
        if (list.length < 4) list.push(new Uint8Array(fs.readFileSync(full)));
        out.set(ex.id, list);
      }
    }
  }
  return out;
}

const emptyTree: TreeReader = { read: () => Promise.resolve(undefined) };

/** Runs the extractor; resolves to 'ok' or 'parse-error', and rethrows anything else. */
async function outcome(ex: Extractor, p: string, content: Uint8Array): Promise<'ok' | 'parse-error'> {
  let out: ExtractOutput;
  try {
    out = await ex.extract({ path: p, content, tree: emptyTree });
  } catch (e) {
    if (e instanceof ParseError && e.path === p) return 'parse-error';
    throw e;
  }
  expect(Array.isArray(out.packages)).toBe(true);
  return 'ok';
}

type Op =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'cut'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'dup'; from: number; len: number; at: number }
  | { kind: 'nest'; at: number; open: string; depth: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
  fc.record({ kind: fc.constant('dup' as const), from: fc.nat(), len: fc.integer({ min: 1, max: 400 }), at: fc.nat() }),
  fc.record({
    kind: fc.constant('nest' as const),
    at: fc.nat(),
    open: fc.constantFrom('[', '{"a":', '{a=', 'a:\n ', '- ', '<a>', '[[', 'a = [', 'a = {b='),
    depth: fc.integer({ min: 200, max: 3000 }),
  }),
);

function mutate(seed: Uint8Array, ops: readonly Op[]): Uint8Array {
  let b = Buffer.from(seed);
  for (const op of ops) {
    const at = b.length === 0 ? 0 : op.kind === 'dup' ? op.at % (b.length + 1) : ('at' in op ? op.at : 0) % (b.length + 1);
    switch (op.kind) {
      case 'flip':
        if (b.length > 0) b[at % b.length] = op.byte;
        break;
      case 'cut':
        b = b.subarray(0, at);
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), op.bytes, b.subarray(at)]);
        break;
      case 'dup': {
        const from = b.length === 0 ? 0 : op.from % b.length;
        b = Buffer.concat([b.subarray(0, at), b.subarray(from, from + op.len), b.subarray(at)]);
        break;
      }
      case 'nest':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(op.open.repeat(op.depth)), b.subarray(at)]);
        break;
    }
  }
  return new Uint8Array(b);
}

const SEEDS = seeds();

describe('every extractor has a path to fuzz', () => {
  it.each(DEFAULT_EXTRACTORS.map((e) => [e.id, e] as const))('%s claims one of the candidate paths', (_id, ex) => {
    expect(claimedPath(ex)).toBeDefined();
  });

  it('every extractor has at least one real seed file in this repository or the peer fixtures', () => {
    const without = DEFAULT_EXTRACTORS.filter((e) => !NO_REAL_SEED.has(e.id) && (SEEDS.get(e.id) ?? []).length === 0).map((e) => e.id);
    // Without ../shared only the repository's own fixtures are seeds; say which extractors then fuzz on random bytes only.
    if (fs.existsSync(PEER_FIXTURES_DIR)) expect(without).toEqual([]);
    else if (without.length > 0) console.warn(`fuzz: no seed fixture without ../shared for ${without.join(', ')}; random bytes only`);
  });
});

describe.each(DEFAULT_EXTRACTORS.map((e) => [e.id, e] as const))('fuzz %s', (_id, ex) => {
  const p = claimedPath(ex) ?? 'unclaimed';

  it('random bytes: output or ParseError, nothing else', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
        await outcome(ex, p, bytes);
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('random text: output or ParseError, nothing else', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 2048, unit: 'binary' }), async (text) => {
        await outcome(ex, p, new TextEncoder().encode(text));
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  const mine = SEEDS.get(ex.id) ?? [];
  it.skipIf(mine.length === 0)('mutated real fixtures: output or ParseError, nothing else', async () => {
    for (const seed of mine) expect(await outcome(ex, p, seed)).toBeDefined();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: Math.max(0, mine.length - 1) }), fc.array(opArb, { minLength: 1, maxLength: 4 }), async (i, ops) => {
        await outcome(ex, p, mutate(mine[i] ?? new Uint8Array(), ops));
      }),
      { numRuns: RUNS * 2 },
    );
  }, 300_000);
});

describe('deep nesting is refused with a clear error, not a stack overflow', () => {
  const D = 100_000;
  it.each([
    ['package-lock.json', `{"packages":${'['.repeat(D)}${']'.repeat(D)}}`, 'JSON'],
    ['composer.lock', `{"packages":${'{"a":'.repeat(D)}1${'}'.repeat(D)}}`, 'JSON'],
    ['pnpm-lock.yaml', `lockfileVersion: '9.0'\npackages: ${'['.repeat(D)}${']'.repeat(D)}\n`, 'YAML'],
    ['pnpm-lock.yaml', `lockfileVersion: '9.0'\npackages:\n${Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')}\n`, 'YAML'],
    ['pubspec.lock', `packages:\n${'- '.repeat(D)}x\n`, 'YAML'],
    ['Cargo.lock', `a = ${'['.repeat(D)}${']'.repeat(D)}\n`, 'TOML'],
    ['poetry.lock', `a = ${'{b='.repeat(D)}1${'}'.repeat(D)}\n`, 'TOML'],
    ['pom.xml', `<project>${'<a>'.repeat(D)}${'</a>'.repeat(D)}</project>`, 'XML'],
  ])('%s (%#)', async (p, text, format) => {
    const ex = DEFAULT_EXTRACTORS.find((e) => e.required(p));
    expect(ex).toBeDefined();
    if (!ex) return;
    // some extractors are synchronous: run inside a promise so a throw becomes a rejection
    const run = Promise.resolve().then(() => ex.extract({ path: p, content: new TextEncoder().encode(text), tree: emptyTree }));
    await expect(run).rejects.toThrow(ParseError);
    await expect(run).rejects.toThrow(`${p}: invalid ${format}: nesting deeper than 256 levels`);
  }, 60_000);
});
