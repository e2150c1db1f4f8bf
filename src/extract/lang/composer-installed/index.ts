/**
 * Extractor for Composer's record of what is installed: `vendor/composer/installed.json`
 * (Composer 1 array and Composer 2 object). Dev: listed in Composer 2's `dev-package-names`.
 */
import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { decodeText } from '../../util/text.js';
import { composerPurl } from '../../../core/purl.js';
import { PackageSet } from '../../util/package-set.js';
import { parseInstalledJson } from './parse.js';
import type { InstalledJson } from './parse.js';
import { parseFile } from '../../util/parse-file.js';

export const ID = 'lang/composer-installed';

export const composerInstalledExtractor: Extractor = {
  id: ID,
  version: 1,
  candidates: { baseNames: ['installed.json'] },
  required(path: string): boolean {
    return path === 'composer/installed.json' || path.endsWith('/composer/installed.json');
  },
  extract(input: ExtractInput): ExtractOutput {
    const doc: InstalledJson = parseFile(input.path, () => parseInstalledJson(decodeText(input.content)));
    const set = new PackageSet('Packagist', ID, input.path);
    for (const d of doc.dropped) set.problem(`dropped entry ${d}`);
    for (const p of doc.packages) {
      set.add({
        name: p.name,
        version: p.version,
        purl: () => composerPurl(p.name, p.version),
        ...(doc.format === 2 ? { dev: p.dev } : {}),
        ...(p.line !== undefined ? { line: p.line } : {}),
      });
    }
    return set.output();
  },
};
