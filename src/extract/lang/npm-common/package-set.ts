/**
 * Per-file package accumulator shared by the language extractors of this group (npm, Go, PyPI).
 * It is ecosystem-neutral; it lives here only because this group may not write to `src/extract/util`.
 *
 * - Deduplicates by purl; the first (lowest) line wins as the location.
 * - Merges flags: `direct` is true if any occurrence is direct; `dev` is true only if every occurrence is dev.
 * - Output is sorted by name, then version, then purl, so it is deterministic.
 */
import type { ExtractOutput } from '../../types.js';
import type { FileProblem, Package, Unknown } from '../../../core/package.js';

export interface PackageDraft {
  name: string;
  version: string;
  purl: string;
  line?: number;
  /** Location path when the evidence is another file than the one extracted (e.g. go.sum beside go.mod). */
  path?: string;
  direct?: boolean;
  dev?: boolean;
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
    const prev = this.byPurl.get(d.purl);
    if (!prev) {
      const pkg: Package = {
        ecosystem: this.ecosystem,
        name: d.name,
        version: d.version,
        purl: d.purl,
        locations: [d.line === undefined ? { path: d.path ?? this.path } : { path: d.path ?? this.path, line: d.line }],
        foundBy: this.foundBy,
      };
      if (d.direct !== undefined) pkg.direct = d.direct;
      if (d.dev !== undefined) pkg.dev = d.dev;
      this.byPurl.set(d.purl, pkg);
      return;
    }
    const loc = prev.locations[0];
    if (d.line !== undefined && loc && (loc.line === undefined || d.line < loc.line)) loc.line = d.line;
    prev.direct = mergeAny(prev.direct, d.direct);
    prev.dev = mergeAll(prev.dev, d.dev);
    if (prev.direct === undefined) delete prev.direct;
    if (prev.dev === undefined) delete prev.dev;
  }

  has(purl: string): boolean {
    return this.byPurl.has(purl);
  }

  unknown(u: Omit<Unknown, 'path' | 'ecosystem'>): void {
    this.unknownList.push({ ...u, ecosystem: this.ecosystem, path: this.path });
  }

  problem(message: string, code = 'BULWARK_E_PARSE'): void {
    this.problemList.push({ path: this.path, extractor: this.foundBy, code, message });
  }

  output(): ExtractOutput {
    const packages = [...this.byPurl.values()].sort(comparePackages);
    const out: ExtractOutput = { packages };
    if (this.unknownList.length > 0) out.unknowns = this.unknownList;
    if (this.problemList.length > 0) out.problems = this.problemList;
    return out;
  }
}

function mergeAny(a: boolean | undefined, b: boolean | undefined): boolean | undefined {
  if (a === true || b === true) return true;
  if (a === false || b === false) return false;
  return undefined;
}

function mergeAll(a: boolean | undefined, b: boolean | undefined): boolean | undefined {
  if (a === false || b === false) return false;
  if (a === true || b === true) return true;
  return undefined;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function comparePackages(a: Package, b: Package): number {
  return cmp(a.name, b.name) || cmp(a.version, b.version) || cmp(a.purl, b.purl);
}
