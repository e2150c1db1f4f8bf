/**
 * Conformance over `src/extract/lists/lang-b.ts`: every entry obeys the Extractor contract, claims its own
 * files and only those, and every shared peer fixture of these formats is claimed by exactly one extractor.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractorsFor } from '../../registry.js';
import { PEER_FIXTURES_DIR } from '../../../../test/support/shared.js';
import { dirTree } from './testing.js';

const langExtractorsB = extractorsFor('crates.io', 'RubyGems', 'Packagist', 'Maven', 'NuGet', 'Pub', 'Hex', 'SwiftURL', 'CocoaPods', 'ConanCenter');

const LANG_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// One file each extractor must claim (and no other extractor of the list may).
const CLAIMS: Record<string, string> = {
  'lang/cargo-lock': 'app/Cargo.lock',
  'lang/cargo-auditable': 'usr/local/bin/rg',
  'lang/gemfile-lock': 'app/Gemfile.lock',
  'lang/gemspec-installed': 'usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec',
  'lang/composer-lock': 'app/composer.lock',
  'lang/composer-installed': 'app/vendor/composer/installed.json',
  'lang/maven-pom': 'app/pom.xml',
  'lang/gradle-lockfile': 'app/gradle.lockfile',
  'lang/java-archive': 'opt/app/app.war',
  'lang/dotnet-packages-lock': 'src/App/packages.lock.json',
  'lang/dotnet-packages-config': 'src/App/packages.config',
  'lang/dotnet-deps-json': 'app/App.deps.json',
  'lang/dotnet-directory-packages': 'Directory.Packages.props',
  'lang/pubspec-lock': 'app/pubspec.lock',
  'lang/mix-lock': 'app/mix.lock',
  'lang/swift-package-resolved': 'app/Package.resolved',
  'lang/cocoapods-podfile-lock': 'ios/Podfile.lock',
  'lang/conan-lock': 'build/conan.lock',
};

describe('lists/lang-b conformance', () => {
  it('ids are unique, path-like, versioned, with a folder of that name holding index.ts, parse.ts and a spec', () => {
    const ids = langExtractorsB.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const e of langExtractorsB) {
      expect(e.id).toMatch(/^lang\/[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(Number.isInteger(e.version) && e.version >= 1).toBe(true);
      const dir = path.join(LANG_DIR, e.id.slice('lang/'.length));
      for (const f of ['index.ts', 'parse.ts', 'index.spec.ts']) expect(fs.existsSync(path.join(dir, f)), `${e.id}: ${f}`).toBe(true);
    }
  });

  it('every entry claims its own sample file and no other entry claims it', () => {
    expect(Object.keys(CLAIMS).sort()).toEqual(langExtractorsB.map((e) => e.id).sort());
    for (const [id, file] of Object.entries(CLAIMS)) {
      expect(langExtractorsB.filter((e) => e.required(file)).map((e) => e.id), file).toEqual([id]);
    }
  });

  it('nothing claims unrelated files', () => {
    for (const f of ['package-lock.json', 'go.sum', 'README.md', 'src/main.rs', 'usr/lib/x86_64-linux-gnu/libc.so.6', 'app/settings.xml']) {
      expect(langExtractorsB.filter((e) => e.required(f)).map((e) => e.id), f).toEqual([]);
    }
  });

  it('each extractor returns findings stamped with its own id on an empty input, or a ParseError', async () => {
    const tree = { read: () => Promise.resolve(undefined) };
    for (const e of langExtractorsB) {
      try {
        const out = await e.extract({ path: CLAIMS[e.id] ?? 'x', content: new Uint8Array(0), tree });
        expect(Array.isArray(out.packages), e.id).toBe(true);
        for (const p of out.packages) expect(p.foundBy).toBe(e.id);
      } catch (err) {
        expect((err as { code?: string }).code, e.id).toBe('BULWARK_E_PARSE');
      }
    }
  });

  it.skipIf(!fs.existsSync(PEER_FIXTURES_DIR))('the peer lockfiles of these formats are claimed by name', () => {
    const names = ['Cargo.lock', 'composer.lock', 'pom.xml', 'gradle.lockfile', 'packages.lock.json', 'packages.config', 'datacollector.deps.json', 'Directory.Packages.props', 'pubspec.lock', 'mix.lock', 'Package.resolved', 'Podfile.lock', 'conan.lock'];
    for (const n of names) expect(langExtractorsB.filter((e) => e.required(`x/${n}`)).length, n).toBe(1);
  });
});

// Every peer fixture that an entry claims by name is extracted without error, except the files the peers
// themselves keep as malformed inputs. Each must yield a package, an unknown, or nothing for an empty file.
const KNOWN_BAD = new Set(['cargo_invalid.lock', 'malformed_xml.config', 'invalid.deps.json']);

describe.skipIf(!fs.existsSync(PEER_FIXTURES_DIR))('lists/lang-b sweep over peer fixtures', () => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, d.name);
      if (d.isDirectory()) walk(full);
      else files.push(path.relative(PEER_FIXTURES_DIR, full).split(path.sep).join('/'));
    }
  };
  if (fs.existsSync(PEER_FIXTURES_DIR)) walk(PEER_FIXTURES_DIR);
  const claimed = files.flatMap((f) => langExtractorsB.filter((e) => e.required(f)).map((e) => [e.id, f] as const));

  it('claims the peer fixtures of these formats (at least the integration lockfiles and every trivy pom.xml)', () => {
    expect(claimed.filter(([id]) => id === 'lang/maven-pom').length).toBeGreaterThanOrEqual(60);
    expect(claimed.length).toBeGreaterThanOrEqual(75);
  });

  it.each(claimed)('%s: %s', async (id, file) => {
    const ex = langExtractorsB.find((e) => e.id === id);
    if (!ex) throw new Error(id);
    const run = (async () => ex.extract({ path: file, content: new Uint8Array(fs.readFileSync(path.join(PEER_FIXTURES_DIR, file))), tree: dirTree(PEER_FIXTURES_DIR) }))();
    if (KNOWN_BAD.has(path.basename(file))) {
      await expect(run).rejects.toMatchObject({ code: 'BULWARK_E_PARSE', path: file });
      return;
    }
    const out = await run;
    for (const p of out.packages) {
      expect(p.version, `${p.name} in ${file}`).not.toMatch(/\$\{|^$/);
      expect(p.purl.startsWith('pkg:')).toBe(true);
      expect(p.locations.length).toBeGreaterThan(0);
    }
  });
});
