import fs from 'node:fs';
import path from 'node:path';
import type { FileProblem, Package, Unknown } from '../core/package.js';
import { sha256 } from '../util/hash.js';

/** What one layer holds, as far as the extractors are concerned. Cached by layer digest + extractor versions. */
export interface LayerResult {
  /** Per wanted file in this layer: what the extractors made of it. */
  files: Record<string, { packages: Package[]; unknowns: Unknown[]; errors: FileProblem[] }>;
  /** Text of the OS identification files present in this layer (etc/os-release, ...). */
  osFiles: Record<string, string>;
  /** Symlinks among wanted paths (etc/os-release → ../usr/lib/os-release). */
  symlinks: Record<string, string>;
  whiteouts: string[];
  opaqueDirs: string[];
  refused: { path: string; reason: string }[];
}

/** Bumped when the shape of LayerResult changes. */
const CACHE_FORMAT = 1;

export class LayerCache {
  constructor(
    private readonly dir: string,
    private readonly fingerprint: string,
  ) {}

  private file(digest: string): string {
    return path.join(this.dir, `${sha256(`${CACHE_FORMAT}\n${digest}\n${this.fingerprint}`)}.json`);
  }

  get(digest: string): LayerResult | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.file(digest), 'utf8')) as LayerResult;
    } catch {
      return undefined;
    }
  }

  /** Written atomically: a reader never sees half a file. */
  put(digest: string, result: LayerResult): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const target = this.file(digest);
    const tmp = `${target}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(result));
    fs.renameSync(tmp, target);
  }
}
