/** Table-driven specs of the scan stage's own pieces: merging packages, handing files to extractors, the layer cache. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ParseError } from '../core/errors.js';
import type { Package } from '../core/package.js';
import type { Extractor } from '../extract/types.js';
import { LANGUAGE_EXTRACTORS } from '../extract/registry.js';
import { emptyTree } from '../../test/support/extract.js';
import { directoryTreeReader, extractDirectory, isDirectory } from './directory.js';
import type { ExtractionResult } from './extract-files.js';
import { extractFile, runLimited } from './extract-files.js';
import { LayerCache } from './layer-cache.js';
import type { LayerResult } from './layer-cache.js';
import { mergePackages, sortPackages } from './packages.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-scan-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function pkg(over: Partial<Package>): Package {
  return { ecosystem: 'npm', name: 'a', version: '1.0.0', purl: 'pkg:npm/a@1.0.0', locations: [{ path: 'package-lock.json' }], foundBy: 'lang/npm-lock', ...over };
}

describe('mergePackages', () => {
  it.each<[string, Package[], Partial<Package>[]]>([
    ['one package found twice: one entry, both locations (sorted, no duplicates)', [pkg({ locations: [{ path: 'node_modules/a/package.json' }] }), pkg({}), pkg({})], [{ locations: [{ path: 'node_modules/a/package.json' }, { path: 'package-lock.json' }] }]],
    ['direct if any file says direct', [pkg({ direct: false }), pkg({ direct: true, locations: [{ path: 'b' }] })], [{ direct: true }]],
    ['indirect when one says so and none says direct', [pkg({}), pkg({ direct: false, locations: [{ path: 'b' }] })], [{ direct: false }]],
    ['dev only if every file says dev', [pkg({ dev: true }), pkg({ dev: false, locations: [{ path: 'b' }] })], [{ dev: false }]],
    ['dev when every file says dev', [pkg({ dev: true }), pkg({ dev: true, locations: [{ path: 'b' }] })], [{ dev: true }]],
    ['another version is another package', [pkg({}), pkg({ version: '2.0.0', purl: 'pkg:npm/a@2.0.0' })], [{ version: '1.0.0' }, { version: '2.0.0' }]],
    ['another layer is another package', [pkg({ layer: 'sha256:1' }), pkg({ layer: 'sha256:2' })], [{ layer: 'sha256:1' }, { layer: 'sha256:2' }]],
    ['another ecosystem is another package', [pkg({ ecosystem: 'PyPI', purl: 'pkg:pypi/a@1.0.0' }), pkg({})], [{ ecosystem: 'PyPI' }, { ecosystem: 'npm' }]],
    ['sorted by ecosystem, name, version', [pkg({ name: 'b', purl: 'pkg:npm/b@1.0.0' }), pkg({ ecosystem: 'Go', name: 'z', purl: 'pkg:golang/z@1.0.0' }), pkg({})], [{ ecosystem: 'Go' }, { name: 'a' }, { name: 'b' }]],
  ])('%s', (_what, found, want) => {
    const merged = mergePackages(found);
    expect(merged).toHaveLength(want.length);
    merged.forEach((p, i) => expect(p).toMatchObject(want[i]!));
  });

  it('does not change its input', () => {
    const a = pkg({});
    const b = pkg({ locations: [{ path: 'b' }], direct: true });
    mergePackages([a, b]);
    expect(a.locations).toEqual([{ path: 'package-lock.json' }]);
    expect(a.direct).toBeUndefined();
  });

  it('sortPackages orders locations by path then line', () => {
    const [p] = sortPackages([pkg({ locations: [{ path: 'b', line: 2 }, { path: 'a', line: 9 }, { path: 'b', line: 1 }] })]);
    expect(p!.locations).toEqual([{ path: 'a', line: 9 }, { path: 'b', line: 1 }, { path: 'b', line: 2 }]);
  });
});

describe('extractFile: one file, every extractor that wants it', () => {
  const ok: Extractor = { id: 'lang/ok', version: 1, required: () => true, extract: () => Promise.resolve({ packages: [pkg({ foundBy: 'lang/ok' })], unknowns: [{ kind: 'unsupported', message: 'u' }], problems: [{ path: 'x.lock', code: 'C', message: 'half read' }] }) };
  const parseFails: Extractor = { id: 'lang/parse', version: 1, required: () => true, extract: () => Promise.reject(new ParseError('x.lock', 'line 3: no version')) };
  const crashes: Extractor = { id: 'lang/crash', version: 1, required: () => true, extract: () => Promise.reject(new TypeError('cannot read properties of undefined')) };

  it.each<[string, Extractor[], Partial<ExtractionResult>]>([
    ['packages, unknowns and problems are collected, problems stamped with the extractor', [ok], { packages: [pkg({ foundBy: 'lang/ok' })], unknowns: [{ kind: 'unsupported', message: 'u' }], errors: [{ path: 'x.lock', code: 'C', message: 'half read', extractor: 'lang/ok' }] }],
    ['a ParseError is an error entry without the repeated path', [parseFails], { packages: [], errors: [{ path: 'x.lock', extractor: 'lang/parse', code: 'BULWARK_E_PARSE', message: 'line 3: no version' }] }],
    ['a crash is an error entry too, and the other extractors still run', [crashes, ok], { packages: [pkg({ foundBy: 'lang/ok' })], errors: [{ path: 'x.lock', extractor: 'lang/crash', code: 'BULWARK_E_EXTRACT', message: 'cannot read properties of undefined' }, { path: 'x.lock', code: 'C', message: 'half read', extractor: 'lang/ok' }] }],
  ])('%s', async (_what, extractors, want) => {
    const into: ExtractionResult = { packages: [], unknowns: [], errors: [] };
    await extractFile('x.lock', new Uint8Array(), extractors, emptyTree, into);
    expect(into).toMatchObject(want);
  });

  it.each([1, 3, 8])('runLimited keeps at most %i jobs in flight and runs them all', async (limit) => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await runLimited(Array.from({ length: 20 }, (_, i) => i), limit, async (i) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, (i * 7) % 5));
      running--;
      done.push(i);
    });
    expect(peak).toBeLessThanOrEqual(limit);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});

describe('a directory scan', () => {
  const root = path.join(tmp, 'project');
  fs.mkdirSync(path.join(root, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(root, 'sub/requirements.txt'), 'flask==2.0.1\n');
  fs.writeFileSync(path.join(root, 'Cargo.lock'), '[[package]\nname = ');
  fs.writeFileSync(path.join(tmp, 'outside.txt'), 'secret');
  fs.symlinkSync(path.join(tmp, 'outside.txt'), path.join(root, 'link-out'));

  it.each([
    ['sub/requirements.txt', 'flask==2.0.1\n'],
    ['../outside.txt', undefined],
    ['/etc/passwd', undefined],
    ['link-out', undefined],
    ['sub/../sub/requirements.txt', 'flask==2.0.1\n'],
    ['missing.txt', undefined],
  ])('the tree reader reads %j inside the root only', async (rel, text) => {
    const got = await directoryTreeReader(root).read(rel);
    expect(got === undefined ? undefined : new TextDecoder().decode(got)).toBe(text);
  });

  it('walks once: packages from the files extractors want, a broken file as an error naming it', async () => {
    const r = await extractDirectory(root, LANGUAGE_EXTRACTORS);
    expect(r.packages.map((p) => `${p.name}@${p.version} ${p.locations[0]?.path}`)).toEqual(['flask@2.0.1 sub/requirements.txt']);
    expect(r.errors).toEqual([expect.objectContaining({ path: 'Cargo.lock', extractor: 'lang/cargo-lock', code: 'BULWARK_E_PARSE' })]);
  });

  it.each([
    ['sub/requirements.txt', 1, []],
    ['README.md', 0, [{ path: 'README.md', code: 'BULWARK_E_UNSUPPORTED', message: 'no extractor reads a file of this name' }]],
  ])('only %j: %i package(s)', async (only, count, errors) => {
    if (only === 'README.md') fs.writeFileSync(path.join(root, only), '# x');
    const r = await extractDirectory(root, LANGUAGE_EXTRACTORS, only);
    expect(r.packages).toHaveLength(count);
    expect(r.errors).toEqual(errors);
  });

  it.each([
    [tmp, true],
    [path.join(root, 'Cargo.lock'), false],
    [path.join(tmp, 'nope'), false],
  ])('isDirectory(%s) = %s', (p, yes) => {
    expect(isDirectory(p)).toBe(yes);
  });
});

describe('layer cache', () => {
  const result: LayerResult = { files: { 'var/lib/dpkg/status': { packages: [pkg({})], unknowns: [], errors: [] } }, osFiles: { 'etc/os-release': 'ID=debian\n' }, symlinks: {}, whiteouts: [], opaqueDirs: [], refused: [] };

  it.each([
    ['the same digest and extractors', 'sha256:a', 'os/dpkg@1', true],
    ['another layer', 'sha256:b', 'os/dpkg@1', false],
    ['another extractor version', 'sha256:a', 'os/dpkg@2', false],
  ])('after a put, a get with %s finds it: %s', (_what, digest, fingerprint, hit) => {
    const dir = path.join(tmp, 'cache');
    new LayerCache(dir, 'os/dpkg@1').put('sha256:a', result);
    expect(new LayerCache(dir, fingerprint).get(digest)).toEqual(hit ? result : undefined);
  });

  it('a damaged entry is a miss, not an error; no temporary file is left', () => {
    const dir = path.join(tmp, 'cache-bad');
    const cache = new LayerCache(dir, 'f');
    cache.put('sha256:x', result);
    const [file] = fs.readdirSync(dir);
    fs.writeFileSync(path.join(dir, file!), '{"files": ');
    expect(cache.get('sha256:x')).toBeUndefined();
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});
