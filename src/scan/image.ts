import path from 'node:path';
import { describeError } from '../core/errors.js';
import type { FileProblem, Package, Unknown } from '../core/package.js';
import type { OsReport } from '../core/report.js';
import { decodeText } from '../extract/util/text.js';
import { DEFAULT_EXTRACTORS, extractorFingerprint, extractorIndex } from '../extract/registry.js';
import type { Extractor, TreeReader } from '../extract/types.js';
import { assignDistro } from '../extract/os/distro.js';
import { OS_RELEASE_FILES, detectOs } from '../extract/os/release/index.js';
import type { ImageSource } from '../source/image/index.js';
import { DEFAULT_CONCURRENT_LAYERS } from '../source/image/gunzip-pool.js';
import { extractFile } from './extract-files.js';
import type { LayerResult } from './layer-cache.js';
import { LayerCache } from './layer-cache.js';
import { mergePackages } from './packages.js';
import type { Inventory } from './scanner.js';

export interface ImageScanOptions {
  cacheDir: string;
  /** Neither read nor write the per-layer cache. */
  noLayerCache?: boolean;
  extractors?: readonly Extractor[];
  /** Called after each layer, for progress (layers walked concurrently may finish out of order). */
  onLayer?: (index: number, total: number, cached: boolean) => void;
  /** Layers walked at the same time (default: 2, or 1 on a single core). */
  layerConcurrency?: number;
}


const OS_FILES = new Set(OS_RELEASE_FILES);
/** Contents of a layer's wanted files kept for extractors that read a sibling (a pom's parent), at most. */
const SEEN_MAX_BYTES = 32 * 1024 * 1024;

/** Extracts one layer: one pass over its tar, wanted files handed to the extractors as they stream by. */
async function extractLayer(source: ImageSource, index: number, extractors: readonly Extractor[], verifyDigest: boolean): Promise<LayerResult> {
  const result: LayerResult = { files: {}, osFiles: {}, symlinks: {}, whiteouts: [], opaqueDirs: [], refused: [] };
  const byPath = extractorIndex(extractors);
  // The walk asks about the path it is at several times (in place? sieved? then its callback): answered once.
  let lastPath: string | undefined;
  let lastWanted: Extractor[] = [];
  const wanted = (p: string): Extractor[] => {
    if (p !== lastPath) {
      lastWanted = byPath.wanted(p);
      lastPath = p;
    }
    return lastWanted;
  };
  const wantedAny = (p: string): boolean => byPath.wantsAny(p);
  const sieved = (p: string): boolean => {
    const ex = wanted(p);
    return ex.length > 0 && ex.every((e) => e.needles !== undefined);
  };
  // Files of the same layer that an extractor asks for (a pom's parent): only those already streamed are known.
  // Bounded in all (SEEN_MAX_BYTES), so that a layer with many wanted files keeps memory flat.
  const seen = new Map<string, Uint8Array>();
  let seenBytes = 0;
  const tree: TreeReader = { read: async (p) => seen.get(p) };
  const walk = await source.walkLayer(
    index,
    (p) => OS_FILES.has(p) || wantedAny(p),
    async (entry, content) => {
      if (OS_FILES.has(entry.path)) result.osFiles[entry.path] = decodeText(content);
      const ex = wanted(entry.path);
      if (ex.length === 0) return;
      const old = seen.get(entry.path);
      if (old) {
        seen.delete(entry.path); // a later entry of the same path replaces it
        seenBytes -= old.length;
      }
      if (content.length < 4 * 1024 * 1024 && seenBytes + content.length <= SEEN_MAX_BYTES) {
        seen.set(entry.path, content);
        seenBytes += content.length;
      }
      const out = { packages: [] as Package[], unknowns: [] as Unknown[], errors: [] as FileProblem[] };
      await extractFile(entry.path, content, ex, tree, out);
      result.files[entry.path] = out;
    },
    {
      verifyDigest,
      // Executables and archives, for extractors that read only their headers and sections: read in place when the
      // layer allows it (a plain tar in a file), never copied out whole.
      inPlace: (p) => !OS_FILES.has(p) && wanted(p).every((e) => e.extractFrom !== undefined),
      onFileAt: async (entry, file) => {
        const out = { packages: [] as Package[], unknowns: [] as Unknown[], errors: [] as FileProblem[] };
        await extractFile(entry.path, file, wanted(entry.path), tree, out);
        result.files[entry.path] = out;
      },
      // Executables in a compressed layer: parsed only when they carry what their extractors look for.
      sieve: { accepts: (p) => !OS_FILES.has(p) && sieved(p), needles: sieveNeedles(extractors) },
      onSymlink: (entry) => {
        if (entry.linkTarget) result.symlinks[entry.path] = entry.linkTarget;
      },
    },
  );
  result.whiteouts = walk.whiteouts;
  result.opaqueDirs = walk.opaqueDirs;
  result.refused = walk.refused;
  return result;
}

/** Every needle of the extractors that have them (`Extractor.needles`): a file with none is of no use to any of them. */
function sieveNeedles(extractors: readonly Extractor[]): Buffer[] {
  let cached = needlesOf.get(extractors);
  if (!cached) {
    cached = [...new Set(extractors.flatMap((e) => e.needles ?? []))].map((n) => Buffer.from(n, 'latin1'));
    needlesOf.set(extractors, cached);
  }
  return cached;
}
const needlesOf = new WeakMap<readonly Extractor[], Buffer[]>();

function under(p: string, dir: string): boolean {
  return dir === '' || p === dir || p.startsWith(`${dir}/`);
}

interface Surviving {
  layer: number;
  file: LayerResult['files'][string];
  /** package key → index of the layer that introduced it */
  introducedBy: Map<string, number>;
}

const pkgKey = (p: Package): string => `${p.ecosystem}\u0000${p.name}\u0000${p.version}\u0000${p.arch ?? ''}`;

/**
 * Stacks the layers' results the way the image's filesystem stacks: a file in a higher layer replaces the
 * same path below; whiteouts and opaque directories remove lower content. Each package keeps the layer that
 * introduced it (the lowest layer from which it has been present in that file without interruption).
 */
export function stackLayers(layers: readonly LayerResult[], digests: readonly string[]): { files: Map<string, Surviving>; osFiles: Map<string, string>; refused: LayerResult['refused'] } {
  const files = new Map<string, Surviving>();
  const osFiles = new Map<string, { layer: number; text: string }>();
  const symlinks = new Map<string, string>();
  const refused: LayerResult['refused'] = [];
  layers.forEach((layer, i) => {
    const drop = (pred: (p: string) => boolean): void => {
      for (const p of [...files.keys()]) if (pred(p)) files.delete(p);
      for (const p of [...osFiles.keys()]) if (pred(p)) osFiles.delete(p);
      for (const p of [...symlinks.keys()]) if (pred(p)) symlinks.delete(p);
    };
    for (const d of layer.opaqueDirs) drop((p) => p !== d && under(p, d));
    for (const w of layer.whiteouts) drop((p) => under(p, w));
    for (const [p, file] of Object.entries(layer.files)) {
      const prev = files.get(p);
      const introducedBy = new Map<string, number>();
      for (const pkg of file.packages) {
        const k = pkgKey(pkg);
        introducedBy.set(k, prev?.introducedBy.get(k) ?? i);
      }
      files.set(p, { layer: i, file, introducedBy });
    }
    for (const [p, text] of Object.entries(layer.osFiles)) {
      osFiles.set(p, { layer: i, text });
      symlinks.delete(p);
    }
    for (const [p, target] of Object.entries(layer.symlinks)) {
      symlinks.set(p, target);
      osFiles.delete(p);
    }
    for (const r of layer.refused) refused.push({ path: r.path, reason: `${r.reason} (layer ${digests[i]})` });
  });
  // Resolve OS-file symlinks inside the image (etc/os-release → ../usr/lib/os-release).
  const os = new Map<string, string>();
  for (const [p, v] of osFiles) os.set(p, v.text);
  for (const [p, target] of symlinks) {
    const resolved = path.posix.normalize(target.startsWith('/') ? target.slice(1) : path.posix.join(path.posix.dirname(p), target));
    const text = os.get(resolved);
    if (text !== undefined && !os.has(p)) os.set(p, text);
  }
  return { files, osFiles: os, refused };
}

/** The Source → Extract stages for an image: per layer (cached by digest), then stacked. */
export async function inventoryOfImage(source: ImageSource, opts: ImageScanOptions): Promise<Inventory> {
  const desc = source.describe();
  const extractors = opts.extractors ?? DEFAULT_EXTRACTORS;
  const cacheable = desc.kind !== 'rootfs' && !opts.noLayerCache;
  // A layer's digest is checked against its bytes when its result goes into the layer cache, which from then on
  // trusts the digest as the name of that content (a cache hit is never re-read). Without the cache (--no-layer-cache)
  // the scan reports exactly the bytes it walked, under the digests the image names them by, and does not hash a
  // local archive's layers (Trivy does not either): hashing is half of the CPU of a cold scan of a plain
  // docker-archive. Every other refusal stays (paths, links, bombs, truncation, corrupt tars), and a registry's
  // bytes are always checked as they arrive, since they are kept in the blobs cache.
  const cache = new LayerCache(path.join(opts.cacheDir, 'layers'), extractorFingerprint(extractors));
  const results: LayerResult[] = new Array<LayerResult>(desc.layers.length);
  const errors: FileProblem[] = [];
  const todo: number[] = [];
  for (let i = 0; i < desc.layers.length; i++) {
    const cached = cacheable ? cache.get(desc.layers[i]!.digest) : undefined;
    if (cached) {
      results[i] = cached;
      opts.onLayer?.(i, desc.layers.length, true);
    } else todo.push(i);
  }
  // Layers not in the cache are walked a few at a time: one layer's decompression (zlib's thread pool) and
  // hashing (a worker thread) overlap with another's walk on this thread. A registry streams the layers being
  // walked and downloads the later ones meanwhile.
  const concurrency = Math.max(1, Math.min(opts.layerConcurrency ?? DEFAULT_CONCURRENT_LAYERS, todo.length));
  source.prefetch?.(todo.slice(concurrency));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const i = todo[next++]!;
      let result: LayerResult;
      try {
        result = await extractLayer(source, i, extractors, cacheable);
      } catch (e) {
        next = todo.length; // the scan fails: start no other layer
        throw e;
      }
      if (cacheable) {
        try {
          cache.put(desc.layers[i]!.digest, result);
        } catch (e) {
          errors.push({ path: desc.layers[i]!.digest, code: 'BULWARK_E_IO', message: `cannot write the layer cache: ${describeError(e)}` });
        }
      }
      results[i] = result;
      opts.onLayer?.(i, desc.layers.length, false);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const digests = desc.layers.map((l) => l.digest);
  const stacked = stackLayers(results, digests);
  const osInfo = detectOs(stacked.osFiles);
  const packages: Package[] = [];
  const unknowns: Unknown[] = [];
  for (const [filePath, s] of stacked.files) {
    for (const pkg of s.file.packages) {
      const layer = digests[s.introducedBy.get(pkgKey(pkg)) ?? s.layer];
      packages.push({ ...pkg, layer, locations: pkg.locations.map((l) => ({ ...l, path: l.path || filePath, layer: digests[s.layer] })) });
    }
    for (const u of s.file.unknowns) unknowns.push(u);
    for (const e of s.file.errors) errors.push(e);
  }
  for (const r of stacked.refused) errors.push({ path: r.path, code: 'BULWARK_E_ARCHIVE', message: `refused: ${r.reason}` });
  const os: OsReport | null = osInfo ? { family: osInfo.family, version: osInfo.version, name: osInfo.name } : null;
  if (!osInfo && packages.some((p) => ['deb', 'apk', 'rpm'].includes(p.ecosystem))) {
    unknowns.push({ kind: 'os-not-covered', message: 'OS packages were found but no os-release or distro release file: the OS is unknown, so distro advisories cannot be matched' });
  }
  const isImage = desc.kind !== 'rootfs';
  return {
    target: {
      kind: isImage ? 'image' : 'rootfs',
      name: desc.reference,
      ...(isImage
        ? {
            image: {
              reference: desc.reference,
              ...(desc.manifestDigest ? { manifestDigest: desc.manifestDigest } : {}),
              configDigest: desc.configDigest,
              layers: desc.layers.map((l) => ({ digest: l.digest, ...(l.diffId ? { diffId: l.diffId } : {}), size: l.size })),
              ...(desc.os ? { os: desc.os } : {}),
              ...(desc.architecture ? { architecture: desc.architecture } : {}),
            },
          }
        : {}),
    },
    os,
    packages: mergePackages(assignDistro(packages, osInfo)),
    unknowns,
    errors,
  };
}
