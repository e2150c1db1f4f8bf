/**
 * Public types of the image source: how the scanner gets at an image's layers without a Docker daemon.
 * Every form (docker-archive, OCI layout dir or archive, registry, rootfs dir) is an `ImageSource`.
 */

export interface ImageLayerInfo {
  /** Blob digest as in the manifest (docker-archive: the digest of the layer file, usually the diff id). */
  digest: string;
  /** Digest of the uncompressed tar (config `rootfs.diff_ids[i]`), when known. */
  diffId?: string;
  /** Blob size in bytes (compressed when the blob is compressed). */
  size: number;
  mediaType: string;
}

/** 'rootfs' is an unpacked root filesystem directory, described as one pseudo-layer. */
export type ImageKind = 'docker-archive' | 'oci-dir' | 'oci-archive' | 'registry' | 'rootfs';

export interface ImageDescription {
  kind: ImageKind;
  /** What the user asked for, normalized (a path, `path:tag`, or `host/repo:tag@digest`). */
  reference: string;
  /** Digest of the image manifest (not of an index), when the form has one. */
  manifestDigest?: string;
  configDigest: string;
  layers: ImageLayerInfo[];
  os?: string;
  architecture?: string;
  variant?: string;
  repoTags?: string[];
}

export interface LayerEntry {
  /** Normalized, relative, no leading slash. */
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';
  size: number;
  mode: number;
  linkTarget?: string;
}

export interface RefusedEntry {
  path: string;
  reason: string;
}

export interface LayerWalkResult {
  /** Paths removed by `.wh.<name>` entries (normalized, the removed path, not the marker). */
  whiteouts: string[];
  /** Directories whose lower content is hidden (`.wh..wh..opq`). */
  opaqueDirs: string[];
  /** Hostile entries: `../` escapes, absolute-path escapes, symlink / hard-link escapes, oversize wanted files. */
  refused: RefusedEntry[];
  /** Uncompressed tar bytes walked. */
  bytes: number;
}

export interface WalkLayerOptions {
  /** Cap on the uncompressed bytes of the layer (default 8 GiB); beyond it the walk fails (decompression bomb). */
  maxLayerBytes?: number;
  /** Wanted files larger than this are refused, not read (default 128 MiB). */
  maxFileBytes?: number;
  /**
   * Hash the layer's raw bytes while walking and fail unless they match its digest (default true). The scanner
   * caches results by digest, so turning this off trusts the archive's naming of its layers.
   */
  verifyDigest?: boolean;
  /** Called for symlinks whose path `want` accepts (and that stay inside the root), e.g. etc/os-release. */
  onSymlink?: (entry: LayerEntry) => void | Promise<void>;
  /**
   * Wanted files the caller can take as positional reads (`inPlace(path)` true) are handed to `onFileAt` instead of
   * `onFile`, without being read, where the layer is a plain tar in a file that is walked without hashing; the reads
   * are valid until the callback's promise settles. Elsewhere such files come to `onFile` as bytes, as always.
   */
  inPlace?: (path: string) => boolean;
  onFileAt?: (entry: LayerEntry, file: PositionalFile) => void | Promise<void>;
  /**
   * Wanted files whose bytes stream by (a compressed layer) and that `sieve.accepts`: read into a buffer reused from
   * file to file and handed to `onFile` only when they contain one of `sieve.needles`; the others are passed over
   * (the caller's readers would find nothing in them). A hard link to a file passed over is refused unless
   * `sieve.accepts` its own path.
   */
  sieve?: { accepts(path: string): boolean; needles: readonly Uint8Array[] };
}

/** Positional reads of one file inside a layer (the shape of the extractors' RandomAccessFile). */
export interface PositionalFile {
  readonly size: number;
  /** The bytes at [offset, offset + length), fewer only where the file ends. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

export type WantFn = (path: string) => boolean;
export type OnFileFn = (entry: LayerEntry, content: Uint8Array) => void | Promise<void>;

export interface ImageSource {
  describe(): ImageDescription;
  /**
   * Streams layer `index` once (decompressing gzip / zstd / plain by magic bytes), calling `onFile` for every
   * regular file (and hard link resolved to its target's content when the target was a wanted file earlier in
   * the same layer) whose normalized path `want(path)` accepts, with its full content. Never writes layer content
   * to disk.
   */
  walkLayer(index: number, want: WantFn, onFile: OnFileFn, opts?: WalkLayerOptions): Promise<LayerWalkResult>;
  /**
   * Says which layers are about to be walked, so that a source that must fetch them (a registry) starts doing so,
   * several at a time. Optional; never required for correctness.
   */
  prefetch?(indexes: readonly number[]): void;
  close(): Promise<void>;
}

export const DEFAULT_MAX_LAYER_BYTES = 8 * 1024 ** 3;
export const DEFAULT_MAX_FILE_BYTES = 128 * 1024 ** 2;
