/**
 * Conan `conan.lock` → records. Pure.
 * Conan 1 (lock version 0.4): `graph_lock.nodes{id: {ref: "zlib/1.2.12[@user/channel][#rev]", requires: [ids], build_requires: [ids]}}`;
 *   node "0" is the consumer (conanfile) and has no ref.
 * Conan 2 (lock version 0.5): `requires`, `build_requires`, `python_requires`: ["zlib/1.2.13[@user/channel]#rev%timestamp"].
 */
import { LineFinder } from '../../formats/lines.js';
import { FormatError } from '../../formats/error.js';
import { parseJsonText } from '../../formats/json.js';

export interface ConanRef {
  name: string;
  version: string;
  user?: string;
  channel?: string;
  revision?: string;
}

export interface ConanEntry extends ConanRef {
  raw: string;
  /** Required by the consumer (v1 root node, or any v2 top-level list). */
  direct?: boolean;
  /** Only needed to build (build_requires, python_requires). */
  build: boolean;
  line?: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** "name/version[@user/channel][#revision][%timestamp]"; undefined if it does not have that shape. */
export function parseConanRef(ref: string): ConanRef | undefined {
  const m = /^([^/@#%\s]+)\/([^/@#%\s]+)(?:@([^/@#%\s]+)\/([^/@#%\s]+))?(?:#([^%\s]+))?(?:%\S+)?$/.exec(ref.trim());
  if (!m || m[1] === undefined || m[2] === undefined) return undefined;
  const r: ConanRef = { name: m[1], version: m[2] };
  if (m[3] !== undefined) r.user = m[3];
  if (m[4] !== undefined) r.channel = m[4];
  if (m[5] !== undefined) r.revision = m[5];
  return r;
}

export function parseConanLock(text: string): { format: 1 | 2; entries: ConanEntry[]; dropped: string[] } {
  const doc = parseJsonText(text);
  if (!isObj(doc)) throw new FormatError('not a JSON object');
  const lines = new LineFinder(text);
  const entries: ConanEntry[] = [];
  const dropped: string[] = [];
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  if (isObj(doc['graph_lock'])) {
    const nodes = doc['graph_lock']['nodes'];
    if (!isObj(nodes)) throw new FormatError('graph_lock.nodes is not an object');
    const ids = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
    const root = Object.entries(nodes).find(([, n]) => isObj(n) && typeof n['ref'] !== 'string');
    const rootNode = root && isObj(root[1]) ? root[1] : undefined;
    const direct = new Set(ids(rootNode?.['requires']));
    const directBuild = new Set(ids(rootNode?.['build_requires']));
    const viaRequires = new Set<string>();
    for (const n of Object.values(nodes)) if (isObj(n)) for (const id of ids(n['requires'])) viaRequires.add(id);
    for (const [id, n] of Object.entries(nodes)) {
      if (!isObj(n) || typeof n['ref'] !== 'string') continue;
      const raw = n['ref'];
      const line = lines.nextObjectStart(new RegExp(`"ref"\\s*:\\s*${esc(JSON.stringify(raw))}`));
      const ref = parseConanRef(raw);
      if (!ref) {
        dropped.push(`node ${id}: ref ${JSON.stringify(raw)} is not name/version`);
        continue;
      }
      const e: ConanEntry = { ...ref, raw, direct: direct.has(id) || directBuild.has(id), build: !direct.has(id) && !viaRequires.has(id) };
      if (line !== undefined) e.line = line;
      entries.push(e);
    }
    return { format: 1, entries, dropped };
  }

  const lists: [string, boolean][] = [
    ['requires', false],
    ['build_requires', true],
    ['python_requires', true],
  ];
  if (!lists.some(([k]) => k in doc)) throw new FormatError('neither graph_lock (Conan 1) nor requires (Conan 2)');
  for (const [key, build] of lists) {
    const arr = doc[key];
    if (arr === undefined) continue;
    if (!Array.isArray(arr)) {
      dropped.push(`${key} is not an array`);
      continue;
    }
    lines.next(new RegExp(`"${key}"\\s*:`));
    for (const raw of arr) {
      if (typeof raw !== 'string') {
        dropped.push(`${key}: non-string entry`);
        continue;
      }
      const line = lines.next(JSON.stringify(raw));
      const ref = parseConanRef(raw);
      if (!ref) {
        dropped.push(`${key}: ${JSON.stringify(raw)} is not name/version`);
        continue;
      }
      const e: ConanEntry = { ...ref, raw, build };
      if (line !== undefined) e.line = line;
      entries.push(e);
    }
  }
  return { format: 2, entries, dropped };
}
