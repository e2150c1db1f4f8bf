import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../core/errors.js';
import { readPeerFixture } from '../../../../test/support/fixtures.js';
import { FormatError } from '../../formats/error.js';
import { parseRpmHeader, parseSourceRpm } from './header.js';
import { parseRpmDb } from './parse.js';

const FIX = 'go-rpmdb/pkg/testdata';
const load = (p: string) => readPeerFixture(FIX, p);

/** Builds a minimal rpm header blob: string tags and an optional int32 EPOCH. */
export function makeHeader(tags: Record<number, string | number>): Uint8Array {
  const entries: { tag: number; type: number; offset: number; count: number }[] = [];
  const data: number[] = [];
  for (const [k, v] of Object.entries(tags)) {
    const tag = Number(k);
    if (typeof v === 'number') {
      while (data.length % 4) data.push(0);
      entries.push({ tag, type: 4, offset: data.length, count: 1 });
      data.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
    } else {
      entries.push({ tag, type: 6, offset: data.length, count: 1 });
      data.push(...new TextEncoder().encode(v), 0);
    }
  }
  const out = new Uint8Array(8 + entries.length * 16 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, entries.length);
  view.setUint32(4, data.length);
  entries.forEach((e, i) => {
    view.setInt32(8 + i * 16, e.tag);
    view.setUint32(12 + i * 16, e.type);
    view.setInt32(16 + i * 16, e.offset);
    view.setUint32(20 + i * 16, e.count);
  });
  out.set(data, 8 + entries.length * 16);
  return out;
}

describe('parseRpmHeader', () => {
  it('reads NEVRA, SOURCERPM and epoch', () => {
    const h = makeHeader({ 1000: 'nodejs', 1001: '10.21.0', 1002: '3.module_el8.2.0+391+8da3adc6', 1003: 1, 1022: 'x86_64', 1044: 'nodejs-10.21.0-3.module_el8.2.0+391+8da3adc6.src.rpm', 5096: 'nodejs:10:8020020200707141642:6a468ee4' });
    expect(parseRpmHeader(h)).toEqual({
      name: 'nodejs', version: '10.21.0', release: '3.module_el8.2.0+391+8da3adc6', epoch: 1, arch: 'x86_64',
      sourceRpm: 'nodejs-10.21.0-3.module_el8.2.0+391+8da3adc6.src.rpm', modularityLabel: 'nodejs:10:8020020200707141642:6a468ee4',
    });
  });
  it('treats SOURCERPM "(none)" as absent', () => {
    expect(parseRpmHeader(makeHeader({ 1000: 'a', 1001: '1', 1002: '1', 1044: '(none)' })).sourceRpm).toBeUndefined();
  });
  it.each([
    ['too short', new Uint8Array(4)],
    ['truncated data', makeHeader({ 1000: 'a', 1001: '1', 1002: '1' }).subarray(0, 40)],
    ['no NAME', makeHeader({ 1001: '1', 1002: '1' })],
    ['no RELEASE', makeHeader({ 1000: 'a', 1001: '1' })],
    ['zero entries', new Uint8Array(8)],
  ])('rejects %s', (_, blob) => expect(() => parseRpmHeader(blob)).toThrow(FormatError));
  it('rejects an offset outside the data store', () => {
    const h = makeHeader({ 1000: 'a', 1001: '1', 1002: '1' });
    new DataView(h.buffer).setInt32(16, 9999);
    expect(() => parseRpmHeader(h)).toThrow(/outside the data store/);
  });
});

describe('parseSourceRpm', () => {
  it.each([
    ['util-linux-2.32.1-42.el8_8.src.rpm', { name: 'util-linux', version: '2.32.1', release: '42.el8_8' }],
    ['gcc11-11.2.1+git610-1.3.9.src.rpm', { name: 'gcc11', version: '11.2.1+git610', release: '1.3.9' }],
    ['skelcd-bci-2021.05.14-150300.4.8.1.nosrc.rpm', { name: 'skelcd-bci', version: '2021.05.14', release: '150300.4.8.1' }],
  ])('%s', (f, want) => expect(parseSourceRpm(f)).toEqual(want));
  it('rejects other shapes', () => expect(parseSourceRpm('foo.rpm')).toBeUndefined());
});

describe('parseRpmDb over go-rpmdb testdata', () => {
  it('Berkeley DB: libuuid/Packages (go-rpmdb FuzzBDBListPackages seed)', () => {
    const r = parseRpmDb(load('libuuid/Packages'), 'var/lib/rpm/Packages');
    expect(r.format).toBe('bdb');
    expect(r.problems).toEqual([]);
    expect(r.records.map(({ id: _id, ...x }) => x)).toEqual([
      {
        name: 'libuuid', version: '2.32.1', release: '42.el8_8', arch: 'x86_64', sourceRpm: 'util-linux-2.32.1-42.el8_8.src.rpm',
        source: { name: 'util-linux', version: '2.32.1', release: '42.el8_8' },
      },
    ]);
  });

  it('NDB: sle15-bci/Packages.db, 35 packages, in slot order as go-rpmdb SLE15WithNDB lists them', () => {
    const r = parseRpmDb(load('sle15-bci/Packages.db'), 'var/lib/rpm/Packages.db');
    expect(r.format).toBe('ndb');
    expect(r.problems).toEqual([]);
    expect(r.records).toHaveLength(35);
    // Transcribed from knqyf263/go-rpmdb pkg/rpmdb_testcase.go, SLE15WithNDB (EPOCH 0 = none):
    // name, version, release, arch, SOURCERPM.
    const expected = [
      ['system-user-root', '20190513', '3.3.1', 'noarch', 'system-user-root-20190513-3.3.1.src.rpm'],
      ['filesystem', '15.0', '11.3.2', 'x86_64', 'filesystem-15.0-11.3.2.src.rpm'],
      ['glibc', '2.31', '9.3.2', 'x86_64', 'glibc-2.31-9.3.2.src.rpm'],
      ['libpcre1', '8.45', '20.10.1', 'x86_64', 'pcre-8.45-20.10.1.src.rpm'],
      ['libgmp10', '6.1.2', '4.6.1', 'x86_64', 'gmp-6.1.2-4.6.1.src.rpm'],
      ['libgcc_s1', '11.2.1+git610', '1.3.9', 'x86_64', 'gcc11-11.2.1+git610-1.3.9.src.rpm'],
      ['libcap2', '2.26', '4.6.1', 'x86_64', 'libcap-2.26-4.6.1.src.rpm'],
      ['libstdc++6', '11.2.1+git610', '1.3.9', 'x86_64', 'gcc11-11.2.1+git610-1.3.9.src.rpm'],
      ['libncurses6', '6.1', '5.9.1', 'x86_64', 'ncurses-6.1-5.9.1.src.rpm'],
      ['terminfo-base', '6.1', '5.9.1', 'x86_64', 'ncurses-6.1-5.9.1.src.rpm'],
      ['libattr1', '2.4.47', '2.19', 'x86_64', 'attr-2.4.47-2.19.src.rpm'],
      ['libselinux1', '3.0', '1.31', 'x86_64', 'libselinux-3.0-1.31.src.rpm'],
      ['libreadline7', '7.0', '19.6.1', 'x86_64', 'bash-4.4-19.6.1.src.rpm'],
      ['bash', '4.4', '19.6.1', 'x86_64', 'bash-4.4-19.6.1.src.rpm'],
      ['libacl1', '2.2.52', '4.3.1', 'x86_64', 'acl-2.2.52-4.3.1.src.rpm'],
      ['coreutils', '8.32', '3.2.1', 'x86_64', 'coreutils-8.32-3.2.1.src.rpm'],
      ['sles-release', '15.3', '55.4.1', 'x86_64', 'sles-release-15.3-55.4.1.src.rpm'],
      ['ca-certificates-mozilla-prebuilt', '2.44', '21.1', 'noarch', 'ca-certificates-mozilla-prebuilt-2.44-21.1.src.rpm'],
      ['libgpg-error0', '1.29', '1.8', 'x86_64', 'libgpg-error-1.29-1.8.src.rpm'],
      ['libpopt0', '1.16', '3.22', 'x86_64', 'popt-1.16-3.22.src.rpm'],
      ['file-magic', '5.32', '7.14.1', 'noarch', 'file-5.32-7.14.1.src.rpm'],
      ['libbz2-1', '1.0.6', '5.11.1', 'x86_64', 'bzip2-1.0.6-5.11.1.src.rpm'],
      ['liblua5_3-5', '5.3.6', '3.6.1', 'x86_64', 'lua53-5.3.6-3.6.1.src.rpm'],
      ['liblzma5', '5.2.3', '4.3.1', 'x86_64', 'xz-5.2.3-4.3.1.src.rpm'],
      ['libz1', '1.2.11', '3.21.1', 'x86_64', 'zlib-1.2.11-3.21.1.src.rpm'],
      ['libzstd1', '1.4.4', '1.6.1', 'x86_64', 'zstd-1.4.4-1.6.1.src.rpm'],
      ['libmagic1', '5.32', '7.14.1', 'x86_64', 'file-5.32-7.14.1.src.rpm'],
      ['libdw1', '0.168', '4.5.3', 'x86_64', 'elfutils-0.168-4.5.3.src.rpm'],
      ['libebl-plugins', '0.168', '4.5.3', 'x86_64', 'elfutils-0.168-4.5.3.src.rpm'],
      ['libelf1', '0.168', '4.5.3', 'x86_64', 'elfutils-0.168-4.5.3.src.rpm'],
      ['libcrypt1', '4.4.15', '2.51', 'x86_64', 'libxcrypt-4.4.15-2.51.src.rpm'],
      ['perl-base', '5.26.1', '15.87', 'x86_64', 'perl-5.26.1-15.87.src.rpm'],
    ];
    expect(r.records.slice(0, expected.length).map((x) => [x.name, x.version, x.release, x.arch, x.sourceRpm])).toEqual(expected);
    expect(r.records.slice(expected.length).map((x) => x.name)).toEqual(['libgcrypt20', 'rpm-config-SUSE', 'rpm-ndb']);
    expect(r.records.every((x) => x.epoch === undefined)).toBe(true);
    expect(r.records.find((x) => x.name === 'libstdc++6')?.source).toEqual({ name: 'gcc11', version: '11.2.1+git610', release: '1.3.9' });
  });

  it('SQLite: cbl-mariner-2.0/rpmdb.sqlite, 129 packages; curl as go-rpmdb TestRpmDB_Package "CBL-Mariner 2.0 curl"', () => {
    const r = parseRpmDb(load('cbl-mariner-2.0/rpmdb.sqlite'), 'var/lib/rpm/rpmdb.sqlite');
    expect(r.format).toBe('sqlite');
    expect(r.problems).toEqual([]);
    expect(r.records).toHaveLength(129);
    const curl = r.records.find((x) => x.name === 'curl');
    expect(curl).toMatchObject({ name: 'curl', version: '7.76.0', release: '6.cm2', arch: 'x86_64', sourceRpm: 'curl-7.76.0-6.cm2.src.rpm' });
    expect(curl?.epoch).toBeUndefined();
    expect(r.records.slice(0, 3).map((x) => `${x.name}-${x.version}-${x.release}.${x.arch}`)).toEqual([
      'mariner-release-2.0-4.cm2.noarch', 'filesystem-1.1-8.cm2.x86_64', 'glibc-2.34-2.cm2.x86_64',
    ]);
    expect(r.records.find((x) => x.name === 'curl-libs')?.source?.name).toBe('curl');
  });
});

describe('parseRpmDb on damaged input', () => {
  const sqlite = () => load('cbl-mariner-2.0/rpmdb.sqlite');
  const ndb = () => load('sle15-bci/Packages.db');
  const bdb = () => load('libuuid/Packages');

  it.each([
    ['empty file', new Uint8Array(0)],
    ['garbage', new TextEncoder().encode('definitely not an rpm database, just some text that is long enough '.repeat(20))],
    ['SQLite truncated to 100 KB', sqlite().subarray(0, 100_000)],
    ['SQLite header only', sqlite().subarray(0, 100)],
    ['NDB truncated inside the slot table', ndb().subarray(0, 2000)],
    ['NDB truncated before any blob', ndb().subarray(0, 4096)],
    ['BDB metadata page only', bdb().subarray(0, 4096)],
    ['BDB truncated to 512 bytes', bdb().subarray(0, 512)],
  ])('%s → ParseError naming the path', (_, bytes) => {
    expect(() => parseRpmDb(bytes, 'var/lib/rpm/Packages')).toThrow(ParseError);
    expect(() => parseRpmDb(bytes, 'var/lib/rpm/Packages')).toThrow(/^var\/lib\/rpm\/Packages: /);
  });

  it('NDB truncated half-way keeps the packages before the cut and reports the rest', () => {
    const full = ndb();
    const r = parseRpmDb(full.subarray(0, Math.floor(full.length / 2)), 'var/lib/rpm/Packages.db');
    expect(r.records.length).toBeGreaterThan(0);
    expect(r.records.length).toBeLessThan(35);
    expect(r.problems.length).toBe(35 - r.records.length);
    expect(r.problems[0]?.message).toMatch(/truncated/);
  });

  it('BDB with a corrupted header blob reports the entry as a problem', () => {
    const bytes = new Uint8Array(bdb());
    // Clobber the first overflow page's payload (the header's il/dl words) with nonsense.
    const r0 = parseRpmDb(bytes, 'p');
    const page = r0.records[0]?.id ?? 0;
    bytes.fill(0xff, page * 4096 + 26, page * 4096 + 34);
    expect(() => parseRpmDb(bytes, 'var/lib/rpm/Packages')).toThrow(/no package could be read from the bdb rpm database \(entry \d+: bad index entry count/);
  });

  it('does not modify the caller\'s bytes (the WAL flag is patched on a copy)', () => {
    const bytes = new Uint8Array(sqlite());
    expect([bytes[18], bytes[19]]).toEqual([2, 2]);
    expect(parseRpmDb(bytes, 'p').records).toHaveLength(129);
    expect([bytes[18], bytes[19]]).toEqual([2, 2]);
  });
});
