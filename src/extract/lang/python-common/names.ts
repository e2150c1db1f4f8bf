import type { PackageSet } from '../../util/package-set.js';
import { pep503 } from '../../../core/ecosystem.js';
import { pypiPurl } from '../../../core/purl.js';

export const PYPI_ECOSYSTEM = 'PyPI';

/** PEP 503 normalized name: lowercase, runs of `-`, `_`, `.` become one `-`. */
export function normalizePyName(name: string): string {
  return pep503(name.trim());
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

/**
 * Adds a locked Python package when it comes from a package index with a PEP 440 version; anything else (a git,
 * URL or local source) becomes an `unresolved-version` unknown, never a guessed version.
 */
export function addIndexPackage(
  set: PackageSet,
  p: { name: string; version?: string; source: string; line?: number },
  flags: { direct?: boolean; dev?: boolean } = {},
): void {
  const name = normalizePyName(p.name);
  if (p.source !== 'registry' || p.version === undefined || !isPep440Version(p.version)) {
    set.unknown({
      kind: 'unresolved-version',
      message: `${name}${p.version ? ` ${p.version}` : ''} comes from a ${p.source} source, not from the registry`,
      package: p.version ? { name, version: p.version } : { name },
    });
    return;
  }
  const version = p.version;
  set.add({ name, version, purl: () => pypiPurl(name, version), ...(p.line !== undefined ? { line: p.line } : {}), ...flags });
}
