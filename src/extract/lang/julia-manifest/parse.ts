/**
 * Julia `Manifest.toml` → entries. Pure. Two layouts: format 1.0 (Julia ≤ 1.6: `[[Name]]` arrays of tables at the
 * top) and format 2.0 (`manifest_format = "2.0"`, `julia_version`, entries under `[[deps.Name]]`). A name may have
 * several entries (different UUIDs).
 */
import { FormatError } from '../../formats/error.js';
import { isTable, parseToml, str, tables } from '../../formats/toml.js';
import type { TomlTable } from '../../formats/toml.js';

export interface JuliaEntry {
  name: string;
  uuid?: string;
  version?: string;
  /** A development checkout (`path = …`): no registry version. */
  path?: string;
  /** Tracked from a repository (`repo-url`, `repo-rev`). */
  repoUrl?: string;
  line?: number;
}

export interface JuliaManifest {
  juliaVersion?: string;
  format: '1.0' | '2.0';
  entries: JuliaEntry[];
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Line of the n-th `[[prefix Name]]` header (headers may be quoted: `[[deps."Name"]]`). */
function headerLines(text: string, prefix: string, name: string): number[] {
  const re = new RegExp(`^\\s*\\[\\[\\s*${escapeRe(prefix)}(?:${escapeRe(name)}|"${escapeRe(name)}")\\s*\\]\\]`);
  const out: number[] = [];
  text.split('\n').forEach((l, i) => {
    if (re.test(l)) out.push(i + 1);
  });
  return out;
}

export function parseJuliaManifest(text: string): JuliaManifest {
  const doc = parseToml(text);
  const v2 = str(doc, 'manifest_format') !== undefined;
  const format = str(doc, 'manifest_format');
  if (format !== undefined && !/^2(\.\d+)?$/.test(format)) throw new FormatError(`manifest_format ${JSON.stringify(format)}: only 1.0 and 2.x are known`);
  let deps: TomlTable = doc;
  if (v2) {
    const d = doc['deps'];
    if (d === undefined) deps = {};
    else if (!isTable(d)) throw new FormatError('"deps" is not a table');
    else deps = d;
  }
  const entries: JuliaEntry[] = [];
  for (const [name, value] of Object.entries(deps)) {
    if (!v2 && !Array.isArray(value)) continue; // format 1.0: only the [[Name]] arrays are packages
    const lines = headerLines(text, v2 ? 'deps.' : '', name);
    tables(value).forEach((t, i) => {
      const e: JuliaEntry = { name };
      const uuid = str(t, 'uuid');
      if (uuid) e.uuid = uuid;
      const version = str(t, 'version');
      if (version) e.version = version;
      const path = str(t, 'path');
      if (path) e.path = path;
      const repoUrl = str(t, 'repo-url');
      if (repoUrl) e.repoUrl = repoUrl;
      const line = lines[i];
      if (line !== undefined) e.line = line;
      entries.push(e);
    });
  }
  const juliaVersion = str(doc, 'julia_version');
  return { format: v2 ? '2.0' : '1.0', entries, ...(juliaVersion ? { juliaVersion } : {}) };
}
