import fs from 'node:fs';
import { ParseError, describeError, isBulwarkError } from '../core/errors.js';
import type { FileProblem, Package, Unknown } from '../core/package.js';
import type { Extractor, TreeReader } from '../extract/types.js';

export interface ExtractionResult {
  packages: Package[];
  unknowns: Unknown[];
  errors: FileProblem[];
}

/** Files bigger than this are not handed to extractors (a lockfile is never this big; a binary may be). */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;

/**
 * Hands one file to every extractor that wants it. A failing extractor becomes an error entry naming the
 * file and the problem; the others, and the rest of the scan, go on.
 */
export async function extractFile(
  path: string,
  content: Uint8Array,
  extractors: readonly Extractor[],
  tree: TreeReader,
  into: ExtractionResult,
): Promise<void> {
  for (const ex of extractors) {
    try {
      const out = await ex.extract({ path, content, tree });
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
