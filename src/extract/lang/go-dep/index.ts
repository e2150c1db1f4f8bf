import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { baseName, decodeText } from '../../util/text.js';
import { GO_ECOSYSTEM } from '../go-common/module.js';
import { goPurl } from '../../../core/purl.js';
import { isGoVersion } from '../go-common/version.js';
import { PackageSet } from '../../util/package-set.js';
import { parseGopkgLock } from './parse.js';
import { parseFile } from '../../util/parse-file.js';

const ID = 'lang/go-dep';

/**
 * Gopkg.lock (golang/dep). A project locked to a semver tag is a package (dep writes `1.2.3` or `v1.2.3`;
 * Go versions carry the `v`, so a bare semver gets one). A project locked only to a branch or revision
 * has no release version: it is reported as an unknown with its revision.
 */
export const goDepExtractor: Extractor = {
  id: ID,
  version: 1,
  candidates: { baseNames: ['Gopkg.lock'] },
  required: (path: string) => baseName(path) === 'Gopkg.lock' && !path.includes('/vendor/'),
  extract(input: ExtractInput): ExtractOutput {
    const parsed = parseFile(input.path, () => parseGopkgLock(decodeText(input.content)));
    const set = new PackageSet(GO_ECOSYSTEM, ID, input.path, { locations: 'first' });
    for (const d of parsed.dropped) set.problem(d);
    for (const p of parsed.projects) {
      const v = p.version === undefined ? undefined : /^\d+\.\d+\.\d+/.test(p.version) ? `v${p.version}` : p.version;
      if (v === undefined || !isGoVersion(v)) {
        set.unknown({
          kind: 'unresolved-version',
          message: `${p.name} is locked to ${p.version ? `version ${p.version}` : p.branch ? `branch ${p.branch}` : 'a revision'}${p.revision ? ` (revision ${p.revision})` : ''}, not a semantic version`,
          package: { name: p.name, ...(p.version ? { version: p.version } : {}) },
        });
        continue;
      }
      set.add({ name: p.name, version: v, purl: () => goPurl(p.name, v), line: p.line });
    }
    return set.output();
  },
};
