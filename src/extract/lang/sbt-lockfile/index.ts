/**
 * sbt lockfiles (`build.sbt.lock`, sbt-dependency-lock): ecosystem Maven, name `org:name` (the Scala suffix, as in
 * `cats-core_2.12`, is part of the artifact name, as on Maven Central). Dev: locked only in test configurations
 * (the peer drops those entries; we keep them, flagged, as for Gradle).
 */
import { mavenPurl } from '../../../core/purl.js';
import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { PackageSet } from '../../util/package-set.js';
import { parseFile } from '../../util/parse-file.js';
import { baseName, decodeText } from '../../util/text.js';
import { parseSbtLock } from './parse.js';

export const ID = 'lang/sbt-lockfile';

const TEST_CONFIGURATIONS = new Set(['test', 'it', 'integrationtest']);

export const sbtLockfileExtractor: Extractor = {
  id: ID,
  version: 1,
  candidates: { suffixes: ['.sbt.lock'] },
  required(path: string): boolean {
    return baseName(path).endsWith('.sbt.lock');
  },
  extract(input: ExtractInput): ExtractOutput {
    const parsed = parseFile(input.path, () => parseSbtLock(decodeText(input.content)));
    const set = new PackageSet('Maven', ID, input.path);
    for (const d of parsed.dropped) set.problem(d);
    for (const d of parsed.dependencies) {
      set.add({
        name: `${d.org}:${d.name}`,
        version: d.version,
        purl: () => mavenPurl(d.org, d.name, d.version),
        ...(d.line !== undefined ? { line: d.line } : {}),
        ...(d.configurations.length > 0 ? { dev: d.configurations.every((c) => TEST_CONFIGURATIONS.has(c.toLowerCase())) } : {}),
      });
    }
    return set.output();
  },
};
