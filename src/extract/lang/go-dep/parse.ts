/** Gopkg.lock (golang/dep, TOML `[[projects]]`). Pure: text in, records out. */
import { arrayTableLines, parseToml, str, tables } from '../../formats/toml.js';
import { FormatError } from '../../formats/error.js';

export interface DepProject {
  name: string;
  version: string | undefined;
  revision: string | undefined;
  branch: string | undefined;
  line: number | undefined;
}

export function parseGopkgLock(text: string): { projects: DepProject[]; dropped: string[] } {
  let doc;
  try {
    doc = parseToml(text);
  } catch (e) {
    throw new FormatError((e as Error).message);
  }
  if (!Array.isArray(doc['projects']) && doc['solve-meta'] === undefined) throw new FormatError('no [[projects]] or [solve-meta]: not a Gopkg.lock');
  const lines = arrayTableLines(text, 'projects');
  const projects: DepProject[] = [];
  const dropped: string[] = [];
  tables(doc['projects']).forEach((p, i) => {
    const name = str(p, 'name');
    if (!name) {
      dropped.push(`[[projects]] #${i + 1}: no name`);
      return;
    }
    projects.push({ name, version: str(p, 'version'), revision: str(p, 'revision'), branch: str(p, 'branch'), line: lines[i] });
  });
  return { projects, dropped };
}
