/** uv.lock. Pure: text in, records out. */
import { arrayTableLines, isTable, parseToml, str, tables } from '../../formats/toml.js';
import type { TomlTable } from '../../formats/toml.js';
import { FormatError } from '../../formats/error.js';

export interface UvDep {
  name: string;
  version?: string;
}

export interface UvPackage {
  name: string;
  version: string | undefined;
  /** 'registry', 'editable', 'virtual', 'directory', 'path', 'git', 'url'. */
  source: string;
  /** The source's value when it is a path (editable, virtual, directory, path): "." for the workspace root. */
  sourcePath?: string;
  line: number | undefined;
  dependencies: UvDep[];
  /** Only for project (editable/virtual) packages: dev-dependencies groups, and optional-dependencies extras. */
  devDependencies: UvDep[];
  optionalDependencies: UvDep[];
}

function deps(v: unknown): UvDep[] {
  return tables(v).flatMap((d) => {
    const name = str(d, 'name');
    if (!name) return [];
    const version = str(d, 'version');
    return [version ? { name, version } : { name }];
  });
}

function groupDeps(v: unknown): UvDep[] {
  return isTable(v) ? Object.values(v).flatMap(deps) : [];
}

export function parseUvLock(text: string): { version: number; packages: UvPackage[]; dropped: string[] } {
  let doc: TomlTable;
  try {
    doc = parseToml(text);
  } catch (e) {
    throw new FormatError((e as Error).message);
  }
  const version = doc['version'];
  if (typeof version !== 'number') throw new FormatError('no top-level `version`: not a uv.lock');
  if (version !== 1) throw new FormatError(`unsupported uv.lock version ${version}`);
  const lines = arrayTableLines(text, 'package');
  const dropped: string[] = [];
  const packages: UvPackage[] = [];
  tables(doc['package']).forEach((p, i) => {
    const name = str(p, 'name');
    if (!name) {
      dropped.push(`[[package]] #${i + 1}: no name`);
      return;
    }
    const src = isTable(p['source']) ? p['source'] : {};
    const source = ['registry', 'editable', 'virtual', 'directory', 'path', 'git', 'url'].find((k) => k in src) ?? 'registry';
    const sourcePath = ['editable', 'virtual', 'directory', 'path'].includes(source) ? str(src, source) : undefined;
    packages.push({
      name,
      version: str(p, 'version'),
      source,
      ...(sourcePath !== undefined ? { sourcePath } : {}),
      line: lines[i],
      dependencies: deps(p['dependencies']),
      devDependencies: groupDeps(p['dev-dependencies']),
      optionalDependencies: groupDeps(p['optional-dependencies']),
    });
  });
  return { version, packages, dropped };
}
