/** pdm.lock. Pure: text in, records out. */
import { arrayTableLines, isTable, parseToml, str, tables } from '../../formats/toml.js';
import { FormatError } from '../../formats/error.js';

export interface PdmPackage {
  name: string;
  version: string | undefined;
  /** Groups the package belongs to (`groups`, formerly `sections`); undefined when not recorded. */
  groups: string[] | undefined;
  /** 'registry', or 'git' / 'path' / 'url' for other sources. */
  source: string;
  line: number | undefined;
}

export function parsePdmLock(text: string): { packages: PdmPackage[]; dropped: string[] } {
  let doc;
  try {
    doc = parseToml(text);
  } catch (e) {
    throw new FormatError((e as Error).message);
  }
  if (!isTable(doc['metadata']) && !Array.isArray(doc['package'])) throw new FormatError('no [metadata] or [[package]]: not a pdm.lock');
  const lines = arrayTableLines(text, 'package');
  const dropped: string[] = [];
  const packages: PdmPackage[] = [];
  tables(doc['package']).forEach((p, i) => {
    const name = str(p, 'name');
    if (!name) {
      dropped.push(`[[package]] #${i + 1}: no name`);
      return;
    }
    const g = Array.isArray(p['groups']) ? p['groups'] : Array.isArray(p['sections']) ? p['sections'] : undefined;
    const source = ['git', 'path', 'url'].find((k) => typeof p[k] === 'string') ?? 'registry';
    packages.push({ name, version: str(p, 'version'), groups: g?.map(String), source, line: lines[i] });
  });
  return { packages, dropped };
}
