/**
 * NuGet `packages.lock.json` → records. Pure.
 * `{ version, dependencies: { "<target framework>": { "<Name>": { type, requested?, resolved, dependencies? } } } }`
 * with type Direct, Transitive, CentralTransitive or Project (a project reference, not a package).
 */
import type * as Zod from 'zod';
import { lazyRequire, once } from '../../../util/lazy.js';

const zod = lazyRequire<typeof Zod>('zod');
import { LineFinder } from '../../formats/lines.js';
import { FormatError } from '../../formats/error.js';
import { parseJsonText } from '../../formats/json.js';

export interface NugetLockEntry {
  name: string;
  version: string;
  framework: string;
  type: string;
  line?: number;
}

export interface NugetLock {
  entries: NugetLockEntry[];
  dropped: string[];
}

const entrySchema = once(() => {
  const { z } = zod();
  return z.object({ type: z.string(), resolved: z.string().min(1).optional() });
});

export function parseNugetLock(text: string): NugetLock {
  const doc = parseJsonText(text);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new FormatError('not a JSON object');
  const deps = (doc as Record<string, unknown>)['dependencies'];
  if (typeof deps !== 'object' || deps === null || Array.isArray(deps)) throw new FormatError('no "dependencies" object');
  const lines = new LineFinder(text);
  const out: NugetLock = { entries: [], dropped: [] };
  for (const [framework, pkgs] of Object.entries(deps as Record<string, unknown>)) {
    lines.next(new RegExp(`${esc(JSON.stringify(framework))}\\s*:\\s*\\{`));
    if (typeof pkgs !== 'object' || pkgs === null) {
      out.dropped.push(`${framework}: not an object`);
      continue;
    }
    for (const [name, raw] of Object.entries(pkgs as Record<string, unknown>)) {
      const line = lines.next(new RegExp(`${esc(JSON.stringify(name))}\\s*:\\s*\\{`));
      const r = entrySchema().safeParse(raw);
      if (!r.success) {
        out.dropped.push(`${framework}/${name}: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
        continue;
      }
      if (r.data.type === 'Project') continue;
      if (r.data.resolved === undefined) {
        out.dropped.push(`${framework}/${name}: no "resolved" version`);
        continue;
      }
      const e: NugetLockEntry = { name, version: r.data.resolved, framework, type: r.data.type };
      if (line !== undefined) e.line = line;
      out.entries.push(e);
    }
  }
  return out;
}

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
