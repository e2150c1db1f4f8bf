import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { PackageSet } from '../../util/package-set.js';
import { isPep440Version, normalizePyName, PYPI_ECOSYSTEM } from '../python-common/names.js';
import { pypiPurl } from '../../../core/purl.js';
import { decodePyText } from '../python-common/text.js';
import { parsePyMetadata } from './parse.js';
import { parseFile } from '../../util/parse-file.js';

const ID = 'lang/python-installed';

/** Installed distributions: `x.dist-info/METADATA`, `x.egg-info/PKG-INFO`, and single-file `x.egg-info`. */
export const pythonInstalledExtractor: Extractor = {
  id: ID,
  version: 1,
  candidates: { suffixes: ['.dist-info/METADATA', '.egg-info/PKG-INFO', '.egg-info'] },
  required(path: string): boolean {
    return path.endsWith('.dist-info/METADATA') || path.endsWith('.egg-info/PKG-INFO') || path.endsWith('.egg-info');
  },
  extract(input: ExtractInput): ExtractOutput {
    const meta = parseFile(input.path, () => parsePyMetadata(decodePyText(input.content)));
    const set = new PackageSet(PYPI_ECOSYSTEM, ID, input.path, { locations: 'first' });
    const name = normalizePyName(meta.name);
    if (!isPep440Version(meta.version)) {
      set.unknown({ kind: 'unparseable-version', message: `${name} has version ${JSON.stringify(meta.version)}`, package: { name, version: meta.version } });
    } else {
      set.add({ name, version: meta.version, purl: () => pypiPurl(name, meta.version), line: meta.nameLine });
    }
    return set.output();
  },
};
