import type { Extractor, ExtractInput, ExtractOutput, RandomAccessInput } from '../../types.js';
import { bytesFile } from '../../util/random-access.js';
import { baseName } from '../../util/text.js';
import { GO_ECOSYSTEM } from '../go-common/module.js';
import { goPurl } from '../../../core/purl.js';
import { isGoVersion, stdlibVersion } from '../go-common/version.js';
import { PackageSet } from '../../util/package-set.js';
import { GO_BINARY_NEEDLES, inspectGoBinary } from './parse.js';

const ID = 'lang/go-binary';

/**
 * Compiled Go executables: the main module, its `dep` modules (after `=>` replacements) and the Go
 * toolchain as package `stdlib` (OSV's name for the standard library), e.g. go1.21.3 → v1.21.3.
 *
 * Selection: executables have no recognizable name, and `required()` may only look at the path. We claim
 * files without an extension (or ending in `.exe`) that sit at the root of the tree or under a `bin` or
 * `sbin` directory (bin/, sbin/, usr/bin/, usr/local/bin/, ...). `extract()` then returns nothing, fast,
 * unless the first bytes are an ELF, Mach-O or PE header and the build-info magic is present; a file that
 * is not a Go binary is never an error. An executable whose build info cannot be read (packed by UPX, or
 * carrying the build-info magic in a form that does not decode) yields a file problem, code
 * BULWARK_E_UNSUPPORTED, and no packages: it was not judged.
 */
export const goBinaryExtractor: Extractor = {
  id: ID,
  version: 3,
  required(path: string): boolean {
    const base = baseName(path);
    if (base === '' || (base.includes('.') && !base.toLowerCase().endsWith('.exe'))) return false;
    const slash = path.lastIndexOf('/');
    if (slash < 0) return true;
    const dirs = path.slice(0, slash).split('/');
    return dirs.includes('bin') || dirs.includes('sbin');
  },
  extract(input: ExtractInput): Promise<ExtractOutput> {
    return extractFrom({ path: input.path, file: bytesFile(input.content), tree: input.tree });
  },
  extractFrom,
  needles: GO_BINARY_NEEDLES,
};

/** Reads the headers and the build-info region of the executable, not the whole file (see inspectGoBinary). */
async function extractFrom(input: RandomAccessInput): Promise<ExtractOutput> {
  const inspected = await inspectGoBinary(input.file);
  const info = inspected?.info;
  if (!info) {
    // Not a Go binary is no error; an executable whose build info cannot be read is one: it was not judged.
    const why = inspected?.unreadable;
    return why === undefined ? { packages: [] } : { packages: [], problems: [{ path: input.path, extractor: ID, code: 'BULWARK_E_UNSUPPORTED', message: why }] };
  }
  const set = new PackageSet(GO_ECOSYSTEM, ID, input.path, { locations: 'first' });

  const std = stdlibVersion(info.goVersion);
  if (std) set.add({ name: 'stdlib', version: std, purl: () => goPurl('stdlib', std) });
  else set.unknown({ kind: 'unparseable-version', message: `Go toolchain ${JSON.stringify(info.goVersion)} has no release version`, package: { name: 'stdlib', version: info.goVersion } });

  const main = info.main;
  if (main && isGoVersion(main.version)) {
    // `(devel)` main modules were built from a local checkout: there is no release to look up.
    set.add({ name: main.path, version: main.version, purl: () => goPurl(main.path, main.version) });
  }
  for (const dep of info.deps) {
    const target = dep.replace ?? dep;
    if (!isGoVersion(target.version)) {
      set.unknown({
        kind: 'unresolved-version',
        message: dep.replace
          ? `${dep.path} ${dep.version} was replaced by ${dep.replace.path}${isGoVersion(dep.replace.version) ? ` ${dep.replace.version}` : ' (a local directory)'}`
          : `${dep.path} has version ${JSON.stringify(dep.version)}`,
        package: { name: dep.path, version: dep.version },
      });
      continue;
    }
    set.add({ name: target.path, version: target.version, purl: () => goPurl(target.path, target.version) });
  }
  return set.output();
}
