import fs from 'node:fs';
import path from 'node:path';
import { FileError } from '../core/errors.js';
import { DEFAULT_EXTRACTORS, LANGUAGE_EXTRACTORS } from '../extract/registry.js';
import { looksLikeRootfs, openImage, parseImageTarget } from '../source/image/index.js';
import type { ImageTarget } from '../source/image/index.js';
import type { Logger } from '../util/log.js';
import { extractDirectory, isDirectory } from './directory.js';
import { inventoryOfImage } from './image.js';
import { mergePackages } from './packages.js';
import type { Inventory } from './scanner.js';
import { targetName } from './scanner.js';

export interface TargetOptions {
  cacheDir: string;
  log: Logger;
  /** Images: os/arch[/variant] to pick from a multi-architecture index. */
  platform?: string;
  username?: string;
  password?: string;
  /** Registry over plain HTTP. */
  insecure?: boolean;
  /** Neither read nor write the per-layer cache. */
  noLayerCache?: boolean;
}

/** Resolves `dir:<path>`, a directory, or one lockfile into an inventory. */
async function inventoryOfPath(full: string): Promise<Inventory> {
  if (isDirectory(full)) {
    const result = await extractDirectory(full, LANGUAGE_EXTRACTORS);
    return { target: { kind: 'directory', name: targetName(full) }, os: null, packages: mergePackages(result.packages), unknowns: result.unknowns, errors: result.errors };
  }
  const root = path.dirname(full);
  const result = await extractDirectory(root, DEFAULT_EXTRACTORS, path.basename(full));
  return { target: { kind: 'file', name: targetName(full) }, os: null, packages: mergePackages(result.packages), unknowns: result.unknowns, errors: result.errors };
}

/** What a target names: a local path (dir, lockfile), or an image (archive, layout, registry, rootfs). */
export function classifyTarget(target: string): { kind: 'path'; path: string } | { kind: 'image'; image: ImageTarget } {
  if (target.startsWith('dir:')) return { kind: 'path', path: path.resolve(target.slice(4)) };
  const image = parseImageTarget(target);
  if (image) {
    // A bare "a/b/c" that is not on disk reads as a registry reference, unless its first folder exists here:
    // then it was meant as a path.
    const first = target.split('/')[0]!;
    if (image.kind === 'registry' && !/^[a-z]+:/.test(target) && target.includes('/') && isDirectory(first)) {
      return { kind: 'path', path: path.resolve(target) };
    }
    return { kind: 'image', image };
  }
  const full = path.resolve(target);
  if (isDirectory(full) && looksLikeRootfs(full) && !fs.existsSync(path.join(full, '.git'))) {
    return { kind: 'image', image: { kind: 'rootfs', path: full } };
  }
  return { kind: 'path', path: full };
}

/** Turns whatever the user named into the packages it holds: the Source → Extract stages of a scan. */
export async function inventoryOf(target: string, opts: TargetOptions): Promise<Inventory> {
  const t = classifyTarget(target);
  if (t.kind === 'path') {
    if (!fs.existsSync(t.path)) throw new FileError(t.path, 'no such file or directory', { hint: 'give a directory, a lockfile, or an image reference' });
    return inventoryOfPath(t.path);
  }
  const source = await openImage(t.image, {
    cacheDir: opts.cacheDir,
    platform: opts.platform,
    username: opts.username,
    password: opts.password,
    insecure: opts.insecure,
  });
  try {
    return await inventoryOfImage(source, {
      cacheDir: opts.cacheDir,
      noLayerCache: opts.noLayerCache,
      onLayer: (i, n, cached) => opts.log.debug(`layer ${i + 1}/${n}${cached ? ' (cached)' : ''}`),
    });
  } finally {
    await source.close();
  }
}
