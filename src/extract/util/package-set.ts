/**
 * Per-file package accumulator for language extractors (ecosystem-neutral).
 *
 * - Deduplicates by purl. Locations: `every` keeps each distinct (path, line) sorted; `first` keeps one location
 *   per package, moved to the lowest line seen (lockfiles that repeat an entry per dependent).
 * - Merges flags: `direct` is true if any occurrence is direct; `dev` is true only if every occurrence is dev.
 * - Output is sorted by name, then version, then purl, so it is deterministic.
 */
import type { FileProblem, Location, Package, Unknown } from '../../core/package.js';
import { InvalidPurlError } from '../../core/purl.js';
import type { ExtractOutput } from '../types.js';

export interface PackageDraft {
  name: string;
  version: string;
  /**
   * The purl, or a function that builds it: a name the purl spec refuses (InvalidPurlError) then drops the
   * entry with a problem instead of failing the file.
   */
  purl: string | (() => string);
  line?: number;
  /** Location path when the evidence is another file than the one extracted (go.sum beside go.mod, a jar in a war). */
  path?: string;
  direct?: boolean;
  dev?: boolean;
  /** The project itself or a workspace member (see Package.relationship). */
  relationship?: 'root' | 'workspace';
}

export interface PackageSetOptions {
  locations?: 'every' | 'first';
}

export class PackageSet {
  private readonly byPurl = new Map<string, Package>();
  private readonly unknownList: Unknown[] = [];
  private readonly problemList: FileProblem[] = [];
  private readonly locationMode: 'every' | 'first';

  constructor(
    readonly ecosystem: string,
    readonly foundBy: string,
    readonly path: string,
    opts: PackageSetOptions = {},
  ) {
    this.locationMode = opts.locations ?? 'every';
  }

  add(d: PackageDraft): void {
    let purl: string;
    try {
      purl = typeof d.purl === 'string' ? d.purl : d.purl();
    } catch (e) {
      if (!(e instanceof InvalidPurlError)) throw e;
      this.problem(`dropped ${d.name} ${d.version}${d.line === undefined ? '' : ` (line ${d.line})`}: ${e.message}`);
      return;
    }
    const path = d.path ?? this.path;
    const loc: Location = d.line === undefined ? { path } : { path, line: d.line };
    const prev = this.byPurl.get(purl);
    if (!prev) {
      const pkg: Package = { ecosystem: this.ecosystem, name: d.name, version: d.version, purl, locations: [loc], foundBy: this.foundBy };
      if (d.direct !== undefined) pkg.direct = d.direct;
      if (d.dev !== undefined) pkg.dev = d.dev;
      if (d.relationship !== undefined) pkg.relationship = d.relationship;
      this.byPurl.set(purl, pkg);
      return;
    }
    if (this.locationMode === 'first') {
      const first = prev.locations[0];
      if (d.line !== undefined && first && (first.line === undefined || d.line < first.line)) first.line = d.line;
    } else if (!prev.locations.some((l) => l.path === loc.path && l.line === loc.line)) {
      prev.locations.push(loc);
    }
    prev.direct = mergeAny(prev.direct, d.direct);
    prev.dev = mergeAll(prev.dev, d.dev);
    if (prev.direct === undefined) delete prev.direct;
    if (prev.dev === undefined) delete prev.dev;
  }

  has(purl: string): boolean {
    return this.byPurl.has(purl);
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

  output(): ExtractOutput {
    const packages = [...this.byPurl.values()].sort(comparePackages);
    for (const p of packages) p.locations.sort((a, b) => (a.path === b.path ? (a.line ?? 0) - (b.line ?? 0) : a.path < b.path ? -1 : 1));
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
