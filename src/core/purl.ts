/**
 * Package URLs (https://github.com/package-url/purl-spec) of every ecosystem Bulwark reads: the one place
 * that builds a purl. packageurl-js does the encoding; these functions say how each ecosystem's package
 * name maps to purl namespace and name. A name the spec does not allow throws InvalidPurlError.
 */
import { PackageURL } from 'packageurl-js';
import { pep503 } from './ecosystem.js';

/** A name or version that the purl spec does not allow for its type (a pub name with capitals, an empty name…). */
export class InvalidPurlError extends Error {
  override readonly name = 'InvalidPurlError';
}

function build(type: string, namespace: string | undefined, name: string, version: string, qualifiers?: Record<string, string>): string {
  const q = qualifiers && Object.keys(qualifiers).length > 0 ? qualifiers : undefined;
  try {
    return new PackageURL(type, namespace, name, version, q, undefined).toString();
  } catch (e) {
    throw new InvalidPurlError(`no valid ${type} purl for ${JSON.stringify(namespace ? `${namespace}/${name}` : name)} ${JSON.stringify(version)}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** Splits `a/b/c` at the last slash: namespace `a/b`, name `c`. */
function atLastSlash(full: string): [string | undefined, string] {
  const i = full.lastIndexOf('/');
  return i > 0 ? [full.slice(0, i), full.slice(i + 1)] : [undefined, full];
}

/** `pkg:npm/%40scope/name@1.2.3` (the purl spec percent-encodes the `@` of a scope). */
export function npmPurl(name: string, version: string): string {
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

/** `pkg:cocoapods/<pod>@<version>`. */
export function cocoapodsPurl(pod: string, version: string): string {
  return build('cocoapods', undefined, pod, version);
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

/** Package types of the OS package databases. */
export type OsPackageType = 'deb' | 'apk' | 'rpm';

/**
 * A distro-less OS package purl: `pkg:deb/curl@7.88.1-10?arch=amd64`. Empty and undefined qualifiers are left
 * out. The namespace and distro come later, from the image's os-release (withDistro).
 */
export function osPurl(type: OsPackageType, name: string, version: string, qualifiers: Record<string, string | undefined>): string {
  const q: Record<string, string> = {};
  for (const [k, v] of Object.entries(qualifiers)) if (v !== undefined && v !== '') q[k] = v;
  return build(type, undefined, name, version, q);
}

/**
 * The same purl with the distro's namespace and a `distro=<family>-<version>` qualifier
 * (`pkg:deb/debian/curl@7.88.1-10?arch=amd64&distro=debian-12`). A purl that does not parse is returned as it is.
 */
export function withDistro(purl: string, namespace: string, distro: string | undefined): string {
  let parsed: PackageURL;
  try {
    parsed = PackageURL.fromString(purl);
  } catch {
    return purl;
  }
  const qualifiers: Record<string, string> = { ...(parsed.qualifiers ?? {}) };
  if (distro !== undefined) qualifiers.distro = distro;
  return new PackageURL(parsed.type, namespace, parsed.name, parsed.version, qualifiers, parsed.subpath).toString();
}
