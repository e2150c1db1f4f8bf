import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { digestOf } from './oci.js';
import { openImage, parseImageTarget } from './open.js';
import type { ImageSource } from './types.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-synth-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

async function makeTar(entries: { name: string; body?: string | Buffer; type?: 'symlink' | 'directory'; linkname?: string }[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => void chunks.push(c as Buffer));
  const end = new Promise<void>((r) => pack.on('end', () => r()));
  for (const { body, ...h } of entries) await new Promise<void>((res, rej) => pack.entry(h, body ?? '', (e) => (e ? rej(e) : res())));
  pack.finalize();
  await end;
  return Buffer.concat(chunks);
}

async function statusOf(src: ImageSource): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < src.describe().layers.length; i++) {
    await src.walkLayer(i, (p) => p === 'var/lib/dpkg/status', (_e, c) => void out.push(`${i}:${Buffer.from(c).toString()}`));
  }
  return out;
}

/** An OCI layout: index.json → (tagged) nested index → one manifest per platform, gzip layers. */
async function layout(dir: string): Promise<{ amd: string; arm: string; layers: Record<string, string> }> {
  fs.mkdirSync(path.join(dir, 'blobs/sha256'), { recursive: true });
  const put = (b: Buffer): { digest: string; size: number } => {
    const digest = digestOf(b);
    fs.writeFileSync(path.join(dir, 'blobs/sha256', digest.slice(7)), b);
    return { digest, size: b.length };
  };
  const layers: Record<string, string> = {};
  const image = async (arch: string, variant?: string): Promise<{ digest: string; size: number }> => {
    const raw = await makeTar([{ name: 'var/lib/dpkg/status', body: `Package: for-${arch}\n` }]);
    const gz = zlib.gzipSync(raw);
    const l = put(gz);
    layers[arch] = l.digest;
    const config = put(Buffer.from(JSON.stringify({ os: 'linux', architecture: arch, ...(variant ? { variant } : {}), rootfs: { type: 'layers', diff_ids: [digestOf(raw)] } })));
    return put(
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
          layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...l }],
        }),
      ),
    );
  };
  const amd = await image('amd64');
  const arm = await image('arm64', 'v8');
  const nested = put(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...arm, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
          { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...amd, platform: { os: 'linux', architecture: 'amd64' } },
        ],
      }),
    ),
  );
  fs.writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  fs.writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', ...nested, annotations: { 'org.opencontainers.image.ref.name': 'v1' } }],
    }),
  );
  return { amd: amd.digest, arm: arm.digest, layers };
}

describe('OCI layout with a nested multi-platform index', () => {
  it('default linux/amd64, --platform linux/arm64, tag or no tag; the same as an OCI archive', async () => {
    const dir = path.join(work, 'multiarch');
    const { amd, arm, layers } = await layout(dir);
    const def = await openImage(parseImageTarget(dir), { cacheDir: work });
    expect(def.describe()).toMatchObject({ kind: 'oci-dir', manifestDigest: amd, architecture: 'amd64', layers: [{ digest: layers.amd64 }] });
    expect(await statusOf(def)).toEqual(['0:Package: for-amd64\n']);
    const armSrc = await openImage(parseImageTarget(`oci-dir:${dir}:v1`), { cacheDir: work, platform: 'linux/arm64' });
    expect(armSrc.describe()).toMatchObject({ manifestDigest: arm, architecture: 'arm64', variant: 'v8' });
    expect(await statusOf(armSrc)).toEqual(['0:Package: for-arm64\n']);
    // the same layout as a tar (what `skopeo copy ... oci-archive:` writes)
    const entries = [{ name: 'oci-layout', body: fs.readFileSync(path.join(dir, 'oci-layout')) }, { name: 'index.json', body: fs.readFileSync(path.join(dir, 'index.json')) }];
    for (const f of fs.readdirSync(path.join(dir, 'blobs/sha256'))) entries.push({ name: `blobs/sha256/${f}`, body: fs.readFileSync(path.join(dir, 'blobs/sha256', f)) });
    const archive = path.join(work, 'multiarch.oci.tar');
    fs.writeFileSync(archive, await makeTar(entries));
    expect(parseImageTarget(archive)?.kind).toBe('oci-archive');
    const fromTar = await openImage(parseImageTarget(archive), { cacheDir: work, platform: 'linux/arm64/v8' });
    expect(fromTar.describe().layers).toEqual(armSrc.describe().layers);
    expect(await statusOf(fromTar)).toEqual(['0:Package: for-arm64\n']);
    await expect(openImage(parseImageTarget(dir), { cacheDir: work, platform: 'windows/amd64' })).rejects.toMatchObject({ code: 'BULWARK_E_USAGE' });
  });
});

describe('docker-archive variants', () => {
  it('gzip layers under names without digests (digest hashed at open), two images picked by tag, Docker 25 blobs/ layout', async () => {
    const l1raw = await makeTar([{ name: 'var/lib/dpkg/status', body: 'Package: base\n' }]);
    const l2raw = await makeTar([{ name: 'var/lib/dpkg/status', body: 'Package: app\n' }, { name: 'etc/.wh.motd' }]);
    const l1 = zlib.gzipSync(l1raw);
    const l2 = zlib.gzipSync(l2raw);
    const cfg = (n: string): Buffer => Buffer.from(JSON.stringify({ os: 'linux', architecture: 'amd64', n, rootfs: { type: 'layers', diff_ids: [digestOf(l1raw), digestOf(l2raw)].slice(0, n === 'base' ? 1 : 2) } }));
    const file = path.join(work, 'two.tar');
    fs.writeFileSync(
      file,
      await makeTar([
        { name: 'layers/one/layer.tar', body: l1 },
        { name: `blobs/sha256/${digestOf(l2).slice(7)}`, body: l2 },
        { name: 'base.json', body: cfg('base') },
        { name: 'app.json', body: cfg('app') },
        {
          name: 'manifest.json',
          body: JSON.stringify([
            { Config: 'base.json', RepoTags: ['example/base:1'], Layers: ['layers/one/layer.tar'] },
            { Config: 'app.json', RepoTags: ['example/app:2'], Layers: ['layers/one/layer.tar', `blobs/sha256/${digestOf(l2).slice(7)}`] },
          ]),
        },
      ]),
    );
    await expect(openImage(parseImageTarget(file), { cacheDir: work })).rejects.toMatchObject({ code: 'BULWARK_E_USAGE', hint: expect.stringContaining('example/app:2') });
    const app = await openImage(parseImageTarget(`docker-archive:${file}:example/app:2`), { cacheDir: work });
    const d = app.describe();
    expect(d.repoTags).toEqual(['example/app:2']);
    expect(d.configDigest).toBe(digestOf(cfg('app')));
    expect(d.layers).toEqual([
      { digest: digestOf(l1), diffId: digestOf(l1raw), size: l1.length, mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip' },
      { digest: digestOf(l2), diffId: digestOf(l2raw), size: l2.length, mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip' },
    ]);
    expect(await statusOf(app)).toEqual(['0:Package: base\n', '1:Package: app\n']);
    expect((await app.walkLayer(1, () => false, () => {})).whiteouts).toEqual(['etc/motd']);
    const base = await openImage(parseImageTarget(`docker-archive:${file}:base:1`), { cacheDir: work });
    expect(base.describe().layers).toHaveLength(1);
  });

  it('verifyDigest: false walks a layer whose content does not match its name', async () => {
    const raw = await makeTar([{ name: 'var/lib/dpkg/status', body: 'Package: x\n' }]);
    const file = path.join(work, 'mislabelled.tar');
    const wrong = digestOf(Buffer.from('something else'));
    fs.writeFileSync(
      file,
      await makeTar([
        { name: 'c.json', body: JSON.stringify({ rootfs: { type: 'layers', diff_ids: [wrong] } }) },
        { name: 'l.tar', body: raw },
        { name: 'manifest.json', body: JSON.stringify([{ Config: 'c.json', Layers: ['l.tar'] }]) },
      ]),
    );
    const src = await openImage(parseImageTarget(file), { cacheDir: work });
    expect(src.describe().layers[0]?.digest).toBe(wrong);
    await expect(src.walkLayer(0, () => true, () => {})).rejects.toMatchObject({ code: 'BULWARK_E_ARCHIVE' });
    const seen: string[] = [];
    await src.walkLayer(0, () => true, (e) => void seen.push(e.path), { verifyDigest: false });
    expect(seen).toEqual(['var/lib/dpkg/status']);
    await src.close();
    await expect(src.walkLayer(0, () => true, () => {})).rejects.toThrow(/closed/);
  });
});

describe('callback errors', () => {
  it('an error thrown by onFile reaches the caller untouched and stops the walk', async () => {
    const raw = await makeTar([{ name: 'a', body: '1' }, { name: 'b', body: '2' }]);
    const file = path.join(work, 'cb.tar');
    fs.writeFileSync(file, await makeTar([
      { name: 'c.json', body: JSON.stringify({ rootfs: { type: 'layers', diff_ids: [digestOf(raw)] } }) },
      { name: 'l.tar', body: raw },
      { name: 'manifest.json', body: JSON.stringify([{ Config: 'c.json', Layers: ['l.tar'] }]) },
    ]));
    const src = await openImage(parseImageTarget(file), { cacheDir: work });
    class Mine extends Error {}
    const seen: string[] = [];
    const err = await src.walkLayer(0, () => true, async (e) => {
      seen.push(e.path);
      throw new Mine('extractor failed');
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Mine);
    expect(seen).toEqual(['a']);
  });
});
