/**
 * Extractor for SwiftPM `Package.resolved` (v1, v2, v3), ecosystem SwiftURL.
 *
 * Name: the repository URL as OSV's SwiftURL expects (host/path, no scheme, no .git); purl
 * `pkg:swift/<host>/<owner>/<repo>@<version>`. A pin on a branch whose name is a version number
 * (`"branch": "0.0.1"`, a release ref named as a branch, as in trivy's happy-v2 fixture) is reported at that
 * version, as the peer does; a pin on any other branch (`main`) or a bare revision has no version and is
 * reported as an unknown. Local (file://) pins are not registry packages and are skipped with an unknown too.
 */
import { swiftPurl } from '../../../core/purl.js';
import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { baseName, decodeText } from '../../util/text.js';
import { PackageSet } from '../../util/package-set.js';
import { parsePackageResolved, swiftUrlName } from './parse.js';
import { parseFile } from '../../util/parse-file.js';

export const ID = 'lang/swift-package-resolved';

/** A branch name that is a version number (`1.2`, `0.0.1`, `v2.0.0-beta.1`), not a moving branch like `main`. */
const VERSION_LIKE = /^v?\d+(?:\.\d+){1,3}(?:[-+][0-9A-Za-z.-]+)?$/;

export const swiftPackageResolvedExtractor: Extractor = {
  id: ID,
  version: 2,
  candidates: { baseNames: ['Package.resolved'] },
  required(path: string): boolean {
    return baseName(path) === 'Package.resolved';
  },
  extract(input: ExtractInput): ExtractOutput {
    const parsed = parseFile(input.path, () => parsePackageResolved(decodeText(input.content)));
    const set = new PackageSet('SwiftURL', ID, input.path);
    for (const d of parsed.dropped) set.problem(`dropped ${d}`);
    for (const pin of parsed.pins) {
      const name = pin.location !== '' ? swiftUrlName(pin.location) : pin.kind === 'registry' ? pin.identity : undefined;
      if (name === undefined) {
        set.unknown({ kind: 'unsupported', message: `pin ${pin.identity || pin.location}: not a remote repository (${pin.location || 'no location'})`, package: { name: pin.identity || pin.location } });
        continue;
      }
      const version = pin.version ?? (pin.branch !== undefined && VERSION_LIKE.test(pin.branch) ? pin.branch : undefined);
      if (version === undefined) {
        const at = pin.branch !== undefined ? `branch ${pin.branch}` : `revision ${pin.revision ?? '?'}`;
        set.unknown({ kind: 'unresolved-version', message: `${name} is pinned to ${at}, not a version`, package: { name } });
        continue;
      }
      let purl: string;
      try {
        purl = swiftPurl(name, version);
      } catch (e) {
        set.problem(`pin ${name}: cannot build a purl (${e instanceof Error ? e.message : String(e)})`);
        continue;
      }
      set.add({ name, version, purl, ...(pin.line !== undefined ? { line: pin.line } : {}) });
    }
    return set.output();
  },
};
