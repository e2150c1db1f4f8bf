/**
 * Extractor for NuGet `packages.config` (classic .NET Framework projects).
 * `developmentDependency="true"` → dev (the peer drops those; we keep them, flagged).
 * packages.config lists every installed package flat, so direct is not known.
 */
import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { baseName, decodeText } from '../../util/text.js';
import { nugetPurl } from '../../../core/purl.js';
import { PackageSet } from '../../util/package-set.js';
import { parsePackagesConfig } from './parse.js';
import { parseFile } from '../../util/parse-file.js';

export const ID = 'lang/dotnet-packages-config';

export const dotnetPackagesConfigExtractor: Extractor = {
  id: ID,
  version: 1,
  candidates: { baseNames: ['packages.config'] },
  required(path: string): boolean {
    return baseName(path) === 'packages.config';
  },
  extract(input: ExtractInput): ExtractOutput {
    const parsed = parseFile(input.path, () => parsePackagesConfig(decodeText(input.content)));
    const set = new PackageSet('NuGet', ID, input.path);
    for (const d of parsed.dropped) set.problem(`dropped ${d}`);
    for (const e of parsed.entries) {
      set.add({ name: e.id, version: e.version, purl: () => nugetPurl(e.id, e.version), dev: e.dev, ...(e.line !== undefined ? { line: e.line } : {}) });
    }
    return set.output();
  },
};
