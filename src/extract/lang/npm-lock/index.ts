import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { baseName, decodeText } from '../../util/text.js';
import { LineIndex } from '../../formats/lines.js';
import { PackageSet } from '../../util/package-set.js';
import { NPM_ECOSYSTEM } from '../npm-common/names.js';
import { npmPurl } from '../../../core/purl.js';
import { manifestDependencyNames, parseNpmLock } from './parse.js';
import { parseFile } from '../../util/parse-file.js';

const ID = 'lang/npm-lock';

/**
 * package-lock.json and npm-shrinkwrap.json (lockfileVersion 1, 2, 3), outside node_modules. v2/v3 also record the
 * project (`packages[""]`, relationship root) and its workspace members (relationship workspace) when they have a
 * name and version.
 */
export const npmLockExtractor: Extractor = {
  id: ID,
  version: 2,
  candidates: { baseNames: ['package-lock.json', 'npm-shrinkwrap.json'] },
  required(path: string): boolean {
    const base = baseName(path);
    if (base !== 'package-lock.json' && base !== 'npm-shrinkwrap.json') return false;
    return !path.startsWith('node_modules/') && !path.includes('/node_modules/');
  },
  async extract(input: ExtractInput): Promise<ExtractOutput> {
    const text = decodeText(input.content);
    let manifestDeps: Set<string> | undefined;
    // v1 lockfiles do not say which entries are direct; the package.json beside them does.
    if (/"lockfileVersion"\s*:\s*1\b/.test(text) || !text.includes('"packages"')) {
      const dir = input.path.includes('/') ? input.path.slice(0, input.path.lastIndexOf('/') + 1) : '';
      const manifest = await input.tree.read(`${dir}package.json`);
      if (manifest) manifestDeps = manifestDependencyNames(decodeText(manifest));
    }
    const lock = parseFile(input.path, () => parseNpmLock(text, manifestDeps));
    const lines = new LineIndex(text);
    const set = new PackageSet(NPM_ECOSYSTEM, ID, input.path, { locations: 'first' });
    for (const d of lock.dropped) set.problem(d);
    for (const r of lock.records) {
      const line = r.offset === undefined ? undefined : lines.line(r.offset);
      if (!r.exact) {
        set.unknown({
          kind: 'unresolved-version',
          message: `${r.name} is locked to ${JSON.stringify(r.version)}, not a registry version`,
          package: { name: r.name, version: r.version },
        });
        continue;
      }
      if (r.relationship) set.add({ name: r.name, version: r.version, purl: () => npmPurl(r.name, r.version), line, relationship: r.relationship });
      else set.add({ name: r.name, version: r.version, purl: () => npmPurl(r.name, r.version), line, direct: r.direct, dev: r.dev });
    }
    return set.output();
  },
};
