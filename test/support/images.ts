import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { ImageSource, LayerWalkResult } from '../../src/source/image/types.js';
import { SHARED_DIR } from './shared.js';

/** One image of images.json (written by shared/tools/make-test-images.sh). */
export interface TestImage {
  tag: string;
  manifestDigest: string;
  config: string;
  layers: { digest: string; size: number }[];
  dpkgPackages: number;
  dockerArchiveBytes: number;
}

export const MAKE_TEST_IMAGES = path.join(SHARED_DIR, 'tools', 'make-test-images.sh');
export const IMAGES_LOCK = '/tmp/bulwark-images.lock';

/**
 * The folder with the real test images (built by make-test-images.sh): BULWARK_TEST_IMAGES (CI builds them once
 * per run into a cache folder), else /tmp/bulwark-images; undefined when it holds no images.json.
 */
export function testImagesDir(): string | undefined {
  const candidates = [process.env.BULWARK_TEST_IMAGES, '/tmp/bulwark-images'].filter((d): d is string => !!d);
  return candidates.find((d) => fs.existsSync(path.join(d, 'images.json')));
}

/**
 * testImagesDir() for a spec layer that skips without the images: says on stderr that `layer` is skipped and why
 * (outside CI, where .ci/run builds them and the specs fail instead of skipping).
 */
export function testImagesFor(layer: string): string | undefined {
  const dir = testImagesDir();
  if (!dir && process.env.CI !== 'true') {
    console.warn(`[skip] ${layer}: skipped, no test images (BULWARK_TEST_IMAGES unset and no /tmp/bulwark-images/images.json); build them with ../shared/tools/make-test-images.sh <dir>`);
  }
  return dir;
}

export function testImages(dir: string): TestImage[] {
  return (JSON.parse(fs.readFileSync(path.join(dir, 'images.json'), 'utf8')) as { images: TestImage[] }).images;
}

export function testImage(dir: string, tag: string): TestImage {
  const img = testImages(dir).find((i) => i.tag === tag);
  if (!img) throw new Error(`no image ${tag} in ${dir}/images.json`);
  return img;
}

/** Package names of expected/<tag>.dpkg.tsv, sorted. */
export function expectedDpkgPackages(dir: string, tag: string): string[] {
  return fs
    .readFileSync(path.join(dir, 'expected', `${tag}.dpkg.tsv`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t')[0] as string)
    .sort();
}

export interface TestRegistries {
  /** host:port of the plain (anonymous) registry. */
  plain: string;
  /** host:port of the basic-auth registry. */
  basic: string;
  /** host:port of the bearer-token registry (token server on `tokenServer`). */
  bearer: string;
  tokenServer: string;
  username: string;
  password: string;
}

const PORT = Number(process.env.TEST_REGISTRY_PORT ?? 5000);

export const TEST_REGISTRIES: TestRegistries = {
  plain: `127.0.0.1:${PORT}`,
  basic: `127.0.0.1:${PORT + 1}`,
  bearer: `127.0.0.1:${PORT + 3}`,
  tokenServer: `127.0.0.1:${PORT + 2}`,
  username: 'scanner',
  password: 's3cret',
};

async function answers(hostPort: string, pathname = '/v2/'): Promise<boolean> {
  try {
    const res = await fetch(`http://${hostPort}${pathname}`, { signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

/**
 * All four servers answer and hold this images dir's build: the plain registry's debian:multi is the manifest of
 * images.json (registries left running from another build of the images would hold other digests), and the
 * hand-made debian:index, put after the pushes, is there.
 */
async function allAnswer(dir: string): Promise<boolean> {
  const r = TEST_REGISTRIES;
  const up = await Promise.all([answers(r.plain), answers(r.basic), answers(r.bearer), answers(r.tokenServer, '/token')]);
  if (!up.every(Boolean)) return false;
  try {
    const head = async (tag: string): Promise<string | null> => {
      const res = await fetch(`http://${r.plain}/v2/debian/manifests/${tag}`, {
        method: 'HEAD',
        headers: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json' },
        signal: AbortSignal.timeout(2000),
      });
      return res.ok ? res.headers.get('docker-content-digest') : null;
    };
    return (await head('multi')) === testImage(dir, 'multi').manifestDigest && (await head('index')) !== null;
  } catch {
    return false;
  }
}

/** Whether the registry tools can be had here (the script installs them itself with apt-get, as root). */
export function canRunRegistries(): boolean {
  if (process.getuid?.() !== 0) return false;
  if (!fs.existsSync(MAKE_TEST_IMAGES)) return false;
  try {
    execFileSync('sh', ['-c', 'command -v docker-registry || command -v apt-get'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Registry specs fail (rather than skip) when the registries cannot be started: in CI, or when asked. */
export function registriesRequired(): boolean {
  return process.env.CI === 'true' || process.env.BULWARK_REQUIRE_REGISTRIES === '1';
}

/**
 * Makes sure the loopback registries of make-test-images.sh answer (plain :5000, basic :5001, bearer :5003 with
 * its token server :5002); starts them with `--registry-auth` under the images lock when they do not. Returns
 * their addresses, or undefined when they cannot be started here.
 */
export async function ensureRegistries(dir: string): Promise<TestRegistries | undefined> {
  if (await allAnswer(dir)) return TEST_REGISTRIES;
  if (!canRunRegistries()) return undefined;
  try {
    execFileSync('flock', ['-o', IMAGES_LOCK, 'bash', MAKE_TEST_IMAGES, dir, '--registry-auth'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 15 * 60_000,
    });
  } catch (e) {
    process.stderr.write(`ensureRegistries: make-test-images.sh --registry-auth failed: ${(e as { stderr?: Buffer }).stderr?.toString() ?? String(e)}\n`);
    return undefined;
  }
  return (await allAnswer(dir)) ? TEST_REGISTRIES : undefined;
}

/** Installed package names of a dpkg status file, sorted. */
export function dpkgInstalled(status: string): string[] {
  return status
    .split(/\n\n+/)
    .filter((p) => /^Status: .* installed$/m.test(p))
    .map((p) => /^Package: (.+)$/m.exec(p)?.[1] ?? '')
    .filter(Boolean)
    .sort();
}

export const DPKG_STATUS = 'var/lib/dpkg/status';

/** Walks every layer of an image wanting only var/lib/dpkg/status: the status file per layer (or undefined). */
export async function walkDpkgStatus(src: ImageSource): Promise<{ statuses: (string | undefined)[]; results: LayerWalkResult[] }> {
  const statuses: (string | undefined)[] = [];
  const results: LayerWalkResult[] = [];
  for (let i = 0; i < src.describe().layers.length; i++) {
    let found: string | undefined;
    results.push(
      await src.walkLayer(
        i,
        (p) => p === DPKG_STATUS,
        (e, c) => {
          if (e.path !== DPKG_STATUS) throw new Error(`onFile got ${e.path}, which want() refused`);
          found = Buffer.from(c).toString('utf8');
        },
      ),
    );
    statuses.push(found);
  }
  return { statuses, results };
}
