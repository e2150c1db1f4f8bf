import fs from 'node:fs';
import path from 'node:path';
import type { ExtractionResult } from './extract-files.js';
import { extractFile, readFileCapped, runLimited } from './extract-files.js';
import type { Extractor, TreeReader } from '../extract/types.js';
import { resolveInside, walkDirectory } from '../source/directory/walk.js';
import type { WalkProblem } from '../source/directory/walk.js';
import { describeError } from '../core/errors.js';

/** Read-only sibling access for extractors, confined to the scan root. */
export function directoryTreeReader(root: string): TreeReader {
  return {
    async read(rel) {
      const full = resolveInside(root, rel);
      if (!full) return undefined;
      try {
        return await readFileCapped(full);
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * Extracts packages from a source tree: one walk, files handed to the extractors that want them,
 * several files parsed at once. `only` restricts the scan to one file (a lockfile named on the command line).
 */
export async function extractDirectory(root: string, extractors: readonly Extractor[], only?: string): Promise<ExtractionResult> {
  const result: ExtractionResult = { packages: [], unknowns: [], errors: [] };
  const tree = directoryTreeReader(root);
  const walkProblems: WalkProblem[] = [];
  const files = only ? [{ path: only, size: -1 }] : walkDirectory(root, walkProblems);
  await runLimited(files, 8, async (file) => {
    const wanting = extractors.filter((e) => e.required(file.path));
    if (wanting.length === 0) return;
    let content: Uint8Array;
    try {
      content = await readFileCapped(path.join(root, file.path));
    } catch (e) {
      result.errors.push({ path: file.path, code: 'BULWARK_E_IO', message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? describeError(e)}` });
      return;
    }
    await extractFile(file.path, content, wanting, tree, result);
  });
  for (const p of walkProblems) result.errors.push({ path: p.path, code: 'BULWARK_E_IO', message: p.message });
  if (only && !extractors.some((e) => e.required(only))) {
    result.errors.push({ path: only, code: 'BULWARK_E_UNSUPPORTED', message: 'no extractor reads a file of this name' });
  }
  return result;
}

export function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
