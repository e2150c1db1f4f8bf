import type { Package } from '../core/package.js';

/**
 * Merges the same package found in several files (a lockfile and node_modules, two lockfiles) into one
 * entry with every location. Direct if any file says direct; dev only if every file says dev.
 */
export function mergePackages(found: readonly Package[]): Package[] {
  const byKey = new Map<string, Package>();
  for (const p of found) {
    const key = `${p.ecosystem}\u0000${p.purl}\u0000${p.name}\u0000${p.version}\u0000${p.layer ?? ''}`;
    const prev = byKey.get(key);
    if (!prev) {
      byKey.set(key, { ...p, locations: [...p.locations] });
      continue;
    }
    for (const loc of p.locations) {
      if (!prev.locations.some((l) => l.path === loc.path && l.line === loc.line && l.layer === loc.layer)) prev.locations.push(loc);
    }
    if (p.direct === true) prev.direct = true;
    else if (prev.direct === undefined && p.direct === false) prev.direct = false;
    if (prev.dev === true && p.dev !== true) prev.dev = p.dev;
    // root / workspace only when every file says so (a workspace member installed elsewhere is a dependency there)
    if (prev.relationship !== p.relationship) delete prev.relationship;
  }
  return sortPackages([...byKey.values()]);
}

export function sortPackages(pkgs: Package[]): Package[] {
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  for (const p of pkgs) p.locations.sort((a, b) => cmp(a.path, b.path) || (a.line ?? 0) - (b.line ?? 0));
  return pkgs.sort((a, b) => cmp(a.ecosystem, b.ecosystem) || cmp(a.name, b.name) || cmp(a.version, b.version) || cmp(a.purl, b.purl));
}
