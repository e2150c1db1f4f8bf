import crypto from 'node:crypto';
import { UsageError } from '../../core/errors.js';
import { ImageArchiveError, ImageUnsupportedError } from './errors.js';
import type { ImageLayerInfo } from './types.js';

export const MT = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerV1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerV1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

export const REF_NAME = 'org.opencontainers.image.ref.name';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string | undefined;
}

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface ImageConfig {
  os?: string;
  architecture?: string;
  variant?: string;
  rootfs?: { diff_ids?: string[] };
}

/** Where manifests, configs and blobs come from (an OCI layout, an archive, a registry). */
export interface ManifestSource {
  /** Reads a small blob (manifest, index, config) and verifies its digest. */
  readBlob(digest: string, what: string): Promise<Uint8Array>;
  /** Manifests fetched by digest from a registry may come with their media type. */
  readManifest?(digest: string): Promise<{ bytes: Uint8Array; mediaType?: string }>;
}

export interface ResolvedImage {
  manifestDigest: string;
  manifest: ImageManifest;
  configDigest: string;
  config: ImageConfig;
  layers: ImageLayerInfo[];
  /** The platform of the index entry the image was chosen by, if any. */
  platform?: Platform;
}

const DIGEST_RE = /^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;

export function isDigest(s: unknown): s is string {
  return typeof s === 'string' && DIGEST_RE.test(s);
}

export function digestOf(bytes: Uint8Array, algo = 'sha256'): string {
  return `${algo}:${crypto.createHash(algo).update(bytes).digest('hex')}`;
}

export function verifyDigest(bytes: Uint8Array, digest: string, what: string): void {
  const algo = digest.split(':')[0] ?? 'sha256';
  const got = digestOf(bytes, algo);
  if (got !== digest) {
    throw new ImageArchiveError(`${what} ${digest}: content digest is ${got} (corrupt or altered blob)`, { subject: digest });
  }
}

export function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    throw new ImageArchiveError(`${what}: not valid JSON: ${(e as Error).message}`, { cause: e, subject: what });
  }
}

function asDescriptor(d: unknown, what: string): Descriptor {
  const o = d as Partial<Descriptor> | null;
  if (!o || typeof o !== 'object' || !isDigest(o.digest)) throw new ImageArchiveError(`${what}: descriptor without a valid digest`, { subject: what });
  const out: Descriptor = { digest: o.digest, size: typeof o.size === 'number' ? o.size : 0 };
  if (typeof o.mediaType === 'string') out.mediaType = o.mediaType;
  if (o.platform && typeof o.platform === 'object') out.platform = o.platform;
  if (o.annotations && typeof o.annotations === 'object') out.annotations = o.annotations;
  return out;
}

export function isIndexDoc(doc: unknown, mediaType?: string): boolean {
  const o = doc as { mediaType?: string; manifests?: unknown } | null;
  const mt = mediaType ?? o?.mediaType;
  if (mt === MT.ociIndex || mt === MT.dockerList) return true;
  if (mt === MT.ociManifest || mt === MT.dockerManifest) return false;
  return Array.isArray(o?.manifests);
}

export function indexManifests(doc: unknown, what: string): Descriptor[] {
  const list = (doc as { manifests?: unknown }).manifests;
  if (!Array.isArray(list)) throw new ImageArchiveError(`${what}: index without manifests`, { subject: what });
  return list.map((d, i) => asDescriptor(d, `${what} manifests[${i}]`));
}

export function parsePlatform(s: string): Platform {
  const [os, architecture, variant] = s.split('/');
  if (!os || !architecture) throw new UsageError(`bad platform ${JSON.stringify(s)}`, 'use os/arch[/variant], e.g. linux/amd64 or linux/arm64/v8');
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function formatPlatform(p: Platform | undefined): string {
  if (!p) return 'unknown';
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

function isAttestation(d: Descriptor): boolean {
  return d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' || (d.platform?.os === 'unknown' && d.platform.architecture === 'unknown');
}

/**
 * Picks the entry of a multi-platform index: the requested platform (variant compared when both name one), else
 * the only image entry, else linux/amd64.
 */
export function selectPlatform(entries: Descriptor[], platform: string | undefined, what: string): Descriptor {
  const images = entries.filter((d) => !isAttestation(d));
  if (platform === undefined && images.length === 1 && images[0]) return images[0];
  const want = parsePlatform(platform ?? 'linux/amd64');
  const matches = images.filter((d) => d.platform?.os === want.os && d.platform.architecture === want.architecture);
  const exact = want.variant ? matches.filter((d) => (d.platform?.variant ?? defaultVariant(want.architecture)) === want.variant) : matches;
  const pick = exact[0] ?? (want.variant ? undefined : matches[0]);
  if (pick) return pick;
  const avail = images.map((d) => formatPlatform(d.platform)).join(', ');
  throw new UsageError(`${what}: no image for platform ${formatPlatform(want)} (available: ${avail || 'none'})`, 'pass --platform with one of the available platforms');
}

function defaultVariant(arch: string): string | undefined {
  return arch === 'arm64' ? 'v8' : undefined;
}

export function parseManifest(doc: unknown, what: string): ImageManifest {
  const o = doc as { mediaType?: string; schemaVersion?: number; config?: unknown; layers?: unknown; fsLayers?: unknown } | null;
  if (!o || typeof o !== 'object') throw new ImageArchiveError(`${what}: manifest is not an object`, { subject: what });
  if (o.schemaVersion === 1 || o.fsLayers !== undefined) {
    throw new ImageUnsupportedError(`${what}: Docker schema 1 manifests are not supported`, 'push the image again with a current client (schema 2 or OCI)');
  }
  if (!Array.isArray(o.layers)) throw new ImageArchiveError(`${what}: manifest without layers`, { subject: what });
  const m: ImageManifest = {
    config: asDescriptor(o.config, `${what} config`),
    layers: o.layers.map((l, i) => asDescriptor(l, `${what} layers[${i}]`)),
  };
  if (typeof o.mediaType === 'string') m.mediaType = o.mediaType;
  return m;
}

export function parseConfig(doc: unknown, what: string): ImageConfig {
  if (!doc || typeof doc !== 'object') throw new ImageArchiveError(`${what}: config is not an object`, { subject: what });
  return doc as ImageConfig;
}

async function readManifestDoc(src: ManifestSource, digest: string, what: string): Promise<{ doc: unknown; mediaType?: string | undefined }> {
  if (src.readManifest) {
    const r = await src.readManifest(digest);
    return { doc: parseJson(r.bytes, `${what} ${digest}`), mediaType: r.mediaType };
  }
  return { doc: parseJson(await src.readBlob(digest, what), `${what} ${digest}`) };
}

/**
 * From a manifest-or-index document (already read), follows nested indexes down to one image manifest for the
 * platform, then reads its config. Layer descriptors get their diff ids from the config.
 */
export async function resolveFromDoc(
  src: ManifestSource,
  doc: unknown,
  docDigest: string,
  docMediaType: string | undefined,
  platform: string | undefined,
  what: string,
): Promise<ResolvedImage> {
  let cur = doc;
  let curDigest = docDigest;
  let curMt = docMediaType;
  let chosen: Platform | undefined;
  for (let depth = 0; depth < 8; depth++) {
    if (!isIndexDoc(cur, curMt)) {
      const manifest = parseManifest(cur, `${what} manifest ${curDigest}`);
      const configBytes = await src.readBlob(manifest.config.digest, 'image config');
      const config = parseConfig(parseJson(configBytes, `image config ${manifest.config.digest}`), `image config ${manifest.config.digest}`);
      const diffIds = Array.isArray(config.rootfs?.diff_ids) ? config.rootfs.diff_ids : [];
      const layers = manifest.layers.map((l, i): ImageLayerInfo => {
        const info: ImageLayerInfo = { digest: l.digest, size: l.size, mediaType: l.mediaType ?? 'application/vnd.oci.image.layer.v1.tar' };
        const diffId = diffIds[i];
        if (typeof diffId === 'string') info.diffId = diffId;
        return info;
      });
      const r: ResolvedImage = { manifestDigest: curDigest, manifest, configDigest: manifest.config.digest, config, layers };
      if (chosen) r.platform = chosen;
      return r;
    }
    const entry = selectPlatform(indexManifests(cur, `${what} index ${curDigest}`), platform, `${what} index`);
    chosen = entry.platform ?? chosen;
    const next = await readManifestDoc(src, entry.digest, 'manifest');
    cur = next.doc;
    curDigest = entry.digest;
    curMt = next.mediaType ?? entry.mediaType;
  }
  throw new ImageArchiveError(`${what}: indexes nested too deep`, { subject: what });
}
