import fs from 'node:fs';
import { BlobImageSource } from '../image/blob-source.js';
import { ImageArchiveError } from '../image/errors.js';
import { isDigest, parseJson, resolveFromDoc, verifyDigest } from '../image/oci.js';
import type { ManifestSource } from '../image/oci.js';
import type { BlobRange } from '../image/layer-walk.js';
import type { ImageDescription, ImageSource } from '../image/types.js';
import { RegistryClient } from './client.js';
import type { RegistryClientOptions } from './client.js';
import { formatReference } from './reference.js';
import type { ImageReference } from './reference.js';

export interface OpenRegistryOptions extends RegistryClientOptions {
  platform?: string | undefined;
}

/**
 * An image in a registry. Manifests are read at open (index → platform manifest → config); each layer blob is
 * downloaded into the blobs cache (verified while downloading; `prefetch` starts several at once), then walked from
 * there without hashing it a second time. A blob already in the cache is hashed again by its walk.
 */
export async function openRegistryImage(ref: ImageReference, opts: OpenRegistryOptions): Promise<ImageSource> {
  const client = new RegistryClient(ref, opts);
  const src: ManifestSource = {
    async readBlob(digest, what) {
      const file = await client.fetchBlob(digest);
      const bytes = await fs.promises.readFile(file);
      try {
        verifyDigest(bytes, digest, what);
      } catch (e) {
        fs.rmSync(file, { force: true }); // a damaged cache entry: drop it
        throw e;
      }
      return bytes;
    },
    async readManifest(digest) {
      const m = await client.getManifest(digest);
      return { bytes: m.bytes, mediaType: m.mediaType };
    },
  };
  const top = await client.getManifest(ref.digest ?? ref.tag ?? 'latest');
  const resolved = await resolveFromDoc(src, parseJson(top.bytes, `manifest ${formatReference(ref)}`), top.digest, top.mediaType, opts.platform, formatReference(ref));
  const desc: ImageDescription = { kind: 'registry', reference: formatReference(ref), configDigest: resolved.configDigest, layers: resolved.layers };
  if (isDigest(resolved.manifestDigest)) desc.manifestDigest = resolved.manifestDigest;
  const os = resolved.config.os ?? resolved.platform?.os;
  const arch = resolved.config.architecture ?? resolved.platform?.architecture;
  const variant = resolved.config.variant ?? resolved.platform?.variant;
  if (os) desc.os = os;
  if (arch) desc.architecture = arch;
  if (variant) desc.variant = variant;
  if (ref.tag !== undefined) desc.repoTags = [`${ref.registry}/${ref.repository}:${ref.tag}`];
  // Layer blobs: each downloaded once (verified while downloading), several at a time when prefetched.
  const downloads = new Map<number, Promise<BlobRange>>();
  const download = (i: number): Promise<BlobRange> => {
    let p = downloads.get(i);
    if (!p) {
      const layer = resolved.layers[i];
      if (!layer) throw new ImageArchiveError(`layer ${i} out of range`);
      p = client.fetchBlobFile(layer.digest, layer.size).then(async ({ file, verified }) => ({ file, start: 0, length: (await fs.promises.stat(file)).size, verified }));
      p.catch(() => undefined); // reported to whoever walks the layer
      downloads.set(i, p);
    }
    return p;
  };
  let queue: number[] = [];
  let active = 0;
  const pump = (): void => {
    while (active < PARALLEL_DOWNLOADS && queue.length > 0) {
      const i = queue.shift()!;
      if (downloads.has(i)) continue;
      active++;
      void download(i)
        .catch(() => undefined)
        .finally(() => {
          active--;
          pump();
        });
    }
  };
  return new BlobImageSource(
    desc,
    (i) => {
      queue = queue.filter((q) => q !== i);
      return download(i);
    },
    async () => {
      queue = [];
    },
    (indexes) => {
      queue.push(...indexes.filter((i) => resolved.layers[i] !== undefined));
      pump();
    },
  );
}

/** Layer blobs downloaded at the same time when the scanner says which layers it will walk. */
const PARALLEL_DOWNLOADS = 4;
