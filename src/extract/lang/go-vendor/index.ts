import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { decodeText } from '../../util/text.js';
import { GO_ECOSYSTEM } from '../go-common/module.js';
import { goPurl } from '../../../core/purl.js';
import { isGoVersion } from '../go-common/version.js';
import { isLocalPath } from '../go-common/module.js';
import { PackageSet } from '../../util/package-set.js';
import { parseModulesTxt } from './parse.js';
import { parseFile } from '../../util/parse-file.js';

const ID = 'lang/go-vendor';

/**
 * vendor/modules.txt: the modules copied into vendor/, after replacements. Entries without a version
 * (replacement-only lines) are not modules in the build. `## explicit` only says go.mod lists the module
 * (since Go 1.17 indirect ones too), so direct is left unknown.
 */
export const goVendorExtractor: Extractor = {
  id: ID,
  version: 1,
  candidates: { baseNames: ['modules.txt'] },
  required: (path: string) => path === 'vendor/modules.txt' || path.endsWith('/vendor/modules.txt'),
  extract(input: ExtractInput): ExtractOutput {
    const parsed = parseFile(input.path, () => parseModulesTxt(decodeText(input.content)));
    const set = new PackageSet(GO_ECOSYSTEM, ID, input.path, { locations: 'first' });
    for (const d of parsed.dropped) set.problem(d);
    for (const m of parsed.modules) {
      if (m.version === undefined) continue;
      const target = m.replace ?? { path: m.module, version: m.version };
      if (m.replace && (m.replace.version === undefined || isLocalPath(m.replace.path))) {
        set.unknown({ kind: 'unresolved-version', message: `${m.module} ${m.version} is replaced by the local directory ${m.replace.path}`, package: { name: m.module, version: m.version } });
        continue;
      }
      if (!target.version || !isGoVersion(target.version)) {
        set.unknown({ kind: 'unparseable-version', message: `${target.path} has version ${JSON.stringify(target.version)}`, package: { name: target.path } });
        continue;
      }
      const { path: module, version } = target;
      set.add({ name: module, version, purl: () => goPurl(module, version), line: m.line });
    }
    return set.output();
  },
};
