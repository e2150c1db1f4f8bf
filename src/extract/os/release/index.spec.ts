import { describe, expect, it } from 'vitest';
import { peerText } from '../../../../test/support/extract.js';
import { detectOs, OS_RELEASE_FILES, type OsInfo } from './index.js';
import { parseKeyValues, parseReleaseLine } from './parse.js';

const REL = 'trivy/pkg/fanal/analyzer/os/release/testdata';
const osRelease = (name: string) => new Map([['etc/os-release', peerText(REL, name)]]);

describe('detectOs from os-release (trivy pkg/fanal/analyzer/os/release/testdata)', () => {
  it.each<[string, Partial<OsInfo> | null]>([
    ['alpine', { family: 'alpine', version: '3.15.4', name: 'Alpine Linux v3.15' }],
    ['alma', { family: 'almalinux', version: '9.4', name: 'AlmaLinux 9.4 (Seafoam Ocelot)', like: ['rhel', 'centos', 'fedora'] }],
    ['centos', { family: 'centos', version: '7', name: 'CentOS Linux 7 (Core)' }],
    ['centos-stream', { family: 'centos', version: '8', name: 'CentOS Stream 8' }],
    ['fedora', { family: 'fedora', version: '42', name: 'Fedora Linux 42 (Container Image)' }],
    ['oracle', { family: 'ol', version: '8.10', name: 'Oracle Linux Server 8.10' }],
    ['rhel', { family: 'rhel', version: '9.4', name: 'Red Hat Enterprise Linux 9.4 (Plow)' }],
    ['rocky', { family: 'rocky', version: '9.3' }],
    ['sles', { family: 'sles', version: '15.3', name: 'SUSE Linux Enterprise Server 15 SP3' }],
    ['slemicro', { family: 'sle-micro', version: '5.3' }],
    ['opensuseleap-15.2.1', { family: 'opensuse-leap', version: '15.2.1' }],
    ['opensuseleap-42.3', { family: 'opensuse-leap', version: '42.3', name: 'openSUSE Leap 42.3' }],
    ['opensusetumbleweed', { family: 'opensuse-tumbleweed', version: '20220412' }],
    ['photon', { family: 'photon', version: '4.0' }],
    ['azurelinux-3.0', { family: 'azurelinux', version: '3.0' }],
    ['mariner-2.0', { family: 'mariner', version: '2.0' }],
    ['no-id', null],
    ['no-version', { family: 'alpine', version: '' }],
  ])('%s', (fixture, want) => {
    const got = detectOs(osRelease(fixture));
    if (want === null) expect(got).toBeNull();
    else expect(got).toMatchObject(want);
  });

  it('syft image-dpkg os-release: Debian 12 bookworm', () => {
    const text = peerText('syft/syft/pkg/cataloger/debian/testdata/image-dpkg/etc/os-release');
    expect(detectOs(new Map([['etc/os-release', text]]))).toEqual({
      family: 'debian', version: '12', name: 'Debian GNU/Linux 12 (bookworm)', codename: 'bookworm',
    });
  });
});

describe('detectOs from distro files', () => {
  const D = 'trivy/pkg/fanal/analyzer/os';
  it.each<[string, string, Partial<OsInfo>]>([
    ['etc/debian_version', `${D}/debian/testdata/debian_9/etc/debian_version`, { family: 'debian', version: '9.8' }],
    ['etc/debian_version', `${D}/debian/testdata/debian_sid/etc/debian_version`, { family: 'debian', version: 'buster/sid', codename: 'buster' }],
    ['etc/centos-release', `${D}/redhatbase/testdata/centos/centos-release`, { family: 'centos', version: '7.6.1810', codename: 'Core' }],
    ['etc/almalinux-release', `${D}/redhatbase/testdata/alma/almalinux-release`, { family: 'almalinux', version: '8.4' }],
    ['etc/fedora-release', `${D}/redhatbase/testdata/fedora_29/fedora-release`, { family: 'fedora', version: '29' }],
    ['etc/oracle-release', `${D}/redhatbase/testdata/oracle_7/oracle-release`, { family: 'ol', version: '7.6' }],
    ['etc/redhat-release', `${D}/redhatbase/testdata/redhat_6/redhat-release`, { family: 'rhel', version: '6.2' }],
    ['etc/lsb-release', `${D}/ubuntu/testdata/lsb-release`, { family: 'ubuntu', version: '18.04', name: 'Ubuntu 18.04.2 LTS', codename: 'bionic' }],
  ])('%s (%s)', (path, fixture, want) => {
    expect(detectOs(new Map([[path, peerText(fixture)]]))).toMatchObject(want);
  });

  it('prefers os-release and takes the fuller version from the distro file when it agrees', () => {
    const files = new Map([
      ['etc/os-release', 'ID=centos\nVERSION_ID="7"\nPRETTY_NAME="CentOS Linux 7 (Core)"\n'],
      ['etc/centos-release', 'CentOS Linux release 7.6.1810 (Core)\n'],
      ['etc/redhat-release', 'CentOS Linux release 7.6.1810 (Core)\n'],
    ]);
    expect(detectOs(files)).toMatchObject({ family: 'centos', version: '7.6.1810', name: 'CentOS Linux 7 (Core)' });
    expect(detectOs(new Map([['etc/os-release', 'ID=debian\nVERSION_ID="12"\n'], ['etc/debian_version', '12.4\n']]))?.version).toBe('12.4');
    expect(detectOs(new Map([['etc/os-release', 'ID=debian\nVERSION_ID="12"\n'], ['etc/debian_version', '11.2\n']]))?.version).toBe('12');
    expect(detectOs(new Map([['/etc/os-release', 'ID=alpine\nVERSION_ID=3.18.0\n'], ['/etc/alpine-release', '3.18.4\n']]))?.version).toBe('3.18.4');
    // Ubuntu ships a debian_version too; it must not turn Ubuntu into Debian.
    expect(detectOs(new Map([['etc/lsb-release', 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\n'], ['etc/debian_version', 'bookworm/sid\n']]))?.family).toBe('ubuntu');
    expect(detectOs(new Map([['etc/system-release', 'Amazon Linux release 2 (Karoo)\n']]))).toMatchObject({ family: 'amzn', version: '2' });
    expect(detectOs(new Map([['usr/lib/os-release', 'ID=debian\n'], ['etc/debian_version', 'trixie/sid\n']]))).toMatchObject({ version: 'trixie/sid', codename: 'trixie' });
  });

  it('returns null when nothing identifies the OS', () => {
    expect(detectOs(new Map())).toBeNull();
    expect(detectOs(new Map([['etc/os-release', '# empty\n']]))).toBeNull();
    expect(detectOs(new Map([['etc/redhat-release', 'garbage\n']]))).toBeNull();
  });

  it('OS_RELEASE_FILES lists every path detectOs reads', () => {
    expect(OS_RELEASE_FILES).toContain('etc/os-release');
    expect(OS_RELEASE_FILES).toContain('usr/lib/os-release');
    expect(OS_RELEASE_FILES.every((p) => !p.startsWith('/'))).toBe(true);
  });
});

describe('parsers', () => {
  it('parseKeyValues handles quotes, escapes and comments', () => {
    expect(parseKeyValues('# c\nA="x \\"y\\""\nB=\'z\'\nC=plain\nbad line\n')).toEqual(new Map([['A', 'x "y"'], ['B', 'z'], ['C', 'plain']]));
  });
  it('parseReleaseLine', () => {
    expect(parseReleaseLine('Amazon Linux AMI release 2018.03\n')).toEqual({ name: 'Amazon Linux AMI', version: '2018.03' });
    expect(parseReleaseLine('')).toBeUndefined();
  });
});
