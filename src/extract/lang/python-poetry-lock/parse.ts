/** poetry.lock v1 (`category`) and v2 (`groups`). Pure: text in, records out. */
import { arrayTableLines, isTable, parseToml, str, tables } from '../../formats/toml.js';
import { FormatError } from '../../formats/error.js';

export interface PoetryPackage {
  name: string;
  version: string;
  /** true = only in non-main groups / category "dev"; undefined when the lockfile does not say. */
  dev: boolean | undefined;
  /** 'registry' unless [package.source] says git, directory, file or url (a `legacy` source is a registry). */
  source: string;
  line: number | undefined;
  dependencies: string[];
}

export function parsePoetryLock(text: string): { packages: PoetryPackage[]; dropped: string[] } {
  let doc;
  try {
    doc = parseToml(text);
  } catch (e) {
    throw new FormatError((e as Error).message);
  }
  if (!Array.isArray(doc['package']) && !isTable(doc['metadata'])) throw new FormatError('no [[package]] or [metadata]: not a poetry.lock');
  const lines = arrayTableLines(text, 'package');
  const packages: PoetryPackage[] = [];
  const dropped: string[] = [];
  tables(doc['package']).forEach((p, i) => {
    const name = str(p, 'name');
    const version = str(p, 'version');
    if (!name || !version) {
      dropped.push(`[[package]] #${i + 1}: no name or version`);
      return;
    }
    const category = str(p, 'category');
    const groups = Array.isArray(p['groups']) ? p['groups'].map(String) : undefined;
    const dev = groups ? !groups.includes('main') : category ? category !== 'main' : undefined;
    const src = isTable(p['source']) ? str(p['source'], 'type') : undefined;
    const deps = isTable(p['dependencies']) ? Object.keys(p['dependencies']) : [];
    packages.push({ name, version, dev, source: !src || src === 'legacy' ? 'registry' : src, line: lines[i], dependencies: deps });
  });
  return { packages, dropped };
}
