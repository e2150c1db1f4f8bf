import type { Extractor, ExtractInput, ExtractOutput } from '../../types.js';
import { baseName, decodeText } from '../../util/text.js';
import { GO_ECOSYSTEM } from '../go-common/module.js';
import { goPurl } from '../../../core/purl.js';
import { isGoVersion, stdlibVersion } from '../go-common/version.js';
import { PackageSet } from '../../util/package-set.js';
import { parseGoSum } from '../go-common/sum.js';
import { isLocalPath } from '../go-common/module.js';
import { parseGoMod } from './parse.js';
import type { GoReplace } from './parse.js';
import { parseFile } from '../../util/parse-file.js';

const ID = 'lang/go-mod';

/** `go 1.16` and older: go.mod lists only direct requirements, so go.sum fills in the rest. */
function listsOnlyDirect(go: string | undefined): boolean {
  if (go === undefined) return true;
  const m = /^(\d+)\.(\d+)/.exec(go);
  if (!m) return false;
  return Number(m[1]) === 1 && Number(m[2]) < 17;
}

/**
 * The standard library a module is built with, as govulncheck and Trivy take it: the `toolchain` directive
 * (go1.22.5, a `+auto` suffix dropped), else the `go` directive from Go 1.21 on, where it became the minimum
 * toolchain (`go 1.22` → v1.22.0). An older `go` line is a language version only, so it gives no stdlib.
 */
export function goModStdlib(toolchain: string | undefined, go: string | undefined): string | undefined {
  const t = toolchain?.replace(/\+.*$/, '');
  if (t && t !== 'default') {
    const v = stdlibVersion(t);
    if (v) return v;
  }
  if (!go) return undefined;
  const m = /^(\d+)\.(\d+)/.exec(go);
  if (!m || Number(m[1]) !== 1 || Number(m[2]) < 21) return undefined;
  return stdlibVersion(`go${go}`);
}

/**
 * go.mod. Requirements are reported after applying replace directives (version-specific ones first);
 * a requirement replaced by a local directory, or excluded, is reported as an unknown. The `toolchain` (or, from
 * Go 1.21 on, `go`) directive gives the package `stdlib` (see goModStdlib).
 * For go.mod files older than Go 1.17 (no indirect requirements), modules from the go.sum beside it are
 * added at their highest version as indirect.
 */
export const goModExtractor: Extractor = {
  id: ID,
  version: 2,
  candidates: { baseNames: ['go.mod'] },
  required(path: string): boolean {
    return baseName(path) === 'go.mod' && !path.startsWith('vendor/') && !path.includes('/vendor/');
  },
  async extract(input: ExtractInput): Promise<ExtractOutput> {
    const text = decodeText(input.content);
    const mod = parseFile(input.path, () => parseGoMod(text));
    const set = new PackageSet(GO_ECOSYSTEM, ID, input.path, { locations: 'first' });
    for (const d of mod.dropped) set.problem(d);

    const exact = new Map<string, GoReplace>();
    const wide = new Map<string, GoReplace>();
    for (const r of mod.replaces) {
      if (r.fromVersion === undefined) wide.set(r.from, r);
      else exact.set(`${r.from}@${r.fromVersion}`, r);
    }
    const excluded = new Set(mod.excludes.map((x) => `${x.module}@${x.version}`));
    const seenModules = new Set<string>();

    for (const req of mod.requires) {
      seenModules.add(req.module);
      if (excluded.has(`${req.module}@${req.version}`)) {
        set.unknown({
          kind: 'unresolved-version',
          message: `${req.module} ${req.version} is required but excluded; the go command selects a later version`,
          package: { name: req.module, version: req.version },
        });
        continue;
      }
      const rep = exact.get(`${req.module}@${req.version}`) ?? wide.get(req.module);
      let module = req.module;
      let version = req.version;
      if (rep) {
        if (rep.toVersion === undefined || isLocalPath(rep.to)) {
          set.unknown({
            kind: 'unresolved-version',
            message: `${req.module} ${req.version} is replaced by the local directory ${rep.to}`,
            package: { name: req.module, version: req.version },
          });
          continue;
        }
        module = rep.to;
        version = rep.toVersion;
        seenModules.add(module);
      }
      if (!isGoVersion(version)) {
        set.unknown({ kind: 'unparseable-version', message: `${module} has version ${JSON.stringify(version)}`, package: { name: module, version } });
        continue;
      }
      set.add({ name: module, version, purl: () => goPurl(module, version), line: req.line, direct: !req.indirect });
    }

    const std = goModStdlib(mod.toolchain, mod.go);
    if (std) set.add({ name: 'stdlib', version: std, purl: () => goPurl('stdlib', std), direct: true });

    if (listsOnlyDirect(mod.go)) {
      const dir = input.path.includes('/') ? input.path.slice(0, input.path.lastIndexOf('/') + 1) : '';
      const sumPath = `${dir}go.sum`;
      const sum = await input.tree.read(sumPath);
      if (sum) {
        for (const m of parseGoSum(decodeText(sum)).modules) {
          if (seenModules.has(m.module) || m.module === mod.module) continue;
          const rep = exact.get(`${m.module}@${m.version}`) ?? wide.get(m.module);
          if (rep) continue; // replaced modules are governed by go.mod
          if (!isGoVersion(m.version)) continue;
          set.add({ name: m.module, version: m.version, purl: () => goPurl(m.module, m.version), line: m.line, path: sumPath, direct: false });
        }
      }
    }
    return set.output();
  },
};
