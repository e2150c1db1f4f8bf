/**
 * Extractor for CocoaPods `Podfile.lock`.
 *
 * Each PODS entry is a package, subspecs included (`AppCenter/Analytics 4.2.0`, purl
 * `pkg:cocoapods/AppCenter@4.2.0#Analytics`), as the peer (trivy) lists them; the matcher looks a subspec up
 * under its pod's name (src/match/engine.ts matchKey), since advisories name the pod.
 * Ecosystem "CocoaPods": OSV has no CocoaPods ecosystem (advisories for pods come from GHSA/other
 * feeds under that name); purl `pkg:cocoapods/<pod>@<version>`.
 * Direct: the spec (or, for a subspec, its pod) is named under DEPENDENCIES.
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
  version: 2,
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
        name: p.spec,
        version: p.version,
        purl: () => cocoapodsPurl(p.spec, p.version),
        direct: parsed.direct.has(p.spec),
        ...(p.line !== undefined ? { line: p.line } : {}),
      });
    }
    return set.output();
  },
};
