import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dpkgInstalled, expectedDpkgPackages, testImage, testImagesFor, walkDpkgStatus as walkStatus } from '../../../test/support/images.js';
import { openImage, parseImageTarget } from './open.js';

const dir = testImagesFor('src/source/image/real-images.spec.ts');
describe.skipIf(!dir)('real Debian images (make-test-images.sh)', () => {
  const d = dir as string;
  let cacheDir: string;
  beforeAll(() => {
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-img-'));
  });
  afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

  const multi = (): ReturnType<typeof testImage> => testImage(d, 'multi');

  it('detects every form from a bare path', () => {
    expect(parseImageTarget(path.join(d, 'archives/multi.tar'))?.kind).toBe('docker-archive');
    expect(parseImageTarget(path.join(d, 'archives/multi.oci.tar'))?.kind).toBe('oci-archive');
    expect(parseImageTarget(path.join(d, 'oci'))?.kind).toBe('oci-dir');
    expect(parseImageTarget(path.join(d, 'rootfs/multi'))).toBeUndefined();
    expect(parseImageTarget(`oci-dir:${path.join(d, 'oci')}:multi`)).toEqual({ kind: 'oci-dir', path: path.join(d, 'oci'), tag: 'multi' });
  });

  const forms: [string, () => string][] = [
    ['docker-archive', () => `docker-archive:${path.join(d, 'archives/multi.tar')}`],
    ['oci-dir', () => `oci-dir:${path.join(d, 'oci')}:multi`],
    ['oci-archive', () => `oci-archive:${path.join(d, 'archives/multi.oci.tar')}`],
  ];

  let ociDiffIds: string[] = [];
  beforeAll(async () => {
    const src = await openImage(parseImageTarget(`oci-dir:${path.join(d, 'oci')}:multi`), { cacheDir });
    ociDiffIds = src.describe().layers.map((l) => l.diffId ?? '');
    await src.close();
  });

  for (const [kind, target] of forms) {
    it(`${kind}: describes the layers of images.json and walks dpkg status per layer`, async () => {
      const src = await openImage(parseImageTarget(target()), { cacheDir });
      try {
        const desc = src.describe();
        expect(desc.kind).toBe(kind);
        expect(desc.configDigest).toBe(multi().config);
        expect(desc.os).toBe('linux');
        expect(desc.architecture).toBe('amd64');
        expect(desc.layers.map((l) => l.diffId)).toEqual(ociDiffIds);
        if (kind === 'docker-archive') {
          // uncompressed layers: the blob is the diff
          expect(desc.layers.map((l) => l.digest)).toEqual(ociDiffIds);
          expect(desc.repoTags).toEqual(['docker.io/library/debian:multi']);
        } else {
          expect(desc.manifestDigest).toBe(multi().manifestDigest);
          expect(desc.layers.map((l) => ({ digest: l.digest, size: l.size }))).toEqual(multi().layers);
        }
        const { statuses, results } = await walkStatus(src);
        expect(statuses.map((s) => s !== undefined)).toEqual([true, true, true]);
        expect(dpkgInstalled(statuses[2] as string)).toEqual(expectedDpkgPackages(d, 'multi'));
        expect(dpkgInstalled(statuses[0] as string)).toEqual(expectedDpkgPackages(d, 'minbase'));
        expect(dpkgInstalled(statuses[1] as string)).toEqual(expectedDpkgPackages(d, 'extras'));
        for (const r of results) expect(r.refused).toEqual([]);
        // layer 3 purged wget and tzdata: whiteouts, among them wget's binary
        expect(results[2]?.whiteouts).toContain('usr/bin/wget');
        expect(results[0]?.whiteouts).toEqual([]);
      } finally {
        await src.close();
      }
    });
  }

  it('opaque: the opaque directory and the plain whiteout of usr/bin/curl', async () => {
    const src = await openImage(parseImageTarget(`oci-archive:${path.join(d, 'archives/opaque.oci.tar')}`), { cacheDir });
    const docker = await openImage(parseImageTarget(path.join(d, 'archives/opaque.tar')), { cacheDir });
    try {
      expect(src.describe().layers.map((l) => l.digest)).toEqual(testImage(d, 'opaque').layers.map((l) => l.digest));
      for (const s of [src, docker]) {
        const files: string[] = [];
        const r4 = await s.walkLayer(3, () => true, (e) => void files.push(e.path));
        expect(r4.opaqueDirs).toEqual(['usr/share/doc']);
        expect(r4.whiteouts).toEqual([]);
        expect(files).toEqual(['usr/share/doc/README']);
        const r5 = await s.walkLayer(4, () => true, () => {});
        expect(r5.whiteouts).toEqual(['usr/bin/curl']);
        expect(r5.opaqueDirs).toEqual([]);
      }
    } finally {
      await src.close();
      await docker.close();
    }
  });

  it('rootfs: one pseudo-layer, the same status file', async () => {
    const root = path.join(d, 'rootfs/multi');
    const src = await openImage(parseImageTarget(`rootfs:${root}`), { cacheDir });
    const desc = src.describe();
    expect(desc.layers).toHaveLength(1);
    expect(desc.layers[0]?.digest).toBe(`rootfs:${root}`);
    const { statuses, results } = await walkStatus(src);
    expect(dpkgInstalled(statuses[0] as string)).toEqual(expectedDpkgPackages(d, 'multi'));
    expect(results[0]?.bytes).toBeGreaterThan(10_000_000);
    const links: string[] = [];
    await src.walkLayer(0, (p) => p === 'etc/os-release', () => {}, { onSymlink: (e) => void links.push(`${e.path} -> ${e.linkTarget}`) });
    expect(links).toEqual(['etc/os-release -> ../usr/lib/os-release']);
  });

  it('a symlinked os-release is reported through onSymlink from a layer too', async () => {
    const src = await openImage(parseImageTarget(`oci-dir:${path.join(d, 'oci')}:minbase`), { cacheDir });
    const links: string[] = [];
    const files: string[] = [];
    await src.walkLayer(0, (p) => p === 'etc/os-release' || p === 'usr/lib/os-release', (e) => void files.push(e.path), {
      onSymlink: (e) => void links.push(`${e.path} -> ${e.linkTarget}`),
    });
    expect(links).toEqual(['etc/os-release -> ../usr/lib/os-release']);
    expect(files).toEqual(['usr/lib/os-release']);
  });

  it('an OCI layout with several tags and no tag asks for one', async () => {
    await expect(openImage(parseImageTarget(path.join(d, 'oci')), { cacheDir })).rejects.toMatchObject({
      code: 'BULWARK_E_USAGE',
      hint: expect.stringContaining('multi'),
    });
    await expect(openImage(parseImageTarget(`oci-dir:${path.join(d, 'oci')}:nope`), { cacheDir })).rejects.toMatchObject({ code: 'BULWARK_E_USAGE' });
  });
});
