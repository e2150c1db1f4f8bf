import fs from 'node:fs';
import { BlobImageSource } from '../image/blob-source.js';
import { ImageArchiveError } from '../image/errors.js';
import { isDigest, parseJson, resolveFromDoc, verifyDigest } from '../image/oci.js';
import type { ManifestSource } from '../image/oci.js';
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
 * downloaded into the blobs cache on first walk (verified), then streamed from there.
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
  return new BlobImageSource(desc, async (i) => {
    const layer = resolved.layers[i];
    if (!layer) throw new ImageArchiveError(`layer ${i} out of range`);
    const file = await client.fetchBlob(layer.digest, layer.size);
    const st = await fs.promises.stat(file);
    return { file, start: 0, length: st.size };
  });
}
