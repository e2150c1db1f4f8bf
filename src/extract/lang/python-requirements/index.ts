import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { baseName } from '../../util/text.js';
import { PackageSet } from '../../util/package-set.js';
import { isPep440Version, normalizePyName, PYPI_ECOSYSTEM } from '../python-common/names.js';
import { pypiPurl } from '../../../core/purl.js';
import { decodePyText } from '../python-common/text.js';
import { parseRequirements } from './parse.js';
import { minimumVersion } from './min-version.js';

const ID = 'lang/python-requirements';
const MAX_DEPTH = 16;

/** requirements.txt, requirements-*.txt, *-requirements.txt, requirements/*.txt, constraints.txt. */
function isRequirementsFile(path: string): boolean {
  const base = baseName(path);
  if (!base.endsWith('.txt')) return false;
  if (base.startsWith('requirements') || base.endsWith('-requirements.txt') || base.endsWith('_requirements.txt')) return true;
  if (base === 'constraints.txt') return true;
  return path.startsWith('requirements/') || path.includes('/requirements/');
}

function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i + 1);
}

/** Joins a relative include onto the including file's directory, resolving `.` and `..`. */
function joinPath(dir: string, rel: string): string | undefined {
  if (rel.startsWith('/') || /^[a-z]+:\/\//i.test(rel)) return undefined; // absolute paths and URLs: outside the tree
  const parts = `${dir}${rel}`.split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(p);
  }
  return out.join('/');
}

/**
 * pip requirements files. Exact pins (`==1.2`, `===1.2`) are package versions. A range bounded within one
 * release series (`~=1.1`, `==2.0.*`) and no pin from a `-c` constraints file is reported at its minimum version,
 * as trivy does (min-version.ts), together with an `unresolved-version` unknown saying the installed version may
 * be higher, so the guess is never silent. A range without a floor or a bare name is only that unknown; editable
 * installs, URLs and local paths are unknowns too. `-r` and `-c` includes are read from the tree, with a cycle guard.
 */
export const pythonRequirementsExtractor: Extractor = {
  id: ID,
  version: 2,
  candidates: { suffixes: ['.txt'] },
  required: isRequirementsFile,
  async extract(input: ExtractInput): Promise<ExtractOutput> {
    const set = new PackageSet(PYPI_ECOSYSTEM, ID, input.path, { locations: 'first' });
    const visited = new Set<string>([input.path]);
    const constraints = new Map<string, { version: string; path: string; line: number }>();
    type Pending = { name: string; specifier: string; path: string; line: number };
    const unpinned: Pending[] = [];

    const visit = async (path: string, text: string, depth: number, asConstraints: boolean): Promise<void> => {
      for (const l of parseRequirements(text)) {
        switch (l.kind) {
          case 'include': {
            const target = joinPath(dirOf(path), l.target);
            if (target === undefined) {
              set.unknown({ kind: 'unsupported', message: `${path}:${l.line}: include ${l.target} is outside the scanned tree` });
              break;
            }
            if (visited.has(target) || depth >= MAX_DEPTH) {
              set.problem(`${path}:${l.line}: include cycle or too deep: ${l.target}`);
              break;
            }
            visited.add(target);
            const bytes = await input.tree.read(target);
            if (!bytes) {
              set.problem(`${path}:${l.line}: included file ${target} not found`, 'BULWARK_E_IO');
              break;
            }
            await visit(target, decodePyText(bytes), depth + 1, asConstraints || l.constraint);
            break;
          }
          case 'reference':
            if (!asConstraints && (l.name !== undefined || !l.text.startsWith('-'))) {
              set.unknown({
                kind: 'unresolved-version',
                message: `${path}:${l.line}: ${l.text} is not a registry requirement`,
                ...(l.name ? { package: { name: normalizePyName(l.name) } } : {}),
              });
            }
            break;
          case 'invalid':
            set.problem(`${path}:${l.line}: cannot parse ${JSON.stringify(l.text)}`);
            break;
          case 'requirement': {
            const name = normalizePyName(l.name);
            if (asConstraints) {
              if (l.pin !== undefined) constraints.set(name, { version: l.pin, path, line: l.line });
              break;
            }
            if (l.pin !== undefined && isPep440Version(l.pin)) {
              const pin = l.pin;
              set.add({ name, version: pin, purl: () => pypiPurl(name, pin), line: l.line, path });
            } else if (l.pin !== undefined) {
              set.unknown({ kind: 'unparseable-version', message: `${path}:${l.line}: ${l.name}==${l.pin} is not a PEP 440 version`, package: { name, version: l.pin } });
            } else {
              unpinned.push({ name, specifier: l.specifier, path, line: l.line });
            }
            break;
          }
        }
      }
    };
    await visit(input.path, decodePyText(input.content), 0, false);

    for (const u of unpinned) {
      const c = constraints.get(u.name);
      if (c && isPep440Version(c.version)) {
        set.add({ name: u.name, version: c.version, purl: () => pypiPurl(u.name, c.version), line: u.line, path: u.path });
        continue;
      }
      const floor = minimumVersion(u.specifier);
      if (floor !== undefined) {
        set.add({ name: u.name, version: floor, purl: () => pypiPurl(u.name, floor), line: u.line, path: u.path });
        set.unknown({
          kind: 'unresolved-version',
          message: `${u.path}:${u.line}: ${u.name} ${u.specifier} does not pin a version; reported at its minimum ${floor}, the installed version may be higher`,
          package: { name: u.name, version: floor },
        });
        continue;
      }
      set.unknown({
        kind: 'unresolved-version',
        message: `${u.path}:${u.line}: ${u.name}${u.specifier ? ` ${u.specifier}` : ''} does not pin a version`,
        package: { name: u.name },
      });
    }
    return set.output();
  },
};
