import fs from 'node:fs';
import path from 'node:path';
import { FileError } from '../core/errors.js';
import { DEFAULT_EXTRACTORS, LANGUAGE_EXTRACTORS } from '../extract/registry.js';
import type { Logger } from '../util/log.js';
import { extractDirectory, isDirectory } from './directory.js';
import { mergePackages } from './packages.js';
import type { Inventory } from './scanner.js';
import { targetName } from './scanner.js';

export interface TargetOptions {
  cacheDir: string;
  log: Logger;
}

/** Resolves `dir:<path>`, a directory, or one lockfile into an inventory. */
async function inventoryOfPath(target: string): Promise<Inventory> {
  const raw = target.startsWith('dir:') ? target.slice(4) : target;
  const full = path.resolve(raw);
  if (!fs.existsSync(full)) throw new FileError(full, 'no such file or directory', { hint: 'give a directory, a lockfile, or an image reference' });
  if (isDirectory(full)) {
    const result = await extractDirectory(full, LANGUAGE_EXTRACTORS);
    return { target: { kind: 'directory', name: targetName(full) }, os: null, packages: mergePackages(result.packages), unknowns: result.unknowns, errors: result.errors };
  }
  const root = path.dirname(full);
  const result = await extractDirectory(root, DEFAULT_EXTRACTORS, path.basename(full));
  return { target: { kind: 'file', name: targetName(full) }, os: null, packages: mergePackages(result.packages), unknowns: result.unknowns, errors: result.errors };
}

/** Turns whatever the user named into the packages it holds: the Source → Extract stages of a scan. */
export async function inventoryOf(target: string, _opts: TargetOptions): Promise<Inventory> {
  return inventoryOfPath(target);
}
