/**
 * Extractor for .NET `*.deps.json` (the dependency manifest next to a built app).
 *
 * Reports libraries of type "package", and "runtimepack" (the runtime bundled into a
 * self-contained app, reported as `Microsoft.NETCore.App.Runtime.<rid>` without the prefix).
 * Projects are the app itself: the one no other project references is recorded with relationship root (when there
 * is exactly one, as Trivy's rootProject decides), the others with relationship workspace. Like the peer (trivy
 * core_deps), a package
 * whose runtime-target entry lists no runtime/native assets (a reference-only package such as
 * Microsoft.NETCore.Platforms) is skipped: nothing of it ships.
 */
import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { baseName, decodeText } from '../../util/text.js';
import { nugetPurl } from '../../../core/purl.js';
import { PackageSet } from '../../util/package-set.js';
import { parseDepsJson } from './parse.js';
import { parseFile } from '../../util/parse-file.js';

export const ID = 'lang/dotnet-deps-json';

export const dotnetDepsJsonExtractor: Extractor = {
  id: ID,
  version: 2,
  candidates: { suffixes: ['.deps.json'] },
  required(path: string): boolean {
    return baseName(path).endsWith('.deps.json');
  },
  extract(input: ExtractInput): ExtractOutput {
    const parsed = parseFile(input.path, () => parseDepsJson(decodeText(input.content)));
    const set = new PackageSet('NuGet', ID, input.path);
    for (const d of parsed.dropped) set.problem(`dropped ${d}`);
    const projects = parsed.libraries.filter((l) => l.type === 'project');
    const unreferenced = projects.filter((l) => l.direct !== true);
    for (const lib of projects) {
      set.add({
        name: lib.name,
        version: lib.version,
        purl: () => nugetPurl(lib.name, lib.version),
        ...(lib.line !== undefined ? { line: lib.line } : {}),
        relationship: unreferenced.length === 1 && unreferenced[0] === lib ? 'root' : 'workspace',
      });
    }
    for (const lib of parsed.libraries) {
      if (lib.type !== 'package' && lib.type !== 'runtimepack') continue;
      if (lib.hasAssets === false) continue;
      set.add({
        name: lib.name,
        version: lib.version,
        purl: () => nugetPurl(lib.name, lib.version),
        ...(lib.line !== undefined ? { line: lib.line } : {}),
        ...(lib.direct !== undefined ? { direct: lib.direct } : {}),
      });
    }
    return set.output();
  },
};
