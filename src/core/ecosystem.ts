/**
 * Ecosystem names (OSV spelling) and the package-name normalization used as the lookup key
 * on both sides of matching: the advisory store and the scanned package.
 */

/** The base of an ecosystem string: "Debian:12" → "Debian", "npm" → "npm". */
export function ecosystemBase(ecosystem: string): string {
  const i = ecosystem.indexOf(':');
  return i < 0 ? ecosystem : ecosystem.slice(0, i);
}

/** The release part of an ecosystem string: "Alpine:v3.18" → "v3.18"; undefined without one. */
export function ecosystemRelease(ecosystem: string): string | undefined {
  const i = ecosystem.indexOf(':');
  return i < 0 ? undefined : ecosystem.slice(i + 1);
}

/** PEP 503: lowercase, runs of -, _ and . become one -. */
export function pep503(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/**
 * The key a package name is looked up by in an ecosystem. Only ecosystems whose registries treat
 * names case- or separator-insensitively are folded; everything else is matched exactly.
 */
export function packageLookupName(ecosystem: string, name: string): string {
  switch (ecosystemBase(ecosystem)) {
    case 'PyPI':
      return pep503(name.trim());
    case 'NuGet':
    case 'Packagist':
    case 'Pub':
    case 'Hex':
      return name.trim().toLowerCase();
    default:
      return name.trim();
  }
}
