/**
 * .NET `*.deps.json` → records. Pure.
 *
 * `libraries` maps "Name/Version" to `{ type: "package" | "project" | "runtimepack" | ... }`;
 * `targets[<runtimeTarget.name>]` maps the same keys to `{ dependencies, runtime, native, runtimeTargets, ... }`.
 * Self-contained apps list the bundled runtime as `runtimepack.<Name>/<ver>` (type "runtimepack").
 */
import { LineFinder } from '../../formats/lines.js';
import { FormatError } from '../../formats/error.js';
import { parseJsonText } from '../../formats/json.js';

export interface DepsLibrary {
  name: string;
  version: string;
  type: string;
  line?: number;
  /** Whether the runtime target lists assets for it: false for reference-only packages; undefined when not known. */
  hasAssets?: boolean;
  /** Depended on by a project library in the runtime target; undefined when the target is absent. */
  direct?: boolean;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseDepsJson(text: string): { libraries: DepsLibrary[]; dropped: string[] } {
  const doc = parseJsonText(text);
  if (!isObj(doc)) throw new FormatError('not a JSON object');
  const libs = doc['libraries'];
  if (libs !== undefined && !isObj(libs)) throw new FormatError('"libraries" is not an object');
  const targets = isObj(doc['targets']) ? doc['targets'] : {};
  const rt = isObj(doc['runtimeTarget']) && typeof doc['runtimeTarget']['name'] === 'string' ? doc['runtimeTarget']['name'] : undefined;
  const target = rt !== undefined && isObj(targets[rt]) ? targets[rt] : undefined;

  const directNames = new Set<string>();
  if (target) {
    for (const [key, entry] of Object.entries(target)) {
      if (!isObj(libs) || !isObj(libs[key]) || libs[key]['type'] !== 'project' || !isObj(entry)) continue;
      const deps = entry['dependencies'];
      if (isObj(deps)) for (const [n, v] of Object.entries(deps)) directNames.add(`${n}/${String(v)}`.toLowerCase());
    }
  }

  const lines = new LineFinder(text);
  const libsAt = text.search(/"libraries"\s*:/);
  const out: DepsLibrary[] = [];
  const dropped: string[] = [];
  for (const [key, raw] of Object.entries(libs ?? {})) {
    const slash = key.lastIndexOf('/');
    if (slash <= 0 || slash === key.length - 1 || !isObj(raw) || typeof raw['type'] !== 'string') {
      dropped.push(`library ${JSON.stringify(key)}: expected "Name/Version" with a type`);
      continue;
    }
    let name = key.slice(0, slash);
    const version = key.slice(slash + 1);
    const lib: DepsLibrary = { name, version, type: raw['type'] };
    if (lib.type === 'runtimepack' && name.startsWith('runtimepack.')) lib.name = name = name.slice('runtimepack.'.length);
    const line = lines.first(new RegExp(`${escapeRe(JSON.stringify(key))}\\s*:\\s*\\{`), libsAt < 0 ? 0 : libsAt);
    if (line !== undefined) lib.line = line;
    if (target) {
      const t = target[key];
      if (isObj(t)) lib.hasAssets = ['runtime', 'native', 'runtimeTargets', 'resources'].some((k) => isObj(t[k]) && Object.keys(t[k]).length > 0);
      lib.direct = directNames.has(`${key.slice(0, slash)}/${version}`.toLowerCase()) || directNames.has(`${name}/${version}`.toLowerCase());
    }
    out.push(lib);
  }
  return { libraries: out, dropped };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
