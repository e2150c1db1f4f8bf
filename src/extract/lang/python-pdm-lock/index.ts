import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { baseName, decodeText } from '../../util/text.js';
import { PackageSet } from '../../util/package-set.js';
import { addIndexPackage, PYPI_ECOSYSTEM } from '../python-common/names.js';
import { parsePdmLock } from './parse.js';
import { parseFile } from '../../util/parse-file.js';

const ID = 'lang/python-pdm-lock';

/** pdm.lock: dev = the package is in groups, none of which is `default`. */
export const pythonPdmLockExtractor: Extractor = {
  id: ID,
  version: 1,
  candidates: { baseNames: ['pdm.lock'] },
  required: (path: string) => baseName(path) === 'pdm.lock',
  extract(input: ExtractInput): ExtractOutput {
    const lock = parseFile(input.path, () => parsePdmLock(decodeText(input.content)));
    const set = new PackageSet(PYPI_ECOSYSTEM, ID, input.path, { locations: 'first' });
    for (const d of lock.dropped) set.problem(d);
    for (const p of lock.packages) {
      if (p.source === 'path') continue;
      addIndexPackage(set, p, p.groups ? { dev: !p.groups.includes('default') } : {});
    }
    return set.output();
  },
};
