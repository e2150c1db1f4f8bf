/**
 * Extractor for PHP `composer.lock`. `packages` are runtime, `packages-dev` are dev.
 * Direct: when a sibling composer.json is readable, packages it requires (require, require-dev);
 * otherwise left unknown. Versions as written (Packagist keeps a leading "v": v1.27.0).
 */
import { composerPurl } from '../../../core/purl.js';
import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { baseName, decodeText } from '../../util/text.js';
import { PackageSet } from '../../util/package-set.js';
import { parseComposerJsonRequires, parseComposerLock } from './parse.js';
import type { ComposerPackages } from '../composer-common/packages.js';
import { parseFile } from '../../util/parse-file.js';

export const ID = 'lang/composer-lock';

export const composerLockExtractor: Extractor = {
  id: ID,
  version: 1,
  candidates: { baseNames: ['composer.lock'] },
  required(path: string): boolean {
    return baseName(path) === 'composer.lock';
  },
  async extract(input: ExtractInput): Promise<ExtractOutput> {
    const lock: ComposerPackages = parseFile(input.path, () => parseComposerLock(decodeText(input.content)));
    const dir = input.path.includes('/') ? input.path.slice(0, input.path.lastIndexOf('/') + 1) : '';
    const manifest = await input.tree.read(`${dir}composer.json`);
    const requires = manifest ? parseComposerJsonRequires(decodeText(manifest)) : undefined;
    const set = new PackageSet('Packagist', ID, input.path);
    for (const d of lock.dropped) set.problem(`dropped entry ${d}`);
    for (const p of lock.packages) {
      set.add({
        name: p.name,
        version: p.version,
        purl: () => composerPurl(p.name, p.version),
        dev: p.dev,
        ...(p.line !== undefined ? { line: p.line } : {}),
        ...(requires ? { direct: requires.has(p.name.toLowerCase()) } : {}),
      });
    }
    return set.output();
  },
};
