/**
 * Extractor for MSBuild central package pins: `Directory.Packages.props` (and the older
 * `Packages.props`). A pin is the version every project of the tree builds against.
 *
 * A name or version that is an MSBuild property (`$(X)`) cannot be read without evaluating
 * MSBuild, and a range (`[1.0,2.0)`) is not a version: both become unknowns, never packages.
 */
import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { baseName, decodeText } from '../../util/text.js';
import { nugetPurl } from '../../../core/purl.js';
import { PackageSet } from '../../util/package-set.js';
import { parsePackagesProps } from './parse.js';
import { parseFile } from '../../util/parse-file.js';

export const ID = 'lang/dotnet-directory-packages';

export const dotnetDirectoryPackagesExtractor: Extractor = {
  id: ID,
  version: 1,
  required(path: string): boolean {
    const b = baseName(path).toLowerCase();
    return b === 'directory.packages.props' || b === 'packages.props';
  },
  extract(input: ExtractInput): ExtractOutput {
    const parsed = parseFile(input.path, () => parsePackagesProps(decodeText(input.content)));
    const set = new PackageSet('NuGet', ID, input.path);
    for (const d of parsed.dropped) set.problem(`dropped ${d}`);
    for (const p of parsed.pins) {
      if (p.name.includes('$(')) {
        set.unknown({ kind: 'unresolved-version', message: `<${p.element}> name ${p.name} is an MSBuild property`, package: { name: p.name, version: p.version } });
        continue;
      }
      if (p.version.includes('$(') || /[[\](),*]/.test(p.version)) {
        set.unknown({
          kind: 'unresolved-version',
          message: `${p.name}: version ${p.version} is ${p.version.includes('$(') ? 'an MSBuild property' : 'a range, not a pinned version'}`,
          package: { name: p.name, version: p.version },
        });
        continue;
      }
      set.add({ name: p.name, version: p.version, purl: () => nugetPurl(p.name, p.version), direct: true, ...(p.line !== undefined ? { line: p.line } : {}) });
    }
    return set.output();
  },
};
