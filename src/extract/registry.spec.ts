/**
 * Conformance of every registered extractor (renovate's manager index.spec.ts idea): the Extractor contract, one
 * folder per extractor, who claims which file, and a sweep over every peer fixture of test/fixtures/peer that an
 * extractor claims. The one conformance spec of src/extract; the per-format specs pin each format's output.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../core/errors.js';
import { PEER_FIXTURES_DIR } from '../../test/support/fixtures.js';
import { dirTree, emptyTree } from '../../test/support/extract.js';
import { DEFAULT_EXTRACTORS, LANGUAGE_EXTRACTORS, OS_EXTRACTORS, extractorIndex } from './registry.js';

const EXTRACT_DIR = path.dirname(fileURLToPath(import.meta.url));

// Who claims a typical file of each format, across the whole registry (a binary goes to both binary readers).
const CLAIMS: Record<string, string[]> = {
  'app/package-lock.json': ['lang/npm-lock'],
  'app/node_modules/react/package.json': ['lang/npm-installed'],
  'app/yarn.lock': ['lang/yarn-lock'],
  'app/pnpm-lock.yaml': ['lang/pnpm-lock'],
  'app/bun.lock': ['lang/bun-lock'],
  'app/go.mod': ['lang/go-mod'],
  'app/go.sum': ['lang/go-sum'],
  'vendor/modules.txt': ['lang/go-vendor'],
  'Gopkg.lock': ['lang/go-dep'],
  'usr/local/bin/app': ['lang/go-binary', 'lang/cargo-auditable'],
  'app/requirements.txt': ['lang/python-requirements'],
  'app/Pipfile.lock': ['lang/python-pipfile-lock'],
  'app/poetry.lock': ['lang/python-poetry-lock'],
  'app/uv.lock': ['lang/python-uv-lock'],
  'app/pylock.toml': ['lang/python-pylock'],
  'app/pdm.lock': ['lang/python-pdm-lock'],
  'usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA': ['lang/python-installed'],
  'app/Cargo.lock': ['lang/cargo-lock'],
  'app/Gemfile.lock': ['lang/gemfile-lock'],
  'usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec': ['lang/gemspec-installed'],
  'app/composer.lock': ['lang/composer-lock'],
  'app/vendor/composer/installed.json': ['lang/composer-installed'],
  'app/pom.xml': ['lang/maven-pom'],
  'app/gradle.lockfile': ['lang/gradle-lockfile'],
  'app/build.sbt.lock': ['lang/sbt-lockfile'],
  'env/Manifest.toml': ['lang/julia-manifest'],
  'opt/app/app.war': ['lang/java-archive'],
  'src/App/packages.lock.json': ['lang/dotnet-packages-lock'],
  'src/App/packages.config': ['lang/dotnet-packages-config'],
  'app/App.deps.json': ['lang/dotnet-deps-json'],
  'Directory.Packages.props': ['lang/dotnet-directory-packages'],
  'app/pubspec.lock': ['lang/pubspec-lock'],
  'app/mix.lock': ['lang/mix-lock'],
  'app/Package.resolved': ['lang/swift-package-resolved'],
  'ios/Podfile.lock': ['lang/cocoapods-podfile-lock'],
  'build/conan.lock': ['lang/conan-lock'],
  'app/environment.yml': ['lang/conda-environment'],
  'opt/conda/envs/test/conda-meta/openssl-1.1.1q-h7f8727e_0.json': ['lang/conda-meta'],
  'var/lib/dpkg/status': ['os/dpkg'],
  'var/lib/dpkg/status.d/libc6': ['os/dpkg'],
  'lib/apk/db/installed': ['os/apk'],
  'var/lib/rpm/rpmdb.sqlite': ['os/rpm'],
  'var/lib/rpm/Packages': ['os/rpm'],
  'var/lib/rpm/Packages.db': ['os/rpm'],
};

const UNCLAIMED = ['etc/os-release', 'README.md', 'src/main.rs', 'usr/lib/x86_64-linux-gnu/libc.so.6', 'app/settings.xml', 'some/dir/unrelated.txt'];

// Peer fixtures that the peers themselves keep as malformed inputs: a ParseError naming the file is the right answer.
const BROKEN_ON_PURPOSE = new Set([
  'trivy/pkg/dependency/parser/nodejs/bun/testdata/bun_invalid.lock',
  'trivy/pkg/dependency/parser/python/pylock/testdata/sad.toml',
  'syft/syft/pkg/cataloger/debian/testdata/var/lib/dpkg/status.d/corrupt',
  'syft/syft/pkg/cataloger/debian/testdata/var/lib/dpkg/status.d/empty',
]);
const BROKEN_NAMES = new Set(['cargo_invalid.lock', 'malformed_xml.config', 'invalid.deps.json', 'invalid_package.json']);

function walk(dir: string, rel = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? walk(path.join(dir, e.name), r) : [r];
  });
}

describe('extractor registry', () => {
  it('the default list is the OS extractors then the language extractors, ids unique', () => {
    expect(DEFAULT_EXTRACTORS).toEqual([...OS_EXTRACTORS, ...LANGUAGE_EXTRACTORS]);
    const ids = DEFAULT_EXTRACTORS.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const e of OS_EXTRACTORS) expect(e.id).toMatch(/^os\//);
    for (const e of LANGUAGE_EXTRACTORS) expect(e.id).toMatch(/^lang\//);
  });

  it.each(DEFAULT_EXTRACTORS.map((e) => [e.id, e] as const))('%s: path-like id, integer version, a folder of that name with index.ts and its pure parser', (id, e) => {
    expect(id).toMatch(/^(os|lang)\/[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(Number.isInteger(e.version) && e.version >= 1).toBe(true);
    expect(typeof e.required('some/dir/unrelated.txt')).toBe('boolean');
    const index = path.join(EXTRACT_DIR, id, 'index.ts');
    expect(fs.existsSync(index), `${id}: index.ts`).toBe(true);
    // The parser is the folder's parse.ts, or, where two extractors read one format (go.sum for go-sum and
    // go-mod), a module of the ecosystem's shared *-common folder.
    const ownParser = fs.existsSync(path.join(EXTRACT_DIR, id, 'parse.ts'));
    const sharedParser = /import \{[^}]*\bparse[A-Z]\w*[^}]*\} from '\.\.\/[a-z0-9-]+-common\/[a-z0-9-]+\.js'/.test(fs.readFileSync(index, 'utf8'));
    expect(ownParser || sharedParser, `${id}: parse.ts or a *-common parser`).toBe(true);
  });

  it('every extractor claims a file of its format, and each such file is claimed by exactly the listed extractors', () => {
    const claimed = new Set(Object.values(CLAIMS).flat());
    expect([...claimed].sort()).toEqual(DEFAULT_EXTRACTORS.map((e) => e.id).sort());
    for (const [file, ids] of Object.entries(CLAIMS)) {
      expect(DEFAULT_EXTRACTORS.filter((e) => e.required(file)).map((e) => e.id), file).toEqual(ids);
    }
  });

  it('the index (extractorIndex) answers as asking every extractor, on every fixture path and name variants (property)', () => {
    const index = extractorIndex(DEFAULT_EXTRACTORS);
    const ask = (p: string): string[] => DEFAULT_EXTRACTORS.filter((e) => e.required(p)).map((e) => e.id);
    const names = new Set<string>();
    for (const e of DEFAULT_EXTRACTORS) for (const n of [...(e.candidates?.baseNames ?? []), ...(e.candidates?.suffixes ?? [])]) names.add(n);
    const corpus = [...Object.keys(CLAIMS), ...UNCLAIMED, ...walk(PEER_FIXTURES_DIR), ...walk(path.join(EXTRACT_DIR, '..', '..', 'test', 'fixtures'))];
    const dirs = ['', 'app/', 'node_modules/x/', 'vendor/', 'usr/bin/', 'gradle/dependency-locks/', 'specifications/', 'requirements/', 'a/composer/', 'x.dist-info/'];
    for (const n of names) for (const d of dirs) corpus.push(`${d}${n}`, `${d}x${n}`, `${d}${n}x`, `${d}${n.toUpperCase()}`, `${d}${n}/y`);
    for (const p of corpus) {
      expect(index.wanted(p).map((e) => e.id), p).toEqual(ask(p));
      expect(index.wantsAny(p), p).toBe(ask(p).length > 0);
    }
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...names, ...dirs, 'bin/', '/', '.', 'x', 'METADATA', 'Manifest', 'pylock.', 'requirements'), { maxLength: 6 }), (parts) => {
        const p = parts.join('');
        expect(index.wanted(p).map((e) => e.id), p).toEqual(ask(p));
        expect(index.wantsAny(p), p).toBe(ask(p).length > 0);
      }),
      { numRuns: 3000 },
    );
  });

  it.each(UNCLAIMED)('nothing claims %s', (file) => {
    expect(DEFAULT_EXTRACTORS.filter((e) => e.required(file)).map((e) => e.id)).toEqual([]);
  });

  it('on an empty file each extractor returns packages stamped with its own id, or a ParseError', async () => {
    const sample = (id: string): string => Object.entries(CLAIMS).find(([, ids]) => ids.includes(id))?.[0] ?? 'x';
    for (const e of DEFAULT_EXTRACTORS) {
      try {
        const out = await e.extract({ path: sample(e.id), content: new Uint8Array(0), tree: emptyTree });
        expect(Array.isArray(out.packages), e.id).toBe(true);
        for (const p of out.packages) expect(p.foundBy).toBe(e.id);
      } catch (err) {
        expect((err as { code?: string }).code, e.id).toBe('BULWARK_E_PARSE');
      }
    }
  });
});

// Every peer fixture an extractor claims by its path extracts without error (or, when malformed on purpose, fails with
// a ParseError naming the file); every package it yields is well formed.
describe('sweep over the peer fixtures (test/fixtures/peer)', () => {
  const claimed = walk(PEER_FIXTURES_DIR).flatMap((f) => DEFAULT_EXTRACTORS.filter((e) => e.required(f)).map((e) => [e.id, f] as const));
  const tree = dirTree(PEER_FIXTURES_DIR);

  it('claims the lockfiles of the peers (every trivy pom.xml among them)', () => {
    const count = (prefix: string) => claimed.filter(([id]) => id.startsWith(prefix)).length;
    expect(count('lang/maven-pom')).toBeGreaterThanOrEqual(60);
    expect(count('lang/')).toBeGreaterThanOrEqual(95);
    expect(count('os/')).toBeGreaterThanOrEqual(3);
  });

  it.each(claimed)('%s: %s', async (id, file) => {
    const ex = DEFAULT_EXTRACTORS.find((e) => e.id === id);
    if (!ex) throw new Error(id);
    const run = (async () => ex.extract({ path: file, content: new Uint8Array(fs.readFileSync(path.join(PEER_FIXTURES_DIR, file))), tree }))();
    if (BROKEN_ON_PURPOSE.has(file) || BROKEN_NAMES.has(path.basename(file))) {
      const err = await run.then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ParseError);
      expect(err).toMatchObject({ code: 'BULWARK_E_PARSE', path: file });
      return;
    }
    const out = await run;
    for (const p of out.packages) {
      expect(p.foundBy).toBe(id);
      expect(p.version, `${p.name} in ${file}`).not.toMatch(/\$\{|^$/);
      expect(p.purl.startsWith('pkg:')).toBe(true);
      expect(p.locations.length).toBeGreaterThan(0);
    }
  });
});
