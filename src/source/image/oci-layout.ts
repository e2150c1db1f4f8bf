import fs from 'node:fs';
import path from 'node:path';
import { UsageError, describeError } from '../../core/errors.js';
import { BlobImageSource } from './blob-source.js';
import { ImageArchiveError } from './errors.js';
import type { BlobRange } from './layer-walk.js';
import { REF_NAME, indexManifests, isDigest, parseJson, resolveFromDoc, verifyDigest } from './oci.js';
import type { Descriptor, ManifestSource, ResolvedImage } from './oci.js';
import { indexTar, readMember, resolveMember } from './tar-index.js';
import type { TarIndex } from './tar-index.js';
import type { ImageDescription, ImageSource } from './types.js';

const MAX_META_BYTES = 16 * 1024 * 1024;

/** Blob access for an OCI image layout, as a directory or as a tar (indexed once, never extracted). */
interface LayoutAccess {
  where: string;
  readFile(rel: string): Promise<Uint8Array | undefined>;
  blobRange(digest: string): Promise<BlobRange | undefined>;
}

function blobRel(digest: string): string {
  const [algo, hex] = digest.split(':');
  return `blobs/${algo}/${hex}`;
}

function dirAccess(dir: string): LayoutAccess {
  return {
    where: dir,
    async readFile(rel) {
      const p = path.join(dir, rel);
      try {
        const st = await fs.promises.stat(p);
        if (st.size > MAX_META_BYTES) throw new ImageArchiveError(`${p}: ${st.size} bytes, too large for image metadata`, { subject: p });
        return await fs.promises.readFile(p);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    },
    async blobRange(digest) {
      const p = path.join(dir, blobRel(digest));
      try {
        const st = await fs.promises.stat(p);
        return { file: p, start: 0, length: st.size };
      } catch {
        return undefined;
      }
    },
  };
}

function tarAccess(index: TarIndex): LayoutAccess {
  return {
    where: index.file,
    async readFile(rel) {
      const m = resolveMember(index, rel);
      return m ? readMember(index, m, MAX_META_BYTES) : undefined;
    },
    async blobRange(digest) {
      const m = resolveMember(index, blobRel(digest));
      return m ? { file: index.file, start: m.offset, length: m.size } : undefined;
    },
  };
}

function manifestSource(acc: LayoutAccess): ManifestSource {
  return {
    async readBlob(digest, what) {
      const bytes = await acc.readFile(blobRel(digest));
      if (!bytes) {
        throw new ImageArchiveError(`${acc.where}: ${what} blob ${digest} is missing`, {
          subject: digest,
          hint: 'the image layout is incomplete; copy it again (e.g. skopeo copy)',
        });
      }
      verifyDigest(bytes, digest, what);
      return bytes;
    },
  };
}

function refNames(d: Descriptor): string[] {
  const a = d.annotations ?? {};
  const out: string[] = [];
  if (a[REF_NAME]) out.push(a[REF_NAME]);
  if (a['io.containerd.image.name']) out.push(a['io.containerd.image.name']);
  return out;
}

function tagMatches(d: Descriptor, tag: string): boolean {
  return refNames(d).some((n) => n === tag || n.endsWith(`:${tag}`));
}

async function resolveLayout(acc: LayoutAccess, tag: string | undefined, platform: string | undefined): Promise<ResolvedImage> {
  const layoutFile = await acc.readFile('oci-layout');
  if (!layoutFile) throw new ImageArchiveError(`${acc.where}: not an OCI image layout (no oci-layout file)`, { subject: acc.where });
  const indexBytes = await acc.readFile('index.json');
  if (!indexBytes) throw new ImageArchiveError(`${acc.where}: OCI layout without index.json`, { subject: acc.where });
  const index = parseJson(indexBytes, `${acc.where}/index.json`);
  const entries = indexManifests(index, `${acc.where}/index.json`);
  const src = manifestSource(acc);
  let candidates = entries;
  if (tag !== undefined) {
    candidates = isDigest(tag) ? entries.filter((d) => d.digest === tag) : entries.filter((d) => tagMatches(d, tag));
    if (candidates.length === 0) {
      const tags = entries.flatMap(refNames);
      throw new UsageError(`${acc.where}: no image tagged ${JSON.stringify(tag)}`, tags.length ? `tags in this layout: ${tags.join(', ')}` : 'this layout has no tagged images');
    }
  }
  if (candidates.length === 1 && candidates[0]) {
    const d = candidates[0];
    const bytes = await src.readBlob(d.digest, 'manifest');
    return resolveFromDoc(src, parseJson(bytes, `manifest ${d.digest}`), d.digest, d.mediaType, platform, acc.where);
  }
  const named = new Set(candidates.flatMap(refNames));
  if (named.size > 1) {
    throw new UsageError(`${acc.where}: the layout holds several images; name one`, `append :<tag> (one of ${[...named].join(', ')})`);
  }
  // Untagged entries for different platforms: index.json itself is the multi-platform index.
  return resolveFromDoc(src, { manifests: candidates }, 'index.json', undefined, platform, acc.where);
}

function describeResolved(kind: 'oci-dir' | 'oci-archive', reference: string, r: ResolvedImage): ImageDescription {
  const d: ImageDescription = { kind, reference, configDigest: r.configDigest, layers: r.layers };
  if (isDigest(r.manifestDigest)) d.manifestDigest = r.manifestDigest;
  const os = r.config.os ?? r.platform?.os;
  const arch = r.config.architecture ?? r.platform?.architecture;
  const variant = r.config.variant ?? r.platform?.variant;
  if (os) d.os = os;
  if (arch) d.architecture = arch;
  if (variant) d.variant = variant;
  return d;
}

async function openLayout(kind: 'oci-dir' | 'oci-archive', acc: LayoutAccess, reference: string, tag: string | undefined, platform: string | undefined): Promise<ImageSource> {
  const r = await resolveLayout(acc, tag, platform);
  const desc = describeResolved(kind, reference, r);
  // Every layer blob must be there before anyone walks (a manifest pointing at a missing blob fails at open).
  const ranges: BlobRange[] = [];
  for (const l of r.layers) {
    const range = await acc.blobRange(l.digest);
    if (!range) {
      throw new ImageArchiveError(`${acc.where}: layer blob ${l.digest} is missing`, {
        subject: l.digest,
        hint: 'the image layout is incomplete; copy it again (e.g. skopeo copy)',
      });
    }
    ranges.push(range);
  }
  return new BlobImageSource(desc, async (i) => ranges[i] as BlobRange);
}

export async function openOciDir(dir: string, tag: string | undefined, opts: { platform?: string | undefined }): Promise<ImageSource> {
  const abs = path.resolve(dir);
  try {
    if (!(await fs.promises.stat(abs)).isDirectory()) throw new UsageError(`${abs}: not a directory`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${abs}: ${describeError(e)}`);
  }
  return openLayout('oci-dir', dirAccess(abs), tag ? `${abs}:${tag}` : abs, tag, opts.platform);
}

export async function openOciArchive(file: string, tag: string | undefined, opts: { platform?: string | undefined }): Promise<ImageSource> {
  const abs = path.resolve(file);
  const index = await indexTar(abs);
  return openLayout('oci-archive', tarAccess(index), tag ? `${abs}:${tag}` : abs, tag, opts.platform);
}
