import fs from 'node:fs';
import { ParseError, describeError, isBulwarkError } from '../core/errors.js';
import type { FileProblem, Package, Unknown } from '../core/package.js';
import type { Extractor, RandomAccessFile, TreeReader } from '../extract/types.js';

export interface ExtractionResult {
  packages: Package[];
  unknowns: Unknown[];
  errors: FileProblem[];
}

/** Files bigger than this are not handed to extractors (a lockfile is never this big; a binary may be). */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;

/**
 * Hands one file to every extractor that wants it: its bytes, or positional reads of it (`RandomAccessFile`, for
 * extractors with `extractFrom`; the others get the file read whole). A failing extractor becomes an error entry
 * naming the file and the problem; the others, and the rest of the scan, go on.
 */
export async function extractFile(
  path: string,
  content: Uint8Array | RandomAccessFile,
  extractors: readonly Extractor[],
  tree: TreeReader,
  into: ExtractionResult,
): Promise<void> {
  for (const ex of extractors) {
    try {
      const out =
        content instanceof Uint8Array
          ? await ex.extract({ path, content, tree })
          : ex.extractFrom
            ? await ex.extractFrom({ path, file: content, tree })
            : await ex.extract({ path, content: await content.read(0, content.size), tree });
      // A loop, not push(...xs): spreading 170,000 packages into one call overflows the stack.
      for (const p of out.packages) into.packages.push(p);
      for (const u of out.unknowns ?? []) into.unknowns.push(u);
      for (const p of out.problems ?? []) into.errors.push({ ...p, extractor: p.extractor ?? ex.id });
    } catch (e) {
      into.errors.push({
        path,
        extractor: ex.id,
        code: isBulwarkError(e) ? e.code : 'BULWARK_E_EXTRACT',
        message: e instanceof ParseError ? e.message.replace(`${path}: `, '') : describeError(e),
      });
    }
  }
}

/** Runs async jobs with at most `limit` in flight. */
export async function runLimited<T>(items: AsyncIterable<T> | Iterable<T>, limit: number, job: (item: T) => Promise<void>): Promise<void> {
  const running = new Set<Promise<void>>();
  for await (const item of items) {
    const p = job(item).finally(() => running.delete(p));
    running.add(p);
    if (running.size >= limit) await Promise.race(running);
  }
  await Promise.all(running);
}

export async function readFileCapped(full: string): Promise<Uint8Array> {
  const stat = await fs.promises.stat(full);
  if (stat.size > MAX_FILE_BYTES) throw new Error(`file is ${stat.size} bytes, over the ${MAX_FILE_BYTES}-byte limit`);
  return fs.promises.readFile(full);
}

/** Positional reads through an open file handle (the caller closes it). */
export function handleFile(handle: fs.promises.FileHandle, size: number): RandomAccessFile {
  return {
    size,
    async read(offset, length) {
      const start = Math.max(0, Math.min(offset, size));
      const n = Math.max(0, Math.min(length, size - start));
      const buf = Buffer.allocUnsafe(n);
      let got = 0;
      while (got < n) {
        const { bytesRead } = await handle.read(buf, got, n - got, start + got);
        if (bytesRead === 0) break; // the file shrank since it was opened
        got += bytesRead;
      }
      return got === n ? buf : buf.subarray(0, got);
    },
  };
}

/** Opens a named file (symlinks followed, as for a lockfile named on the command line); only a regular file. */
export async function openFileForReading(full: string): Promise<{ handle: fs.promises.FileHandle; size: number }> {
  const handle = await fs.promises.open(full, 'r');
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new Error('not a regular file');
    return { handle, size: st.size };
  } catch (e) {
    await handle.close();
    throw e;
  }
}
