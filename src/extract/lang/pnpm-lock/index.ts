import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { baseName, decodeText } from '../../util/text.js';
import { LineIndex } from '../../formats/lines.js';
import { reachability } from '../../util/dep-graph.js';
import { isExactSemver } from '../npm-common/names.js';
import { PackageSet } from '../../util/package-set.js';
import { NPM_ECOSYSTEM } from '../npm-common/names.js';
import { npmPurl } from '../../../core/purl.js';
import { parsePnpmLock } from './parse.js';
import { parseFile } from '../../util/parse-file.js';

const ID = 'lang/pnpm-lock';
const LOCAL = new Set(['file', 'link', 'directory']);

/**
 * pnpm-lock.yaml v5, v6 and v9. Direct = listed by an importer; dev = the lockfile's `dev` flag (v5/v6),
 * or reachable only from importers' devDependencies (v9, which dropped the flag). Tarball, git, `file:` and
 * directory packages that declare a version are reported at it, as trivy does, each with an `unresolved-version`
 * unknown saying it does not come from the registry; those without one (a bare local directory) are the project's
 * own code and are skipped.
 */
export const pnpmLockExtractor: Extractor = {
  id: ID,
  version: 2,
  candidates: { baseNames: ['pnpm-lock.yaml'] },
  required(path: string): boolean {
    return baseName(path) === 'pnpm-lock.yaml' && !path.includes('node_modules/');
  },
  extract(input: ExtractInput): ExtractOutput {
    const text = decodeText(input.content);
    const lock = parseFile(input.path, () => parsePnpmLock(text));
    const set = new PackageSet(NPM_ECOSYSTEM, ID, input.path, { locations: 'first' });
    for (const d of lock.dropped) set.problem(d);

    const byId = new Map<string, string[]>();
    for (const p of lock.packages) byId.set(p.id, [...(byId.get(p.id) ?? []), ...p.dependencies]);
    const directIds = new Set<string>();
    const prodRoots: string[] = [];
    const devRoots: string[] = [];
    for (const imp of lock.importers) {
      for (const d of imp.prod) directIds.add(d);
      for (const d of imp.dev) directIds.add(d);
      prodRoots.push(...imp.prod);
      devRoots.push(...imp.dev);
    }
    const reach = reachability({ prodRoots, devRoots, edges: (n: string) => byId.get(n) ?? [] });

    const lines = new LineIndex(text);
    for (const p of lock.packages) {
      const registry = p.source === 'registry';
      if (!isExactSemver(p.version)) {
        // a local link or directory without a version of its own is part of the project, not a dependency
        if (LOCAL.has(p.source)) continue;
        set.unknown({
          kind: 'unresolved-version',
          message: `${p.name} ${p.version} comes from ${registry ? 'an unrecognized source' : `a ${p.source}`}, not from the registry`,
          package: { name: p.name, version: p.version },
        });
        continue;
      }
      if (!registry) {
        // Reported at the version the package declares (as trivy does), with a note: the code is not the registry's.
        set.unknown({
          kind: 'unresolved-version',
          message: `${p.name} ${p.version} comes from a ${p.source}, not from the registry; matched as the registry release of that version`,
          package: { name: p.name, version: p.version },
        });
      }
      const dev = lock.lockfileVersion < 9 && p.dev !== undefined ? p.dev : !reach.prod.has(p.id) && reach.dev.has(p.id);
      set.add({
        name: p.name,
        version: p.version,
        purl: () => npmPurl(p.name, p.version),
        line: p.offset === undefined ? undefined : lines.line(p.offset),
        direct: directIds.has(p.id),
        dev,
      });
    }
    return set.output();
  },
};
