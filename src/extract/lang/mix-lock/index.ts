/**
 * Extractor for Elixir `mix.lock` (Hex). Hex entries become packages under their Hex name.
 * Git and path entries carry no Hex version: they are reported as unknowns, not guessed.
 * mix.lock records no direct/dev split (that lives in mix.exs).
 */
import { hexPurl } from '../../../core/purl.js';
import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { baseName, decodeText } from '../../util/text.js';
import { PackageSet } from '../../util/package-set.js';
import { parseMixLock } from './parse.js';
import { parseFile } from '../../util/parse-file.js';

export const ID = 'lang/mix-lock';

export const mixLockExtractor: Extractor = {
  id: ID,
  version: 1,
  candidates: { baseNames: ['mix.lock'] },
  required(path: string): boolean {
    return baseName(path) === 'mix.lock';
  },
  extract(input: ExtractInput): ExtractOutput {
    const parsed = parseFile(input.path, () => parseMixLock(decodeText(input.content)));
    const set = new PackageSet('Hex', ID, input.path);
    for (const s of parsed.skipped) set.problem(s);
    for (const e of parsed.entries) {
      if (e.scm === 'hex' && e.name !== undefined && e.version !== undefined) {
        const { name, version } = e;
        set.add({ name, version, purl: () => hexPurl(name, version), line: e.line });
        continue;
      }
      set.unknown({
        kind: 'unresolved-version',
        message: `${e.key}: ${e.scm} dependency${e.url ? ` ${e.url}` : ''}${e.ref ? ` at ${e.ref}` : ''} has no Hex version`,
        package: { name: e.key },
      });
    }
    return set.output();
  },
};
