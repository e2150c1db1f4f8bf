import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { baseName, decodeText } from '../../util/text.js';
import { LineIndex } from '../../formats/lines.js';
import { PackageSet } from '../../util/package-set.js';
import { isPep440Version, normalizePyName, PYPI_ECOSYSTEM } from '../python-common/names.js';
import { pypiPurl } from '../../../core/purl.js';
import { isTable, parseToml } from '../../formats/toml.js';
import { parsePipfileLock } from './parse.js';
import { parseFile } from '../../util/parse-file.js';

const ID = 'lang/python-pipfile-lock';

/**
 * Pipfile.lock: `default` packages are production, `develop` ones dev (a package in both is production).
 * The Pipfile beside it, when present, says which are direct.
 */
export const pythonPipfileLockExtractor: Extractor = {
  id: ID,
  version: 1,
  candidates: { baseNames: ['Pipfile.lock'] },
  required: (path: string) => baseName(path) === 'Pipfile.lock',
  async extract(input: ExtractInput): Promise<ExtractOutput> {
    const text = decodeText(input.content);
    const entries = parseFile(input.path, () => parsePipfileLock(text));
    const dir = input.path.includes('/') ? input.path.slice(0, input.path.lastIndexOf('/') + 1) : '';
    const pipfile = await input.tree.read(`${dir}Pipfile`);
    let direct: Set<string> | undefined;
    if (pipfile) {
      try {
        const t = parseToml(decodeText(pipfile));
        direct = new Set(
          ['packages', 'dev-packages'].flatMap((k) => (isTable(t[k]) ? Object.keys(t[k]) : [])).map(normalizePyName),
        );
      } catch {
        direct = undefined;
      }
    }
    const lines = new LineIndex(text);
    const set = new PackageSet(PYPI_ECOSYSTEM, ID, input.path, { locations: 'first' });
    for (const e of entries) {
      const name = normalizePyName(e.name);
      if (e.version === undefined || !isPep440Version(e.version)) {
        set.unknown({
          kind: 'unresolved-version',
          message: `${name} is locked to ${e.reference ?? JSON.stringify(e.version ?? null)}, not a registry version`,
          package: { name },
        });
        continue;
      }
      const version = e.version;
      set.add({
        name,
        version,
        purl: () => pypiPurl(name, version),
        line: e.offset === undefined ? undefined : lines.line(e.offset),
        dev: e.dev,
        ...(direct ? { direct: direct.has(name) } : {}),
      });
    }
    return set.output();
  },
};
