import { describe, expect, it } from 'vitest';
import type { Package } from '../../core/package.js';
import { assignDistro, osEcosystem } from './distro.js';
import type { OsInfo } from './release/index.js';

const pkg = (ecosystem: string, purl: string, name = 'curl'): Package => ({
  ecosystem, name, version: '1', purl, locations: [{ path: 'x' }], foundBy: 'os/x',
});

describe('osEcosystem (OSV names from ossf/osv-schema ecosystems.json where defined)', () => {
  it.each<[Partial<OsInfo> & { family: string }, string | undefined]>([
    [{ family: 'debian', version: '12' }, 'Debian:12'],
    [{ family: 'debian', version: '12.4' }, 'Debian:12'],
    [{ family: 'debian', version: '9.8' }, 'Debian:9'],
    [{ family: 'debian', version: 'bookworm/sid', codename: 'bookworm' }, 'Debian:12'],
    [{ family: 'debian', version: 'zzz/sid' }, 'Debian:sid'],
    [{ family: 'debian', version: '' }, undefined],
    [{ family: 'ubuntu', version: '22.04', name: 'Ubuntu 22.04.3 LTS' }, 'Ubuntu:22.04:LTS'],
    [{ family: 'ubuntu', version: '18.04' }, 'Ubuntu:18.04:LTS'],
    [{ family: 'ubuntu', version: '23.10' }, 'Ubuntu:23.10'],
    [{ family: 'alpine', version: '3.18.4' }, 'Alpine:v3.18'],
    [{ family: 'alpine', version: '3.15.4' }, 'Alpine:v3.15'],
    [{ family: 'rhel', version: '8.4' }, 'Red Hat:enterprise_linux:8'],
    [{ family: 'rocky', version: '9.3' }, 'Rocky Linux:9'],
    [{ family: 'almalinux', version: '9.4' }, 'AlmaLinux:9'],
    [{ family: 'centos', version: '7.6.1810' }, 'CentOS:7'],
    [{ family: 'ol', version: '8.10' }, 'Oracle Linux:8'],
    [{ family: 'fedora', version: '39' }, 'Fedora:39'],
    [{ family: 'amzn', version: '2' }, 'Amazon Linux:2'],
    [{ family: 'amzn', version: '2023.4.20240319' }, 'Amazon Linux:2023'],
    [{ family: 'amzn', version: '2018.03' }, 'Amazon Linux:2018.03'],
    [{ family: 'sles', version: '15.3', name: 'SUSE Linux Enterprise Server 15 SP3' }, 'SUSE:Linux Enterprise Server 15 SP3'],
    [{ family: 'sles', version: '15.5', name: 'SLES' }, 'SUSE:Linux Enterprise Server 15 SP5'],
    [{ family: 'opensuse-leap', version: '15.2', name: 'openSUSE Leap 15.2' }, 'openSUSE:Leap 15.2'],
    [{ family: 'opensuse-tumbleweed', version: '20220412', name: 'openSUSE Tumbleweed' }, 'openSUSE:Tumbleweed'],
    [{ family: 'photon', version: '4.0' }, 'Photon OS:4.0'],
    [{ family: 'wolfi', version: '20230201' }, 'Wolfi'],
    [{ family: 'arch', version: '' }, undefined],
  ])('%j → %s', (os, want) => expect(osEcosystem({ name: '', version: '', ...os })).toBe(want));
});

describe('assignDistro', () => {
  const debian: OsInfo = { family: 'debian', version: '12', name: 'Debian GNU/Linux 12 (bookworm)', codename: 'bookworm' };

  it('deb packages in a Debian image get Debian:12 and a full purl', () => {
    const [p] = assignDistro([pkg('deb', 'pkg:deb/curl@7.88.1-10?arch=amd64')], debian);
    expect(p?.ecosystem).toBe('Debian:12');
    expect(p?.purl).toBe('pkg:deb/debian/curl@7.88.1-10?arch=amd64&distro=debian-12');
  });

  it('rpm epoch qualifier survives; namespace per vendor', () => {
    const [p] = assignDistro([pkg('rpm', 'pkg:rpm/nodejs@10.21.0-3.el8?arch=x86_64&epoch=1', 'nodejs')], { family: 'rhel', version: '8.4', name: 'RHEL 8.4' });
    expect(p?.ecosystem).toBe('Red Hat:enterprise_linux:8');
    expect(p?.purl).toBe('pkg:rpm/redhat/nodejs@10.21.0-3.el8?arch=x86_64&distro=rhel-8.4&epoch=1');
  });

  it('apk in Alpine', () => {
    const [p] = assignDistro([pkg('apk', 'pkg:apk/musl@1.2.4-r2?arch=x86_64', 'musl')], { family: 'alpine', version: '3.18.4', name: 'Alpine Linux v3.18' });
    expect([p?.ecosystem, p?.purl]).toEqual(['Alpine:v3.18', 'pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.18.4']);
  });

  it('os === null keeps deb/apk/rpm and the purl', () => {
    const input = [pkg('deb', 'pkg:deb/curl@1?arch=amd64')];
    expect(assignDistro(input, null)).toEqual(input);
  });

  it('leaves language packages and mismatched OS packages alone, and does not mutate its input', () => {
    const input = [pkg('npm', 'pkg:npm/left-pad@1.0.0', 'left-pad'), pkg('apk', 'pkg:apk/musl@1', 'musl')];
    const snapshot = structuredClone(input);
    expect(assignDistro(input, debian)).toEqual(snapshot);
    expect(input).toEqual(snapshot);
  });

  it('a derivative distro keeps the package type as ecosystem but gets its namespace and distro qualifier', () => {
    const [p] = assignDistro([pkg('deb', 'pkg:deb/curl@1?arch=amd64')], { family: 'kali', version: '2024.1', name: 'Kali', like: ['debian'] });
    expect([p?.ecosystem, p?.purl]).toEqual(['deb', 'pkg:deb/kali/curl@1?arch=amd64&distro=kali-2024.1']);
  });

  it('an unknown release keeps the type ecosystem and adds no distro qualifier', () => {
    const [p] = assignDistro([pkg('apk', 'pkg:apk/musl@1', 'musl')], { family: 'alpine', version: '', name: 'Alpine Linux v3.15' });
    expect([p?.ecosystem, p?.purl]).toEqual(['apk', 'pkg:apk/alpine/musl@1']);
  });
});
