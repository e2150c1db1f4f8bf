/**
 * Package URLs (https://github.com/package-url/purl-spec) of every ecosystem Bulwark reads: the one place
 * that builds a purl. packageurl-js does the encoding; these functions say how each ecosystem's package
 * name maps to purl namespace and name. A name the spec does not allow throws InvalidPurlError.
 * packageOfPurl reads the other way: the OSV package a purl names (for SBOM import).
 */
import { createRequire } from 'node:module';
import type { PackageURL as PackageURLClass } from 'packageurl-js';
import { pep503 } from './ecosystem.js';

// packageurl-js is loaded on first use: loading it builds an Intl.Collator (about 15 ms of a lockfile scan's
// start-up), and the npm and OS package purls of plain names and versions need none of it (npmPurl, osPurl,
// withDistro).
const requireLibrary = createRequire(import.meta.url);
let library: { PackageURL: typeof PackageURLClass } | undefined;
function packageUrl(): typeof PackageURLClass {
  library ??= requireLibrary('packageurl-js') as { PackageURL: typeof PackageURLClass };
  return library.PackageURL;
}

/** A name or version that the purl spec does not allow for its type (a pub name with capitals, an empty name…). */
export class InvalidPurlError extends Error {
  override readonly name = 'InvalidPurlError';
}

function build(type: string, namespace: string | undefined, name: string, version: string, qualifiers?: Record<string, string>, subpath?: string): string {
  const q = qualifiers && Object.keys(qualifiers).length > 0 ? qualifiers : undefined;
  try {
    return new (packageUrl())(type, namespace, name, version, q, subpath).toString();
  } catch (e) {
    throw new InvalidPurlError(`no valid ${type} purl for ${JSON.stringify(namespace ? `${namespace}/${name}` : name)} ${JSON.stringify(version)}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** Splits `a/b/c` at the last slash: namespace `a/b`, name `c`. */
function atLastSlash(full: string): [string | undefined, string] {
  const i = full.lastIndexOf('/');
  return i > 0 ? [full.slice(0, i), full.slice(i + 1)] : [undefined, full];
}

/** A lowercase npm name, scoped or not, and a version, of characters a purl keeps as they are. */
const PLAIN_NPM_NAME = /^(?:@([a-z0-9][a-z0-9._~-]*)\/)?([a-z0-9][a-z0-9._~-]*)$/;
/** A version packageurl-js writes as it is (encodeURIComponent, then `:` and `+` restored). */
const PLAIN_VERSION = /^[0-9A-Za-z._~:+-]+$/;

/** `pkg:npm/%40scope/name@1.2.3` (the purl spec percent-encodes the `@` of a scope). */
export function npmPurl(name: string, version: string): string {
  // Almost every npm package: written out as packageurl-js writes it (purl.spec.ts compares the two), without it.
  const plain = PLAIN_NPM_NAME.exec(name);
  if (plain && PLAIN_VERSION.test(version)) return `pkg:npm/${plain[1] === undefined ? '' : `%40${plain[1]}/`}${plain[2]}@${version}`;
  const slash = name.startsWith('@') ? name.indexOf('/') : -1;
  return slash > 0 ? build('npm', name.slice(0, slash), name.slice(slash + 1), version) : build('npm', undefined, name, version);
}

/** `pkg:golang/github.com/foo/bar@v1.2.3`. */
export function goPurl(module: string, version: string): string {
  const [namespace, name] = atLastSlash(module);
  return build('golang', namespace, name, version);
}

/** `pkg:pypi/<PEP 503 normalized name>@<version>`. */
export function pypiPurl(name: string, version: string): string {
  return build('pypi', undefined, pep503(name.trim()), version);
}

/** `pkg:maven/<groupId>/<artifactId>@<version>`. */
export function mavenPurl(groupId: string, artifactId: string, version: string): string {
  return build('maven', groupId, artifactId, version);
}

/** `pkg:composer/<vendor>/<name>@<version>`. */
export function composerPurl(name: string, version: string): string {
  const i = name.indexOf('/');
  return i < 0 ? build('composer', undefined, name, version) : build('composer', name.slice(0, i), name.slice(i + 1), version);
}

/** `pkg:nuget/<name>@<version>`. */
export function nugetPurl(name: string, version: string): string {
  return build('nuget', undefined, name, version);
}

/** `pkg:cargo/<name>@<version>`. */
export function cargoPurl(name: string, version: string): string {
  return build('cargo', undefined, name, version);
}

/** `pkg:gem/<name>@<version>`. */
export function gemPurl(name: string, version: string): string {
  return build('gem', undefined, name, version);
}

/** `pkg:hex/<name>@<version>`. */
export function hexPurl(name: string, version: string): string {
  return build('hex', undefined, name, version);
}

/** `pkg:pub/<name>@<version>`. */
export function pubPurl(name: string, version: string): string {
  return build('pub', undefined, name, version);
}

/**
 * `pkg:cocoapods/<pod>@<version>`; a subspec (`AppCenter/Analytics`) is the pod's purl with the subspec as subpath
 * (`pkg:cocoapods/AppCenter@4.2.0#Analytics`), as the purl spec's cocoapods type says.
 */
export function cocoapodsPurl(spec: string, version: string): string {
  const cut = spec.indexOf('/');
  if (cut < 0) return build('cocoapods', undefined, spec, version);
  return build('cocoapods', undefined, spec.slice(0, cut), version, undefined, spec.slice(cut + 1));
}

/** `pkg:julia/<name>@<version>?uuid=<uuid>`: Julia names are not unique, the package's UUID is. */
export function juliaPurl(name: string, version: string, uuid: string | undefined): string {
  return build('julia', undefined, name, version, uuid ? { uuid } : undefined);
}

/**
 * `pkg:swift/<host>/<owner>/<repo>@<version>` for repository pins; registry pins (`scope.name`) take the scope
 * as namespace. Throws when packageurl-js refuses the parts.
 */
export function swiftPurl(name: string, version: string): string {
  const cut = name.includes('/') ? name.lastIndexOf('/') : name.indexOf('.');
  return build('swift', name.slice(0, cut), name.slice(cut + 1), version);
}

/** `pkg:conan/[<user>/]<name>@<version>[?channel=<channel>]`: the user is the namespace, the channel a qualifier. */
export function conanPurl(name: string, version: string, user?: string, channel?: string): string {
  return build('conan', user, name, version, channel === undefined ? undefined : { channel });
}

/** `pkg:conda/<name>@<version>?build=<build>&channel=<channel>&subdir=<subdir>` (qualifiers when known). */
export function condaPurl(name: string, version: string, qualifiers: { build?: string; channel?: string; subdir?: string } = {}): string {
  const q: Record<string, string> = {};
  for (const [k, v] of Object.entries(qualifiers)) if (v) q[k] = v;
  return build('conda', undefined, name, version, q);
}

/** Package types of the OS package databases. */
export type OsPackageType = 'deb' | 'apk' | 'rpm';

/**
 * A distro-less OS package purl: `pkg:deb/curl@7.88.1-10?arch=amd64`. Empty and undefined qualifiers are left
 * out. The namespace and distro come later, from the image's os-release (withDistro).
 */
export function osPurl(type: OsPackageType, name: string, version: string, qualifiers: Record<string, string | undefined>): string {
  const q: Record<string, string> = {};
  for (const [k, v] of Object.entries(qualifiers)) if (v !== undefined && v !== '') q[k] = v;
  return plainOsPurl(type, undefined, name, version, q) ?? build(type, undefined, name, version, q);
}

/**
 * A name (deb and apk names: lowercase, as packageurl-js makes them) whose only character to encode is `+`
 * (`libstdc++6` → `libstdc%2B%2B6`), and a namespace that needs no encoding.
 */
const PLAIN_LOWER_NAME = /^[a-z0-9._~+-]+$/;
const PLAIN_NAME = /^[A-Za-z0-9._~+-]+$/;
const PLAIN_NAMESPACE = /^[a-z0-9._~-]+$/;
/** A qualifier key and value that URLSearchParams (packageurl-js's encoder for qualifiers) writes as they are. */
const PLAIN_QUALIFIER_KEY = /^[a-z._-][a-z0-9._-]*$/;
const PLAIN_QUALIFIER_VALUE = /^[A-Za-z0-9._-]+$/;

/**
 * An OS package purl written out directly when no part of it needs encoding or normalising (nearly every package
 * of a distro), exactly as packageurl-js writes it (purl.spec.ts compares the two); undefined otherwise.
 */
function plainOsPurl(type: OsPackageType, namespace: string | undefined, name: string, version: string, qualifiers: Record<string, string>): string | undefined {
  if (!(type === 'rpm' ? PLAIN_NAME : PLAIN_LOWER_NAME).test(name) || !PLAIN_VERSION.test(version)) return undefined;
  if (namespace !== undefined && !PLAIN_NAMESPACE.test(namespace)) return undefined;
  let query = '';
  for (const key of Object.keys(qualifiers).sort()) {
    const value = qualifiers[key] as string;
    if (!PLAIN_QUALIFIER_KEY.test(key) || !PLAIN_QUALIFIER_VALUE.test(value)) return undefined;
    query += `${query === '' ? '?' : '&'}${key}=${value}`;
  }
  return `pkg:${type}/${namespace === undefined ? '' : `${namespace}/`}${name.replaceAll('+', '%2B')}@${version}${query}`;
}

/** A purl as osPurl writes it on its direct path: type, name, version and plain qualifiers, no namespace. */
const PLAIN_OS_PURL = /^pkg:(deb|apk|rpm)\/((?:[A-Za-z0-9._~-]|%2B)+)@([0-9A-Za-z._~:+-]+)(?:\?([A-Za-z0-9._=&-]*))?$/;

/** withDistro for a purl osPurl wrote directly, without packageurl-js; undefined when the purl is not one. */
function plainWithDistro(purl: string, namespace: string, distro: string | undefined): string | undefined {
  const m = PLAIN_OS_PURL.exec(purl);
  if (!m) return undefined;
  const qualifiers: Record<string, string> = {};
  for (const pair of m[4] ? m[4].split('&') : []) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq);
    // anything but distinct key=value pairs (a repeated key, a bare key, an empty value) goes to packageurl-js
    if (eq <= 0 || eq === pair.length - 1 || Object.hasOwn(qualifiers, key)) return undefined;
    qualifiers[key] = pair.slice(eq + 1);
  }
  if (distro !== undefined) qualifiers.distro = distro;
  return plainOsPurl(m[1] as OsPackageType, namespace, (m[2] as string).replaceAll('%2B', '+'), m[3] as string, qualifiers);
}

/**
 * The same purl with the distro's namespace and a `distro=<family>-<version>` qualifier
 * (`pkg:deb/debian/curl@7.88.1-10?arch=amd64&distro=debian-12`). A purl that does not parse is returned as it is.
 */
export function withDistro(purl: string, namespace: string, distro: string | undefined): string {
  const plain = plainWithDistro(purl, namespace, distro);
  if (plain !== undefined) return plain;
  const PackageURL = packageUrl();
  let parsed: PackageURLClass;
  try {
    parsed = PackageURL.fromString(purl);
  } catch {
    return purl;
  }
  const qualifiers: Record<string, string> = { ...(parsed.qualifiers ?? {}) };
  if (distro !== undefined) qualifiers.distro = distro;
  return new PackageURL(parsed.type, namespace, parsed.name, parsed.version, qualifiers, parsed.subpath).toString();
}

// ---- Reading: the package a purl names (SBOM import) ----

/** purl type → OSV ecosystem, for the language ecosystems (distro types are handled below). */
const LANGUAGE: Readonly<Record<string, string>> = {
  npm: 'npm',
  pypi: 'PyPI',
  golang: 'Go',
  maven: 'Maven',
  cargo: 'crates.io',
  gem: 'RubyGems',
  composer: 'Packagist',
  nuget: 'NuGet',
  pub: 'Pub',
  hex: 'Hex',
  swift: 'SwiftURL',
  cocoapods: 'CocoaPods',
  conan: 'ConanCenter',
  hackage: 'Hackage',
  cran: 'CRAN',
};

const DEBIAN_CODENAMES: Readonly<Record<string, string>> = {
  jessie: '8', stretch: '9', buster: '10', bullseye: '11', bookworm: '12', trixie: '13', forky: '14',
};

export interface PurlPackage {
  ecosystem: string;
  name: string;
  version: string;
  source?: { name: string; version?: string };
  epoch?: number;
  arch?: string;
}

/** Debian:12 from distro=debian-12 / debian-12.4 / bookworm; undefined when it cannot be told. */
function debianRelease(distro: string | undefined, namespace: string | undefined): string | undefined {
  if (!distro) return undefined;
  const d = distro.toLowerCase();
  const m = /^(debian|ubuntu)-(\d+)(?:\.(\d+))?/.exec(d);
  if (m) {
    if (m[1] === 'ubuntu') {
      const rel = `${m[2]}.${(m[3] ?? '04').padStart(2, '0')}`;
      const lts = Number(m[2]) % 2 === 0 && rel.endsWith('.04');
      return `Ubuntu:${rel}${lts ? ':LTS' : ''}`;
    }
    return `Debian:${m[2]}`;
  }
  const code = DEBIAN_CODENAMES[d.replace(/^debian-/, '')];
  if (code && (namespace ?? 'debian').toLowerCase() === 'debian') return `Debian:${code}`;
  return undefined;
}

function alpineRelease(distro: string | undefined): string | undefined {
  const m = distro ? /^(?:alpine-)?v?(\d+)\.(\d+)/i.exec(distro) : null;
  return m ? `Alpine:v${m[1]}.${m[2]}` : undefined;
}

function rpmRelease(distro: string | undefined): string | undefined {
  const m = distro ? /^([a-z]+)-(\d+)/i.exec(distro) : null;
  if (!m) return undefined;
  switch (m[1]!.toLowerCase()) {
    case 'rocky':
      return `Rocky Linux:${m[2]}`;
    case 'almalinux':
    case 'alma':
      return `AlmaLinux:${m[2]}`;
    default:
      return undefined;
  }
}

/**
 * The package a purl names, with its OSV ecosystem (npm, PyPI, Go, Maven group:artifact, crates.io,
 * RubyGems, Packagist, NuGet, Pub, Hex; deb → Debian:<release> / Ubuntu:<release> from the distro
 * qualifier, apk → Alpine:v3.x, rpm → Rocky Linux / AlmaLinux; deb/apk/rpm when the release is not
 * given). Undefined for purls without a version or of a type no advisory feed covers.
 */
export function packageOfPurl(purl: string): PurlPackage | undefined {
  let p: PackageURLClass;
  try {
    p = packageUrl().fromString(purl);
  } catch {
    return undefined;
  }
  if (!p.version) return undefined;
  const q = (p.qualifiers ?? {}) as Record<string, string>;
  const ns = p.namespace ?? undefined;
  const lang = LANGUAGE[p.type];
  if (lang) {
    switch (p.type) {
      case 'maven':
        return { ecosystem: lang, name: ns ? `${ns}:${p.name}` : p.name, version: p.version };
      case 'pypi':
        return { ecosystem: lang, name: pep503(p.name), version: p.version };
      case 'npm':
      case 'golang':
      case 'composer':
      case 'swift':
        return { ecosystem: lang, name: ns ? `${ns}/${p.name}` : p.name, version: p.version };
      default:
        return { ecosystem: lang, name: p.name, version: p.version };
    }
  }
  if (p.type === 'deb' || p.type === 'apk' || p.type === 'rpm') {
    const ecosystem =
      (p.type === 'deb' ? debianRelease(q.distro, ns) : p.type === 'apk' ? alpineRelease(q.distro) : rpmRelease(q.distro)) ?? p.type;
    let version = p.version;
    let epoch: number | undefined;
    if (q.epoch && /^\d+$/.test(q.epoch)) {
      epoch = Number(q.epoch);
      if (p.type === 'deb' && !version.includes(':') && epoch > 0) version = `${epoch}:${version}`;
    }
    const upstream = q.upstream ?? q.source;
    let source: { name: string; version?: string } = { name: p.name, version };
    if (upstream) {
      const [sname, sversion] = upstream.split('@');
      source = { name: sname!, ...(sversion ? { version: sversion } : p.type === 'deb' || p.type === 'apk' ? { version } : {}) };
    }
    return { ecosystem, name: p.name, version, source, ...(epoch !== undefined ? { epoch } : {}), ...(q.arch ? { arch: q.arch } : {}) };
  }
  return undefined;
}
