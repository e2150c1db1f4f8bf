import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../core/errors.js';
import { MountTable, isPseudoFs } from './mountinfo.js';
import type { SkipRules } from './skip.js';
import { NO_SKIP } from './skip.js';

/** How a host tree (a source directory, or a root filesystem such as `/`) is walked. */
export interface HostWalkOptions {
  /** --skip-dirs / --skip-files. */
  skip?: SkipRules;
  /** Folder names never entered at any depth (the directory scan's VCS and cache folders). */
  skipNames?: ReadonlySet<string>;
  /** Descend into other filesystems mounted below the root (never into pseudo filesystems such as proc). */
  allFilesystems?: boolean;
  /** Aborts the walk (--timeout): the walk throws `signal.reason`. */
  signal?: AbortSignal;
  /** Mounts of this process (default: /proc/self/mountinfo). */
  mounts?: MountTable;
  /** Called after each directory listed. */
  onProgress?: (p: WalkProgress) => void;
  /** Called for each part of the tree left out on purpose (another or a pseudo filesystem). */
  onSkip?: (s: HostWalkSkip) => void;
  /** Test seam: how a directory is listed (default fs.promises.readdir with file types). */
  readdir?: (abs: string) => Promise<fs.Dirent[]>;
}

export interface WalkProgress {
  dirs: number;
  files: number;
}

export interface HostEntry {
  /** Relative to the root, forward slashes. */
  path: string;
  abs: string;
  /** Regular files and symbolic links only: FIFOs, sockets and devices are never yielded. */
  type: 'file' | 'symlink';
}

export interface HostWalkProblem {
  path: string;
  message: string;
}

/** Parts of the tree left out on purpose (other filesystems, pseudo filesystems): not problems, but worth a debug line. */
export interface HostWalkSkip {
  path: string;
  reason: string;
}

function errnoOf(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'EACCES' || err.code === 'EPERM') return `permission denied (${err.code})`;
  return err.code ?? (e instanceof Error ? e.message : String(e));
}

/** What a directory entry is, without following it; `lstat` only when the filesystem does not say (DT_UNKNOWN). */
async function typeOf(d: fs.Dirent, abs: string): Promise<'dir' | 'file' | 'symlink' | 'other'> {
  if (d.isDirectory()) return 'dir';
  if (d.isFile()) return 'file';
  if (d.isSymbolicLink()) return 'symlink';
  if (d.isFIFO() || d.isSocket() || d.isCharacterDevice() || d.isBlockDevice()) return 'other';
  const st = await fs.promises.lstat(abs).catch(() => undefined);
  if (!st) return 'other';
  return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : 'other';
}

/**
 * Checks that `root` can be walked at all: it must not be on a pseudo filesystem (`scan /proc` would block on
 * /proc/kmsg). Returns the root's real path and device.
 */
export function openHostRoot(root: string, mounts: MountTable = MountTable.current()): { real: string; dev: number } {
  const real = fs.realpathSync(root);
  const m = mounts.containing(real);
  if (m && isPseudoFs(m.fsType)) {
    throw new UsageError(`${root} is on a ${m.fsType} filesystem (mounted at ${m.mountPoint}), which holds no installed software`, 'scan a directory on a disk filesystem, or rootfs:/ for the whole machine');
  }
  return { real, dev: fs.statSync(real).dev };
}

/**
 * Walks a host tree depth-first in name order, yielding regular files and symbolic links (never followed). One
 * directory listing is held at a time per level, so memory stays flat on large trees. Directories that cannot be
 * listed are recorded in `problems` with their path and the walk goes on; pseudo filesystems (by mount type) are
 * never entered, and other filesystems only with `allFilesystems`.
 */
export async function* walkHost(root: string, opts: HostWalkOptions, problems: HostWalkProblem[]): AsyncGenerator<HostEntry> {
  const mounts = opts.mounts ?? MountTable.current();
  const { real, dev } = openHostRoot(root, mounts);
  const skip = opts.skip ?? NO_SKIP;
  const readdir = opts.readdir ?? ((abs: string) => fs.promises.readdir(abs, { withFileTypes: true }));
  const progress: WalkProgress = { dirs: 0, files: 0 };
  const stack: string[] = [''];
  while (stack.length > 0) {
    opts.signal?.throwIfAborted();
    const rel = stack.pop()!;
    const absDir = rel === '' ? real : path.join(real, rel);
    let entries: fs.Dirent[];
    try {
      entries = await readdir(absDir);
    } catch (e) {
      if (rel === '') throw e;
      problems.push({ path: rel, message: `cannot read folder: ${errnoOf(e)}` });
      continue;
    }
    progress.dirs++;
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: string[] = [];
    for (const d of entries) {
      const child = rel === '' ? d.name : `${rel}/${d.name}`;
      const abs = path.join(absDir, d.name);
      const type = await typeOf(d, abs);
      if (type === 'dir') {
        if (opts.skipNames?.has(d.name) || skip.dir(child)) continue;
        const why = await crossesFilesystem(abs, mounts, dev, opts.allFilesystems === true);
        if (why) opts.onSkip?.({ path: child, reason: why });
        else subdirs.push(child);
      } else if (type === 'file') {
        if (skip.file(child)) continue;
        progress.files++;
        yield { path: child, abs, type: 'file' };
      } else if (type === 'symlink') {
        if (skip.file(child)) continue;
        yield { path: child, abs, type: 'symlink' };
      }
    }
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
    opts.onProgress?.(progress);
  }
}

/** Why a subdirectory is not entered (a pseudo or another filesystem), or undefined to enter it. */
async function crossesFilesystem(abs: string, mounts: MountTable, rootDev: number, all: boolean): Promise<string | undefined> {
  const m = mounts.at(abs);
  if (m && isPseudoFs(m.fsType)) return `${m.fsType} filesystem (pseudo)`;
  // Device numbers change only at mount points: with a mount table, only those need a stat.
  if (mounts.size > 0 && !m) return undefined;
  if (all) return undefined;
  const st = await fs.promises.lstat(abs).catch(() => undefined);
  if (st && st.dev !== rootDev) return `another filesystem${m ? ` (${m.fsType} from ${m.source})` : ''}; use --all-filesystems to enter it`;
  return undefined;
}

export class NotRegularFileError extends Error {}

/**
 * Opens a file found by the walk, refusing anything that is not (or is no longer) a regular file: opened with
 * O_NOFOLLOW | O_NONBLOCK (a FIFO swapped in does not block the scan), checked with fstat. The caller closes it.
 */
export async function openRegularFile(abs: string): Promise<{ handle: fs.promises.FileHandle; size: number; mode: number }> {
  const fh = await fs.promises.open(abs, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new NotRegularFileError('not a regular file');
    return { handle: fh, size: st.size, mode: st.mode & 0o7777 };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/** Reads a file found by the walk whole (see openRegularFile), capped at `maxBytes`. */
export async function readRegularFile(abs: string, maxBytes: number): Promise<{ content: Buffer; mode: number }> {
  const { handle, size, mode } = await openRegularFile(abs);
  try {
    if (size > maxBytes) throw new NotRegularFileError(`oversize: ${size} bytes > maxFileBytes ${maxBytes}`);
    return { content: await handle.readFile(), mode };
  } finally {
    await handle.close();
  }
}
