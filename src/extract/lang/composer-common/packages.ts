/**
 * The package entries composer.lock and vendor/composer/installed.json share (`{ name, version, ... }`), read
 * the same way for both: bad entries are dropped with a reason, each kept one has the line of its `{`.
 */
import type * as Zod from 'zod';
import { lazyRequire, once } from '../../../util/lazy.js';
import type { LineFinder } from '../../formats/lines.js';

const zod = lazyRequire<typeof Zod>('zod');

export interface ComposerPackage {
  name: string;
  version: string;
  dev: boolean;
  /** Line of the entry's opening brace. */
  line?: number;
}

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
