/**
 * Extractor for Rust `Cargo.lock` files (v1–v4).
 *
 * Registry packages are what advisories cover; path/workspace members (no `source`) are kept too,
 * as the peer (trivy) does, because the lockfile itself cannot tell a workspace crate apart from a
 * vendored copy of a published one. Direct: a registry package that a local member depends on.
 */
import { cargoPurl } from '../../../core/purl.js';
import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { baseName, decodeText } from '../../util/text.js';
import { PackageSet } from '../../util/package-set.js';
import { parseCargoLock, parseDependencySpec } from './parse.js';
import type { CargoPackage } from './parse.js';
import { parseFile } from '../../util/parse-file.js';

export const ID = 'lang/cargo-lock';

export const cargoLockExtractor: Extractor = {
  id: ID,
  version: 1,
  candidates: { baseNames: ['Cargo.lock'] },
  required(path: string): boolean {
    return baseName(path) === 'Cargo.lock';
  },
  extract(input: ExtractInput): ExtractOutput {
    const lock = parseFile(input.path, () => parseCargoLock(decodeText(input.content)));
    const set = new PackageSet('crates.io', ID, input.path);
    for (const d of lock.dropped) set.problem(`dropped entry ${d}`);
    const direct = directKeys(lock.packages);
    const hasLocal = lock.packages.some((p) => p.source === undefined);
    for (const p of lock.packages) {
      set.add({
        name: p.name,
        version: p.version,
        purl: () => cargoPurl(p.name, p.version),
        ...(p.line !== undefined ? { line: p.line } : {}),
        ...(hasLocal && p.source !== undefined ? { direct: direct.has(`${p.name}@${p.version}`) } : {}),
      });
    }
    return set.output();
  },
};

/** name@version of every package a local (source-less) member depends on. */
function directKeys(packages: CargoPackage[]): Set<string> {
  const byName = new Map<string, CargoPackage[]>();
  for (const p of packages) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  const out = new Set<string>();
  for (const p of packages) {
    if (p.source !== undefined) continue;
    for (const spec of p.dependencies) {
      const d = parseDependencySpec(spec);
      if (!d) continue;
      const candidates = (byName.get(d.name) ?? []).filter((c) => d.version === undefined || c.version === d.version);
      if (candidates.length === 1 && candidates[0]) out.add(`${candidates[0].name}@${candidates[0].version}`);
    }
  }
  return out;
}
