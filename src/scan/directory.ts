import fs from 'node:fs';
import path from 'node:path';
import type { ExtractionResult } from './extract-files.js';
import { MAX_FILE_BYTES, extractFile, handleFile, openFileForReading, readFileCapped, runLimited } from './extract-files.js';
import { openRegularFile, readRegularFile } from '../source/host/index.js';
import type { Extractor, TreeReader } from '../extract/types.js';
import { extractorIndex } from '../extract/registry.js';
import { resolveInside, walkDirectory } from '../source/directory/walk.js';
import type { DirectoryWalkOptions, WalkProblem } from '../source/directory/walk.js';
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

/** Files above this size are read and extracted one at a time, so a tree of large binaries does not multiply peak memory. */
const LARGE_FILE_BYTES = 8 * 1024 * 1024;

/** A one-holder lock: `run` waits for the previous holder to finish. */
function serial(): <T>(job: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(job: () => Promise<T>): Promise<T> => {
    const turn = tail.then(job);
    tail = turn.catch(() => undefined);
    return turn;
  };
}

/**
 * Extracts packages from a source tree: one walk, files handed to the extractors that want them,
 * several files parsed at once. `only` restricts the scan to one file (a lockfile named on the command line).
 */
export async function extractDirectory(root: string, extractors: readonly Extractor[], only?: string, walk: DirectoryWalkOptions = {}): Promise<ExtractionResult> {
  const result: ExtractionResult = { packages: [], unknowns: [], errors: [] };
  const tree = directoryTreeReader(root);
  const walkProblems: WalkProblem[] = [];
  const files = only ? [{ path: only, size: -1 }] : walkDirectory(root, walkProblems, walk);
  const oneLarge = serial();
  const byPath = extractorIndex(extractors);
  await runLimited(files, 8, async (file) => {
    const wanting = byPath.wanted(file.path);
    if (wanting.length === 0) return;
    if (!only) {
      const size = await fs.promises.lstat(path.join(root, file.path)).then((s) => s.size, () => 0);
      if (size > LARGE_FILE_BYTES) return oneLarge(() => extractOne(file.path, wanting));
    }
    return extractOne(file.path, wanting);
  });
  async function extractOne(filePath: string, wanting: Extractor[]): Promise<void> {
    const file = { path: filePath };
    if (wanting.every((e) => e.extractFrom !== undefined)) return extractPositionally(filePath, wanting);
    let content: Uint8Array;
    try {
      // Walked files: only a regular file is read (never a FIFO or device swapped in since the walk listed it).
      content = only ? await readFileCapped(path.join(root, file.path)) : (await readRegularFile(path.join(root, file.path), MAX_FILE_BYTES)).content;
    } catch (e) {
      result.errors.push({ path: file.path, code: 'BULWARK_E_IO', message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? describeError(e)}` });
      return;
    }
    await extractFile(file.path, content, wanting, tree, result);
  }
  /** Executables and archives: their extractors read only the parts they need, through the open file. */
  async function extractPositionally(filePath: string, wanting: Extractor[]): Promise<void> {
    const full = path.join(root, filePath);
    let opened: { handle: fs.promises.FileHandle; size: number };
    try {
      // Walked files: only a regular file is opened (never a FIFO or device swapped in since the walk listed it).
      opened = only ? await openFileForReading(full) : await openRegularFile(full);
    } catch (e) {
      result.errors.push({ path: filePath, code: 'BULWARK_E_IO', message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? describeError(e)}` });
      return;
    }
    try {
      await extractFile(filePath, handleFile(opened.handle, opened.size), wanting, tree, result);
    } finally {
      await opened.handle.close();
    }
  }
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
