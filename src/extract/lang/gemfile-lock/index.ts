/**
 * Extractor for Bundler lockfiles: `Gemfile.lock` and `gems.locked`.
 *
 * Versions are reported without the platform suffix (`nokogiri (1.13.6-x86_64-linux)` → 1.13.6), as
 * advisories are keyed on the gem version; the peer (trivy bundler parser) does the same.
 * Direct: listed under DEPENDENCIES. Bundler records no dev/test groups in the lockfile.
 */
import { gemPurl } from '../../../core/purl.js';
import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { baseName, decodeText } from '../../util/text.js';
import { PackageSet } from '../../util/package-set.js';
import { parseGemfileLock } from './parse.js';

export const ID = 'lang/gemfile-lock';

export const gemfileLockExtractor: Extractor = {
  id: ID,
  version: 1,
  candidates: { baseNames: ['Gemfile.lock', 'gems.locked'] },
  required(path: string): boolean {
    const b = baseName(path);
    return b === 'Gemfile.lock' || b === 'gems.locked';
  },
  extract(input: ExtractInput): ExtractOutput {
    const lock = parseGemfileLock(decodeText(input.content));
    const set = new PackageSet('RubyGems', ID, input.path);
    if (!lock.recognized) set.problem('no Bundler lockfile sections (GEM, DEPENDENCIES, ...) found');
    for (const s of lock.skipped) set.problem(`line ${s.line}: unrecognized spec ${JSON.stringify(s.text)}`);
    for (const s of lock.specs) {
      set.add({
        name: s.name,
        version: s.version,
        purl: () => gemPurl(s.name, s.version),
        line: s.line,
        direct: lock.direct.has(s.name),
      });
    }
    return set.output();
  },
};
