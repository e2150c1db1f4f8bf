/**
 * Extractor for Rust binaries built with cargo-auditable (ELF section `.dep-v0`), ecosystem crates.io.
 *
 * Claims files the way a Go-binary extractor would: no extension, in a bin directory (bin/, sbin/,
 * libexec/) or in Cargo's target/{release,debug}/. Non-ELF content is dropped at the first four
 * bytes; an ELF without `.dep-v0` yields nothing. Build-time crates (kind "build": build scripts,
 * proc macros) are not in the binary and are reported with dev: true. The root crate (the binary
 * itself) is reported like a workspace member in Cargo.lock; its dependencies are direct.
 */
import { cargoPurl } from '../../../core/purl.js';
import { ParseError } from '../../../core/errors.js';
import type { Extractor, ExtractInput, ExtractOutput, RandomAccessInput } from '../../types.js';
import { bytesFile } from '../../util/random-access.js';
import { baseName } from '../../util/text.js';
import { PackageSet } from '../../util/package-set.js';
import { decodeAuditData, elfSection, isElf, SECTION } from './parse.js';
import { FormatError } from '../../formats/error.js';

export const ID = 'lang/cargo-auditable';

const BIN_DIRS = ['bin/', 'sbin/', 'libexec/', 'target/release/', 'target/debug/'];

export const cargoAuditableExtractor: Extractor = {
  id: ID,
  version: 2,
  required(path: string): boolean {
    const b = baseName(path);
    if (b === '' || b.includes('.')) return false;
    const dir = path.slice(0, path.length - b.length);
    return BIN_DIRS.some((d) => dir === d || dir.endsWith(`/${d}`));
  },
  extract(input: ExtractInput): Promise<ExtractOutput> {
    return extractFrom({ path: input.path, file: bytesFile(input.content), tree: input.tree });
  },
  extractFrom,
  // The section is found by its name in the section-name table: a file without the name has no audit data. A
  // malformed section table in such a file is then not reported: it could not have carried any.
  needles: [SECTION],
};

/** Reads the ELF headers and the `.dep-v0` section only, whatever the size of the executable. */
async function extractFrom(input: RandomAccessInput): Promise<ExtractOutput> {
  const set = new PackageSet('crates.io', ID, input.path);
  if (input.file.size < 52 || !isElf(await input.file.read(0, 52))) return set.output();
  let data;
  try {
    const section = await elfSection(input.file, SECTION);
    if (section === undefined) return set.output();
    data = decodeAuditData(section);
  } catch (e) {
    if (e instanceof FormatError) throw new ParseError(input.path, e.message, { cause: e });
    throw e;
  }
  for (const d of data.dropped) set.problem(`dropped ${d}`);
  const direct = new Set<number>();
  data.packages.forEach((p) => {
    if (p.root) for (const i of p.dependencies) direct.add(i);
  });
  const hasRoot = data.packages.some((p) => p.root);
  data.packages.forEach((p, i) => {
    set.add({
      name: p.name,
      version: p.version,
      purl: () => cargoPurl(p.name, p.version),
      dev: p.kind === 'build',
      ...(hasRoot && !p.root ? { direct: direct.has(i) } : {}),
    });
  });
  return set.output();
}
