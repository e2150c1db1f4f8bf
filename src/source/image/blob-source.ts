import { ImageArchiveError } from './errors.js';
import { walkLayerBlob } from './layer-walk.js';
import type { BlobRange } from './layer-walk.js';
import type { ImageDescription, ImageSource, LayerWalkResult, OnFileFn, WalkLayerOptions, WantFn } from './types.js';

/**
 * An image whose layers are byte ranges of files on disk (a layout's blob files, members of an archive, a
 * registry's blobs in the cache). Each layer's raw bytes are hashed while walking and must match its digest.
 */
export class BlobImageSource implements ImageSource {
  private closed = false;
  constructor(
    private readonly description: ImageDescription,
    private readonly locate: (index: number) => Promise<BlobRange>,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {}

  describe(): ImageDescription {
    return structuredClone(this.description);
  }

  async walkLayer(index: number, want: WantFn, onFile: OnFileFn, opts?: WalkLayerOptions): Promise<LayerWalkResult> {
    if (this.closed) throw new ImageArchiveError(`${this.description.reference}: image source is closed`);
    const layer = this.description.layers[index];
    if (!Number.isInteger(index) || !layer) {
      throw new RangeError(`layer index ${index} out of range (image has ${this.description.layers.length} layers)`);
    }
    const blob = await this.locate(index);
    const verify = opts?.verifyDigest !== false && blob.verified !== true;
    return walkLayerBlob(blob, { label: layer.digest, verifyDigest: verify ? layer.digest : undefined }, want, onFile, opts);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.onClose();
  }
}
