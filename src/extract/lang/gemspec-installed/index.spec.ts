import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from '../../../../test/support/extract.js';
import { gemspecInstalledExtractor as ex } from './index.js';
import { nameVersionFromFileName } from './parse.js';

const FIX = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');
const read = (p: string) => new Uint8Array(fs.readFileSync(p));

describe('lang/gemspec-installed required', () => {
  it.each([
    ['usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec', true],
    ['usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec', true],
    ['specifications/x-1.gemspec', true],
    ['app/mygem.gemspec', false],
    ['usr/lib/ruby/gems/3.1.0/gems/rake-13.0.6/rake.gemspec', false],
  ])('%s → %s', (p, want) => expect(ex.required(p)).toBe(want));
});

describe('lang/gemspec-installed', () => {
  // No gemspec fixtures are shared by the peers (.gemspec files were left out of peer-fixtures);
  // Debian's ruby ships real installed stubs, read in place when present.
  const debian = '/usr/share/rubygems-integration/all/specifications';
  const real = fs.existsSync(debian) ? fs.readdirSync(debian).filter((f) => f.endsWith('.gemspec')) : [];
  it.skipIf(real.length === 0)('every real stub in Debian rubygems-integration matches its file name', async () => {
    for (const f of real) {
      const out = await run(ex, `usr/share/rubygems-integration/all/specifications/${f}`, read(path.join(debian, f)));
      const want = nameVersionFromFileName(f);
      expect(out.packages.map((p) => `${p.name}-${p.version}`), f).toEqual([`${want?.name}-${want?.version}`]);
    }
  });

  const rake = path.join(debian, 'rake-13.0.6.gemspec');
  it.skipIf(!fs.existsSync(rake))('rake-13.0.6.gemspec: name with .freeze, line of s.name', async () => {
    const out = await run(ex, 'specifications/rake-13.0.6.gemspec', read(rake));
    expect(out.packages).toEqual([
      {
        ecosystem: 'RubyGems',
        name: 'rake',
        version: '13.0.6',
        purl: 'pkg:gem/rake@13.0.6',
        locations: [{ path: 'specifications/rake-13.0.6.gemspec', line: 5 }],
        foundBy: 'lang/gemspec-installed',
      },
    ]);
  });

  it('single-quoted literals and another block variable', async () => {
    const out = await run(ex, 'specifications/single-quoted-1.0.0.gemspec', read(path.join(FIX, 'specifications/single-quoted-1.0.0.gemspec')));
    expect(out.packages.map((p) => [p.name, p.version, p.locations[0]?.line])).toEqual([['single-quoted', '1.0.0', 3]]);
  });

  it('a non-literal version is an unknown, never guessed from the file name', async () => {
    const out = await run(ex, 'specifications/dynamic-2.0.0.gemspec', read(path.join(FIX, 'specifications/dynamic-2.0.0.gemspec')));
    expect(out.packages).toEqual([]);
    expect(out.unknowns).toMatchObject([{ kind: 'unresolved-version', package: { name: 'dynamic' }, path: 'specifications/dynamic-2.0.0.gemspec' }]);
  });

  it('garbage → a problem, no packages', async () => {
    const out = await run(ex, 'specifications/x-1.gemspec', '\u0000\u0001 not ruby');
    expect(out.packages).toEqual([]);
    expect(out.problems).toHaveLength(1);
  });
});
