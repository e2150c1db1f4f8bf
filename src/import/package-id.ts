import { PackageURL } from 'packageurl-js';
import { packageOfPurl } from '../core/purl.js';

/**
 * How an imported package is identified: its OSV ecosystem and a purl. A purl the source gives wins;
 * otherwise one is built from the scanner's package type (Trivy's result Type, Grype's artifact type,
 * GitLab's package manager, …) and the OS the report names.
 */
export interface PackageId {
  ecosystem: string;
  purl: string;
  /** OS packages: the source package, when the report gives it. */
  source?: { name: string; version?: string };
}

export interface OsHint {
  /** "debian", "ubuntu", "alpine", "redhat", … */
  family: string;
  /** "10.13", "3.7.1", "20.04" */
  version?: string;
}

/** Scanner package type → purl type, for language packages. */
const LANGUAGE_TYPES: Readonly<Record<string, string>> = {
  npm: 'npm', yarn: 'npm', pnpm: 'npm', bun: 'npm', 'node-pkg': 'npm', javascript: 'npm', node: 'npm',
  pip: 'pypi', pipenv: 'pypi', poetry: 'pypi', uv: 'pypi', pdm: 'pypi', 'python-pkg': 'pypi', python: 'pypi', pypi: 'pypi', conda: 'pypi',
  gomod: 'golang', gobinary: 'golang', 'go-module': 'golang', go: 'golang', golang: 'golang',
  jar: 'maven', pom: 'maven', gradle: 'maven', sbt: 'maven', 'java-archive': 'maven', maven: 'maven', java: 'maven',
  composer: 'composer', 'composer-vendor': 'composer', 'php-composer': 'composer', php: 'composer', packagist: 'composer',
  bundler: 'gem', gemspec: 'gem', gem: 'gem', ruby: 'gem', rubygems: 'gem',
  cargo: 'cargo', rustbinary: 'cargo', 'rust-crate': 'cargo', rust: 'cargo', 'crates.io': 'cargo',
  nuget: 'nuget', 'dotnet-core': 'nuget', 'packages-props': 'nuget', dotnet: 'nuget', '.net': 'nuget',
  conan: 'conan', pub: 'pub', dart: 'pub', 'dart-pub': 'pub', hex: 'hex', 'erlang-otp': 'hex', cocoapods: 'cocoapods', pod: 'cocoapods', swift: 'swift',
};

/** OS family → purl type and namespace. */
const OS_TYPES: Readonly<Record<string, [string, string]>> = {
  debian: ['deb', 'debian'], ubuntu: ['deb', 'ubuntu'], deb: ['deb', 'debian'], dpkg: ['deb', 'debian'],
  alpine: ['apk', 'alpine'], apk: ['apk', 'alpine'], wolfi: ['apk', 'wolfi'], chainguard: ['apk', 'chainguard'],
  redhat: ['rpm', 'redhat'], centos: ['rpm', 'centos'], rocky: ['rpm', 'rocky'], alma: ['rpm', 'almalinux'], almalinux: ['rpm', 'almalinux'],
  amazon: ['rpm', 'amazon'], oracle: ['rpm', 'oracle'], fedora: ['rpm', 'fedora'], photon: ['rpm', 'photon'], suse: ['rpm', 'suse'],
  'opensuse': ['rpm', 'opensuse'], 'opensuse-leap': ['rpm', 'opensuse'], 'sles': ['rpm', 'suse'], 'cbl-mariner': ['rpm', 'mariner'], mariner: ['rpm', 'mariner'],
  azurelinux: ['rpm', 'azurelinux'], rpm: ['rpm', 'redhat'], ol: ['rpm', 'oracle'], rhel: ['rpm', 'redhat'],
};

/** OSV ecosystem of a purl type without a release (for types packageOfPurl leaves out). */
const FALLBACK_ECOSYSTEM: Readonly<Record<string, string>> = { deb: 'deb', apk: 'apk', rpm: 'rpm', generic: 'generic' };

function splitName(purlType: string, name: string): { namespace?: string; name: string } {
  if (purlType === 'maven') {
    const i = name.indexOf(':');
    return i > 0 ? { namespace: name.slice(0, i), name: name.slice(i + 1) } : { name };
  }
  if (purlType === 'npm' || purlType === 'golang' || purlType === 'composer' || purlType === 'swift') {
    const i = name.lastIndexOf('/');
    return i > 0 ? { namespace: name.slice(0, i), name: name.slice(i + 1) } : { name };
  }
  return { name };
}

function build(type: string, namespace: string | undefined, name: string, version: string, qualifiers?: Record<string, string>): string | undefined {
  try {
    return new PackageURL(type, namespace, name, version || undefined, qualifiers, undefined).toString();
  } catch {
    return undefined;
  }
}

function genericPurl(name: string, version: string): string {
  return build('generic', undefined, name, version) ?? `pkg:generic/${encodeURIComponent(name || 'unnamed')}${version ? `@${encodeURIComponent(version)}` : ''}`;
}

function ecosystemOf(purl: string, purlType: string): string {
  return packageOfPurl(purl)?.ecosystem ?? FALLBACK_ECOSYSTEM[purlType] ?? purlType;
}

/** A purl the source gave, checked: it must parse and name the same package (scanners write odd ones). */
function usablePurl(given: string | undefined, version: string): PackageURL | undefined {
  if (!given || given.includes('\u0000')) return undefined;
  try {
    const p = PackageURL.fromString(given);
    if (version && p.version && p.version !== version) return undefined;
    return p;
  } catch {
    return undefined;
  }
}

/**
 * The identity of a package an imported report names. `kind` is the scanner's package type (or OS
 * family); `os` the report's OS, used for distro packages' ecosystem release.
 */
export function identifyPackage(input: { name: string; version: string; kind?: string; purl?: string; os?: OsHint; sourceName?: string }): PackageId {
  const { name, version } = input;
  const given = usablePurl(input.purl, version);
  if (given) {
    let p = given;
    if (!p.version && version) p = new PackageURL(p.type, p.namespace, p.name, version, p.qualifiers, p.subpath);
    // An OS package's purl without its distro (Grype writes pkg:deb/debian/bash@5.0-4?arch=amd64): the report's OS gives the release.
    const family = input.os?.family;
    if ((p.type === 'deb' || p.type === 'apk' || p.type === 'rpm') && !p.qualifiers?.distro && family && input.os?.version && OS_TYPES[family]?.[0] === p.type) {
      const distro = `${family === 'alma' ? 'almalinux' : family}-${input.os.version}`;
      p = new PackageURL(p.type, p.namespace, p.name, p.version, { ...(p.qualifiers ?? {}), distro }, p.subpath);
    }
    const purl = p.toString();
    const parsed = packageOfPurl(purl);
    // The source package the report names (Grype's metadata.Source) beats the purl's default (its own name).
    const source = input.sourceName && !p.qualifiers?.upstream ? { name: input.sourceName, ...(version ? { version } : {}) } : parsed?.source;
    return { ecosystem: parsed?.ecosystem ?? FALLBACK_ECOSYSTEM[p.type] ?? p.type, purl, ...(source ? { source } : {}) };
  }
  const kind = input.kind?.toLowerCase();
  const lang = kind ? LANGUAGE_TYPES[kind] : undefined;
  if (lang) {
    const parts = splitName(lang, name);
    const purl = build(lang, parts.namespace, parts.name, version);
    if (purl) return { ecosystem: ecosystemOf(purl, lang), purl };
  }
  const family = input.os?.family;
  const osEntry = kind && OS_TYPES[kind] ? OS_TYPES[kind] : !kind && family ? OS_TYPES[family] : undefined;
  if (osEntry) {
    const distroFamily = family && OS_TYPES[family]?.[0] === osEntry[0] ? (family === 'alma' ? 'almalinux' : family) : undefined;
    const qualifiers: Record<string, string> = {};
    if (distroFamily && input.os?.version) qualifiers.distro = `${distroFamily}-${input.os.version}`;
    if (input.sourceName && input.sourceName !== name) qualifiers.upstream = input.sourceName;
    const namespace = distroFamily && OS_TYPES[distroFamily] ? OS_TYPES[distroFamily][1] : osEntry[1];
    const purl = build(osEntry[0], namespace, name, version, Object.keys(qualifiers).length > 0 ? qualifiers : undefined);
    if (purl) return { ecosystem: ecosystemOf(purl, osEntry[0]), purl, source: { name: input.sourceName ?? name, ...(version ? { version } : {}) } };
  }
  return { ecosystem: 'generic', purl: genericPurl(name, version) };
}

/** The OS a Trivy/Grype/GitLab style "debian:10.13" or {Family, Name} names. */
export function osHint(family: string | undefined, version: string | undefined): OsHint | undefined {
  if (!family) return undefined;
  return { family: family.toLowerCase(), ...(version ? { version } : {}) };
}
