import fs from 'node:fs';
import path from 'node:path';
import { walkHost } from '../host/index.js';
import type { HostWalkOptions } from '../host/index.js';

/** Folders never walked into: version-control metadata and tool caches that hold no dependencies. */
export const SKIPPED_DIRS = new Set(['.git', '.hg', '.svn', '.bzr', '.jj', '__pycache__', '.tox', '.nox', '.mypy_cache', '.pytest_cache', '.cache', '.gradle', '.idea', '.vscode']);

export interface WalkedFile {
  /** Relative to the root, forward slashes. */
  path: string;
  size: number;
}

export interface WalkProblem {
  path: string;
  message: string;
}

/** Walk options of a source-tree scan: the host-walk rules (src/source/host) without the folder-name list. */
export type DirectoryWalkOptions = Omit<HostWalkOptions, 'skipNames'>;

/**
 * Walks a directory once, yielding regular files (the host-walk rules: symlinks never followed, pseudo and other
 * filesystems not entered, --skip-dirs / --skip-files); unreadable folders are reported, not fatal.
 */
export async function* walkDirectory(root: string, problems: WalkProblem[], opts: DirectoryWalkOptions = {}): AsyncGenerator<WalkedFile> {
  try {
    for await (const e of walkHost(root, { ...opts, skipNames: SKIPPED_DIRS }, problems)) {
      if (e.type === 'file') yield { path: e.path, size: -1 };
    }
  } catch (e) {
    // The root itself cannot be listed: the caller turns this into an error naming the target.
    if (typeof (e as NodeJS.ErrnoException).code === 'string' && (e as NodeJS.ErrnoException).syscall !== undefined) {
      problems.push({ path: '.', message: `cannot read folder: ${(e as NodeJS.ErrnoException).code}` });
      return;
    }
    throw e;
  }
}

/** Resolves a relative path inside root, refusing anything that would leave it (`..`, absolute, symlinked out). */
export function resolveInside(root: string, rel: string): string | undefined {
  const normalized = path.posix.normalize(rel.replace(/\\/g, '/'));
  if (normalized.startsWith('../') || normalized === '..' || path.posix.isAbsolute(normalized)) return undefined;
  const full = path.join(root, normalized);
  try {
    const real = fs.realpathSync(full);
    const realRoot = fs.realpathSync(root);
    const prefix = realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep;
    if (real !== realRoot && !real.startsWith(prefix)) return undefined;
    return real;
  } catch {
    return undefined;
  }
}
