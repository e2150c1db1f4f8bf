/**
 * Operating-system detection for an image or root filesystem, from os-release and the distro's
 * own release files. The core reads whichever of OS_RELEASE_FILES exist (squashed view) and hands
 * them to detectOs(); the result goes to assignDistro().
 */
import { parseKeyValues, parseReleaseLine } from './parse.js';

export interface OsInfo {
  /** os-release ID: debian, ubuntu, alpine, rhel, centos, rocky, almalinux, ol, fedora, amzn, sles, opensuse-leap, ... */
  family: string;
  /**
   * VERSION_ID, or the fuller version from the distro's own file when it agrees with it
   * (debian_version 9.8, alpine-release 3.15.4, centos-release 7.6.1810). Empty when unknown.
   */
  version: string;
  /** PRETTY_NAME, or the best available description. */
  name: string;
  codename?: string;
  /** os-release ID_LIKE, e.g. ["rhel", "centos", "fedora"]. */
  like?: string[];
}

/** Paths (relative to the root, no leading slash) detectOs() looks at; pass those that exist. */
export const OS_RELEASE_FILES: readonly string[] = [
  'etc/os-release',
  'usr/lib/os-release',
  'etc/lsb-release',
  'etc/debian_version',
  'etc/alpine-release',
  'etc/redhat-release',
  'etc/centos-release',
  'etc/rocky-release',
  'etc/almalinux-release',
  'etc/oracle-release',
  'etc/fedora-release',
  'etc/system-release',
];

/** The Red Hat family member that writes each release file. */
const RELEASE_FILE_OF: Readonly<Record<string, string>> = {
  rhel: 'etc/redhat-release',
  centos: 'etc/centos-release',
  rocky: 'etc/rocky-release',
  almalinux: 'etc/almalinux-release',
  ol: 'etc/oracle-release',
  fedora: 'etc/fedora-release',
  amzn: 'etc/system-release',
};

type Get = (path: string) => string | undefined;

/**
 * Detects the OS from a map of path → text (paths as in OS_RELEASE_FILES; a leading "/" is
 * accepted). os-release wins; the distro's own files refine its version or stand in for it.
 * Returns null when nothing identifies the OS.
 */
export function detectOs(files: Map<string, string>): OsInfo | null {
  const get: Get = (p) => files.get(p) ?? files.get(`/${p}`);
  const osRelease = get('etc/os-release') ?? get('usr/lib/os-release');
  const fromRelease = osRelease !== undefined ? fromOsRelease(parseKeyValues(osRelease)) : null;
  if (fromRelease) {
    refine(fromRelease, get);
    return fromRelease;
  }
  return fromDistroFiles(get);
}

function fromOsRelease(kv: Map<string, string>): OsInfo | null {
  let family = (kv.get('ID') ?? '').trim().toLowerCase();
  if (family === '') return null;
  const nameField = kv.get('NAME') ?? '';
  // openSUSE Leap 42.x and older Tumbleweed builds wrote ID=opensuse.
  if (family === 'opensuse') family = /tumbleweed/i.test(nameField) ? 'opensuse-tumbleweed' : 'opensuse-leap';
  const version = (kv.get('VERSION_ID') ?? '').trim();
  const name = nonEmpty(kv.get('PRETTY_NAME')) ?? ([nameField, kv.get('VERSION')].filter((s) => s && s !== '').join(' ') || family);
  const info: OsInfo = { family, version, name };
  const codename = nonEmpty(kv.get('VERSION_CODENAME')) ?? nonEmpty(kv.get('UBUNTU_CODENAME'));
  if (codename) info.codename = codename;
  const like = (kv.get('ID_LIKE') ?? '').split(/\s+/).filter((s) => s !== '');
  if (like.length > 0) info.like = like.map((s) => s.toLowerCase());
  return info;
}

function nonEmpty(s: string | undefined): string | undefined {
  const t = s?.trim();
  return t ? t : undefined;
}

function major(v: string): string {
  return v.split('.')[0] ?? v;
}

/** Takes the fuller version from the distro's own file when it agrees with VERSION_ID. */
function refine(info: OsInfo, get: Get): void {
  if (info.family === 'debian') {
    const dv = get('etc/debian_version')?.trim();
    if (!dv) return;
    if (/^\d+(\.\d+)*$/.test(dv)) {
      if (info.version === '' || major(dv) === major(info.version)) info.version = dv;
    } else if (info.version === '') {
      // testing/unstable: "bookworm/sid"
      info.version = dv;
      if (!info.codename) info.codename = dv.split('/')[0] ?? dv;
    }
    return;
  }
  if (info.family === 'alpine') {
    const av = get('etc/alpine-release')?.trim();
    if (av && /^\d+\.\d+/.test(av)) {
      const mm = /^\d+\.\d+/.exec(av)?.[0];
      if (info.version === '' || (mm !== undefined && info.version.startsWith(mm))) info.version = av;
    }
    return;
  }
  const file = RELEASE_FILE_OF[info.family];
  if (file) {
    const line = get(file);
    const r = line !== undefined ? parseReleaseLine(line) : undefined;
    if (r && (info.version === '' || (major(r.version) === major(info.version) && r.version.length > info.version.length))) {
      info.version = r.version;
    }
  }
}

function fromDistroFiles(get: Get): OsInfo | null {
  const specific: [string, string][] = [
    ['etc/centos-release', 'centos'],
    ['etc/rocky-release', 'rocky'],
    ['etc/almalinux-release', 'almalinux'],
    ['etc/oracle-release', 'ol'],
    ['etc/fedora-release', 'fedora'],
  ];
  for (const [path, family] of specific) {
    const r = lineOf(get(path));
    if (r) return releaseInfo(family, r);
  }
  const rh = lineOf(get('etc/redhat-release'));
  if (rh) return releaseInfo(familyFromName(rh.name) ?? 'rhel', rh);
  const sys = lineOf(get('etc/system-release'));
  if (sys) {
    const family = familyFromName(sys.name);
    if (family) return releaseInfo(family, sys);
  }
  const alpine = get('etc/alpine-release')?.trim();
  if (alpine && /^\d+\.\d+/.test(alpine)) {
    return { family: 'alpine', version: alpine, name: `Alpine Linux v${/^\d+\.\d+/.exec(alpine)?.[0] ?? alpine}` };
  }
  const lsb = get('etc/lsb-release');
  if (lsb !== undefined) {
    const kv = parseKeyValues(lsb);
    const id = nonEmpty(kv.get('DISTRIB_ID'))?.toLowerCase();
    if (id) {
      const version = nonEmpty(kv.get('DISTRIB_RELEASE')) ?? '';
      const info: OsInfo = { family: id, version, name: nonEmpty(kv.get('DISTRIB_DESCRIPTION')) ?? `${kv.get('DISTRIB_ID')} ${version}`.trim() };
      const codename = nonEmpty(kv.get('DISTRIB_CODENAME'));
      if (codename) info.codename = codename;
      return info;
    }
  }
  const dv = get('etc/debian_version')?.trim();
  if (dv) {
    const info: OsInfo = { family: 'debian', version: dv, name: `Debian GNU/Linux ${dv}` };
    if (!/^\d/.test(dv)) info.codename = dv.split('/')[0] ?? dv;
    return info;
  }
  return null;
}

function lineOf(text: string | undefined): ReturnType<typeof parseReleaseLine> {
  return text === undefined ? undefined : parseReleaseLine(text);
}

function releaseInfo(family: string, r: { name: string; version: string; codename?: string }): OsInfo {
  const info: OsInfo = { family, version: r.version, name: `${r.name} ${r.version}${r.codename ? ` (${r.codename})` : ''}` };
  if (r.codename) info.codename = r.codename;
  return info;
}

function familyFromName(name: string): string | undefined {
  if (/red hat/i.test(name)) return 'rhel';
  if (/centos/i.test(name)) return 'centos';
  if (/rocky/i.test(name)) return 'rocky';
  if (/almalinux/i.test(name)) return 'almalinux';
  if (/oracle/i.test(name)) return 'ol';
  if (/fedora/i.test(name)) return 'fedora';
  if (/amazon/i.test(name)) return 'amzn';
  return undefined;
}
