import fs from 'node:fs';
import { ImageArchiveError } from '../image/errors.js';
import { isDigest, parseJson, resolveFromDoc, verifyDigest } from '../image/oci.js';
import type { ManifestSource } from '../image/oci.js';
import { markCallerError, walkLayerBlob, walkLayerStream } from '../image/layer-walk.js';
import { sniffCompression } from '../image/decompress.js';
import { DEFAULT_CONCURRENT_LAYERS, prewarmGunzipPool } from '../image/gunzip-pool.js';
import type { ImageDescription, ImageLayerInfo, ImageSource, LayerWalkResult, OnFileFn, WalkLayerOptions, WantFn } from '../image/types.js';
import { RegistryClient } from './client.js';
import type { RegistryClientOptions } from './client.js';
import { formatReference } from './reference.js';
import type { ImageReference } from './reference.js';

export interface OpenRegistryOptions extends RegistryClientOptions {
  platform?: string | undefined;
  /** Told how the pull of the layers not yet in the blobs cache goes (on each piece that arrives, and at each end). */
  onPull?: ((p: PullProgress) => void) | undefined;
}

/** The layers a scan downloads: those not in the blobs cache when the image was opened. */
export interface PullProgress {
  layers: number;
  layersDone: number;
  bytes: number;
  totalBytes: number;
}

/**
 * An image in a registry. Manifests are read at open (index → platform manifest → config); layers are walked as
 * they download (see `RegistryImageSource`), their blobs kept in the cache.
 */
export async function openRegistryImage(ref: ImageReference, opts: OpenRegistryOptions): Promise<ImageSource> {
  // Bytes per blob being pulled, known once the layers are (manifest and config blobs are not counted).
  let pulling: Map<string, { size: number; bytes: number; done: boolean }> | undefined;
  const report = (): void => {
    if (!pulling || !opts.onPull) return;
    let bytes = 0;
    let totalBytes = 0;
    let layersDone = 0;
    for (const b of pulling.values()) {
      bytes += b.bytes;
      totalBytes += b.size;
      if (b.done) layersDone++;
    }
    opts.onPull({ layers: pulling.size, layersDone, bytes, totalBytes });
  };
  const onBlobBytes = (digest: string, bytes: number): void => {
    const b = pulling?.get(digest);
    if (!b) return;
    b.bytes = bytes;
    if (b.size > 0 && bytes >= b.size) b.done = true;
    report();
  };
  // Layers are gunzipped by workers (streamed, or from the blobs cache): start them while the manifests come.
  prewarmGunzipPool(DEFAULT_CONCURRENT_LAYERS);
  const client = new RegistryClient(ref, opts.onPull ? { ...opts, onBlobBytes } : opts);
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
  if (opts.onPull) {
    pulling = new Map();
    for (const l of desc.layers) {
      if (!fs.statSync(client.blobPath(l.digest), { throwIfNoEntry: false })?.isFile()) pulling.set(l.digest, { size: l.size, bytes: 0, done: false });
    }
    if (pulling.size > 0) report();
  }
  return new RegistryImageSource(desc, client);
}

/**
 * Layers of a registry image. A layer not in the blobs cache is walked straight from the network: its bytes go to
 * the walk and to the cache at once, hashed once (`RegistryClient.streamBlob`), so decompression overlaps the
 * download. Layers named by `prefetch` are downloaded into the cache a few at a time meanwhile; a layer already
 * downloading is walked from the cache when its download ends. A layer in the cache is hashed by its walk. With
 * `keepBlobs: false` nothing is written: every layer not in the cache streams (hashed and verified) when walked.
 */
class RegistryImageSource implements ImageSource {
  private closed = false;
  private readonly downloads = new Map<number, Promise<{ file: string; verified: boolean }>>();
  private readonly streaming = new Set<number>();
  private queue: number[] = [];
  private active = 0;

  constructor(
    private readonly description: ImageDescription,
    private readonly client: RegistryClient,
  ) {}

  describe(): ImageDescription {
    return structuredClone(this.description);
  }

  private download(i: number, layer: ImageLayerInfo): Promise<{ file: string; verified: boolean }> {
    let p = this.downloads.get(i);
    if (!p) {
      p = this.client.fetchBlobFile(layer.digest, layer.size);
      p.catch(() => undefined); // reported to whoever walks the layer
      this.downloads.set(i, p);
    }
    return p;
  }

  private pump(): void {
    while (!this.closed && this.active < PARALLEL_DOWNLOADS && this.queue.length > 0) {
      const i = this.queue.shift()!;
      const layer = this.description.layers[i];
      if (!layer || this.downloads.has(i) || this.streaming.has(i)) continue;
      this.active++;
      void this.download(i, layer)
        .catch(() => undefined)
        .finally(() => {
          this.active--;
          this.pump();
        });
    }
  }

  prefetch(indexes: readonly number[]): void {
    // Downloading ahead means writing to the blobs cache: without it, each layer streams when it is walked.
    if (!this.client.keepsBlobs) return;
    this.queue.push(...indexes);
    this.pump();
  }

  async walkLayer(index: number, want: WantFn, onFile: OnFileFn, opts?: WalkLayerOptions): Promise<LayerWalkResult> {
    if (this.closed) throw new ImageArchiveError(`${this.description.reference}: image source is closed`);
    const layer = this.description.layers[index];
    if (!Number.isInteger(index) || !layer) {
      throw new RangeError(`layer index ${index} out of range (image has ${this.description.layers.length} layers)`);
    }
    this.queue = this.queue.filter((q) => q !== index);
    const cached = fs.statSync(this.client.blobPath(layer.digest), { throwIfNoEntry: false });
    const fromFile = async (): Promise<LayerWalkResult> => {
      const { file, verified } = await this.download(index, layer);
      const st = await fs.promises.stat(file);
      const verify = opts?.verifyDigest !== false && !verified;
      return walkLayerBlob({ file, start: 0, length: st.size }, { label: layer.digest, verifyDigest: verify ? layer.digest : undefined }, want, onFile, opts);
    };
    if (this.downloads.has(index) || (cached?.isFile() && (layer.size <= 0 || cached.size === layer.size))) return fromFile();
    this.streaming.add(index);
    try {
      // this thread receives and hashes the blob (and writes it to the blobs cache when kept); a gunzip worker inflates
      const chunks = sourceErrorsUntouched(this.client.streamBlob(layer.digest, layer.size));
      const first = await chunks.next();
      if (first.done) return { whiteouts: [], opaqueDirs: [], refused: [], bytes: 0 }; // an empty blob, digest checked
      const compression = sniffCompression(first.value);
      if (typeof compression !== 'string') {
        await chunks.return(undefined);
        throw new ImageArchiveError(`layer ${layer.digest}: ${compression.unsupported}-compressed layers are not supported`, {
          subject: layer.digest,
          hint: 'supported layer compressions: gzip, zstd, none',
        });
      }
      // the download checks the digest after its last chunk: the walk need not hash again
      return await walkLayerStream(prepend(first.value, chunks), compression, { label: layer.digest }, want, onFile, opts);
    } finally {
      this.streaming.delete(index);
    }
  }

  /** Nothing more is downloaded; returns once the downloads under way have ended (each one completes or cleans up after itself). */
  async close(): Promise<void> {
    this.closed = true;
    this.queue = [];
    await Promise.allSettled(this.downloads.values());
  }
}

/** Errors of the download (network, digest) reach the walk's caller as they are, not as a corrupt tar. */
async function* sourceErrorsUntouched(src: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield* src;
  } catch (e) {
    throw markCallerError(e);
  }
}

async function* prepend(first: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield first;
  for (;;) {
    const r = await rest.next();
    if (r.done) return;
    yield r.value;
  }
}

/** Layer blobs downloaded at the same time when the scanner says which layers it will walk. */
const PARALLEL_DOWNLOADS = 4;
