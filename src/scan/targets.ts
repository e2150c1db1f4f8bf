import fs from 'node:fs';
import path from 'node:path';
import { BulwarkError, FileError, ParseError, UsageError } from '../core/errors.js';
import type { FileProblem } from '../core/package.js';
import { DEFAULT_EXTRACTORS, LANGUAGE_EXTRACTORS } from '../extract/registry.js';
// Only what classifies a target is loaded up front: the image readers (and with them http, zlib and the workers)
// are imported when a target is an image, so that a lockfile or folder scan starts without them.
import { looksLikeRootfs } from '../source/image/rootfs.js';
import { parseImageTarget } from '../source/image/target.js';
import type { ImageTarget } from '../source/image/target.js';
import type { ImageSource } from '../source/image/types.js';
import type { HostWalkOptions } from '../source/host/index.js';
import type { ProgressReporter, ProgressTask } from '../util/progress.js';
import { noProgress } from '../util/progress.js';
import type { Logger } from '../util/log.js';
import { extractDirectory, isDirectory } from './directory.js';
import { inventoryOfHost } from './host.js';
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
  /** Progress of image layer walks (a TTY line; noProgress elsewhere). */
  progress?: ProgressReporter;
  /** How directories and root filesystems are walked: --skip-dirs/--skip-files, --all-filesystems, --timeout. */
  host?: HostWalkOptions;
}

const UNREADABLE_HINT = 'Bulwark could not read anything in it: fix or regenerate the file, or scan the directory that holds it';

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** A named file whose only result is file problems could not be read at all: that is an error, not a scan result. */
function unreadableFile(display: string, problems: FileProblem[]): BulwarkError {
  const first = problems[0]!;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem(s))` : '';
  const message = `${oneLine(first.message)}${first.extractor ? ` [${first.extractor}]` : ''}${more}`;
  return first.code === 'BULWARK_E_IO'
    ? new FileError(display, message, { hint: 'check that the file exists and can be read' })
    : new ParseError(display, message, { hint: UNREADABLE_HINT });
}

/** Resolves `dir:<path>`, a directory, or one lockfile into an inventory. */
async function inventoryOfPath(full: string, host: HostWalkOptions): Promise<Inventory> {
  const display = targetName(full);
  if (isDirectory(full)) {
    const result = await extractDirectory(full, LANGUAGE_EXTRACTORS, undefined, host);
    const root = result.errors.find((e) => e.path === '.' && e.code === 'BULWARK_E_IO');
    if (root) throw new FileError(display, oneLine(root.message), { hint: 'check that the directory can be listed' });
    return { target: { kind: 'directory', name: display }, os: null, packages: mergePackages(result.packages), unknowns: result.unknowns, errors: result.errors };
  }
  const name = path.basename(full);
  if (!DEFAULT_EXTRACTORS.some((e) => e.required(name))) {
    throw new BulwarkError('BULWARK_E_UNSUPPORTED', `${display}: no extractor reads a file of this name`, {
      hint: 'give the file the name its tool writes (package-lock.json, Gemfile.lock, go.mod, …), or scan the directory that holds it',
    });
  }
  const result = await extractDirectory(path.dirname(full), DEFAULT_EXTRACTORS, name);
  if (result.packages.length === 0 && result.unknowns.length === 0 && result.errors.length > 0) throw unreadableFile(display, result.errors);
  return { target: { kind: 'file', name: display }, os: null, packages: mergePackages(result.packages), unknowns: result.unknowns, errors: result.errors };
}

/** Stats a path named on the command line: a missing or unreadable one is an error that says which. */
function statTarget(full: string): void {
  try {
    fs.statSync(full);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new FileError(targetName(full), 'no such file or directory', { hint: 'give a directory, a lockfile, or an image reference' });
    const why = code === 'ELOOP' ? 'too many levels of symbolic links' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (code ?? String(e));
    throw new FileError(targetName(full), `cannot read it: ${why}`, { hint: 'check the path and its permissions' });
  }
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

function checkRootfs(dir: string): void {
  statTarget(dir);
  if (!isDirectory(dir)) throw new UsageError(`rootfs ${dir}: not a directory`, 'give the directory of an unpacked root filesystem, or rootfs:/ for this machine');
}

/** Turns whatever the user named into the packages it holds: the Source → Extract stages of a scan. */
export async function inventoryOf(target: string, opts: TargetOptions): Promise<Inventory> {
  const t = classifyTarget(target);
  if (t.kind === 'path') {
    statTarget(t.path);
    return inventoryOfPath(t.path, opts.host ?? {});
  }
  // A root filesystem is a host tree: walked with the host rules (src/source/host), files read from disk.
  if (t.image.kind === 'rootfs' && t.image.path) {
    checkRootfs(t.image.path);
    return inventoryOfHost(t.image.path, opts.host ?? {});
  }
  const progress = opts.progress ?? noProgress;
  // A registry pull: layers and bytes downloaded of those not in the blobs cache, on its own line part.
  let pull: ProgressTask | undefined;
  let source: ImageSource;
  const [{ openImage }, { inventoryOfImage }] = await Promise.all([import('../source/image/open.js'), import('./image.js')]);
  try {
    source = await openImage(t.image, {
      cacheDir: opts.cacheDir,
      platform: opts.platform,
      username: opts.username,
      password: opts.password,
      insecure: opts.insecure,
      // a scan that keeps no layer results keeps no layer blobs either: they are verified as they stream, not written
      keepBlobs: !opts.noLayerCache,
      onPull: (p) => {
        if (p.layersDone >= p.layers) {
          pull?.stop();
          return;
        }
        pull ??= progress.start('pulling', 'bytes', p.totalBytes);
        pull.update(p.bytes, `${p.layersDone}/${p.layers} layers`);
      },
    });
  } catch (e) {
    pull?.stop();
    throw e;
  }
  const layers = progress.start('image layers', 'layers', source.describe().layers.length);
  let done = 0;
  let cachedCount = 0;
  try {
    return await inventoryOfImage(source, {
      cacheDir: opts.cacheDir,
      noLayerCache: opts.noLayerCache,
      onLayer: (i, n, cached) => {
        opts.log.debug(`layer ${i + 1}/${n}${cached ? ' (cached)' : ''}`);
        if (cached) cachedCount++;
        layers.update(++done, cachedCount > 0 ? `${cachedCount} from the layer cache` : undefined);
      },
    });
  } finally {
    pull?.stop();
    layers.stop();
    await source.close();
  }
}
