import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { baseName, decodeText } from '../../util/text.js';
import { LineIndex } from '../../formats/lines.js';
import { reachability } from '../../util/dep-graph.js';
import { isExactSemver } from '../npm-common/names.js';
import { PackageSet } from '../../util/package-set.js';
import { NPM_ECOSYSTEM } from '../npm-common/names.js';
import { npmPurl } from '../../../core/purl.js';
import { keySegments, parseBunLock } from './parse.js';
import type { BunPackage } from './parse.js';
import { parseFile } from '../../util/parse-file.js';

const ID = 'lang/bun-lock';
const LOCAL = new Set(['workspace', 'link', 'file', 'root']);

/**
 * bun.lock (the text lockfile of Bun ≥ 1.1.39; the binary bun.lockb is not read). Workspace members are the
 * project's own code: recorded with relationship workspace (the project itself, the "" workspace, as root) when
 * they have a version; their dependencies are the direct ones. dev = reachable only from devDependencies.
 */
export const bunLockExtractor: Extractor = {
  id: ID,
  version: 2,
  candidates: { baseNames: ['bun.lock'] },
  required(path: string): boolean {
    return baseName(path) === 'bun.lock' && !path.includes('node_modules/');
  },
  extract(input: ExtractInput): ExtractOutput {
    const text = decodeText(input.content);
    const lock = parseFile(input.path, () => parseBunLock(text));
    const set = new PackageSet(NPM_ECOSYSTEM, ID, input.path, { locations: 'first' });
    for (const d of lock.dropped) set.problem(d);
    const byKey = new Map(lock.packages.map((p) => [p.key, p]));
    // bun resolves a dependency from a nested copy outwards: parent/child/dep, parent/dep, dep
    const resolve = (from: string[], dep: string): BunPackage | undefined => {
      for (let i = from.length; i >= 0; i--) {
        const hit = byKey.get([...from.slice(0, i), dep].join('/'));
        if (hit) return hit;
      }
      return undefined;
    };
    const prodRoots = lock.workspaces.flatMap((w) => w.prod.map((n) => byKey.get(n))).filter((p): p is BunPackage => p !== undefined);
    const devRoots = lock.workspaces.flatMap((w) => w.dev.map((n) => byKey.get(n))).filter((p): p is BunPackage => p !== undefined);
    const edges = (p: BunPackage): BunPackage[] => {
      const segs = keySegments(p.key);
      return p.dependencies.map((d) => resolve(segs, d)).filter((x): x is BunPackage => x !== undefined);
    };
    // workspace members' dependencies are production roots too
    for (const p of lock.packages) if (p.protocol === 'workspace') prodRoots.push(...edges(p));
    const reach = reachability({ prodRoots, devRoots, edges });
    const direct = new Set([...prodRoots, ...devRoots]);

    const lines = new LineIndex(text);
    const lineOf = (p: BunPackage) => (p.offset === undefined ? undefined : lines.line(p.offset));
    // The project ("" workspace) and its members, when they have a name and version.
    const root = lock.workspaces.find((w) => w.path === '');
    if (root?.name && root.version && isExactSemver(root.version)) {
      const { name, version } = root;
      set.add({ name, version, purl: () => npmPurl(name, version), relationship: 'root' });
    }
    const members = new Map(lock.workspaces.map((w) => [w.path, w]));
    for (const p of lock.packages) {
      if (p.protocol !== 'workspace') continue;
      const version = members.get(p.version.slice('workspace:'.length))?.version;
      if (version && isExactSemver(version)) set.add({ name: p.name, version, purl: () => npmPurl(p.name, version), line: lineOf(p), relationship: 'workspace' });
    }
    for (const p of lock.packages) {
      if (LOCAL.has(p.protocol)) continue;
      if (p.protocol !== 'npm' || !isExactSemver(p.version)) {
        set.unknown({ kind: 'unresolved-version', message: `${p.name} resolves to ${JSON.stringify(p.version)}, not a registry version`, package: { name: p.name, version: p.version } });
        continue;
      }
      set.add({
        name: p.name,
        version: p.version,
        purl: () => npmPurl(p.name, p.version),
        line: lineOf(p),
        direct: direct.has(p),
        dev: !reach.prod.has(p) && reach.dev.has(p),
      });
    }
    return set.output();
  },
};
