/**
 * Extractor for installed gem specifications: `<GEM_HOME>/specifications/*.gemspec`
 * (also `specifications/default/*.gemspec` for default gems). Parsed statically.
 *
 * A version that is not a string literal is never guessed from code; it is reported as an
 * unknown (the file name `name-1.2.3.gemspec` is only quoted in that message).
 */
import { gemPurl } from '../../../core/purl.js';
import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { baseName, decodeText } from '../../util/text.js';
import { PackageSet } from '../../util/package-set.js';
import { parseGemspec } from './parse.js';

export const ID = 'lang/gemspec-installed';

export const gemspecInstalledExtractor: Extractor = {
  id: ID,
  version: 1,
  candidates: { suffixes: ['.gemspec'] },
  required(path: string): boolean {
    if (!path.endsWith('.gemspec')) return false;
    return path.includes('specifications/');
  },
  extract(input: ExtractInput): ExtractOutput {
    const set = new PackageSet('RubyGems', ID, input.path);
    const rec = parseGemspec(decodeText(input.content));
    if (!rec) {
      set.problem('no `s.name = "..."` assignment found in gemspec');
      return set.output();
    }
    if (rec.unresolvedVersion !== undefined || rec.version === '') {
      set.unknown({
        kind: 'unresolved-version',
        message: `gem ${rec.name}: version is not a literal (${rec.unresolvedVersion ?? 'empty'}); file name ${baseName(input.path)}`,
        package: { name: rec.name },
      });
      return set.output();
    }
    set.add({
      name: rec.name,
      version: rec.version,
      purl: () => gemPurl(rec.name, rec.version),
      line: rec.nameLine,
    });
    return set.output();
  },
};
