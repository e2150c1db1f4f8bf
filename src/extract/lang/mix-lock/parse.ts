/**
 * Elixir `mix.lock` → records. Pure. The file is an Elixir map literal written by Mix, one entry per line:
 *   "jason": {:hex, :jason, "1.4.0", "<inner hash>", [:mix], [deps...], "hexpm", "<outer hash>"},
 *   "esaml": {:git, "https://github.com/firezone/esaml.git", "4294a3a...", []},
 * We read the term's leading elements only; no Elixir is evaluated.
 */
import { FormatError } from '../../formats/error.js';

export interface MixEntry {
  key: string;
  scm: string;
  /** Hex package name (the atom after :hex, which may differ from the key when aliased). */
  name?: string;
  version?: string;
  /** hex repository ("hexpm", or an organisation repo). */
  repo?: string;
  /** git URL and ref for :git entries. */
  url?: string;
  ref?: string;
  line: number;
}

const ENTRY = /^\s*"([^"]+)"\s*:\s*\{\s*:(\w+)\s*,\s*(.*)$/;
const HEX = /^:"?([\w.-]+)"?\s*,\s*"([^"]+)"/;
const GIT = /^"([^"]+)"\s*,\s*"([^"]*)"/;

export function parseMixLock(text: string): { entries: MixEntry[]; skipped: string[] } {
  const trimmed = text.trim();
  if (trimmed === '') return { entries: [], skipped: [] };
  if (!trimmed.startsWith('%{') || !trimmed.endsWith('}')) throw new FormatError('not an Elixir map literal (%{ ... })');
  const entries: MixEntry[] = [];
  const skipped: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (!line.trim().startsWith('"')) continue;
    const m = ENTRY.exec(line);
    if (!m || m[1] === undefined || m[2] === undefined || m[3] === undefined) {
      skipped.push(`line ${i + 1}: not a "name": {:scm, ...} entry`);
      continue;
    }
    const e: MixEntry = { key: m[1], scm: m[2], line: i + 1 };
    if (e.scm === 'hex') {
      const h = HEX.exec(m[3]);
      if (!h || h[1] === undefined || h[2] === undefined) {
        skipped.push(`line ${i + 1}: hex entry ${e.key} without name and version`);
        continue;
      }
      e.name = h[1];
      e.version = h[2];
      const repo = /"([\w.-]+)"\s*,\s*"[0-9a-f]+"\s*\}\s*,?\s*$/.exec(m[3]);
      if (repo?.[1] !== undefined) e.repo = repo[1];
    } else if (e.scm === 'git') {
      const g = GIT.exec(m[3]);
      if (g?.[1] !== undefined) e.url = g[1];
      if (g?.[2] !== undefined) e.ref = g[2];
    }
    entries.push(e);
  }
  return { entries, skipped };
}
