/**
 * Parsers for the files that name an image's operating system. Pure: text in, fields out.
 */

/**
 * os-release(5) / lsb-release: `KEY=value` lines, values optionally in double or single quotes
 * with shell-style backslash escapes in double quotes; `#` comments and blank lines ignored.
 */
export function parseKeyValues(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) continue;
    out.set(key, unquote(line.slice(eq + 1).trim()));
  }
  return out;
}

function unquote(v: string): string {
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
  if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1);
  return v;
}

export interface ReleaseLine {
  /** Distribution name as written, e.g. "CentOS Linux", "Red Hat Enterprise Linux". */
  name: string;
  /** e.g. "7.6.1810". */
  version: string;
  /** Text in parentheses, e.g. "Core", "Plow". */
  codename?: string;
}

/**
 * The one-line `*-release` files of the Red Hat family:
 * "CentOS Linux release 7.6.1810 (Core)", "Amazon Linux release 2 (Karoo)",
 * "Amazon Linux AMI release 2018.03", "Oracle Linux Server release 7.6".
 */
export function parseReleaseLine(text: string): ReleaseLine | undefined {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '')?.trim();
  if (!line) return undefined;
  const m = /^(.*?)\s+release\s+([0-9][0-9A-Za-z.]*)(?:\s*\(([^)]*)\))?/i.exec(line);
  if (!m?.[1] || !m[2]) return undefined;
  const out: ReleaseLine = { name: m[1].trim(), version: m[2] };
  if (m[3]) out.codename = m[3].trim();
  return out;
}
