import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { baseName, decodeText } from '../../util/text.js';
import { LineIndex } from '../../formats/lines.js';
import { reachability } from '../../util/dep-graph.js';
import { isObject, parseJson } from '../../formats/json.js';
import { isExactSemver } from '../npm-common/names.js';
import { PackageSet } from '../../util/package-set.js';
import { NPM_ECOSYSTEM } from '../npm-common/names.js';
import { npmPurl } from '../../../core/purl.js';
import { parseYarnLock } from './parse.js';
import type { YarnEntry } from './parse.js';
import { parseFile } from '../../util/parse-file.js';

const ID = 'lang/yarn-lock';
const LOCAL = new Set(['workspace', 'link', 'portal', 'file']);

/**
 * yarn.lock, classic and berry. yarn.lock does not say which packages are direct or dev-only, so when a
 * package.json sits beside it we walk the lockfile graph from its dependencies and devDependencies.
 */
export const yarnLockExtractor: Extractor = {
  id: ID,
  version: 1,
  candidates: { baseNames: ['yarn.lock'] },
  required(path: string): boolean {
    return baseName(path) === 'yarn.lock' && !path.startsWith('node_modules/') && !path.includes('/node_modules/');
  },
  async extract(input: ExtractInput): Promise<ExtractOutput> {
    const text = decodeText(input.content);
    const lock = parseFile(input.path, () => parseYarnLock(text));
    const set = new PackageSet(NPM_ECOSYSTEM, ID, input.path, { locations: 'first' });
    for (const d of lock.dropped) set.problem(d);

    const bySpec = new Map<string, YarnEntry>();
    for (const e of lock.entries) for (const s of e.specs) bySpec.set(s, e);
    const edges = (e: YarnEntry): YarnEntry[] =>
      e.dependencies.map((s) => bySpec.get(s)).filter((x): x is YarnEntry => x !== undefined);

    const dir = input.path.includes('/') ? input.path.slice(0, input.path.lastIndexOf('/') + 1) : '';
    const manifest = await input.tree.read(`${dir}package.json`);
    const roots = manifest ? manifestRoots(decodeText(manifest), lock.flavor) : undefined;
    let flags: ((e: YarnEntry) => { direct?: boolean; dev?: boolean }) | undefined;
    if (roots) {
      const prodRoots = roots.prod.map((s) => bySpec.get(s)).filter((x): x is YarnEntry => x !== undefined);
      const devRoots = roots.dev.map((s) => bySpec.get(s)).filter((x): x is YarnEntry => x !== undefined);
      // Workspace packages' own dependencies count as production roots too.
      for (const e of lock.entries) if (e.protocol === 'workspace') prodRoots.push(...edges(e));
      const reach = reachability({ prodRoots, devRoots, edges });
      const direct = new Set([...prodRoots, ...devRoots]);
      flags = (e) => ({ direct: direct.has(e), dev: !reach.prod.has(e) && reach.dev.has(e) });
    }

    const lines = new LineIndex(text);
    for (const e of lock.entries) {
      if (LOCAL.has(e.protocol)) continue;
      if (e.protocol !== 'npm' || e.version === undefined || !isExactSemver(e.version)) {
        set.unknown({
          kind: 'unresolved-version',
          message: `${e.name} comes from ${e.resolution ?? e.specs.join(', ')}, not from the registry`,
          package: e.version === undefined ? { name: e.name } : { name: e.name, version: e.version },
        });
        continue;
      }
      const { name, version } = e;
      set.add({
        name,
        version,
        purl: () => npmPurl(name, version),
        line: lines.line(e.offset),
        ...(flags ? flags(e) : {}),
      });
    }
    return set.output();
  },
};

function manifestRoots(text: string, flavor: 'v1' | 'berry'): { prod: string[]; dev: string[] } | undefined {
  let doc;
  try {
    doc = parseJson(text);
  } catch {
    return undefined;
  }
  if (!isObject(doc)) return undefined;
  const specs = (key: string): string[] => {
    const d = doc[key];
    if (!isObject(d)) return [];
    return Object.entries(d).map(([n, r]) => {
      const range = String(r);
      return flavor === 'berry' && !/^[a-z]+:/.test(range) ? `${n}@npm:${range}` : `${n}@${range}`;
    });
  };
  return {
    prod: [...specs('dependencies'), ...specs('optionalDependencies'), ...specs('peerDependencies')],
    dev: specs('devDependencies'),
  };
}
