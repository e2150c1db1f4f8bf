/**
 * Distro assignment: OS extractors emit packages typed "deb" / "apk" / "rpm" with distro-less
 * purls (results are cached per layer, and which distro a layer belongs to is only known for the
 * whole image). Once the image's OS is detected, assignDistro() turns them into OSV distro
 * ecosystems with the release, and completes the purls (namespace + distro qualifier).
 *
 * Ecosystem names follow the OSV schema (ossf/osv-schema ecosystems.json) where it defines one:
 *   Debian:<major>            Debian:12            (testing/unstable: the codename's number, else "sid")
 *   Ubuntu:<YY.MM>[:LTS]      Ubuntu:22.04:LTS     (OSV requires the ":LTS" suffix on LTS releases)
 *   Alpine:v<major.minor>     Alpine:v3.18
 *   Red Hat:<CPE>             Red Hat:enterprise_linux:8   (the product CPE of the OS; the
 *                             repository stream, "::baseos" / "::appstream", is not in the rpmdb)
 *   Rocky Linux:<major>, AlmaLinux:<major>
 *   SUSE:<PRETTY_NAME minus "SUSE ">       SUSE:Linux Enterprise Server 15 SP3
 *   openSUSE:<PRETTY_NAME minus "openSUSE ">  openSUSE:Leap 15.2, openSUSE:Tumbleweed
 *   Photon OS:<VERSION_ID>, Mageia:<VERSION_ID>, Azure Linux:<major>, Wolfi, Chainguard
 * and Bulwark's own spelling for distros OSV does not cover (no OSV feed exists for them; a
 * matcher fed from the distro's own advisories keys on these):
 *   CentOS:<major>, Oracle Linux:<major>, Fedora:<VERSION_ID>, Amazon Linux:<major> (2, 2023, 2018.03 for AL1)
 * Unknown distros, packages whose type does not fit the OS (deb packages in an Alpine image),
 * and a null OS keep their "deb"/"apk"/"rpm" ecosystem; the matcher reports the OS as not covered.
 */
import { withDistro, type OsPackageType } from '../../core/purl.js';
import type { Package } from '../../core/package.js';
import { isOsPackageType } from './common.js';
import type { OsInfo } from './release/index.js';

/** Debian release numbers by codename (debian distro-info-data). */
const DEBIAN_CODENAMES: Readonly<Record<string, string>> = {
  buzz: '1.1', rex: '1.2', bo: '1.3', hamm: '2.0', slink: '2.1', potato: '2.2', woody: '3.0', sarge: '3.1',
  etch: '4', lenny: '5', squeeze: '6', wheezy: '7', jessie: '8', stretch: '9', buster: '10', bullseye: '11',
  bookworm: '12', trixie: '13', forky: '14', duke: '15',
};

interface DistroFamily {
  type: OsPackageType;
  /** purl namespace (purl-spec: the vendor / distro). */
  namespace: string;
  /** Ecosystem string for this OS, or undefined when the release cannot be told. */
  ecosystem(os: OsInfo): string | undefined;
}

const majorOf = (v: string): string | undefined => /^(\d+)/.exec(v)?.[1];
const majorMinorOf = (v: string): string | undefined => /^(\d+\.\d+)/.exec(v)?.[1];
const withMajor = (prefix: string) => (os: OsInfo): string | undefined => {
  const m = majorOf(os.version);
  return m === undefined ? undefined : `${prefix}:${m}`;
};

function debianEcosystem(os: OsInfo): string | undefined {
  const m = majorOf(os.version);
  if (m !== undefined) return `Debian:${m}`;
  const codename = (os.codename ?? os.version.split('/')[0] ?? '').toLowerCase();
  if (codename === '') return undefined;
  const n = DEBIAN_CODENAMES[codename];
  return `Debian:${n !== undefined ? (majorOf(n) ?? n) : 'sid'}`;
}

function ubuntuEcosystem(os: OsInfo): string | undefined {
  const mm = majorMinorOf(os.version);
  if (mm === undefined) return undefined;
  const [yy, month] = mm.split('.');
  const lts = /\bLTS\b/.test(os.name) || (month === '04' && Number(yy) % 2 === 0);
  return `Ubuntu:${mm}${lts ? ':LTS' : ''}`;
}

function alpineEcosystem(os: OsInfo): string | undefined {
  const mm = majorMinorOf(os.version);
  return mm === undefined ? undefined : `Alpine:v${mm}`;
}

function suseEcosystem(prefix: 'SUSE' | 'openSUSE') {
  return (os: OsInfo): string | undefined => {
    const name = os.name.trim();
    if (name.startsWith(`${prefix} `)) return `${prefix}:${name.slice(prefix.length + 1)}`;
    if (prefix === 'SUSE' && os.family === 'sles') {
      const [maj, sp] = os.version.split('.');
      if (!maj) return undefined;
      return `SUSE:Linux Enterprise Server ${maj}${sp && sp !== '0' ? ` SP${sp}` : ''}`;
    }
    if (prefix === 'openSUSE' && os.family === 'opensuse-leap' && os.version) return `openSUSE:Leap ${os.version}`;
    if (prefix === 'openSUSE' && os.family === 'opensuse-tumbleweed') return 'openSUSE:Tumbleweed';
    return undefined;
  };
}

const FAMILIES: Readonly<Record<string, DistroFamily>> = {
  debian: { type: 'deb', namespace: 'debian', ecosystem: debianEcosystem },
  ubuntu: { type: 'deb', namespace: 'ubuntu', ecosystem: ubuntuEcosystem },
  alpine: { type: 'apk', namespace: 'alpine', ecosystem: alpineEcosystem },
  wolfi: { type: 'apk', namespace: 'wolfi', ecosystem: () => 'Wolfi' },
  chainguard: { type: 'apk', namespace: 'chainguard', ecosystem: () => 'Chainguard' },
  rhel: { type: 'rpm', namespace: 'redhat', ecosystem: withMajor('Red Hat:enterprise_linux') },
  centos: { type: 'rpm', namespace: 'centos', ecosystem: withMajor('CentOS') },
  rocky: { type: 'rpm', namespace: 'rocky', ecosystem: withMajor('Rocky Linux') },
  almalinux: { type: 'rpm', namespace: 'almalinux', ecosystem: withMajor('AlmaLinux') },
  ol: { type: 'rpm', namespace: 'oracle', ecosystem: withMajor('Oracle Linux') },
  fedora: { type: 'rpm', namespace: 'fedora', ecosystem: (os) => (os.version ? `Fedora:${os.version}` : undefined) },
  amzn: {
    type: 'rpm',
    namespace: 'amazon',
    ecosystem: (os) => (os.version ? `Amazon Linux:${/^\d{4}\.\d\d$/.test(os.version) ? os.version : majorOf(os.version)}` : undefined),
  },
  sles: { type: 'rpm', namespace: 'suse', ecosystem: suseEcosystem('SUSE') },
  sled: { type: 'rpm', namespace: 'suse', ecosystem: suseEcosystem('SUSE') },
  sles_sap: { type: 'rpm', namespace: 'suse', ecosystem: suseEcosystem('SUSE') },
  'sle-micro': { type: 'rpm', namespace: 'suse', ecosystem: suseEcosystem('SUSE') },
  'sl-micro': { type: 'rpm', namespace: 'suse', ecosystem: suseEcosystem('SUSE') },
  'opensuse-leap': { type: 'rpm', namespace: 'opensuse', ecosystem: suseEcosystem('openSUSE') },
  'opensuse-tumbleweed': { type: 'rpm', namespace: 'opensuse', ecosystem: suseEcosystem('openSUSE') },
  photon: { type: 'rpm', namespace: 'photon', ecosystem: (os) => (os.version ? `Photon OS:${os.version}` : undefined) },
  mageia: { type: 'rpm', namespace: 'mageia', ecosystem: (os) => (os.version ? `Mageia:${os.version}` : undefined) },
  azurelinux: { type: 'rpm', namespace: 'azurelinux', ecosystem: withMajor('Azure Linux') },
};

/** Package type a distro family uses: its own, or the one of a known parent in ID_LIKE. */
function packageTypeOf(os: OsInfo): OsPackageType | undefined {
  const own = FAMILIES[os.family];
  if (own) return own.type;
  for (const like of os.like ?? []) {
    const f = FAMILIES[like];
    if (f) return f.type;
    if (like === 'suse' || like === 'opensuse') return 'rpm';
  }
  return undefined;
}

/** The OSV (or Bulwark) ecosystem string for an OS, or undefined when it is not covered. */
export function osEcosystem(os: OsInfo): string | undefined {
  return FAMILIES[os.family]?.ecosystem(os);
}

/**
 * Assigns the image's distro to OS packages (ecosystem "deb"/"apk"/"rpm"): the OSV ecosystem with
 * release, and a purl with namespace and `distro=<family>-<version>` qualifier
 * (`pkg:deb/debian/curl@7.88.1-10?arch=amd64&distro=debian-12`). Other packages pass through.
 * Returns new Package objects; the input is not modified.
 */
export function assignDistro(pkgs: Package[], os: OsInfo | null): Package[] {
  if (os === null) return pkgs.map((p) => ({ ...p }));
  const family = FAMILIES[os.family];
  const type = packageTypeOf(os);
  const ecosystem = family ? family.ecosystem(os) : undefined;
  const namespace = family?.namespace ?? os.family;
  const distro = os.version !== '' ? `${os.family}-${os.version}` : undefined;
  return pkgs.map((p) => {
    if (!isOsPackageType(p.ecosystem) || p.ecosystem !== type) return { ...p };
    const out: Package = { ...p, purl: withDistro(p.purl, namespace, distro) };
    if (ecosystem !== undefined) out.ecosystem = ecosystem;
    return out;
  });
}
