/**
 * Per-file package accumulator for the extractors listed in `src/extract/lists/lang-b.ts`.
 * Ecosystem-neutral; it lives here only because this group may not write to `src/extract/util`.
 *
 * - Deduplicates by purl; every distinct line is kept as a location (lowest first).
 * - Merges flags: `direct` is true if any occurrence is direct; `dev` is true only if every occurrence is dev.
 * - `finish()` sorts packages by name, then version, then purl, so output is deterministic.
 */
import type { ExtractOutput } from '../../types.js';
import type { FileProblem, Package, Unknown } from '../../../core/package.js';

export interface PackageDraft {
  name: string;
  version: string;
  purl: string;
  line?: number;
  direct?: boolean;
  dev?: boolean;
  /** Path of the location when it differs from the file's own (e.g. a jar nested in a war: `app.war!/WEB-INF/lib/x.jar`). */
  path?: string;
}

export class PackageSet {
  private readonly byPurl = new Map<string, Package>();
  private readonly unknownList: Unknown[] = [];
  private readonly problemList: FileProblem[] = [];

  constructor(
    readonly ecosystem: string,
    readonly foundBy: string,
    readonly path: string,
  ) {}

  add(d: PackageDraft): void {
    const path = d.path ?? this.path;
    const loc = d.line === undefined ? { path } : { path, line: d.line };
    const prev = this.byPurl.get(d.purl);
    if (!prev) {
      const pkg: Package = {
        ecosystem: this.ecosystem,
        name: d.name,
        version: d.version,
        purl: d.purl,
        locations: [loc],
        foundBy: this.foundBy,
      };
      if (d.direct !== undefined) pkg.direct = d.direct;
      if (d.dev !== undefined) pkg.dev = d.dev;
      this.byPurl.set(d.purl, pkg);
      return;
    }
    if (!prev.locations.some((l) => l.path === loc.path && l.line === loc.line)) prev.locations.push(loc);
    prev.direct = mergeAny(prev.direct, d.direct);
    prev.dev = mergeAll(prev.dev, d.dev);
    if (prev.direct === undefined) delete prev.direct;
    if (prev.dev === undefined) delete prev.dev;
  }

  get size(): number {
    return this.byPurl.size;
  }

  unknown(u: Omit<Unknown, 'path' | 'ecosystem'>): void {
    this.unknownList.push({ ...u, ecosystem: this.ecosystem, path: this.path });
  }

  problem(message: string, code = 'BULWARK_E_PARSE'): void {
    this.problemList.push({ path: this.path, extractor: this.foundBy, code, message });
  }

  finish(): ExtractOutput {
    const packages = [...this.byPurl.values()].sort(comparePackages);
    for (const p of packages) p.locations.sort((a, b) => (a.path === b.path ? (a.line ?? 0) - (b.line ?? 0) : a.path < b.path ? -1 : 1));
    const out: ExtractOutput = { packages };
    if (this.unknownList.length > 0) out.unknowns = this.unknownList;
    if (this.problemList.length > 0) out.problems = this.problemList;
    return out;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function comparePackages(a: Package, b: Package): number {
  return cmp(a.name, b.name) || cmp(a.version, b.version) || cmp(a.purl, b.purl);
}

function mergeAny(a: boolean | undefined, b: boolean | undefined): boolean | undefined {
  if (a === true || b === true) return true;
  if (a === false || b === false) return false;
  return undefined;
}

function mergeAll(a: boolean | undefined, b: boolean | undefined): boolean | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a && b;
}
