/**
 * One version scheme: the ordering of an ecosystem's version strings.
 * `compare` is total on valid versions and throws InvalidVersionError on anything else: it never guesses.
 */
export interface VersionScheme {
  /** 'semver' | 'go' | 'pep440' | 'maven' | 'rubygems' | 'composer' | 'nuget' | 'deb' | 'apk' | 'rpm' | 'generic' */
  readonly id: string;
  isValid(v: string): boolean;
  /** -1, 0 or 1; throws InvalidVersionError for an invalid version. */
  compare(a: string, b: string): number;
  /**
   * Advisory-side leniency: a reading of a version written loosely in an advisory (a partial semver "1.0")
   * that the scheme accepts, or undefined. Installed versions are never coerced.
   */
  coerce?(v: string): string | undefined;
}

/** A scheme whose versions have one canonical spelling (parse then format). */
export interface CanonicalVersionScheme extends VersionScheme {
  /** The canonical spelling of `v`; throws InvalidVersionError. compare(v, canonicalize(v)) === 0. */
  canonicalize(v: string): string;
}

export function hasCanonicalForm(s: VersionScheme): s is CanonicalVersionScheme {
  return typeof (s as Partial<CanonicalVersionScheme>).canonicalize === 'function';
}
