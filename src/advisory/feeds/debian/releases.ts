/**
 * Debian release codenames and the release number Bulwark's ecosystems carry ("Debian:12").
 *
 * From Debian 7 (wheezy) on, a release is numbered by its major version alone; the ecosystem uses that number,
 * which is what `/etc/os-release` VERSION_ID says. Before that, releases were numbered "6.0", "5.0", ...; the
 * major number is used for those too (squeeze → "6", lenny → "5", etch → "4"). Woody (3.0) and sarge (3.1) share a
 * major number, so they keep their full number ("3.0", "3.1") to stay distinct; only the DSA list still names them.
 * Source: https://www.debian.org/releases/ and distro-info-data's debian.csv.
 * `sid` (unstable) has no number: it maps to "sid". `experimental` is not a release and maps to nothing.
 */
const CODENAME_TO_VERSION: Readonly<Record<string, string>> = {
  woody: '3.0',
  sarge: '3.1',
  etch: '4',
  lenny: '5',
  squeeze: '6',
  wheezy: '7',
  jessie: '8',
  stretch: '9',
  buster: '10',
  bullseye: '11',
  bookworm: '12',
  trixie: '13',
  forky: '14',
  duke: '15',
  sid: 'sid',
};

/** The release number for a codename ("bookworm" → "12", "sid" → "sid"); undefined for unknown names and "experimental". */
export function debianCodenameToVersion(codename: string): string | undefined {
  const key = codename.trim().toLowerCase();
  return Object.hasOwn(CODENAME_TO_VERSION, key) ? CODENAME_TO_VERSION[key] : undefined;
}

/** The OSV-style ecosystem for a codename ("bookworm" → "Debian:12"); undefined when the codename is unknown. */
export function debianEcosystem(codename: string): string | undefined {
  const version = debianCodenameToVersion(codename);
  return version === undefined ? undefined : `Debian:${version}`;
}

/** Every codename `debianCodenameToVersion` knows, oldest first, `sid` last. */
export const DEBIAN_CODENAMES: readonly string[] = Object.freeze(Object.keys(CODENAME_TO_VERSION));
