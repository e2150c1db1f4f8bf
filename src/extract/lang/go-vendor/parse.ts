/**
 * vendor/modules.txt (written by `go mod vendor`). Pure: text in, records out.
 *   # module version [=> replacement [version]]
 *   ## explicit; go 1.17
 *   package/path
 */
import { FormatError } from '../../formats/error.js';
export interface VendoredModule {
  module: string;
  version: string | undefined;
  replace: { path: string; version: string | undefined } | undefined;
  explicit: boolean;
  line: number;
}

export function parseModulesTxt(text: string): { modules: VendoredModule[]; dropped: string[] } {
  const modules: VendoredModule[] = [];
  const dropped: string[] = [];
  const lines = text.split('\n');
  let cur: VendoredModule | undefined;
  for (let i = 0; i < lines.length; i++) {
    const l = (lines[i] ?? '').trimEnd();
    if (l === '') continue;
    if (l.startsWith('## ')) {
      if (cur && l.slice(3).split(';').map((s) => s.trim()).includes('explicit')) cur.explicit = true;
      continue;
    }
    if (l.startsWith('# ')) {
      const f = l.slice(2).trim().split(/\s+/);
      const arrow = f.indexOf('=>');
      const left = arrow < 0 ? f : f.slice(0, arrow);
      const right = arrow < 0 ? [] : f.slice(arrow + 1);
      if (!left[0] || left.length > 2 || (arrow >= 0 && (right.length < 1 || right.length > 2))) {
        dropped.push(`line ${i + 1}: malformed module line`);
        cur = undefined;
        continue;
      }
      cur = {
        module: left[0],
        version: left[1],
        replace: right[0] ? { path: right[0], version: right[1] } : undefined,
        explicit: false,
        line: i + 1,
      };
      modules.push(cur);
      continue;
    }
    if (l.startsWith('#')) throw new FormatError(`line ${i + 1}: unexpected ${JSON.stringify(l.slice(0, 40))}`);
    if (!cur) throw new FormatError(`line ${i + 1}: package line before any module line`);
  }
  return { modules, dropped };
}
