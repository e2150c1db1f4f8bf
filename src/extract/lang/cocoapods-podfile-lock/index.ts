/**
 * Extractor for CocoaPods `Podfile.lock`.
 *
 * Subspecs are folded into their pod (`AppCenter/Analytics (4.2.0)` → AppCenter 4.2.0), since
 * advisories name the pod; the peer (trivy) lists each subspec as its own package.
 * Ecosystem "CocoaPods": OSV has no CocoaPods ecosystem (advisories for pods come from GHSA/other
 * feeds under that name); purl `pkg:cocoapods/<pod>@<version>`.
 * Direct: the pod is named under DEPENDENCIES.
 */
import { cocoapodsPurl } from '../../../core/purl.js';
import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { baseName, decodeText } from '../../util/text.js';
import { PackageSet } from '../../util/package-set.js';
import { parsePodfileLock } from './parse.js';
import { parseFile } from '../../util/parse-file.js';

export const ID = 'lang/cocoapods-podfile-lock';

export const cocoapodsPodfileLockExtractor: Extractor = {
  id: ID,
  version: 1,
  candidates: { baseNames: ['Podfile.lock'] },
  required(path: string): boolean {
    return baseName(path) === 'Podfile.lock';
  },
  extract(input: ExtractInput): ExtractOutput {
    const parsed = parseFile(input.path, () => parsePodfileLock(decodeText(input.content)));
    const set = new PackageSet('CocoaPods', ID, input.path);
    for (const d of parsed.dropped) set.problem(`dropped ${d}`);
    for (const p of parsed.pods) {
      set.add({
        name: p.pod,
        version: p.version,
        purl: () => cocoapodsPurl(p.pod, p.version),
        direct: parsed.direct.has(p.pod),
        ...(p.line !== undefined ? { line: p.line } : {}),
      });
    }
    return set.output();
  },
};
