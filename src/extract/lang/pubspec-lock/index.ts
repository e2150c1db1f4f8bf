/**
 * Extractor for Dart/Flutter `pubspec.lock` (Pub).
 * Direct: dependency "direct main" / "direct dev" / "direct overridden"; dev: "direct dev".
 *
 * SDK packages (source: sdk, e.g. flutter_test) carry version "0.0.0": they ship with the SDK, and
 * the lockfile does not say which SDK version is installed (only a constraint such as ^3.3.0), so
 * they are reported as unknowns. The peer (trivy) substitutes the constraint's lower bound, which
 * is a guess we do not make.
 */
import { pubPurl } from '../../../core/purl.js';
import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { baseName, decodeText } from '../../util/text.js';
import { PackageSet } from '../../util/package-set.js';
import { parsePubspecLock } from './parse.js';
import { parseFile } from '../../util/parse-file.js';

export const ID = 'lang/pubspec-lock';

export const pubspecLockExtractor: Extractor = {
  id: ID,
  version: 1,
  candidates: { baseNames: ['pubspec.lock'] },
  required(path: string): boolean {
    return baseName(path) === 'pubspec.lock';
  },
  extract(input: ExtractInput): ExtractOutput {
    const parsed = parseFile(input.path, () => parsePubspecLock(decodeText(input.content)));
    const set = new PackageSet('Pub', ID, input.path);
    for (const d of parsed.dropped) set.problem(`dropped ${d}`);
    for (const p of parsed.packages) {
      if (p.source === 'sdk') {
        set.unknown({
          kind: 'unresolved-version',
          message: `${p.name} ships with the SDK (version ${p.version} in the lockfile); the installed SDK version is not recorded`,
          package: { name: p.name },
        });
        continue;
      }
      set.add({
        name: p.name,
        version: p.version,
        purl: () => pubPurl(p.name, p.version),
        direct: p.dependency.startsWith('direct'),
        dev: p.dependency === 'direct dev',
        ...(p.line !== undefined ? { line: p.line } : {}),
      });
    }
    return set.output();
  },
};
