import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { baseName, decodeText } from '../../util/text.js';
import { LineIndex } from '../../formats/lines.js';
import { isExactSemver } from '../npm-common/names.js';
import { PackageSet } from '../../util/package-set.js';
import { isNpmName, NPM_ECOSYSTEM } from '../npm-common/names.js';
import { npmPurl } from '../../../core/purl.js';
import { parseInstalledManifest } from './parse.js';
import { parseFile } from '../../util/parse-file.js';

const ID = 'lang/npm-installed';

/**
 * Installed packages: `node_modules/<name>/package.json` and `node_modules/@scope/<name>/package.json`
 * (also nested copies and pnpm's `node_modules/.pnpm/<id>/node_modules/<name>/`). Only the package's own
 * manifest is claimed: the directory right above package.json must be the package directory under a
 * node_modules. Manifests without a name or version (fixtures, partial installs) are skipped.
 */
export const npmInstalledExtractor: Extractor = {
  id: ID,
  version: 1,
  candidates: { baseNames: ['package.json'] },
  required(path: string): boolean {
    if (baseName(path) !== 'package.json') return false;
    const parts = path.split('/');
    const n = parts.length;
    // .../node_modules/<name>/package.json or .../node_modules/@scope/<name>/package.json
    if (n >= 3 && parts[n - 3] === 'node_modules' && !(parts[n - 2] ?? '').startsWith('@') && !(parts[n - 2] ?? '').startsWith('.')) return true;
    return n >= 4 && parts[n - 4] === 'node_modules' && (parts[n - 3] ?? '').startsWith('@');
  },
  extract(input: ExtractInput): ExtractOutput {
    const text = decodeText(input.content);
    const m = parseFile(input.path, () => parseInstalledManifest(text));
    const set = new PackageSet(NPM_ECOSYSTEM, ID, input.path, { locations: 'first' });
    if (!m.name || !m.version) return set.output();
    if (!isNpmName(m.name)) {
      set.problem(`invalid package name ${JSON.stringify(m.name)}`);
      return set.output();
    }
    if (!isExactSemver(m.version)) {
      set.unknown({ kind: 'unparseable-version', message: `${m.name} has version ${JSON.stringify(m.version)}`, package: { name: m.name, version: m.version } });
      return set.output();
    }
    const line = m.offset === undefined ? undefined : new LineIndex(text).line(m.offset);
    const { name, version } = m;
    set.add({ name, version, purl: () => npmPurl(name, version), line });
    return set.output();
  },
};
