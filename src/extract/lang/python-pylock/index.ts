import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { baseName, decodeText } from '../../util/text.js';
import { PackageSet } from '../../util/package-set.js';
import { isPep440Version, normalizePyName, PYPI_ECOSYSTEM } from '../python-common/names.js';
import { pypiPurl } from '../../../core/purl.js';
import { parsePylock } from './parse.js';
import { parseFile } from '../../util/parse-file.js';

const ID = 'lang/python-pylock';

/** `pylock.toml` and `pylock.<name>.toml` (PEP 751). Version is optional there: no version → unknown. */
export const pythonPylockExtractor: Extractor = {
  id: ID,
  version: 1,
  candidates: { suffixes: ['.toml'] },
  required(path: string): boolean {
    const base = baseName(path);
    return base === 'pylock.toml' || (base.startsWith('pylock.') && base.endsWith('.toml'));
  },
  extract(input: ExtractInput): ExtractOutput {
    const lock = parseFile(input.path, () => parsePylock(decodeText(input.content)));
    const set = new PackageSet(PYPI_ECOSYSTEM, ID, input.path, { locations: 'first' });
    for (const d of lock.dropped) set.problem(d);
    for (const p of lock.packages) {
      const name = normalizePyName(p.name);
      if (p.source === 'directory') continue;
      if (p.source !== 'registry' || p.version === undefined || !isPep440Version(p.version)) {
        set.unknown({ kind: 'unresolved-version', message: `${name} has no registry version (${p.source})`, package: p.version ? { name, version: p.version } : { name } });
        continue;
      }
      const version = p.version;
      set.add({ name, version, purl: () => pypiPurl(name, version), line: p.line });
    }
    return set.output();
  },
};
