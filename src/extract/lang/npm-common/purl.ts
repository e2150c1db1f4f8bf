import { PackageURL } from 'packageurl-js';

/** `pkg:npm/%40scope/name@version` (the purl spec percent-encodes the `@` of a scope). */
export function npmPurl(name: string, version: string): string {
  const slash = name.startsWith('@') ? name.indexOf('/') : -1;
  const namespace = slash > 0 ? name.slice(0, slash) : null;
  const base = slash > 0 ? name.slice(slash + 1) : name;
  return new PackageURL('npm', namespace, base, version, null, null).toString();
}

export const NPM_ECOSYSTEM = 'npm';

/** A valid npm package name (lenient: lowercase not enforced, legacy names exist). */
export function isNpmName(name: string): boolean {
  return /^(@[^/@\s]+\/)?[^/@\s][^/\s]*$/.test(name);
}
