/**
 * yarn.lock: classic v1 (its own indented format) and berry v2+ (YAML with `__metadata`).
 * Pure: text in, entries out; each entry keeps the specs that resolve to it (`name@range`) so an
 * adapter can walk dependencies.
 */
import { parseYamlDocument, yaml as lib } from '../../formats/yaml.js';
import { FormatError } from '../../formats/error.js';

export interface YarnEntry {
  /** Specs of the key, e.g. `lodash@^4.0.0` (v1) or `lodash@npm:^4.0.0` (berry). */
  specs: string[];
  /** Package name (the real one for aliases). */
  name: string;
  version: string | undefined;
  /** Where it comes from: 'npm' (registry), 'workspace', 'link', 'portal', 'file', 'patch', 'git', 'url', 'exec', ... */
  protocol: string;
  /** `resolved` (v1) or `resolution` (berry). */
  resolution: string | undefined;
  /** Dependency specs, in the same form as `specs` (name@range). */
  dependencies: string[];
  offset: number;
}

export interface YarnLock {
  flavor: 'v1' | 'berry';
  entries: YarnEntry[];
  dropped: string[];
}

/** Splits `name@range` at the `@` after the (optional) scope. */
export function splitSpec(spec: string): { name: string; range: string } | undefined {
  const at = spec.indexOf('@', spec.startsWith('@') ? 1 : 0);
  if (at <= 0) return undefined;
  return { name: spec.slice(0, at), range: spec.slice(at + 1) };
}

function protocolOf(range: string): string {
  if (/^(git\+|git:|github:|gitlab:|bitbucket:)/.test(range) || /\.git(#|$)/.test(range)) return 'git';
  if (/^https?:/.test(range)) return 'url';
  const m = /^([a-z]+):/.exec(range);
  return m?.[1] ?? 'npm';
}

export function parseYarnLock(text: string): YarnLock {
  if (/^__metadata:/m.test(text)) return parseBerry(text);
  return parseV1(text);
}

function unquote(s: string): string {
  const t = s.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) {
    try {
      return JSON.parse(t) as string;
    } catch {
      return t.slice(1, -1);
    }
  }
  return t;
}

/** Splits `a, "b, c", d` at top-level commas. */
function splitKeys(key: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (const ch of key) {
    if (ch === '"') q = !q;
    if (ch === ',' && !q) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map(unquote).filter((s) => s !== '');
}

function parseV1(text: string): YarnLock {
  const entries: YarnEntry[] = [];
  const dropped: string[] = [];
  const lines = text.split('\n');
  let offset = 0;
  let cur: { specs: string[]; fields: Map<string, string>; deps: string[]; offset: number } | undefined;
  let inBlock: string | undefined;
  const flush = (): void => {
    if (!cur) return;
    const first = cur.specs[0] ?? '';
    const split = splitSpec(first);
    if (!split) {
      dropped.push(`${first}: cannot tell the package name`);
      cur = undefined;
      return;
    }
    let name = split.name;
    let protocol = protocolOf(split.range);
    if (split.range.startsWith('npm:')) {
      const real = splitSpec(split.range.slice(4));
      if (real) name = real.name;
      protocol = 'npm';
    }
    entries.push({
      specs: cur.specs,
      name,
      version: cur.fields.get('version'),
      protocol,
      resolution: cur.fields.get('resolved'),
      dependencies: cur.deps,
      offset: cur.offset,
    });
    cur = undefined;
  };
  for (const raw of lines) {
    const lineStart = offset;
    offset += raw.length + 1;
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const indent = line.length - line.trimStart().length;
    const body = line.trim();
    if (indent === 0) {
      flush();
      if (!body.endsWith(':')) throw new FormatError(`unexpected top-level line ${JSON.stringify(body.slice(0, 60))}`);
      cur = { specs: splitKeys(body.slice(0, -1)), fields: new Map(), deps: [], offset: lineStart };
      inBlock = undefined;
      continue;
    }
    if (!cur) throw new FormatError('indented line outside an entry');
    if (indent <= 2) {
      inBlock = undefined;
      if (body.endsWith(':')) {
        inBlock = body.slice(0, -1);
        continue;
      }
      const m = /^("[^"]*"|\S+)\s+(.*)$/.exec(body);
      if (m) cur.fields.set(unquote(m[1] ?? ''), unquote(m[2] ?? ''));
      continue;
    }
    if (inBlock === 'dependencies' || inBlock === 'optionalDependencies') {
      const m = /^("[^"]*"|\S+)\s+(.*)$/.exec(body);
      if (m) cur.deps.push(`${unquote(m[1] ?? '')}@${unquote(m[2] ?? '')}`);
    }
  }
  flush();
  return { flavor: 'v1', entries, dropped };
}

function parseBerry(text: string): YarnLock {
  const doc = parseYamlDocument(text, { uniqueKeys: false });
  if (!lib().isMap(doc.contents)) throw new FormatError('top level is not a mapping');
  const entries: YarnEntry[] = [];
  const dropped: string[] = [];
  for (const pair of doc.contents.items) {
    const key = lib().isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (key === undefined || key === '__metadata') continue;
    const offset = lib().isScalar(pair.key) ? (pair.key.range?.[0] ?? 0) : 0;
    const value: unknown = lib().isMap(pair.value) ? pair.value.toJSON() : undefined;
    if (typeof value !== 'object' || value === null) {
      dropped.push(`${key}: entry is not a mapping`);
      continue;
    }
    const v = value as Record<string, unknown>;
    const resolution = typeof v['resolution'] === 'string' ? v['resolution'] : undefined;
    const version = v['version'] === undefined || v['version'] === null ? undefined : String(v['version']);
    const specs = key.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const res = splitSpec(resolution ?? specs[0] ?? '');
    if (!res) {
      dropped.push(`${key}: cannot tell the package name`);
      continue;
    }
    let protocol = protocolOf(res.range);
    if (protocol === 'patch') {
      // `name@patch:name@npm%3A1.2.3#...`: a patched copy of another locator; take the underlying protocol.
      const inner = splitSpec(decodeURIComponent(res.range.slice('patch:'.length).split('#')[0] ?? ''));
      protocol = inner ? protocolOf(inner.range) : 'patch';
    }
    const deps: string[] = [];
    for (const block of ['dependencies', 'optionalDependencies']) {
      const d = v[block];
      if (d && typeof d === 'object') {
        for (const [n, r] of Object.entries(d as Record<string, unknown>)) {
          const range = String(r);
          deps.push(`${n}@${/^[a-z]+:/.test(range) ? range : `npm:${range}`}`);
        }
      }
    }
    entries.push({ specs, name: res.name, version, protocol, resolution, dependencies: deps, offset });
  }
  return { flavor: 'berry', entries, dropped };
}
