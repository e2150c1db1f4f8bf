import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../core/errors.js';
import { BlobImageSource } from './blob-source.js';
import { sniffCompression } from './decompress.js';
import { ImageArchiveError } from './errors.js';
import type { BlobRange } from './layer-walk.js';
import { digestOf, parseConfig, parseJson } from './oci.js';
import { indexTar, readMember, resolveMember } from './tar-index.js';
import type { TarIndex, TarMember } from './tar-index.js';
import type { ImageDescription, ImageLayerInfo, ImageSource } from './types.js';

interface DockerManifestEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

const MT_BY_COMPRESSION = {
  none: 'application/vnd.docker.image.rootfs.diff.tar',
  gzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
} as const;

function parseEntries(doc: unknown, file: string): DockerManifestEntry[] {
  if (!Array.isArray(doc) || doc.length === 0) throw new ImageArchiveError(`${file}: manifest.json holds no image`, { subject: file });
  return doc.map((e, i) => {
    const o = e as Partial<DockerManifestEntry> | null;
    if (!o || typeof o.Config !== 'string' || !Array.isArray(o.Layers) || !o.Layers.every((l) => typeof l === 'string')) {
      throw new ImageArchiveError(`${file}: manifest.json entry ${i} lacks Config or Layers`, { subject: file });
    }
    return o as DockerManifestEntry;
  });
}

function pickEntry(entries: DockerManifestEntry[], tag: string | undefined, file: string): DockerManifestEntry {
  if (tag === undefined) {
    if (entries.length === 1 && entries[0]) return entries[0];
    const tags = entries.flatMap((e) => e.RepoTags ?? []);
    throw new UsageError(`${file}: the archive holds ${entries.length} images; name one`, `append :<tag> (one of ${tags.join(', ') || 'no tags'})`);
  }
  const matches = (t: string): boolean => t === tag || t.endsWith(`/${tag}`) || t.endsWith(`:${tag}`) || t === `docker.io/library/${tag}`;
  const found = entries.find((e) => (e.RepoTags ?? []).some(matches));
  if (found) return found;
  const n = /^\d+$/.test(tag) ? Number(tag) : NaN;
  const byIndex = Number.isInteger(n) ? entries[n] : undefined; // skopeo's @N source index
  if (byIndex) return byIndex;
  throw new UsageError(`${file}: no image tagged ${JSON.stringify(tag)}`, `tags in this archive: ${entries.flatMap((e) => e.RepoTags ?? []).join(', ') || 'none'}`);
}

/** `<hex>.tar`, `<hex>.tar.gz`, `blobs/sha256/<hex>`: names that carry the blob's digest. */
function digestFromName(name: string): string | undefined {
  const m = /(?:^|\/)(?:blobs\/sha256\/)?([0-9a-f]{64})(?:\.tar(?:\.gz|\.zst)?)?$/.exec(name);
  return m && (name.startsWith('blobs/sha256/') || /\.tar/.test(name)) ? `sha256:${m[1]}` : undefined;
}

async function hashRange(file: string, m: TarMember): Promise<string> {
  const hash = crypto.createHash('sha256');
  if (m.size > 0) {
    for await (const chunk of fs.createReadStream(file, { start: m.offset, end: m.offset + m.size - 1, highWaterMark: 1 << 20 })) {
      hash.update(chunk as Buffer);
    }
  }
  return `sha256:${hash.digest('hex')}`;
}

async function readHeadBytes(file: string, m: TarMember): Promise<Uint8Array> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const b = Buffer.alloc(Math.min(6, m.size));
    await fh.read(b, 0, b.length, m.offset);
    return b;
  } finally {
    await fh.close();
  }
}

/**
 * A `docker save` / podman / skopeo / kaniko archive: `manifest.json`, the config and the layer tars (plain or
 * compressed) as members. The archive is indexed once; layers are streamed from their byte ranges.
 */
export async function openDockerArchive(file: string, tag: string | undefined): Promise<ImageSource> {
  const abs = path.resolve(file);
  const index: TarIndex = await indexTar(abs);
  const manifestMember = resolveMember(index, 'manifest.json');
  if (!manifestMember) {
    throw new ImageArchiveError(`${abs}: no manifest.json at the top of the archive: not a docker-archive`, {
      subject: abs,
      hint: 'an OCI archive (oci-layout, index.json) opens as oci-archive:<path>',
    });
  }
  const entries = parseEntries(parseJson(await readMember(index, manifestMember), `${abs}: manifest.json`), abs);
  const entry = pickEntry(entries, tag, abs);
  const configMember = resolveMember(index, entry.Config);
  if (!configMember) {
    throw new ImageArchiveError(`${abs}: manifest.json names config ${entry.Config}, which is not in the archive`, { subject: entry.Config });
  }
  const configBytes = await readMember(index, configMember);
  const configDigest = digestOf(configBytes);
  const config = parseConfig(parseJson(configBytes, `${abs}: ${entry.Config}`), entry.Config);
  const diffIds = Array.isArray(config.rootfs?.diff_ids) ? config.rootfs.diff_ids : [];
  if (diffIds.length > 0 && diffIds.length !== entry.Layers.length) {
    throw new ImageArchiveError(`${abs}: manifest.json lists ${entry.Layers.length} layers but the config has ${diffIds.length} diff ids`, { subject: abs });
  }
  const layers: ImageLayerInfo[] = [];
  const ranges: BlobRange[] = [];
  for (const [i, name] of entry.Layers.entries()) {
    const m = resolveMember(index, name);
    if (!m) {
      throw new ImageArchiveError(`${abs}: manifest.json names layer ${name}, which is not in the archive`, {
        subject: name,
        hint: 'the archive is incomplete or damaged; save it again',
      });
    }
    const compression = sniffCompression(await readHeadBytes(abs, m));
    const diffId = diffIds[i];
    let digest: string | undefined;
    if (compression === 'none' && typeof diffId === 'string') digest = diffId;
    else digest = digestFromName(m.name) ?? (await hashRange(abs, m));
    const info: ImageLayerInfo = {
      digest,
      size: m.size,
      mediaType: typeof compression === 'string' ? MT_BY_COMPRESSION[compression] : `application/octet-stream (${compression.unsupported})`,
    };
    if (typeof diffId === 'string') info.diffId = diffId;
    layers.push(info);
    ranges.push({ file: abs, start: m.offset, length: m.size });
  }
  const desc: ImageDescription = { kind: 'docker-archive', reference: tag ? `${abs}:${tag}` : abs, configDigest, layers };
  if (config.os) desc.os = config.os;
  if (config.architecture) desc.architecture = config.architecture;
  if (config.variant) desc.variant = config.variant;
  if (entry.RepoTags && entry.RepoTags.length > 0) desc.repoTags = [...entry.RepoTags];
  return new BlobImageSource(desc, async (i) => ranges[i] as BlobRange);
}
