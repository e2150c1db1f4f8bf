/**
 * Executables and Java archives on disk are read positionally (Extractor.extractFrom over an open file): the same
 * packages as extract() over the whole bytes, while reading only headers and the parts that identify them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { LANGUAGE_EXTRACTORS } from '../extract/registry.js';
import type { Extractor, RandomAccessFile } from '../extract/types.js';
import { cargoAuditableExtractor } from '../extract/lang/cargo-auditable/index.js';
import { goBinaryExtractor } from '../extract/lang/go-binary/index.js';
import { javaArchiveExtractor } from '../extract/lang/java-archive/index.js';
import { emptyTree, run } from '../../test/support/extract.js';
import { makeElf } from '../../test/support/make-elf.js';
import { makeZip, pomProperties } from '../../test/support/make-zip.js';
import { elfHeader, goBuildInfoBlob, upxElf } from '../../test/support/upx.js';
import { extractDirectory } from './directory.js';
import type { ExtractionResult } from './extract-files.js';
import { extractFile, handleFile } from './extract-files.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-positional-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const BIG = 24 * 1024 * 1024;
const audit = { packages: [{ name: 'app', version: '0.1.0', source: 'local', dependencies: [1], root: true }, { name: 'serde', version: '1.0.193', source: 'crates.io' }] };
/** An ELF with a large .text, Go build info in .go.buildinfo and cargo-auditable data in .dep-v0. */
const goAndRust = makeElf([
  { name: '.text', data: new Uint8Array(BIG) },
  { name: '.go.buildinfo', data: new Uint8Array(goBuildInfoBlob()) },
  { name: '.dep-v0', data: new Uint8Array(deflateSync(Buffer.from(JSON.stringify(audit)))) },
]);
/** No section table: found by searching the file (as before), in chunks. */
const noSections = new Uint8Array(Buffer.concat([elfHeader(), Buffer.alloc(BIG, 0x90), goBuildInfoBlob()]));
const inner = makeZip([pomProperties('org.apache.logging.log4j', 'log4j-core', '2.14.1')]);
const jar = makeZip([
  { name: 'META-INF/MANIFEST.MF', data: 'Manifest-Version: 1.0\r\n\r\n' },
  { name: 'assets/blob.bin', data: Buffer.alloc(BIG, 7) },
  pomProperties('com.example', 'app', '1.0.0'),
  { name: 'BOOT-INF/lib/log4j-core-2.14.1.jar', data: inner },
]);

const files: Record<string, Uint8Array> = {
  'usr/local/bin/app': goAndRust,
  'usr/local/bin/plain': noSections,
  'usr/local/bin/packed': upxElf(),
  'opt/app/app.jar': new Uint8Array(jar),
};
for (const [rel, bytes] of Object.entries(files)) {
  fs.mkdirSync(path.join(tmp, path.dirname(rel)), { recursive: true });
  fs.writeFileSync(path.join(tmp, rel), bytes);
}

/** Positional reads of a file on disk, counting what is read. */
async function countingFile(rel: string): Promise<{ file: RandomAccessFile; reads: number[]; close: () => Promise<void> }> {
  const handle = await fs.promises.open(path.join(tmp, rel), 'r');
  const inner = handleFile(handle, (await handle.stat()).size);
  const reads: number[] = [];
  return {
    file: { size: inner.size, read: async (o, n) => { const b = await inner.read(o, n); reads.push(b.byteLength); return b; } },
    reads,
    close: () => handle.close(),
  };
}

async function positional(ex: Extractor, rel: string): Promise<{ out: ExtractionResult; reads: number[] }> {
  const f = await countingFile(rel);
  const out: ExtractionResult = { packages: [], unknowns: [], errors: [] };
  try {
    await extractFile(rel, f.file, [ex], emptyTree, out);
  } finally {
    await f.close();
  }
  return { out, reads: f.reads };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('positional reads of executables and archives', () => {
  it.each([
    ['Go build info in .go.buildinfo', goBinaryExtractor, 'usr/local/bin/app'],
    ['cargo-auditable .dep-v0', cargoAuditableExtractor, 'usr/local/bin/app'],
    ['a jar: central directory, pom.properties, a stored nested jar in place', javaArchiveExtractor, 'opt/app/app.jar'],
  ])('%s: the packages of extract() on the bytes, reading under 1 MiB of a 24 MiB file', async (_what, ex, rel) => {
    const { out, reads } = await positional(ex, rel);
    const whole = await run(ex, rel, files[rel]!);
    expect(out.packages.length).toBeGreaterThan(0);
    expect(out.packages).toEqual(whole.packages);
    expect(out.errors).toEqual([]);
    expect(sum(reads)).toBeLessThan(1024 * 1024);
  });

  it('an ELF without section table is searched one chunk at a time, with the same result', async () => {
    const { out, reads } = await positional(goBinaryExtractor, 'usr/local/bin/plain');
    expect(out.packages.map((p) => `${p.name}@${p.version}`)).toEqual(['golang.org/x/crypto@v0.0.0-20201002170205-7f63de1d35b0', 'stdlib@v1.21.3']);
    expect(out.packages).toEqual((await run(goBinaryExtractor, 'usr/local/bin/plain', noSections)).packages);
    expect(Math.max(...reads)).toBeLessThanOrEqual(1024 * 1024);
  });

  it('a directory scan hands these files over positionally and finds what extract() finds, UPX problem included', async () => {
    const result = await extractDirectory(tmp, LANGUAGE_EXTRACTORS);
    const byFile = (rel: string) => result.packages.filter((p) => p.locations.some((l) => l.path.startsWith(rel))).map((p) => `${p.foundBy} ${p.name}@${p.version}`).sort();
    expect(byFile('usr/local/bin/app')).toEqual([
      'lang/cargo-auditable app@0.1.0',
      'lang/cargo-auditable serde@1.0.193',
      'lang/go-binary golang.org/x/crypto@v0.0.0-20201002170205-7f63de1d35b0',
      'lang/go-binary stdlib@v1.21.3',
    ]);
    expect(byFile('opt/app/app.jar')).toEqual(['lang/java-archive com.example:app@1.0.0', 'lang/java-archive org.apache.logging.log4j:log4j-core@2.14.1']);
    expect(result.errors).toEqual([expect.objectContaining({ path: 'usr/local/bin/packed', extractor: 'lang/go-binary', code: 'BULWARK_E_UNSUPPORTED' })]);
  });
});
