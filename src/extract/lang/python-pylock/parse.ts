/** pylock.toml (PEP 751). Pure: text in, records out. */
import { arrayTableLines, isTable, parseToml, str, tables } from '../../formats/toml.js';
import { FormatError } from '../../formats/error.js';

export interface PylockPackage {
  name: string;
  version: string | undefined;
  /** 'registry' (sdist / wheels / index), 'vcs', 'directory' or 'archive'. */
  source: string;
  line: number | undefined;
}

export function parsePylock(text: string): { packages: PylockPackage[]; dropped: string[] } {
  let doc;
  try {
    doc = parseToml(text);
  } catch (e) {
    throw new FormatError((e as Error).message);
  }
  const lv = str(doc, 'lock-version');
  if (lv === undefined) throw new FormatError('no lock-version: not a PEP 751 lock file');
  if (!/^1(\.\d+)?$/.test(lv)) throw new FormatError(`unsupported lock-version ${JSON.stringify(lv)}`);
  const lines = arrayTableLines(text, 'packages');
  const dropped: string[] = [];
  const packages: PylockPackage[] = [];
  tables(doc['packages']).forEach((p, i) => {
    const name = str(p, 'name');
    if (!name) {
      dropped.push(`[[packages]] #${i + 1}: no name`);
      return;
    }
    const source = ['vcs', 'directory', 'archive'].find((k) => isTable(p[k])) ?? 'registry';
    packages.push({ name, version: str(p, 'version'), source, line: lines[i] });
  });
  return { packages, dropped };
}
