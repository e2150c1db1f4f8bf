import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { baseName, decodeText } from '../../util/text.js';
import { GO_ECOSYSTEM } from '../go-common/module.js';
import { goPurl } from '../../../core/purl.js';
import { isGoVersion } from '../go-common/version.js';
import { PackageSet } from '../../util/package-set.js';
import { parseGoSum } from '../go-common/sum.js';
import { parseFile } from '../../util/parse-file.js';

const ID = 'lang/go-sum';

/**
 * go.sum, as a fallback only: when a go.mod sits beside it, lang/go-mod reports the module graph (and
 * reads this go.sum itself for pre-1.17 modules), so this extractor returns nothing. Otherwise each
 * module is reported at the highest version the file lists (go.sum keeps hashes of several versions).
 */
export const goSumExtractor: Extractor = {
  id: ID,
  version: 1,
  candidates: { baseNames: ['go.sum'] },
  required(path: string): boolean {
    return baseName(path) === 'go.sum' && !path.startsWith('vendor/') && !path.includes('/vendor/');
  },
  async extract(input: ExtractInput): Promise<ExtractOutput> {
    const dir = input.path.includes('/') ? input.path.slice(0, input.path.lastIndexOf('/') + 1) : '';
    if ((await input.tree.read(`${dir}go.mod`)) !== undefined) return { packages: [] };
    const sum = parseFile(input.path, () => parseGoSum(decodeText(input.content)));
    const set = new PackageSet(GO_ECOSYSTEM, ID, input.path, { locations: 'first' });
    for (const d of sum.dropped) set.problem(d);
    for (const m of sum.modules) {
      if (!isGoVersion(m.version)) {
        set.problem(`line ${m.line}: ${m.module} has version ${JSON.stringify(m.version)}`);
        continue;
      }
      set.add({ name: m.module, version: m.version, purl: () => goPurl(m.module, m.version), line: m.line });
    }
    return set.output();
  },
};
