import type { FileProblem, Package } from '../../core/package.js';
import { InvalidPurlError, type OsPackageType } from '../../core/purl.js';
import type { ExtractInput, ExtractOutput, Extractor } from '../types.js';

/** Package types the OS extractors emit before the image's distro is known. */
export const OS_PACKAGE_TYPES: readonly OsPackageType[] = ['deb', 'apk', 'rpm'];

export function isOsPackageType(value: string): value is OsPackageType {
  return (OS_PACKAGE_TYPES as readonly string[]).includes(value);
}

/** Relative path without a leading "./" or "/". */
export function normalizePath(path: string): string {
  let p = path;
  while (p.startsWith('./')) p = p.slice(2);
  while (p.startsWith('/')) p = p.slice(1);
  return p;
}

/** True when `path` is `suffix` or ends with "/" + `suffix` (an image root nested in a directory scan). */
export function pathIs(path: string, suffix: string): boolean {
  const p = normalizePath(path);
  return p === suffix || p.endsWith(`/${suffix}`);
}

/** Deterministic order: name, version, arch, then first location. */
export function comparePackages(a: Package, b: Package): number {
  return (
    cmp(a.name, b.name) ||
    cmp(a.version, b.version) ||
    cmp(a.arch ?? '', b.arch ?? '') ||
    cmp(a.locations[0]?.path ?? '', b.locations[0]?.path ?? '') ||
    (a.locations[0]?.line ?? 0) - (b.locations[0]?.line ?? 0)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A problem with one record of a file that still yielded others. */
export interface RecordProblem {
  /** 1-based line of the record in text databases; undefined for binary ones. */
  line?: number;
  message: string;
}

export function toFileProblems(path: string, extractor: string, problems: readonly RecordProblem[]): FileProblem[] {
  return problems.map((p) => ({
    path,
    extractor,
    code: 'BULWARK_E_PARSE',
    message: p.line === undefined ? p.message : `line ${p.line}: ${p.message}`,
  }));
}

/**
 * The one shape every OS package-database extractor has: parse the file into records (bad records become
 * problems), turn each into a Package, sort. Each extractor supplies only its id, file predicate, parser and adapter.
 */
export function osDatabaseExtractor<R>(spec: {
  id: string;
  required: (path: string) => boolean;
  parse: (content: Uint8Array, path: string) => { records: R[]; problems: RecordProblem[] };
  toPackage: (record: R, path: string) => Package;
}): Extractor {
  return {
    id: spec.id,
    version: 1,
    required: spec.required,
    extract(input: ExtractInput): ExtractOutput {
      const path = normalizePath(input.path);
      const { records, problems } = spec.parse(input.content, path);
      const packages: Package[] = [];
      for (const r of records) {
        try {
          packages.push(spec.toPackage(r, path));
        } catch (e) {
          // a record whose name the purl spec refuses is dropped with a problem, like any other bad record
          if (!(e instanceof InvalidPurlError)) throw e;
          problems.push({ message: e.message });
        }
      }
      packages.sort(comparePackages);
      const out: ExtractOutput = { packages };
      if (problems.length > 0) out.problems = toFileProblems(path, spec.id, problems);
      return out;
    },
  };
}
