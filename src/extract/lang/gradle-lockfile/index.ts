/**
 * Extractor for Gradle dependency locking: `gradle.lockfile` (and legacy
 * `gradle/dependency-locks/*.lockfile`). Ecosystem Maven, name `group:artifact`.
 * Dev: every configuration that locks it is a test configuration (the peer drops those entries;
 * we keep them, flagged). The lockfile does not tell direct from transitive.
 */
import { mavenPurl } from '../../../core/purl.js';
import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { baseName, decodeText } from '../../util/text.js';
import { PackageSet } from '../../util/package-set.js';
import { isTestConfiguration, parseGradleLockfile } from './parse.js';

export const ID = 'lang/gradle-lockfile';

export const gradleLockfileExtractor: Extractor = {
  id: ID,
  version: 1,
  candidates: { suffixes: ['.lockfile'] },
  required(path: string): boolean {
    const b = baseName(path);
    if (b === 'gradle.lockfile') return true;
    return b.endsWith('.lockfile') && path.includes('gradle/dependency-locks/');
  },
  extract(input: ExtractInput): ExtractOutput {
    const b = baseName(input.path);
    const legacyConf = b === 'gradle.lockfile' ? undefined : b.slice(0, -'.lockfile'.length);
    const parsed = parseGradleLockfile(decodeText(input.content), legacyConf);
    const set = new PackageSet('Maven', ID, input.path);
    for (const s of parsed.skipped) set.problem(s);
    for (const e of parsed.entries) {
      set.add({
        name: `${e.group}:${e.artifact}`,
        version: e.version,
        purl: () => mavenPurl(e.group, e.artifact, e.version),
        line: e.line,
        ...(e.configurations.length > 0 ? { dev: e.configurations.every(isTestConfiguration) } : {}),
      });
    }
    return set.output();
  },
};
