/**
 * A package found in a target. Ecosystems use OSV names ("npm", "PyPI", "Go", "Maven", "crates.io",
 * "Debian", "Alpine", ...); a distro package also carries its distro and release.
 */
export type Ecosystem = string;

export interface Location {
  /** Path relative to the scan root (or absolute inside an image), forward slashes. */
  path: string;
  line?: number;
  /** Digest of the image layer the file came from. */
  layer?: string;
}

export interface SourcePackage {
  name: string;
  version?: string;
}

export interface Package {
  ecosystem: Ecosystem;
  /** Normalized as the ecosystem says (PEP 503 for PyPI, group:artifact for Maven). */
  name: string;
  version: string;
  purl: string;
  locations: Location[];
  /** Directly required by the project (true), transitive (false), or not known (undefined). */
  direct?: boolean;
  /** Only needed for development (devDependencies, dev groups, ...). */
  dev?: boolean;
  /**
   * The scanned project itself (`root`: the lockfile's own package, uv's project, the .NET app) or one of its
   * workspace members (`workspace`), as the lockfile names them. Matched like any package (as Trivy does); the
   * CycloneDX writer makes a single root the BOM's metadata.component.
   */
  relationship?: 'root' | 'workspace';
  /** Id of the extractor that found it ("lang/npm-lock"). */
  foundBy: string;
  /** OS packages: the source package advisories are keyed by (dpkg Source:, apk origin, rpm SRPM). */
  source?: SourcePackage;
  epoch?: number;
  release?: string;
  arch?: string;
  /** Layer that introduced it (images only). */
  layer?: string;
}

/** Something we could not decide, reported instead of silently treated as safe. */
export interface Unknown {
  kind: 'unparseable-version' | 'no-advisory-data' | 'unresolved-version' | 'unsupported' | 'os-not-covered' | 'not-evaluable';
  message: string;
  ecosystem?: Ecosystem;
  package?: { name: string; version?: string; purl?: string };
  path?: string;
  advisory?: string;
}

/** A file that could not be read or parsed; the rest of the scan goes on. */
export interface FileProblem {
  path: string;
  extractor?: string;
  code: string;
  message: string;
}
