/**
 * Test helpers for the lang-b extractor specs (imported by *.spec.ts only).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Extractor, ExtractOutput, TreeReader } from '../../types.js';
import { peerFixture } from '../../../../test/support/shared.js';

/** A tree that reads from a directory on disk (relative forward-slash paths). */
export function dirTree(root: string): TreeReader {
  return {
    read(p: string): Promise<Uint8Array | undefined> {
      const full = path.join(root, ...p.split('/'));
      try {
        return Promise.resolve(new Uint8Array(fs.readFileSync(full)));
      } catch {
        return Promise.resolve(undefined);
      }
    },
  };
}

export const emptyTree: TreeReader = { read: () => Promise.resolve(undefined) };

/** Runs an extractor on bytes, with `path` relative to the tree root. */
export async function run(ex: Extractor, p: string, content: Uint8Array | string, tree: TreeReader = emptyTree): Promise<ExtractOutput> {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  return ex.extract({ path: p, content: bytes, tree });
}

/**
 * Runs an extractor on a file of the peer-fixtures tree, read in place. The path handed to the
 * extractor is relative to the peer-fixtures root, and the tree reads siblings from there.
 */
export async function runPeer(ex: Extractor, ...parts: string[]): Promise<ExtractOutput> {
  const rel = parts.join('/');
  const root = peerFixture();
  return run(ex, rel, new Uint8Array(fs.readFileSync(path.join(root, rel))), dirTree(root));
}

/** `name@version` of each package, in output order. */
export function ids(out: ExtractOutput): string[] {
  return out.packages.map((p) => `${p.name}@${p.version}`);
}
