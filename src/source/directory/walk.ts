import fs from 'node:fs';
import path from 'node:path';

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

/**
 * Walks a directory once, yielding regular files. Symlinks are never followed (so nothing outside
 * the root is reached); unreadable folders are reported, not fatal.
 */
export async function* walkDirectory(root: string, problems: WalkProblem[]): AsyncGenerator<WalkedFile> {
  const stack: string[] = [''];
  while (stack.length > 0) {
    const rel = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(path.join(root, rel), { withFileTypes: true });
    } catch (e) {
      problems.push({ path: rel || '.', message: `cannot read folder: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name)) stack.push(child);
      } else if (e.isFile()) {
        yield { path: child, size: -1 };
      }
    }
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
    if (real !== realRoot && !real.startsWith(realRoot + path.sep)) return undefined;
    return real;
  } catch {
    return undefined;
  }
}
