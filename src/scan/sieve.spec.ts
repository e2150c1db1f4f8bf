/**
 * Executables in a compressed layer stream by: the scan reads them into a reused buffer and parses only those that
 * carry one of their extractors' needles (Extractor.needles). It must find what a directory scan of the same files
 * finds, where every executable is read positionally and parsed: Go and Rust packages, the UPX problem, hard links.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_EXTRACTORS } from '../extract/registry.js';
import { digestOf } from '../source/image/oci.js';
import { openImage, parseImageTarget } from '../source/image/open.js';
import { makeElf } from '../../test/support/make-elf.js';
import { goBuildInfoBlob, upxElf } from '../../test/support/upx.js';
import { extractDirectory } from './directory.js';
import { inventoryOfImage } from './image.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-sieve-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const audit = { packages: [{ name: 'app', version: '0.1.0', source: 'local', dependencies: [1], root: true }, { name: 'serde', version: '1.0.193', source: 'crates.io' }] };
const files: Record<string, Uint8Array> = {
  // Go build info and cargo-auditable data, past the first MiB
  'usr/local/bin/app': makeElf([
    { name: '.text', data: new Uint8Array(3 << 20) },
    { name: '.go.buildinfo', data: new Uint8Array(goBuildInfoBlob()) },
    { name: '.dep-v0', data: new Uint8Array(zlib.deflateSync(Buffer.from(JSON.stringify(audit)))) },
  ]),
  // a C program: nothing for either extractor
  'usr/bin/tool': makeElf([{ name: '.text', data: new Uint8Array(2 << 20).fill(0x90) }]),
  // packed: a problem, no packages
  'usr/local/bin/packed': upxElf(),
  'usr/bin/script': new TextEncoder().encode('#!/bin/sh\necho hi\n'),
};
const hardLinks: Record<string, string> = { 'usr/bin/app-again': 'usr/local/bin/app', 'usr/bin/tool-again': 'usr/bin/tool' };

async function layerTar(): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => void chunks.push(c as Buffer));
  const end = new Promise<void>((r) => pack.on('end', () => r()));
  const entry = (h: Parameters<typeof pack.entry>[0], body?: Uint8Array): Promise<void> => new Promise((res, rej) => pack.entry(h, body ? Buffer.from(body) : '', (e) => (e ? rej(e) : res())));
  for (const [name, body] of Object.entries(files)) await entry({ name, mode: 0o755 }, body);
  for (const [name, target] of Object.entries(hardLinks)) await entry({ name, type: 'link', linkname: target });
  pack.finalize();
  await end;
  return Buffer.concat(chunks);
}

/** A one-layer OCI layout with a gzip layer. */
async function ociLayout(dir: string): Promise<void> {
  fs.mkdirSync(path.join(dir, 'blobs/sha256'), { recursive: true });
  const put = (b: Buffer): { digest: string; size: number } => {
    const digest = digestOf(b);
    fs.writeFileSync(path.join(dir, 'blobs/sha256', digest.slice(7)), b);
    return { digest, size: b.length };
  };
  const raw = await layerTar();
  const layer = put(zlib.gzipSync(raw));
  const config = put(Buffer.from(JSON.stringify({ os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: [digestOf(raw)] } })));
  const manifest = put(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
      }),
    ),
  );
  fs.writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest }] }));
}

const byPath = (pkgs: { foundBy: string; name: string; version: string; locations: { path: string }[] }[]): string[] =>
  pkgs.flatMap((p) => p.locations.map((l) => `${l.path} ${p.foundBy} ${p.name}@${p.version}`)).sort();

describe('the executable sieve of compressed layers', () => {
  it('finds what a directory scan finds: packages at each path and hard link, and the UPX problem', async () => {
    const dir = path.join(work, 'oci');
    await ociLayout(dir);
    const src = await openImage(parseImageTarget(dir), { cacheDir: path.join(work, 'cache') });
    let image;
    try {
      image = await inventoryOfImage(src, { cacheDir: path.join(work, 'cache'), noLayerCache: true });
    } finally {
      await src.close();
    }
    const root = path.join(work, 'root');
    for (const [rel, body] of Object.entries(files)) {
      fs.mkdirSync(path.join(root, path.dirname(rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), body);
    }
    for (const [rel, target] of Object.entries(hardLinks)) fs.linkSync(path.join(root, target), path.join(root, rel));
    const dirScan = await extractDirectory(root, DEFAULT_EXTRACTORS);

    const found = byPath(image.packages);
    expect(found).toEqual(byPath(dirScan.packages));
    expect(found).toEqual(
      expect.arrayContaining([
        'usr/local/bin/app lang/go-binary stdlib@v1.21.3',
        'usr/local/bin/app lang/cargo-auditable serde@1.0.193',
        'usr/bin/app-again lang/go-binary stdlib@v1.21.3',
      ]),
    );
    const problems = (r: { errors: { path: string; extractor?: string; code: string }[] }): string[] => r.errors.map((e) => `${e.path} ${e.extractor} ${e.code}`).sort();
    expect(problems(image)).toEqual(problems(dirScan));
    expect(problems(image)).toEqual(['usr/local/bin/packed lang/go-binary BULWARK_E_UNSUPPORTED']);
  });
});
