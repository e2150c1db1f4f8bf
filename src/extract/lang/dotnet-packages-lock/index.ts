/**
 * Extractor for NuGet `packages.lock.json`. One package per name@version across target
 * frameworks, with one location per framework entry. Direct: type "Direct" in any framework.
 * Project references (type "Project") are not packages and are skipped.
 */
import { nugetPurl } from '../../../core/purl.js';
import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { baseName, decodeText } from '../../util/text.js';
import { PackageSet } from '../../util/package-set.js';
import { parseNugetLock } from './parse.js';
import type { NugetLock } from './parse.js';
import { parseFile } from '../../util/parse-file.js';

export const ID = 'lang/dotnet-packages-lock';

export const dotnetPackagesLockExtractor: Extractor = {
  id: ID,
  version: 1,
  candidates: { baseNames: ['packages.lock.json'] },
  required(path: string): boolean {
    return baseName(path) === 'packages.lock.json';
  },
  extract(input: ExtractInput): ExtractOutput {
    const lock: NugetLock = parseFile(input.path, () => parseNugetLock(decodeText(input.content)));
    const set = new PackageSet('NuGet', ID, input.path);
    for (const d of lock.dropped) set.problem(`dropped entry ${d}`);
    for (const e of lock.entries) {
      set.add({
        name: e.name,
        version: e.version,
        purl: () => nugetPurl(e.name, e.version),
        direct: e.type === 'Direct',
        ...(e.line !== undefined ? { line: e.line } : {}),
      });
    }
    return set.output();
  },
};
