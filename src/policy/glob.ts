/**
 * The glob patterns of profile exceptions: `*` matches any run of characters (slashes included),
 * `?` one character; everything else is literal. Matching is whole-string and case-sensitive.
 */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (const ch of pattern) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re.replace(/(\.\*)+/g, '.*')}$`);
}

export function globMatch(pattern: string, value: string): boolean {
  return globToRegExp(pattern).test(value);
}

/** A purl without qualifiers and subpath; with or without its version. */
export function purlBase(purl: string, keepVersion: boolean): string {
  let s = purl.split('#')[0]!.split('?')[0]!;
  if (!keepVersion) {
    const slash = s.lastIndexOf('/');
    const at = s.indexOf('@', slash + 1);
    if (at >= 0) s = s.slice(0, at);
  }
  return s;
}

/**
 * Whether a package pattern names a finding's package: a purl pattern (starting with `pkg:`) is
 * matched against the purl (a pattern without `@version` against the purl without its version,
 * qualifiers are ignored unless the pattern has some); anything else against the package name.
 */
export function packageMatches(pattern: string, pkg: { name: string; purl: string }): boolean {
  if (pattern.startsWith('pkg:')) {
    const p = decodeURIComponent(pattern);
    const purl = decodeURIComponent(pkg.purl);
    if (p.includes('?')) return globMatch(p, purl);
    const afterName = p.slice(p.lastIndexOf('/') + 1);
    const hasVersion = afterName.includes('@');
    return globMatch(purlBase(p, true), purlBase(purl, hasVersion));
  }
  return globMatch(pattern, pkg.name);
}
