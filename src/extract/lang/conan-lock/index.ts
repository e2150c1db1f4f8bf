/**
 * Extractor for Conan `conan.lock` (Conan 1 graph locks and Conan 2 lockfiles), ecosystem ConanCenter.
 *
 * Name and version from the reference; user/channel and revision are dropped from the version
 * (`pkgc/0.1.1@user/testing` → pkgc 0.1.1, as the peer does). Build-only requirements
 * (build_requires, python_requires) are reported with dev: true; the peer leaves them out.
 * Conan 1: direct = required by the consumer node.
 */
import { conanPurl } from '../../../core/purl.js';
import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { baseName, decodeText } from '../../util/text.js';
import { PackageSet } from '../../util/package-set.js';
import { parseConanLock } from './parse.js';
import { parseFile } from '../../util/parse-file.js';

export const ID = 'lang/conan-lock';

export const conanLockExtractor: Extractor = {
  id: ID,
  version: 1,
  candidates: { baseNames: ['conan.lock'] },
  required(path: string): boolean {
    return baseName(path) === 'conan.lock';
  },
  extract(input: ExtractInput): ExtractOutput {
    const parsed = parseFile(input.path, () => parseConanLock(decodeText(input.content)));
    const set = new PackageSet('ConanCenter', ID, input.path);
    for (const d of parsed.dropped) set.problem(`dropped ${d}`);
    for (const e of parsed.entries) {
      set.add({
        name: e.name,
        version: e.version,
        purl: () => conanPurl(e.name, e.version, e.user, e.channel),
        dev: e.build,
        ...(e.direct !== undefined ? { direct: e.direct } : {}),
        ...(e.line !== undefined ? { line: e.line } : {}),
      });
    }
    return set.output();
  },
};
