/**
 * Helpers for the extractor specs: trees (a directory on disk, a map in memory, an empty one), running an extractor
 * on a file, on bytes, or on a peer fixture, and reading txtar archives. One module for every extractor spec.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Package } from '../../src/core/package.js';
import type { Extractor, ExtractOutput, TreeReader } from '../../src/extract/types.js';
import { PEER_FIXTURES_DIR, readPeerFixture } from './fixtures.js';

/** A read-only TreeReader over a real directory (relative forward-slash paths), as the core would provide. */
export function dirTree(root: string): TreeReader {
  return {
    read(rel: string): Promise<Uint8Array | undefined> {
      try {
        return Promise.resolve(new Uint8Array(fs.readFileSync(path.join(root, ...rel.split('/')))));
      } catch {
        return Promise.resolve(undefined);
      }
    },
  };
}

/** A TreeReader over an in-memory map of relative path → content. */
export function memTree(files: Record<string, string | Uint8Array>): TreeReader {
  return {
    read(rel: string): Promise<Uint8Array | undefined> {
      const v = files[rel];
      if (v === undefined) return Promise.resolve(undefined);
      return Promise.resolve(typeof v === 'string' ? new TextEncoder().encode(v) : v);
    },
  };
}

/** A tree with no files. */
export const emptyTree: TreeReader = { read: () => Promise.resolve(undefined) };

/** Runs an extractor on bytes, with `p` relative to the tree root. */
export async function run(ex: Extractor, p: string, content: Uint8Array | string, tree: TreeReader = emptyTree): Promise<ExtractOutput> {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  return ex.extract({ path: p, content: bytes, tree });
}

/** Runs an extractor on a file of a real directory tree (`rel` relative to `root`); the tree reads siblings there. */
export async function extractFile(ex: Extractor, root: string, rel: string): Promise<ExtractOutput> {
  const content = new Uint8Array(fs.readFileSync(path.join(root, ...rel.split('/'))));
  return ex.extract({ path: rel, content, tree: dirTree(root) });
}

/** Runs an extractor on a file of test/fixtures/peer, the path handed over relative to that root. */
export async function runPeer(ex: Extractor, ...parts: string[]): Promise<ExtractOutput> {
  return extractFile(ex, PEER_FIXTURES_DIR, parts.join('/'));
}

/** Runs an extractor on text held in memory, with `files` as the rest of the tree. */
export async function extractText(
  ex: Extractor,
  rel: string,
  text: string | Uint8Array,
  files: Record<string, string | Uint8Array> = {},
): Promise<ExtractOutput> {
  return run(ex, rel, text, memTree(files));
}

/** `name@version` of each package, in output order. */
export function ids(out: ExtractOutput | readonly Package[]): string[] {
  const pkgs = 'packages' in out ? out.packages : out;
  return pkgs.map((p) => `${p.name}@${p.version}`);
}

export function byId(pkgs: readonly Package[], id: string): Package | undefined {
  return pkgs.find((p) => `${p.name}@${p.version}` === id);
}

/** The named file of a txtar archive (golang.org/x/tools/txtar): sections start with "-- name --". */
export function txtarFile(archive: string, name: string): string {
  const lines = archive.split('\n');
  const start = lines.findIndex((l) => l === `-- ${name} --`);
  if (start < 0) throw new Error(`txtar: no file ${name}`);
  const out: string[] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i] ?? '';
    if (/^-- .+ --$/.test(l)) break;
    out.push(l);
  }
  return out.join('\n');
}

/** A peer fixture's text. */
export function peerText(...parts: string[]): string {
  return new TextDecoder().decode(readPeerFixture(...parts));
}
