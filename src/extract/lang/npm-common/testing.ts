/** Test helpers for the lang extractors of this group (imported by specs only). */
import fs from 'node:fs';
import path from 'node:path';
import type { Extractor, ExtractOutput, TreeReader } from '../../types.js';
import type { Package } from '../../../core/package.js';

/** A TreeReader over a real directory (read-only), as the core would provide. */
export function dirTree(root: string): TreeReader {
  return {
    read(rel: string): Promise<Uint8Array | undefined> {
      const p = path.join(root, ...rel.split('/'));
      try {
        return Promise.resolve(fs.readFileSync(p));
      } catch {
        return Promise.resolve(undefined);
      }
    },
  };
}

/** A TreeReader over an in-memory map of relative path → text. */
export function memTree(files: Record<string, string | Uint8Array>): TreeReader {
  return {
    read(rel: string): Promise<Uint8Array | undefined> {
      const v = files[rel];
      if (v === undefined) return Promise.resolve(undefined);
      return Promise.resolve(typeof v === 'string' ? new TextEncoder().encode(v) : v);
    },
  };
}

/** Runs an extractor on a file of a real directory tree (`rel` relative to `root`). */
export async function extractFile(ex: Extractor, root: string, rel: string): Promise<ExtractOutput> {
  const content = fs.readFileSync(path.join(root, ...rel.split('/')));
  return ex.extract({ path: rel, content, tree: dirTree(root) });
}

/** Runs an extractor on text held in memory. */
export async function extractText(
  ex: Extractor,
  rel: string,
  text: string | Uint8Array,
  files: Record<string, string | Uint8Array> = {},
): Promise<ExtractOutput> {
  const content = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  return ex.extract({ path: rel, content, tree: memTree(files) });
}

/** `name@version` ids, in output order. */
export function ids(pkgs: readonly Package[]): string[] {
  return pkgs.map((p) => `${p.name}@${p.version}`);
}

export function byId(pkgs: readonly Package[], id: string): Package | undefined {
  return pkgs.find((p) => `${p.name}@${p.version}` === id);
}
