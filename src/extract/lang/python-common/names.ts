import { PackageURL } from 'packageurl-js';

export const PYPI_ECOSYSTEM = 'PyPI';

/** PEP 503 normalized name: lowercase, runs of `-`, `_`, `.` become one `-`. */
export function normalizePyName(name: string): string {
  return name.trim().replace(/[-_.]+/g, '-').toLowerCase();
}

/** `pkg:pypi/<normalized>@<version>`. */
export function pypiPurl(name: string, version: string): string {
  return new PackageURL('pypi', null, normalizePyName(name), version, null, null).toString();
}

/** A valid PEP 508 distribution name. */
export function isPyName(name: string): boolean {
  return /^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$/.test(name);
}

/** A concrete PEP 440 version (public and local parts, no wildcards), as lockfiles and metadata record. */
const PEP440 =
  /^v?(?:\d+!)?\d+(?:\.\d+)*(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?\d*)?(?:-\d+|[-_.]?(?:post|rev|r)[-_.]?\d*)?(?:[-_.]?dev[-_.]?\d*)?(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?$/i;

export function isPep440Version(v: string): boolean {
  return PEP440.test(v.trim());
}
