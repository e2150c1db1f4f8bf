import { PackageURL } from 'packageurl-js';
import { pep503 } from '../core/ecosystem.js';

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
  let p: PackageURL;
  try {
    p = PackageURL.fromString(purl);
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
