/**
 * Julia `Manifest.toml` (Pkg): ecosystem Julia (OSV's name), purl `pkg:julia/<name>@<version>?uuid=<uuid>`.
 * A standard-library package has no version of its own: it ships with Julia, so it takes the manifest's
 * `julia_version` (as Trivy does). A development checkout (`path`) or an entry without any version (a format 1.0
 * manifest names no Julia version) is reported as an unknown, never guessed.
 */
import { juliaPurl } from '../../../core/purl.js';
import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { PackageSet } from '../../util/package-set.js';
import { parseFile } from '../../util/parse-file.js';
import { baseName, decodeText } from '../../util/text.js';
import { parseJuliaManifest } from './parse.js';

export const ID = 'lang/julia-manifest';

export const juliaManifestExtractor: Extractor = {
  id: ID,
  version: 1,
  candidates: { suffixes: ['.toml'] },
  required(path: string): boolean {
    // Manifest.toml, and the versioned names Julia ≥ 1.10 writes (Manifest-v1.11.toml)
    return /^(Julia)?Manifest(-v\d+\.\d+)?\.toml$/.test(baseName(path));
  },
  extract(input: ExtractInput): ExtractOutput {
    const m = parseFile(input.path, () => parseJuliaManifest(decodeText(input.content)));
    const set = new PackageSet('Julia', ID, input.path);
    for (const e of m.entries) {
      if (e.path !== undefined && e.version === undefined) {
        set.unknown({ kind: 'unresolved-version', message: `${e.name} is a development checkout of ${e.path}, not a registry release`, package: { name: e.name, version: '' } });
        continue;
      }
      const stdlib = e.version === undefined && e.repoUrl === undefined;
      const version = e.version ?? (stdlib ? m.juliaVersion : undefined);
      if (version === undefined) {
        set.unknown({
          kind: 'unresolved-version',
          message: e.repoUrl ? `${e.name} is tracked from ${e.repoUrl} without a version` : `${e.name} is a standard-library package and the manifest names no julia_version`,
          package: { name: e.name, version: '' },
        });
        continue;
      }
      set.add({ name: e.name, version, purl: () => juliaPurl(e.name, version, e.uuid), ...(e.line !== undefined ? { line: e.line } : {}) });
    }
    return set.output();
  },
};
