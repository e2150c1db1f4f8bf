import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { canRunRegistries, dpkgInstalled, ensureRegistries, registriesRequired, expectedDpkgPackages, testImage, testImagesFor, walkDpkgStatus as walkStatus } from '../../../test/support/images.js';
import type { TestRegistries } from '../../../test/support/images.js';
import { openImage, parseImageTarget } from '../image/open.js';
import type { OpenImageOptions } from '../image/open.js';
import type { PullProgress } from './registry-source.js';

const dir = testImagesFor('src/source/registry/registry.spec.ts');

describe.skipIf(!dir || !canRunRegistries())('loopback registries (make-test-images.sh --registry-auth)', () => {
  const d = dir as string;
  let maybeRegs: TestRegistries | undefined;
  let cacheDir: string;
  const base = (): OpenImageOptions => ({ cacheDir, insecure: true, env: {}, dockerConfigPath: path.join(cacheDir, 'no-docker-config.json') });

  beforeAll(async () => {
    maybeRegs = await ensureRegistries(d);
    if (!maybeRegs) {
      if (registriesRequired()) throw new Error('could not start the loopback registries (make-test-images.sh --registry-auth)');
      process.stderr.write('registry specs skipped: the loopback registries could not be started\n');
    }
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-reg-'));
  }, 15 * 60_000);
  afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

  let regs: TestRegistries;
  beforeEach((ctx) => {
    if (!maybeRegs) ctx.skip();
    else regs = maybeRegs;
  });

  const multi = (): ReturnType<typeof testImage> => testImage(d, 'multi');
  const creds = (): Partial<OpenImageOptions> => ({ username: regs.username, password: regs.password });

  for (const which of ['plain', 'basic', 'bearer'] as const) {
    it(`${which}: describes multi as images.json and walks dpkg status per layer`, async () => {
      const host = regs[which];
      // a cache of its own: the blobs really come through this registry's auth
      const own = fs.mkdtempSync(path.join(cacheDir, `${which}-`));
      const src = await openImage(parseImageTarget(`registry:${host}/debian:multi`), { ...base(), cacheDir: own, ...(which === 'plain' ? {} : creds()) });
      try {
        const desc = src.describe();
        expect(desc.kind).toBe('registry');
        expect(desc.reference).toBe(`${host}/debian:multi`);
        expect(desc.manifestDigest).toBe(multi().manifestDigest);
        expect(desc.configDigest).toBe(multi().config);
        expect(desc.layers.map((l) => ({ digest: l.digest, size: l.size }))).toEqual(multi().layers);
        const { statuses } = await walkStatus(src);
        expect(statuses.map((s) => s !== undefined)).toEqual([true, true, true]);
        expect(dpkgInstalled(statuses[2] as string)).toEqual(expectedDpkgPackages(d, 'multi'));
        for (const l of multi().layers) expect(fs.statSync(path.join(own, 'blobs/sha256', l.digest.slice(7))).size).toBe(l.size);
      } finally {
        await src.close();
      }
    });
  }

  for (const which of ['basic', 'bearer'] as const) {
    it(`${which}, without the layer cache: the blobs stream through a gunzip worker with the registry's auth, no layer is kept`, async () => {
      const own = fs.mkdtempSync(path.join(cacheDir, `${which}-nocache-`));
      const src = await openImage(parseImageTarget(`registry:${regs[which]}/debian:multi`), { ...base(), cacheDir: own, keepBlobs: false, ...creds() });
      try {
        const { statuses } = await walkStatus(src);
        expect(dpkgInstalled(statuses[2] as string)).toEqual(expectedDpkgPackages(d, 'multi'));
      } finally {
        await src.close();
      }
      for (const l of multi().layers) expect(fs.existsSync(path.join(own, 'blobs/sha256', l.digest.slice(7)))).toBe(false);
    });
  }

  it('a cached blob is not downloaded again', async () => {
    const blob = path.join(cacheDir, 'blobs/sha256', multi().layers[0]!.digest.slice(7));
    const src = await openImage(parseImageTarget(`${regs.plain}/debian:multi`), base());
    await src.walkLayer(0, () => false, () => {});
    const st1 = fs.statSync(blob);
    await src.walkLayer(0, () => false, () => {});
    const src2 = await openImage(parseImageTarget(`${regs.plain}/debian:multi`), base());
    await src2.walkLayer(0, () => false, () => {});
    const st2 = fs.statSync(blob);
    expect([st2.ino, st2.mtimeMs]).toEqual([st1.ino, st1.mtimeMs]);
    expect(fs.readdirSync(path.join(cacheDir, 'blobs/tmp'))).toEqual([]);
  });

  it('multi-v2s2 (Docker schema 2) describes the same layers', async () => {
    const src = await openImage(parseImageTarget(`registry:${regs.plain}/debian:multi-v2s2`), base());
    const desc = src.describe();
    expect(desc.layers.map((l) => l.digest)).toEqual(multi().layers.map((l) => l.digest));
    expect(desc.layers.every((l) => l.mediaType === 'application/vnd.docker.image.rootfs.diff.tar.gzip')).toBe(true);
    expect(desc.manifestDigest).not.toBe(multi().manifestDigest);
    const { statuses } = await walkStatus(src);
    expect(dpkgInstalled(statuses[2] as string)).toEqual(expectedDpkgPackages(d, 'multi'));
  });

  it('the OCI index: linux/amd64 by default, linux/arm64 with --platform, an absent platform is a usage error', async () => {
    const amd = await openImage(parseImageTarget(`${regs.bearer}/debian:index`), { ...base(), ...creds() }).catch(() => undefined);
    // the index was put on the plain registry only
    expect(amd).toBeUndefined();
    const def = await openImage(parseImageTarget(`${regs.plain}/debian:index`), base());
    expect(def.describe().manifestDigest).toBe(multi().manifestDigest);
    expect(def.describe().layers.map((l) => l.digest)).toEqual(multi().layers.map((l) => l.digest));
    const arm = await openImage(parseImageTarget(`${regs.plain}/debian:index`), { ...base(), platform: 'linux/arm64' });
    const minbase = testImage(d, 'minbase');
    expect(arm.describe().manifestDigest).toBe(minbase.manifestDigest);
    expect(arm.describe().layers.map((l) => l.digest)).toEqual(minbase.layers.map((l) => l.digest));
    const { statuses } = await walkStatus(arm);
    expect(dpkgInstalled(statuses[0] as string)).toEqual(expectedDpkgPackages(d, 'minbase'));
    await expect(openImage(parseImageTarget(`${regs.plain}/debian:index`), { ...base(), platform: 'linux/s390x' })).rejects.toMatchObject({
      code: 'BULWARK_E_USAGE',
      message: expect.stringContaining('available: linux/amd64, linux/arm64/v8'),
    });
  });

  it('by digest', async () => {
    const src = await openImage(parseImageTarget(`${regs.plain}/debian@${multi().manifestDigest}`), base());
    expect(src.describe().configDigest).toBe(multi().config);
  });

  it('basic: no credentials → 401 naming the registry and what to pass; wrong password → rejected', async () => {
    const err = await openImage(parseImageTarget(`${regs.basic}/debian:multi`), { ...base(), fetchAttempts: 1 }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'BULWARK_E_FETCH',
      status: 401,
      message: expect.stringContaining(`registry ${regs.basic} refused manifest multi of debian (HTTP 401): no credentials were given`),
      hint: expect.stringContaining('--username/--password'),
    });
    await expect(openImage(parseImageTarget(`${regs.basic}/debian:multi`), { ...base(), username: 'scanner', password: 'wrong' })).rejects.toMatchObject({
      status: 401,
      message: expect.stringContaining('the credentials for user "scanner" (from options) were rejected'),
    });
  });

  it('bearer: anonymous pull token works (the token server grants pull), a wrong password is rejected by the token server', async () => {
    const anon = await openImage(parseImageTarget(`${regs.bearer}/debian:minbase`), base());
    expect(anon.describe().layers.map((l) => l.digest)).toEqual(testImage(d, 'minbase').layers.map((l) => l.digest));
    await expect(openImage(parseImageTarget(`${regs.bearer}/debian:multi`), { ...base(), username: 'scanner', password: 'nope' })).rejects.toMatchObject({
      code: 'BULWARK_E_FETCH',
      status: 401,
      message: expect.stringContaining('were rejected'),
    });
  });

  it('credentials from BULWARK_USERNAME/BULWARK_PASSWORD and from a Docker config.json', async () => {
    const viaEnv = await openImage(parseImageTarget(`${regs.basic}/debian:minbase`), { ...base(), env: { BULWARK_USERNAME: 'scanner', BULWARK_PASSWORD: 's3cret' } });
    expect(viaEnv.describe().configDigest).toBe(testImage(d, 'minbase').config);
    const cfg = path.join(cacheDir, 'docker-config.json');
    fs.writeFileSync(cfg, JSON.stringify({ auths: { [regs.bearer]: { auth: Buffer.from('scanner:s3cret').toString('base64') } } }));
    const viaCfg = await openImage(parseImageTarget(`${regs.bearer}/debian:extras`), { ...base(), dockerConfigPath: cfg });
    expect(viaCfg.describe().configDigest).toBe(testImage(d, 'extras').config);
    const viaCfgBasic = await openImage(parseImageTarget(`${regs.basic}/debian:extras`), { ...base(), dockerConfigPath: cfg }).catch((e: unknown) => e);
    expect(viaCfgBasic).toMatchObject({ status: 401 }); // config has auths for the bearer host only
  });

  it('https to a plain-http loopback registry fails with a hint to pass --insecure', async () => {
    const err = await openImage(parseImageTarget(`${regs.plain}/debian:multi`), { ...base(), insecure: false, fetchAttempts: 2, fetchBackoffMs: 10 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BULWARK_E_FETCH', retryable: true, hint: expect.stringContaining('--insecure') });
    expect((err as Error).message).toContain(`https://${regs.plain}/v2/debian/manifests/multi`);
  });

  it('unknown tag → 404 with a clear message', async () => {
    await expect(openImage(parseImageTarget(`${regs.plain}/debian:nope`), base())).rejects.toMatchObject({
      code: 'BULWARK_E_FETCH',
      status: 404,
      message: expect.stringContaining(`manifest nope not found in ${regs.plain}/debian`),
    });
  });
});

describe('registry faults (in-process server)', () => {
  let server: http.Server;
  let host: string;
  let hits = 0;
  let cacheDir: string;
  beforeAll(async () => {
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-regf-'));
    server = http.createServer((req, res) => {
      hits++;
      if (req.url?.startsWith('/v2/flaky/')) {
        res.writeHead(503).end('busy');
        return;
      }
      if (req.url?.startsWith('/v2/reset/')) {
        req.socket.destroy();
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  it('retries 5xx with back-off, then reports the status', async () => {
    hits = 0;
    const err = await openImage(parseImageTarget(`${host}/flaky:1`), { cacheDir, insecure: true, env: {}, fetchAttempts: 3, fetchBackoffMs: 5 }).catch((e: unknown) => e);
    expect(hits).toBe(3);
    expect(err).toMatchObject({ code: 'BULWARK_E_FETCH', status: 503, retryable: true });
  });

  it('a network failure becomes a FetchError after the retries', async () => {
    hits = 0;
    const err = await openImage(parseImageTarget(`${host}/reset:1`), { cacheDir, insecure: true, env: {}, fetchAttempts: 3, fetchBackoffMs: 5 }).catch((e: unknown) => e);
    expect(hits).toBe(3);
    expect(err).toMatchObject({ code: 'BULWARK_E_FETCH', retryable: true, message: expect.stringContaining('failed after 3 attempts') });
  });
});

describe('layers walked as they download (in-process registry)', () => {
  let server: http.Server;
  let host: string;
  let cacheDir: string;
  let mode: 'cut-then-range' | 'cut-then-ignore-range' | 'corrupt' | 'slow' = 'cut-then-range';
  const requests: { url: string; range: string | undefined }[] = [];
  const status = 'Package: streamed\nStatus: install ok installed\nVersion: 1\n';
  let layer: Buffer;
  let plainLayer: Buffer;
  let layerDigest: string;
  let manifest: Buffer;
  let config: Buffer;
  const sha = (b: Buffer): string => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;

  beforeAll(async () => {
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-regs-'));
    const p = tar.pack();
    const parts: Buffer[] = [];
    p.on('data', (c: unknown) => void parts.push(c as Buffer));
    const end = new Promise<void>((r) => p.on('end', () => r()));
    p.entry({ name: 'noise.bin' }, crypto.randomBytes(400_000));
    p.entry({ name: 'var/lib/dpkg/status' }, status);
    p.finalize();
    await end;
    layer = zlib.gzipSync(Buffer.concat(parts));
    layerDigest = sha(layer);
    plainLayer = Buffer.concat(parts);
    config = Buffer.from(JSON.stringify({ os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: [sha(Buffer.concat(parts))] } }));
    manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layerDigest, size: layer.length }],
      }),
    );
    let cutDone = false;
    server = http.createServer((req, res) => {
      const url = req.url ?? '';
      if (url === '/v2/t/manifests/1') {
        res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end(manifest);
        return;
      }
      if (url === '/v2/t/manifests/mislabeled') {
        // an uncompressed layer whose media type says gzip
        const m = JSON.parse(manifest.toString()) as { layers: { digest: string; size: number }[] };
        m.layers = [{ ...m.layers[0]!, digest: sha(plainLayer), size: plainLayer.length }];
        res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end(JSON.stringify(m));
        return;
      }
      if (url === `/v2/t/blobs/${sha(plainLayer)}`) {
        requests.push({ url, range: req.headers.range });
        res.writeHead(200, { 'content-length': plainLayer.length }).end(plainLayer);
        return;
      }
      if (url === `/v2/t/blobs/${sha(config)}`) {
        res.writeHead(200).end(config);
        return;
      }
      if (url === `/v2/t/blobs/${layerDigest}`) {
        requests.push({ url, range: req.headers.range });
        if (mode === 'corrupt') {
          const bad = Buffer.from(layer);
          bad[4] = (bad[4] as number) ^ 0xff; // the gzip MTIME field: decompresses the same, the digest differs
          res.writeHead(200, { 'content-length': bad.length }).end(bad);
          return;
        }
        if (mode === 'slow') {
          res.writeHead(200, { 'content-length': layer.length });
          res.write(layer.subarray(0, 100_000), () => setTimeout(() => res.end(layer.subarray(100_000)), 300));
          return;
        }
        if (!cutDone) {
          cutDone = true;
          res.writeHead(200, { 'content-length': layer.length });
          res.write(layer.subarray(0, 150_000), () => setTimeout(() => req.socket.destroy(), 50));
          return;
        }
        const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
        if (m && mode === 'cut-then-range') {
          const from = Number(m[1]);
          res.writeHead(206, { 'content-length': layer.length - from, 'content-range': `bytes ${from}-${layer.length - 1}/${layer.length}` }).end(layer.subarray(from));
          return;
        }
        res.writeHead(200, { 'content-length': layer.length }).end(layer);
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    // each case starts with a fresh cut
    resetCut = () => {
      cutDone = false;
      requests.length = 0;
    };
  });
  let resetCut: () => void = () => {};
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  async function walkOnce(own: string, keepBlobs: boolean): Promise<{ statuses: (string | undefined)[] }> {
    const src = await openImage(parseImageTarget(`registry:${host}/t:1`), { cacheDir: own, insecure: true, env: {}, fetchAttempts: 3, fetchBackoffMs: 5, keepBlobs });
    try {
      return await walkStatus(src);
    } finally {
      await src.close();
    }
  }

  it('closing the image waits for the downloads under way: the blob is cached whole, nothing is left in tmp', async () => {
    mode = 'slow';
    resetCut();
    const own = fs.mkdtempSync(path.join(cacheDir, 'close-'));
    const src = await openImage(parseImageTarget(`registry:${host}/t:1`), { cacheDir: own, insecure: true, env: {}, fetchAttempts: 3, fetchBackoffMs: 5 });
    src.prefetch?.([0]);
    await new Promise((r) => setTimeout(r, 50)); // the download has started
    await src.close();
    expect(requests.length).toBe(1);
    expect(fs.readFileSync(path.join(own, 'blobs/sha256', layerDigest.slice(7)))).toEqual(layer);
    expect(fs.readdirSync(path.join(own, 'blobs/tmp'))).toEqual([]);
  });

  it.each([
    ['cut-then-range', true],
    ['cut-then-ignore-range', true],
    ['cut-then-range', false],
    ['cut-then-ignore-range', false],
  ] as const)('a connection cut midway is resumed (%s, keepBlobs %s): one continuous stream, the blob cached only when kept', async (m, keep) => {
    mode = m;
    resetCut();
    const own = fs.mkdtempSync(path.join(cacheDir, `${m}-${keep}-`));
    const { statuses } = await walkOnce(own, keep);
    expect(statuses).toEqual([status]);
    expect(requests.length).toBe(2);
    expect(requests[0]?.range).toBeUndefined();
    expect(requests[1]?.range).toMatch(/^bytes=\d+-$/);
    const blob = path.join(own, 'blobs/sha256', layerDigest.slice(7));
    if (keep) expect(fs.readFileSync(blob)).toEqual(layer);
    else expect(fs.existsSync(blob)).toBe(false);
    expect(fs.readdirSync(path.join(own, 'blobs/tmp'))).toEqual([]);
  });

  it('an uncompressed layer labeled gzip is still walked without the layer cache (its first bytes decide, not its media type)', async () => {
    resetCut();
    const own = fs.mkdtempSync(path.join(cacheDir, 'mislabeled-'));
    const src = await openImage(parseImageTarget(`registry:${host}/t:mislabeled`), { cacheDir: own, insecure: true, env: {}, fetchAttempts: 3, fetchBackoffMs: 5, keepBlobs: false });
    try {
      expect((await walkStatus(src)).statuses).toEqual([status]);
    } finally {
      await src.close();
    }
    expect(requests.length).toBe(1);
  });

  it('reports the pull (layers and bytes of the blobs not cached) through a resumed download; nothing once cached', async () => {
    mode = 'cut-then-range';
    resetCut();
    const own = fs.mkdtempSync(path.join(cacheDir, 'progress-'));
    const seen: PullProgress[] = [];
    const open = (): ReturnType<typeof openImage> =>
      openImage(parseImageTarget(`registry:${host}/t:1`), { cacheDir: own, insecure: true, env: {}, fetchAttempts: 3, fetchBackoffMs: 5, onPull: (p) => void seen.push({ ...p }) });
    const src = await open();
    try {
      expect(seen).toEqual([{ layers: 1, layersDone: 0, bytes: 0, totalBytes: layer.length }]);
      expect((await walkStatus(src)).statuses).toEqual([status]);
    } finally {
      await src.close();
    }
    expect(requests.length).toBe(2); // cut, then resumed
    expect(seen.at(-1)).toEqual({ layers: 1, layersDone: 1, bytes: layer.length, totalBytes: layer.length });
    expect(seen.length).toBeGreaterThan(2);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.bytes).toBeGreaterThanOrEqual(seen[i - 1]!.bytes);
    seen.length = 0;
    const again = await open();
    try {
      await walkStatus(again);
    } finally {
      await again.close();
    }
    expect(seen).toEqual([]);
  });

  it.each([true, false])('bytes that do not match the layer digest fail the walk, and nothing is cached (keepBlobs %s)', async (keep) => {
    mode = 'corrupt';
    resetCut();
    const own = fs.mkdtempSync(path.join(cacheDir, `corrupt-${keep}-`));
    await expect(walkOnce(own, keep)).rejects.toMatchObject({
      code: 'BULWARK_E_ARCHIVE',
      message: expect.stringContaining(`blob ${layerDigest} from ${host}: got ${layer.length} bytes with digest`),
    });
    expect(fs.existsSync(path.join(own, 'blobs/sha256', layerDigest.slice(7)))).toBe(false);
    expect(fs.readdirSync(path.join(own, 'blobs/tmp'))).toEqual([]);
  });
});
