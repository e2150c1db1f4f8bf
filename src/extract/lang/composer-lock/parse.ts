/**
 * composer.lock → records. Pure: knows nothing of purls. Also exports the package-array reader
 * shared with vendor/composer/installed.json (same entry shape).
 */
import type * as Zod from 'zod';
import { lazyRequire, once } from '../../../util/lazy.js';

const zod = lazyRequire<typeof Zod>('zod');
import { LineFinder } from '../../formats/lines.js';

export interface ComposerPackage {
  name: string;
  version: string;
  dev: boolean;
  /** Line of the entry's opening brace. */
  line?: number;
}

export class ComposerSyntaxError extends Error {}

const entrySchema = once(() => {
  const { z } = zod();
  return z.object({ name: z.string().min(1), version: z.string().min(1) });
});

export interface ComposerPackages {
  packages: ComposerPackage[];
  dropped: string[];
}

/** Reads one array of composer package entries; bad entries are dropped with a reason. */
export function readPackageArray(
  value: unknown,
  where: string,
  dev: (name: string) => boolean,
  lines: LineFinder,
  out: ComposerPackages,
): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) {
    out.dropped.push(`${where} is not an array`);
    return;
  }
  value.forEach((item: unknown, i) => {
    const r = entrySchema().safeParse(item);
    if (!r.success) {
      out.dropped.push(`${where}[${i}]: ${r.error.issues.map((x) => `${x.path.join('.') || 'entry'}: ${x.message}`).join('; ')}`);
      return;
    }
    const p: ComposerPackage = { name: r.data.name, version: r.data.version, dev: dev(r.data.name) };
    const line = entryLine(lines, r.data.name);
    if (line !== undefined) p.line = line;
    out.packages.push(p);
  });
}

/** Line of the `{` that opens the entry whose "name" is `name` (searching forward from the last hit). */
function entryLine(lines: LineFinder, name: string): number | undefined {
  const esc = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\//g, '\\\\?/');
  return lines.nextObjectStart(new RegExp(`"name"\\s*:\\s*"${esc}"`));
}

export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ComposerSyntaxError(`invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function parseComposerLock(text: string): ComposerPackages {
  const doc = parseJsonText(text);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ComposerSyntaxError('not a JSON object');
  const o = doc as Record<string, unknown>;
  if (!('packages' in o) && !('packages-dev' in o)) throw new ComposerSyntaxError('neither "packages" nor "packages-dev" present');
  const lines = new LineFinder(text);
  const out: ComposerPackages = { packages: [], dropped: [] };
  readPackageArray(o['packages'], 'packages', () => false, lines, out);
  readPackageArray(o['packages-dev'], 'packages-dev', () => true, lines, out);
  return out;
}

/** Names required by a composer.json (require and require-dev), platform packages excluded. */
export function parseComposerJsonRequires(text: string): Set<string> | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null) return undefined;
  const names = new Set<string>();
  for (const key of ['require', 'require-dev']) {
    const req = (doc as Record<string, unknown>)[key];
    if (typeof req === 'object' && req !== null) for (const n of Object.keys(req)) if (n.includes('/')) names.add(n.toLowerCase());
  }
  return names;
}
