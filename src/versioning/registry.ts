/**
 * The explicit list of version schemes and the map from OSV ecosystem names to them.
 * Adding a scheme: write schemes/<id>.ts, add it to SCHEMES, add its fixtures file, map its ecosystems.
 */
import { UnknownSchemeError } from '../core/errors.js';
import { apkScheme } from './schemes/apk.js';
import { composerScheme } from './schemes/composer.js';
import { debScheme } from './schemes/deb.js';
import { genericScheme } from './schemes/generic.js';
import { goScheme } from './schemes/go.js';
import { mavenScheme } from './schemes/maven.js';
import { nugetScheme } from './schemes/nuget.js';
import { pep440Scheme } from './schemes/pep440.js';
import { rpmScheme } from './schemes/rpm.js';
import { rubygemsScheme } from './schemes/rubygems.js';
import { semverScheme } from './schemes/semver.js';
import type { VersionScheme } from './types.js';

export const SCHEMES: readonly VersionScheme[] = Object.freeze([
  semverScheme,
  goScheme,
  pep440Scheme,
  mavenScheme,
  rubygemsScheme,
  composerScheme,
  nugetScheme,
  debScheme,
  apkScheme,
  rpmScheme,
  genericScheme,
]);

/** OSV ecosystem name (the part before ':') → scheme id. https://ossf.github.io/osv-schema/#affectedpackage-field */
export const ECOSYSTEM_SCHEMES: Readonly<Record<string, string>> = Object.freeze({
  npm: 'semver',
  'crates.io': 'semver',
  Hex: 'semver',
  Pub: 'semver',
  Bitnami: 'semver',
  Go: 'go',
  PyPI: 'pep440',
  Maven: 'maven',
  RubyGems: 'rubygems',
  Packagist: 'composer',
  NuGet: 'nuget',
  Debian: 'deb',
  Ubuntu: 'deb',
  Alpine: 'apk',
  Wolfi: 'apk',
  Chainguard: 'apk',
  'Red Hat': 'rpm',
  'Rocky Linux': 'rpm',
  AlmaLinux: 'rpm',
  openSUSE: 'rpm',
  SUSE: 'rpm',
  'Photon OS': 'rpm',
  Mageia: 'rpm',
  openEuler: 'rpm',
  'Azure Linux': 'rpm',
});

const BY_ID = new Map(SCHEMES.map((s) => [s.id, s]));
const BY_ECOSYSTEM = new Map(Object.entries(ECOSYSTEM_SCHEMES).map(([eco, id]) => [eco.toLowerCase(), BY_ID.get(id)!]));

function lookup(name: string): VersionScheme | undefined {
  const byId = BY_ID.get(name) ?? BY_ID.get(name.toLowerCase());
  if (byId) return byId;
  const base = name.includes(':') ? name.slice(0, name.indexOf(':')) : name;
  return BY_ECOSYSTEM.get(base.trim().toLowerCase());
}

/** A scheme by id ('deb') or OSV ecosystem ('Debian:12', 'PyPI'); case-insensitive. Throws UnknownSchemeError. */
export function getScheme(name: string): VersionScheme {
  const s = lookup(name);
  if (!s) throw new UnknownSchemeError(name, [...BY_ID.keys()]);
  return s;
}

/** The scheme of an OSV ecosystem; never throws: unknown ecosystems get 'generic', which cannot compare. */
export function schemeForEcosystem(ecosystem: string): VersionScheme {
  const base = ecosystem.includes(':') ? ecosystem.slice(0, ecosystem.indexOf(':')) : ecosystem;
  return BY_ECOSYSTEM.get(base.trim().toLowerCase()) ?? genericScheme;
}
