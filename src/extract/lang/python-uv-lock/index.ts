import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { baseName, decodeText } from '../../util/text.js';
import { reachability } from '../../util/dep-graph.js';
import { PackageSet } from '../../util/package-set.js';
import { addIndexPackage, isPep440Version, normalizePyName, PYPI_ECOSYSTEM } from '../python-common/names.js';
import { pypiPurl } from '../../../core/purl.js';
import { parseUvLock } from './parse.js';
import type { UvDep, UvPackage } from './parse.js';
import { parseFile } from '../../util/parse-file.js';

const ID = 'lang/python-uv-lock';
const PROJECT = new Set(['editable', 'virtual']);

/**
 * uv.lock. The workspace's own projects (editable / virtual sources) are recorded with relationship root (the one
 * at ".", when there is exactly one, as Trivy requires) or workspace (the other members); their `dependencies` and
 * `optional-dependencies` are the direct production roots and their `dev-dependencies` groups the dev roots;
 * dev = reachable only from dev roots.
 */
export const pythonUvLockExtractor: Extractor = {
  id: ID,
  version: 2,
  candidates: { baseNames: ['uv.lock'] },
  required: (path: string) => baseName(path) === 'uv.lock',
  extract(input: ExtractInput): ExtractOutput {
    const lock = parseFile(input.path, () => parseUvLock(decodeText(input.content)));
    const set = new PackageSet(PYPI_ECOSYSTEM, ID, input.path, { locations: 'first' });
    for (const d of lock.dropped) set.problem(d);
    const byName = new Map<string, UvPackage[]>();
    for (const p of lock.packages) byName.set(normalizePyName(p.name), [...(byName.get(normalizePyName(p.name)) ?? []), p]);
    const resolve = (d: UvDep): UvPackage[] => {
      const cands = byName.get(normalizePyName(d.name)) ?? [];
      return d.version ? cands.filter((c) => c.version === d.version) : cands;
    };
    const projects = lock.packages.filter((p) => PROJECT.has(p.source));
    const prodRoots = projects.flatMap((p) => [...p.dependencies, ...p.optionalDependencies].flatMap(resolve));
    const devRoots = projects.flatMap((p) => p.devDependencies.flatMap(resolve));
    const reach = reachability({ prodRoots, devRoots, edges: (p: UvPackage) => p.dependencies.flatMap(resolve) });
    const direct = new Set([...prodRoots, ...devRoots]);
    const known = projects.length > 0;

    const atRoot = projects.filter((p) => p.sourcePath === '.');
    for (const p of projects) {
      const name = normalizePyName(p.name);
      const version = p.version;
      if (version === undefined || !isPep440Version(version)) continue;
      const relationship = atRoot.length === 1 && atRoot[0] === p ? 'root' : 'workspace';
      set.add({ name, version, purl: () => pypiPurl(name, version), ...(p.line !== undefined ? { line: p.line } : {}), relationship });
    }
    for (const p of lock.packages) {
      if (PROJECT.has(p.source) || p.source === 'directory' || p.source === 'path') continue;
      addIndexPackage(set, p, known ? { direct: direct.has(p), dev: !reach.prod.has(p) && reach.dev.has(p) } : {});
    }
    return set.output();
  },
};
