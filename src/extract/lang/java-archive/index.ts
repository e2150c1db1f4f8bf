/**
 * Extractor for Java archives: .jar, .war, .ear, .par (and Jenkins .hpi/.jpi plugins).
 * Ecosystem Maven, name `group:artifact`, purl `pkg:maven/group/artifact@version`.
 *
 * - pom.properties identities are packages.
 * - A MANIFEST.MF identity with a group is a package too, plus a `not-evaluable` unknown saying
 *   that the coordinates were inferred; without a group, and for file-name guesses, only the
 *   unknown is reported (an artifactId alone is not a Maven coordinate).
 * - Nested archives are located as `<file>!/<entry>` (e.g. `app.war!/WEB-INF/lib/x.jar`).
 * - Not a zip → ParseError; caps hit and unreadable nested archives → problems.
 */
import { mavenPurl } from '../../../core/purl.js';
import type { Extractor, ExtractInput, ExtractOutput, RandomAccessInput } from '../../types.js';
import { bytesFile } from '../../util/random-access.js';
import { baseName } from '../../util/text.js';
import { PackageSet } from '../../util/package-set.js';
import { isArchiveName, scanArchive } from './parse.js';
import type { ArchiveScan } from './parse.js';
import { parseFileAsync } from '../../util/parse-file.js';

export const ID = 'lang/java-archive';

export const javaArchiveExtractor: Extractor = {
  id: ID,
  version: 2,
  required(path: string): boolean {
    return isArchiveName(baseName(path));
  },
  extract(input: ExtractInput): Promise<ExtractOutput> {
    return extractFrom({ path: input.path, file: bytesFile(input.content), tree: input.tree });
  },
  extractFrom,
};

/** Reads the archive's central directory and the entries that identify it, not the whole file. */
async function extractFrom(input: RandomAccessInput): Promise<ExtractOutput> {
  const scan: ArchiveScan = await parseFileAsync(input.path, () => scanArchive(input.file, baseName(input.path)));
  const set = new PackageSet('Maven', ID, input.path);
  for (const p of scan.problems) set.problem(p);
  for (const a of scan.artifacts) {
    const where = a.archive === '' ? input.path : `${input.path}!/${a.archive}`;
    if (a.groupId === undefined) {
      set.unknown({
        kind: 'not-evaluable',
        message: `${where}: no pom.properties; ${a.confidence === 'manifest' ? 'MANIFEST.MF' : 'the file name'} suggests ${a.artifactId} ${a.version} but gives no groupId`,
        package: { name: a.artifactId, version: a.version },
      });
      continue;
    }
    const name = `${a.groupId}:${a.artifactId}`;
    const { groupId, artifactId, version } = a;
    set.add({ name, version, purl: () => mavenPurl(groupId, artifactId, version), path: where });
    if (a.confidence === 'manifest') {
      set.unknown({
        kind: 'not-evaluable',
        message: `${where}: no pom.properties; ${name} ${a.version} was inferred from MANIFEST.MF (low confidence)`,
        package: { name, version: a.version },
      });
    }
  }
  return set.output();
}
