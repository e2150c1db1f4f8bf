/**
 * Core metadata of installed distributions (`*.dist-info/METADATA`, `*.egg-info/PKG-INFO`): RFC 822 style
 * headers up to the first blank line. Pure: text in, name and version out.
 */
import { FormatError } from '../../formats/error.js';
export interface PyMetadata {
  name: string;
  version: string;
  nameLine: number;
}

export function parsePyMetadata(text: string): PyMetadata {
  const headers = new Map<string, { value: string; line: number }>();
  const lines = text.split(/\r?\n/);
  let last: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] ?? '';
    if (l.trim() === '') break;
    if (/^[ \t]/.test(l)) {
      if (last) {
        const h = headers.get(last);
        if (h) h.value += ` ${l.trim()}`;
      }
      continue;
    }
    const colon = l.indexOf(':');
    if (colon <= 0) throw new FormatError(`line ${i + 1} is not a header`);
    const key = l.slice(0, colon).trim().toLowerCase();
    last = key;
    if (!headers.has(key)) headers.set(key, { value: l.slice(colon + 1).trim(), line: i + 1 });
  }
  const name = headers.get('name');
  const version = headers.get('version');
  if (!name?.value || !version?.value) throw new FormatError('no Name and Version headers');
  return { name: name.value, version: version.value, nameLine: name.line };
}
