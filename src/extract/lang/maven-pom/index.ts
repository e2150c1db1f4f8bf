/**
 * Extractor for Maven `pom.xml`: the dependencies the project declares, with versions resolved
 * from properties and dependencyManagement of the pom and of its parents found on disk
 * (`<relativePath>`, default ../pom.xml, read through input.tree).
 *
 * - Name `groupId:artifactId`, purl `pkg:maven/group/artifact@version`, all direct.
 * - Scope test → dev. provided/runtime/system are kept (they run in production).
 * - Inherited `<dependencies>` of parents are reported with the parent's file as location.
 * - A version that stays unresolved (remote parent, BOM import, `${prop}` unknown, a range) becomes
 *   an `unresolved-version` unknown with the reason; it is never invented.
 * - Transitive dependencies are not resolved: that needs the remote repository (see report).
 */
import { mavenPurl } from '../../../core/purl.js';
import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { baseName, decodeText } from '../../util/text.js';
import { PackageSet } from '../../util/package-set.js';
import { parsePom } from './parse.js';
import type { PomModel } from './parse.js';
import { loadChain, resolveEffective } from './resolve.js';
import { parseFile } from '../../util/parse-file.js';

export const ID = 'lang/maven-pom';

export const mavenPomExtractor: Extractor = {
  id: ID,
  version: 1,
  candidates: { baseNames: ['pom.xml'] },
  required(path: string): boolean {
    return baseName(path) === 'pom.xml';
  },
  async extract(input: ExtractInput): Promise<ExtractOutput> {
    const model: PomModel = parseFile(input.path, () => parsePom(decodeText(input.content)));
    const eff = resolveEffective(await loadChain(input.path, model, input.tree));
    const set = new PackageSet('Maven', ID, input.path);
    for (const p of eff.problems) set.problem(p);
    for (const d of eff.dependencies) {
      const name = `${d.groupId}:${d.artifactId}`;
      if (d.version === undefined) {
        set.unknown({
          kind: 'unresolved-version',
          message: `${name}: ${d.unresolved ?? 'version not resolved'}`,
          package: d.rawVersion !== undefined ? { name, version: d.rawVersion } : { name },
        });
        continue;
      }
      const { groupId, artifactId, version } = d;
      set.add({
        name,
        version,
        purl: () => mavenPurl(groupId, artifactId, version),
        direct: true,
        dev: d.scope === 'test',
        ...(d.path !== input.path ? { path: d.path } : {}),
        ...(d.line !== undefined ? { line: d.line } : {}),
      });
    }
    return set.output();
  },
};
