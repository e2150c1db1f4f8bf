import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { Readable } from 'node:stream';
import { execFileSync } from 'node:child_process';
import tar from 'tar-stream';
import type { Header } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walkLayerBlob, walkLayerStream } from './layer-walk.js';
import { openImage, parseImageTarget } from './open.js';
import { digestOf } from './oci.js';
import { inventoryOfImage } from '../../scan/image.js';
import type { LayerEntry } from './types.js';

type E = Partial<Header> & { name: string; body?: string | Buffer };

async function makeTar(entries: E[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (c: unknown) => void chunks.push(c as Buffer));
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  for (const { body, ...h } of entries) {
    await new Promise<void>((resolve, reject) => pack.entry({ mode: 0o644, ...h }, body ?? '', (err) => (err ? reject(err) : resolve())));
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

let work: string;
let before: string[];
const listAll = (d: string): string[] => (fs.readdirSync(d, { recursive: true }) as string[]).sort();
// Places a traversal would land if anything were extracted: next to, above, and at absolute targets.
const escapeProbes = (): string[] => [
  path.join(work, '..', 'pwned'),
  path.join(work, '..', '..', 'pwned'),
  path.join(os.tmpdir(), 'pwned'),
  '/tmp/pwned',
  '/pwned',
  path.join(process.cwd(), 'pwned'),
];

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-hostile-'));
  for (const p of escapeProbes()) expect(fs.existsSync(p)).toBe(false);
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function writeLayer(name: string, bytes: Buffer): string {
  const f = path.join(work, name);
  fs.writeFileSync(f, bytes);
  return f;
}

async function walkFile(file: string, want: (p: string) => boolean, opts?: { maxLayerBytes?: number; maxFileBytes?: number }) {
  const files: { entry: LayerEntry; content: string }[] = [];
  const st = fs.statSync(file);
  const result = await walkLayerBlob({ file, start: 0, length: st.size }, { label: `test:${path.basename(file)}` }, want, (entry, c) => {
    files.push({ entry, content: Buffer.from(c).toString('utf8') });
  }, opts);
  return { files, result };
}

describe('hostile layers', () => {
  it('refuses path traversal and absolute escapes, keeps contained absolute paths inside the root', async () => {
    const file = writeLayer(
      'traversal.tar.gz',
      zlib.gzipSync(
        await makeTar([
          { name: '../../etc/passwd', body: 'root:x:0:0' },
          { name: '../pwned', body: 'x' },
          { name: '/../../pwned', body: 'x' },
          { name: '/etc/abs-inside', body: 'inside' },
          { name: './usr/../etc/ok', body: 'ok' },
          { name: 'a/b/../../../pwned', body: 'x' },
        ]),
      ),
    );
    before = listAll(work);
    const { files, result } = await walkFile(file, () => true);
    expect(result.refused.map((r) => r.path)).toEqual(['../../etc/passwd', '../pwned', '/../../pwned', 'a/b/../../../pwned']);
    expect(result.refused.map((r) => r.reason)).toEqual([
      'path escapes the root (..)',
      'path escapes the root (..)',
      'absolute path escapes the root',
      'path escapes the root (..)',
    ]);
    expect(files.map((f) => f.entry.path)).toEqual(['etc/abs-inside', 'etc/ok']);
    expect(listAll(work)).toEqual(before);
    for (const p of escapeProbes()) expect(fs.existsSync(p)).toBe(false);
  });

  it('refuses a symlink escaping the root and a file written through it; absolute symlinks stay inside', async () => {
    const file = writeLayer(
      'symlink.tar',
      await makeTar([
        { name: 'evil', type: 'symlink', linkname: '../../../../tmp' },
        { name: 'evil/pwned', body: 'written through the link' },
        { name: 'deep/x', type: 'symlink', linkname: '../../..' },
        { name: 'deep/x/etc/cron.d/job', body: '* * * * * root sh' },
        { name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
        { name: 'etc/localtime', type: 'symlink', linkname: '/usr/share/zoneinfo/UTC' },
        { name: 'usr/lib/os-release', body: 'ID=debian\n' },
      ]),
    );
    before = listAll(work);
    const links: string[] = [];
    const files: string[] = [];
    const st = fs.statSync(file);
    const result = await walkLayerBlob({ file, start: 0, length: st.size }, { label: 'sym' }, () => true, (e) => void files.push(e.path), {
      onSymlink: (e) => void links.push(`${e.path}->${e.linkTarget}`),
    });
    expect(result.refused).toEqual([
      { path: 'evil', reason: 'symlink target ../../../../tmp escapes the root' },
      { path: 'evil/pwned', reason: 'path goes through symlink evil, which escapes the root' },
      { path: 'deep/x', reason: 'symlink target ../../.. escapes the root' },
      { path: 'deep/x/etc/cron.d/job', reason: 'path goes through symlink deep/x, which escapes the root' },
    ]);
    expect(links).toEqual(['etc/os-release->../usr/lib/os-release', 'etc/localtime->/usr/share/zoneinfo/UTC']);
    expect(files).toEqual(['usr/lib/os-release']);
    expect(listAll(work)).toEqual(before);
    for (const p of escapeProbes()) expect(fs.existsSync(p)).toBe(false);
    expect(fs.existsSync('/tmp/pwned')).toBe(false);
  });

  it('refuses hard links to /etc/shadow and above the root; resolves an in-layer hard link to a wanted file', async () => {
    const file = writeLayer(
      'hardlink.tar',
      await makeTar([
        { name: 'shadow', type: 'link', linkname: '/etc/shadow' },
        { name: 'up', type: 'link', linkname: '../../etc/shadow' },
        { name: 'var/lib/dpkg/status', body: 'Package: a\nStatus: install ok installed\n' },
        { name: 'var/lib/dpkg/status-hardlink', type: 'link', linkname: 'var/lib/dpkg/status' },
        { name: 'unwanted', body: 'nope' },
        { name: 'link-to-unwanted', type: 'link', linkname: 'unwanted' },
      ]),
    );
    const { files, result } = await walkFile(file, (p) => p.startsWith('var/') || p.startsWith('link-') || p === 'shadow' || p === 'up');
    expect(result.refused).toEqual([
      { path: 'shadow', reason: 'hard link to absolute path /etc/shadow' },
      { path: 'up', reason: 'hard link target ../../etc/shadow escapes the root' },
    ]);
    expect(files.map((f) => [f.entry.path, f.entry.type, f.entry.linkTarget, f.content])).toEqual([
      ['var/lib/dpkg/status', 'file', undefined, 'Package: a\nStatus: install ok installed\n'],
      ['var/lib/dpkg/status-hardlink', 'hardlink', 'var/lib/dpkg/status', 'Package: a\nStatus: install ok installed\n'],
    ]);
    for (const p of escapeProbes()) expect(fs.existsSync(p)).toBe(false);
  });

  it('records whiteouts and opaque dirs, refuses oversize wanted files without reading them', async () => {
    const file = writeLayer(
      'whiteouts.tar',
      await makeTar([
        { name: 'usr/bin/.wh.curl', body: '' },
        { name: '.wh.top', body: '' },
        { name: 'usr/share/doc/.wh..wh..opq', body: '' },
        { name: 'usr/share/doc/README', body: 'r' },
        { name: 'big', body: Buffer.alloc(4096, 1) },
        { name: 'small', body: 'ok' },
      ]),
    );
    const { files, result } = await walkFile(file, () => true, { maxFileBytes: 1024 });
    expect(result.whiteouts).toEqual(['usr/bin/curl', 'top']);
    expect(result.opaqueDirs).toEqual(['usr/share/doc']);
    expect(result.refused).toEqual([{ path: 'big', reason: 'oversize: 4096 bytes > maxFileBytes 1024' }]);
    expect(files.map((f) => f.entry.path)).toEqual(['usr/share/doc/README', 'small']);
  });

  it('stops a gzip bomb at maxLayerBytes with a clear error, memory staying bounded', async () => {
    // 1 GiB + of zeros as a tar entry: one small gzip member for the header, then 64 identical gzip members of
    // 16 MiB zeros each (concatenated gzip members are one valid gzip stream). ~1 MiB on disk.
    const GiB = 1024 ** 3;
    const pack = tar.pack();
    const headerChunks: Buffer[] = [];
    pack.on('data', (c: unknown) => void headerChunks.push(c as Buffer));
    pack.entry({ name: 'var/lib/dpkg/status', size: GiB, mode: 0o644 }); // never fed: we only want the header bytes
    await new Promise((r) => setImmediate(r));
    const headerBlock = Buffer.concat(headerChunks).subarray(0, 512);
    expect(headerBlock.length).toBe(512);
    const zeros = zlib.gzipSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 });
    const file = path.join(work, 'bomb.tar.gz');
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, zlib.gzipSync(headerBlock));
    for (let i = 0; i < 64; i++) fs.writeSync(fd, zeros);
    fs.closeSync(fd);
    const compressed = fs.statSync(file).size;
    expect(compressed).toBeLessThan(2 * 1024 * 1024);

    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const cap = 512 * 1024 * 1024;
    const t0 = Date.now();
    try {
      await expect(walkFile(file, () => true, { maxLayerBytes: cap })).rejects.toMatchObject({
        code: 'BULWARK_E_ARCHIVE',
        message: expect.stringMatching(/layer test:bomb\.tar\.gz: more than 536870912 bytes uncompressed \(decompression bomb\?\)/),
      });
    } finally {
      clearInterval(timer);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    const growth = peak - rss0;
    // the cap (512 MiB) was decompressed and walked; memory grew by a small fraction of it
    expect(growth).toBeLessThan(128 * 1024 * 1024);
    console.log(`gzip bomb: ${compressed} B compressed, stopped at ${cap} B uncompressed in ${Date.now() - t0} ms, rss growth ${(growth / 1048576).toFixed(1)} MiB`);
    // the entry is wanted but larger than maxFileBytes (default 128 MiB): it is refused and skipped, never buffered,
    // which is why rss stays flat above; the default 8 GiB cap is the same code path with a larger number
  });

  it('a truncated gzip layer, a truncated plain layer and a corrupt one fail naming the layer', async () => {
    const tarBytes = await makeTar([
      { name: 'var/lib/dpkg/status', body: Buffer.alloc(200_000, 65) },
      { name: 'etc/x', body: Buffer.alloc(100_000, 66) },
    ]);
    const gz = zlib.gzipSync(tarBytes);
    const f1 = writeLayer('trunc.tar.gz', gz.subarray(0, Math.floor(gz.length / 2)));
    await expect(walkFile(f1, () => false)).rejects.toMatchObject({
      code: 'BULWARK_E_ARCHIVE',
      message: expect.stringMatching(/^layer test:trunc\.tar\.gz: truncated or corrupt gzip\/tar stream: unexpected end of file/),
    });
    const f2 = writeLayer('trunc.tar', tarBytes.subarray(0, 150_000));
    await expect(walkFile(f2, () => true)).rejects.toMatchObject({
      code: 'BULWARK_E_ARCHIVE',
      message: expect.stringMatching(/^layer test:trunc\.tar: /),
    });
    const bad = Buffer.from(gz);
    bad.fill(0x55, 100, 400);
    const f3 = writeLayer('corrupt.tar.gz', bad);
    await expect(walkFile(f3, () => true)).rejects.toMatchObject({ code: 'BULWARK_E_ARCHIVE', message: expect.stringMatching(/^layer test:corrupt\.tar\.gz: /) });
    // digest verification catches a plain tar cut at an entry boundary (a valid-looking shorter tar)
    const cut = tarBytes.subarray(0, 512 + 200_192);
    await expect(
      walkLayerStream(Readable.from([cut]), 'none', { label: 'sha256:abc', verifyDigest: digestOf(tarBytes) }, () => false, () => {}),
    ).rejects.toMatchObject({ code: 'BULWARK_E_ARCHIVE', message: expect.stringContaining('layer sha256:abc: content digest is') });
  });

  it('zstd layers decompress (when the zstd tool is here to make one)', async () => {
    let zst: Buffer;
    try {
      zst = execFileSync('zstd', ['-q', '-c', '-3'], { input: await makeTar([{ name: 'var/lib/dpkg/status', body: 'Package: z\n' }, { name: 'big', body: Buffer.alloc(1 << 20, 7) }]) });
    } catch {
      return; // no zstd CLI
    }
    const file = writeLayer('layer.tar.zst', zst);
    const { files, result } = await walkFile(file, (p) => p === 'var/lib/dpkg/status');
    expect(files.map((f) => f.content)).toEqual(['Package: z\n']);
    expect(result.bytes).toBeGreaterThan(1 << 20);
    await expect(walkFile(writeLayer('trunc.tar.zst', zst.subarray(0, zst.length - 10)), () => true)).rejects.toMatchObject({ code: 'BULWARK_E_ARCHIVE' });
  });
});

describe('files read in place (a plain layer walked positionally)', () => {
  it('hands accepted files and hard links to them to onFileAt as positional reads; a gzip layer hands them over as bytes', async () => {
    const exe = Buffer.alloc(200_000);
    for (let i = 0; i < exe.length; i++) exe[i] = (i * 7) & 0xff;
    const layer = await makeTar([
      { name: 'usr/bin/tool', body: exe },
      { name: 'usr/bin/tool2', type: 'link', linkname: 'usr/bin/tool' },
      { name: 'var/lib/dpkg/status', body: 'Package: z\n' },
      { name: '../escape/bin/x', body: 'no' },
    ]);
    const want = (p: string): boolean => p.startsWith('usr/bin/') || p === 'var/lib/dpkg/status' || p.endsWith('bin/x');
    const run = async (file: string) => {
      const bytes: string[] = [];
      const placed: { path: string; type: string; size: number; head: Buffer; tail: Buffer; past: number }[] = [];
      const result = await walkLayerBlob({ file, start: 0, length: fs.statSync(file).size }, { label: 'test:inplace' }, want, (e) => void bytes.push(e.path), {
        inPlace: (p) => p.startsWith('usr/bin/') || p.endsWith('bin/x'),
        onFileAt: async (e, f) => {
          placed.push({ path: e.path, type: e.type, size: f.size, head: Buffer.from(await f.read(0, 16)), tail: Buffer.from(await f.read(f.size - 10, 100)), past: (await f.read(f.size + 5, 10)).length });
        },
      });
      return { bytes, placed, result };
    };
    const plain = await run(writeLayer('inplace.tar', layer));
    expect(plain.bytes).toEqual(['var/lib/dpkg/status']);
    expect(plain.placed).toEqual([
      { path: 'usr/bin/tool', type: 'file', size: exe.length, head: exe.subarray(0, 16), tail: exe.subarray(exe.length - 10), past: 0 },
      { path: 'usr/bin/tool2', type: 'hardlink', size: exe.length, head: exe.subarray(0, 16), tail: exe.subarray(exe.length - 10), past: 0 },
    ]);
    expect(plain.result.refused.map((r) => r.path)).toEqual(['../escape/bin/x']);
    const gz = await run(writeLayer('inplace.tar.gz', zlib.gzipSync(layer)));
    expect(gz.placed).toEqual([]);
    expect(gz.bytes).toEqual(['usr/bin/tool', 'usr/bin/tool2', 'var/lib/dpkg/status']);
  });
});

describe('hostile archives', () => {
  async function dockerArchive(name: string, layers: { name: string; body?: Buffer }[], manifestLayers: string[]): Promise<string> {
    const config = Buffer.from(JSON.stringify({ os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: manifestLayers.map(() => digestOf(Buffer.alloc(0))) } }));
    const entries: E[] = [{ name: 'config.json', body: config }];
    for (const l of layers) entries.push({ name: l.name, body: l.body ?? Buffer.alloc(0) });
    entries.push({ name: 'manifest.json', body: JSON.stringify([{ Config: 'config.json', RepoTags: ['x:1'], Layers: manifestLayers }]) });
    return writeLayer(name, await makeTar(entries));
  }

  it('a docker-archive manifest pointing at a missing layer fails at open, naming it', async () => {
    const layer = await makeTar([{ name: 'etc/a', body: 'a' }]);
    const file = await dockerArchive('missing.tar', [{ name: 'l1.tar', body: layer }], ['l1.tar', 'sha256-missing/layer.tar']);
    await expect(openImage(parseImageTarget(file), { cacheDir: work })).rejects.toMatchObject({
      code: 'BULWARK_E_ARCHIVE',
      message: expect.stringContaining('manifest.json names layer sha256-missing/layer.tar, which is not in the archive'),
    });
  });

  it('a truncated docker-archive fails at open', async () => {
    const l1 = await makeTar([{ name: 'var/lib/dpkg/status', body: 'Package: one\n' }]);
    const file = await dockerArchive('ok.tar', [{ name: 'l1.tar', body: l1 }], ['l1.tar']);
    const whole = fs.readFileSync(file);
    const cut = writeLayer('cut.tar', whole.subarray(0, 1024 + 512)); // config header+data, then l1 header, data cut
    await expect(openImage(parseImageTarget(`docker-archive:${cut}`), { cacheDir: work })).rejects.toMatchObject({
      code: 'BULWARK_E_ARCHIVE',
      message: expect.stringMatching(/truncated|no manifest\.json/),
    });
  });

  it('a layer whose content does not match its diff id is reported corrupt', async () => {
    const l1 = await makeTar([{ name: 'var/lib/dpkg/status', body: 'Package: one\n' }]);
    const file = await dockerArchive('wrongdiff.tar', [{ name: 'l1.tar', body: l1 }], ['l1.tar']);
    const src = await openImage(parseImageTarget(`docker-archive:${file}`), { cacheDir: work });
    await expect(src.walkLayer(0, () => true, () => {})).rejects.toMatchObject({
      code: 'BULWARK_E_ARCHIVE',
      message: expect.stringContaining(`layer ${digestOf(Buffer.alloc(0))}: content digest is ${digestOf(l1)}`),
    });
  });

  it('the scanner checks diff ids when it fills the layer cache; with --no-layer-cache it reports the bytes it walked', async () => {
    const l1 = await makeTar([{ name: 'etc/os-release', body: 'ID=debian\nVERSION_ID="12"\n' }]);
    const file = await dockerArchive('wrongdiff-scan.tar', [{ name: 'l1.tar', body: l1 }], ['l1.tar']);
    const cacheDir = path.join(work, 'scan-cache');
    const src = await openImage(parseImageTarget(`docker-archive:${file}`), { cacheDir });
    try {
      await expect(inventoryOfImage(src, { cacheDir })).rejects.toMatchObject({
        code: 'BULWARK_E_ARCHIVE',
        message: expect.stringContaining(`layer ${digestOf(Buffer.alloc(0))}: content digest is ${digestOf(l1)}`),
      });
    } finally {
      await src.close();
    }
    expect(fs.existsSync(path.join(cacheDir, 'layers')) ? fs.readdirSync(path.join(cacheDir, 'layers'), { recursive: true }).filter((f) => !String(f).endsWith('/')).length : 0).toBe(0);
    const again = await openImage(parseImageTarget(`docker-archive:${file}`), { cacheDir });
    try {
      const inv = await inventoryOfImage(again, { cacheDir, noLayerCache: true });
      expect(inv.os).toMatchObject({ family: 'debian', version: '12' });
      expect(inv.target.image?.layers.map((l) => l.digest)).toEqual([digestOf(Buffer.alloc(0))]);
    } finally {
      await again.close();
    }
  });

  it('an OCI layout whose manifest names a missing layer blob fails at open, naming the blob', async () => {
    const dir = path.join(work, 'layout');
    fs.mkdirSync(path.join(dir, 'blobs/sha256'), { recursive: true });
    const put = (b: Buffer): string => {
      const d = digestOf(b);
      fs.writeFileSync(path.join(dir, 'blobs/sha256', d.slice(7)), b);
      return d;
    };
    const config = Buffer.from(JSON.stringify({ os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: [] } }));
    const missing = `sha256:${'ab'.repeat(32)}`;
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: put(config), size: config.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: missing, size: 10 }],
      }),
    );
    const md = put(manifest);
    fs.writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: md, size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': 't' } }] }));
    await expect(openImage(parseImageTarget(dir), { cacheDir: work })).rejects.toMatchObject({
      code: 'BULWARK_E_ARCHIVE',
      message: expect.stringContaining(`layer blob ${missing} is missing`),
    });
    // an altered manifest blob is caught by its digest
    fs.writeFileSync(path.join(dir, 'blobs/sha256', md.slice(7)), Buffer.concat([manifest, Buffer.from(' ')]));
    await expect(openImage(parseImageTarget(`oci-dir:${dir}:t`), { cacheDir: work })).rejects.toMatchObject({
      code: 'BULWARK_E_ARCHIVE',
      message: expect.stringContaining(`manifest ${md}: content digest is`),
    });
  });
});

describe('digest checks of large layers (hashed on a worker thread while walked)', () => {
  it('a large layer whose bytes do not match its digest fails after the walk, naming both digests', async () => {
    const tarBytes = await makeTar([
      { name: 'var/lib/dpkg/status', body: 'Package: big\n' },
      { name: 'filler', body: Buffer.alloc(12 * 1024 * 1024, 3) },
    ]);
    const file = writeLayer('large.tar', tarBytes);
    const right = digestOf(tarBytes);
    const ok = await walkLayerBlob({ file, start: 0, length: tarBytes.length }, { label: right, verifyDigest: right }, () => true, () => {});
    expect(ok.bytes).toBe(tarBytes.length);
    const wrong = `sha256:${'0'.repeat(64)}`;
    await expect(walkLayerBlob({ file, start: 0, length: tarBytes.length }, { label: wrong, verifyDigest: wrong }, () => true, () => {})).rejects.toMatchObject({
      code: 'BULWARK_E_ARCHIVE',
      message: `layer ${wrong}: content digest is ${right}, not ${wrong} (corrupt or altered blob)`,
    });
  });
});
