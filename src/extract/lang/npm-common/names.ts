export const NPM_ECOSYSTEM = 'npm';

/** A valid npm package name (lenient: lowercase not enforced, legacy names exist). */
export function isNpmName(name: string): boolean {
  return /^(@[^/@\s]+\/)?[^/@\s][^/\s]*$/.test(name);
}

/** Exact npm semver (what lockfiles record for registry packages). */
const SEMVER = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

export function isExactSemver(v: string): boolean {
  return SEMVER.test(v);
}

/** Name of the package installed at a `node_modules/...` path: the segment(s) after the last `node_modules/`. */
export function nameFromNodeModulesPath(p: string): string | undefined {
  const idx = p.lastIndexOf('node_modules/');
  if (idx < 0) return undefined;
  const rest = p.slice(idx + 'node_modules/'.length);
  if (rest === '') return undefined;
  const parts = rest.split('/');
  if (parts[0]?.startsWith('@')) return parts.length >= 2 && parts[1] ? `${parts[0]}/${parts[1]}` : undefined;
  return parts[0] || undefined;
}

/**
 * `npm:real-name@1.2.3` alias specs: returns the real name and version.
 * Also accepts `npm:@scope/real@1.2.3`.
 */
export function parseNpmAlias(spec: string): { name: string; version: string } | undefined {
  if (!spec.startsWith('npm:')) return undefined;
  const rest = spec.slice(4);
  const at = rest.lastIndexOf('@');
  if (at <= 0) return undefined;
  return { name: rest.slice(0, at), version: rest.slice(at + 1) };
}
