/**
 * Cargo.lock (format v1 to v4) → records. Pure: knows nothing of purls.
 *
 * v1 lists dependencies as "name version (source)" and keeps checksums under `[metadata]`;
 * v2+ write "name", "name version" or "name version (source)" and put `checksum` on each package.
 * The TOML syntax is read by smol-toml; the lockfile semantics are ours.
 */
import type * as Zod from 'zod';
import { lazyRequire, once } from '../../../util/lazy.js';
import { FormatError } from '../../formats/error.js';
import { parseToml } from '../../formats/toml.js';

const zod = lazyRequire<typeof Zod>('zod');

export interface CargoPackage {
  name: string;
  version: string;
  /** "registry+https://github.com/rust-lang/crates.io-index", "git+https://...#rev", undefined for path/workspace members. */
  source?: string;
  /** Raw dependency specs as written. */
  dependencies: string[];
  /** 1-based line of the `[[package]]` header. */
  line?: number;
}

export interface CargoLock {
  /** `version = 3` at the top (v3+); undefined for v1/v2 files. */
  version?: number;
  packages: CargoPackage[];
  /** Entries that were dropped, with the reason. */
  dropped: string[];
}

const entrySchema = once(() => {
  const { z } = zod();
  return z.object({
  name: z.string().min(1),
  version: z.string().min(1),
  source: z.string().optional(),
  dependencies: z.array(z.string()).optional(),
});
});

export function parseCargoLock(text: string): CargoLock {
  const doc = parseToml(text);
  const raw = doc['package'];
  if (raw !== undefined && !Array.isArray(raw)) throw new FormatError('`package` is not an array of tables');
  const headerLines = packageHeaderLines(text);
  const packages: CargoPackage[] = [];
  const dropped: string[] = [];
  (raw ?? []).forEach((item: unknown, i: number) => {
    const r = entrySchema().safeParse(item);
    if (!r.success) {
      dropped.push(`[[package]] #${i + 1}: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
      return;
    }
    const p: CargoPackage = { name: r.data.name, version: r.data.version, dependencies: r.data.dependencies ?? [] };
    if (r.data.source !== undefined) p.source = r.data.source;
    const line = headerLines[i];
    if (line !== undefined) p.line = line;
    packages.push(p);
  });
  const version = typeof doc['version'] === 'number' ? doc['version'] : undefined;
  return version === undefined ? { packages, dropped } : { version, packages, dropped };
}

/** Lines of each `[[package]]` header, in order (TOML array-of-tables elements appear in this order). */
function packageHeaderLines(text: string): number[] {
  const lines: number[] = [];
  const all = text.split('\n');
  for (let i = 0; i < all.length; i++) {
    if (/^\s*\[\[\s*package\s*\]\]/.test(all[i] ?? '')) lines.push(i + 1);
  }
  return lines;
}

export interface DependencySpec {
  name: string;
  version?: string;
  source?: string;
}

/** "name", "name version" or "name version (source)". */
export function parseDependencySpec(spec: string): DependencySpec | undefined {
  const m = /^\s*(\S+)(?:\s+(\S+))?(?:\s+\((.+)\))?\s*$/.exec(spec);
  if (!m || m[1] === undefined) return undefined;
  const out: DependencySpec = { name: m[1] };
  if (m[2] !== undefined) out.version = m[2];
  if (m[3] !== undefined) out.source = m[3];
  return out;
}
