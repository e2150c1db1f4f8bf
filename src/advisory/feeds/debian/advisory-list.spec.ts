import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VULNDATA_DIR, hasShared } from '../../../../test/support/shared.js';
import type { AdvisoryRecord } from '../../../core/advisory.js';
import { parseDebianAdvisoryList, parseListDate } from './advisory-list.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');
const DEBIAN_DATA = path.join(VULNDATA_DIR, 'debian/data');

function byId(records: AdvisoryRecord[], id: string): AdvisoryRecord {
  const r = records.find((x) => x.id === id);
  if (!r) throw new Error(`no record ${id}`);
  return r;
}

describe('parseDebianAdvisoryList on the hand-written DSA sample', () => {
  const { records, skipped, stats } = parseDebianAdvisoryList(
    fs.readFileSync(path.join(FIXTURES, 'dsa-sample.list'), 'utf8'),
    'DSA',
    'dsa-sample.list',
  );

  it('makes one record per usable header, announcements included', () => {
    expect(records.map((r) => r.id)).toEqual([
      'DSA-5380-1',
      'DSA-4205-1',
      'DSA-1895-2',
      'DSA-1304',
      'DSA-746-1',
      'DSA-3699-1',
      'DSA-2798-1',
      'DSA-9001-1',
    ]);
    expect(stats).toEqual({ advisories: 8, affected: 10, notAffected: 1, problems: 10 });
  });

  it('reads id, date, title, CVEs and the fixed version per release', () => {
    expect(byId(records, 'DSA-5380-1')).toEqual({
      id: 'DSA-5380-1',
      aliases: ['CVE-2023-1393'],
      related: [],
      summary: 'xorg-server - security update',
      published: '2023-03-29T00:00:00Z',
      severities: [],
      references: [
        { type: 'ADVISORY', url: 'https://security-tracker.debian.org/tracker/DSA-5380-1' },
        { type: 'ADVISORY', url: 'https://www.debian.org/security/2023/dsa-5380' },
      ],
      affected: [
        {
          ecosystem: 'Debian:11',
          name: 'xorg-server',
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2:1.20.11-1+deb11u6' }] }],
          versions: [],
          fixState: 'fixed',
        },
      ],
    });
  });

  it('keeps announcements as records without affected entries, NOTE lines as details', () => {
    const r = byId(records, 'DSA-4205-1');
    expect(r.affected).toEqual([]);
    expect(r.summary).toBe('jessie end-of-life');
    expect(r.details).toBe('end of security support for jessie');
  });

  it('handles several source packages, old ids without revision and woody/sarge/lenny releases', () => {
    expect(byId(records, 'DSA-1895-2').affected.map((a) => `${a.ecosystem} ${a.name}`)).toEqual([
      'Debian:5 opensaml2',
      'Debian:5 shibboleth-sp2',
    ]);
    expect(byId(records, 'DSA-1304').affected[0]).toMatchObject({ ecosystem: 'Debian:3.1', name: 'kernel-source-2.6.8' });
    expect(byId(records, 'DSA-1304').references[1]?.url).toBe('https://www.debian.org/security/2007/dsa-1304');
  });

  it('maps <unfixed>, <not-affected>, <end-of-life> and the old (urgency; bug #N) annotations', () => {
    const r = byId(records, 'DSA-746-1');
    expect(r.affected).toEqual([
      {
        ecosystem: 'Debian:3.0',
        name: 'phpgroupware',
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
        versions: [],
        fixState: 'not-fixed',
        severity: { type: 'DISTRO', severity: 'HIGH', source: 'debian-tracker' },
      },
      {
        ecosystem: 'Debian:3.1',
        name: 'phpgroupware',
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '0.9.16.005-3.sarge0' }] }],
        versions: [],
        fixState: 'fixed',
        severity: { type: 'DISTRO', severity: 'MEDIUM', source: 'debian-tracker' },
      },
    ]);
    expect(r.references).toContainEqual({ type: 'REPORT', url: 'https://bugs.debian.org/324531' });
    expect(r.details).toBe('fixed in testing at time of DSA');
    expect(byId(records, 'DSA-3699-1').affected[0]).toMatchObject({ fixState: 'wont-fix', note: 'end-of-life' });
  });

  it('tolerates the double space between package and version', () => {
    expect(byId(records, 'DSA-2798-1').affected[1]?.ranges[0]?.events[1]).toEqual({ fixed: '7.26.0-1+wheezy5' });
  });

  it('reports malformed lines with their line numbers and keeps the good parts', () => {
    const bad = byId(records, 'DSA-9001-1');
    expect(bad.published).toBeUndefined();
    expect(bad.aliases).toEqual(['CVE-2023-0001']);
    expect(bad.affected.map((a) => a.ranges[0]?.events[1])).toEqual([{ fixed: '1.1-1' }]);
    expect(skipped).toEqual([
      { skipped: true, reason: 'indented line outside any advisory', where: 'dsa-sample.list:26' },
      { skipped: true, reason: 'unparseable date "31 Feb 2023"', where: 'dsa-sample.list:27' },
      { skipped: true, reason: 'not a CVE id in the {…} list: "BOGUS-1"', where: 'dsa-sample.list:28' },
      { skipped: true, reason: 'unknown release codename "potato"', where: 'dsa-sample.list:29' },
      { skipped: true, reason: 'invalid source package name "Bad_Name"', where: 'dsa-sample.list:30' },
      { skipped: true, reason: 'unknown version marker "<fixed-somehow>"', where: 'dsa-sample.list:31' },
      { skipped: true, reason: 'unrecognized line "this line means nothing"', where: 'dsa-sample.list:33' },
      { skipped: true, reason: 'unterminated {…} id list', where: 'dsa-sample.list:34' },
      { skipped: true, reason: 'DLA-3380-1 in the DSA list', where: 'dsa-sample.list:35' },
      { skipped: true, reason: 'unrecognized header line "garbage header line"', where: 'dsa-sample.list:37' },
      // the bodies of the two skipped headers (lines 36 and 38) go with them, unreported
    ]);
  });
});

describe('parseDebianAdvisoryList on the hand-written DLA sample', () => {
  const { records, skipped } = parseDebianAdvisoryList(fs.readFileSync(path.join(FIXTURES, 'dla-sample.list'), 'utf8'), 'DLA');

  it('parses LTS advisories, with the debian.org LTS page for revisions', () => {
    expect(skipped).toEqual([]);
    expect(records.map((r) => r.id)).toEqual(['DLA-3380-1', 'DLA-3193-2', 'DLA-179-1', 'DLA-372-1']);
    expect(byId(records, 'DLA-3380-1').references[1]?.url).toBe('https://www.debian.org/lts/security/2023/dla-3380');
    expect(byId(records, 'DLA-3193-2').references[1]?.url).toBe('https://www.debian.org/lts/security/2023/dla-3193-2');
    expect(byId(records, 'DLA-179-1').affected[0]?.ranges[0]?.events[1]).toEqual({ fixed: '2015b-0squeeze1' });
    expect(byId(records, 'DLA-179-1').affected[0]?.ecosystem).toBe('Debian:6');
  });
});

describe('parseListDate', () => {
  it.each([
    ['29 Mar 2023', '2023-03-29T00:00:00Z'],
    ['01 Apr 2023', '2023-04-01T00:00:00Z'],
    ['August 26th, 2005', '2005-08-26T00:00:00Z'],
    ['September 1st, 2005', '2005-09-01T00:00:00Z'],
    ['29 Feb 2024', '2024-02-29T00:00:00Z'],
  ])('%s → %s', (text, iso) => {
    expect(parseListDate(text)).toBe(iso);
  });
  it.each(['31 Feb 2023', '29 Feb 2023', '12 Mrz 2023', '2023-03-29', '', 'Marmalade 3rd, 2005'])('rejects %j', (text) => {
    expect(parseListDate(text)).toBeUndefined();
  });
});

// The real lists of the shared snapshot (CVEDB/security-tracker 32127b7f; README: 5,406 DSAs, 3,534 DLAs, 208 DTSAs).
const SNAPSHOT = hasShared('src/advisory/feeds/debian/advisory-list.spec.ts: the real DSA, DLA and DTSA lists', 'vulndata');
describe.skipIf(!SNAPSHOT)('the real DSA, DLA and DTSA lists', () => {
  const list = (kind: 'DSA' | 'DLA' | 'DTSA') => parseDebianAdvisoryList(SNAPSHOT ? fs.readFileSync(path.join(DEBIAN_DATA, kind, 'list'), 'utf8') : '', kind);
  const dsa = list('DSA');
  const dla = list('DLA');
  const dtsa = list('DTSA');

  it('has one record per advisory header, as the README counts them, and no problems', () => {
    expect(dsa.records).toHaveLength(5406);
    expect(dla.records).toHaveLength(3534);
    expect(dtsa.records).toHaveLength(208);
    expect(dsa.skipped).toEqual([]);
    expect(dla.skipped).toEqual([]);
    expect(dtsa.skipped).toEqual([]);
    expect(new Set(dsa.records.map((r) => r.id)).size).toBe(5406);
    expect(new Set(dla.records.map((r) => r.id)).size).toBe(3534);
  });

  it('reads every date and every release line', () => {
    for (const r of [...dsa.records, ...dla.records, ...dtsa.records]) expect(r.published, r.id).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00Z$/);
    // Counted with grep over the files: `grep -c '^\s\+\['` gives 6,988 / 3,535 / 208 release lines, of which
    // 55 / 0 / 0 say <not-affected> (NOTE: lines that quote a release line are not counted by either).
    expect(dsa.stats).toMatchObject({ notAffected: 55, affected: 6933 });
    expect(dla.stats).toMatchObject({ notAffected: 0, affected: 3535 });
    expect(dtsa.stats).toMatchObject({ notAffected: 0, affected: 208 });
  });

  // Checked by hand against the file.
  it('DSA/list lines 1-3: DSA-5380-1 xorg-server', () => {
    const r = byId(dsa.records, 'DSA-5380-1');
    expect(r.published).toBe('2023-03-29T00:00:00Z');
    expect(r.aliases).toEqual(['CVE-2023-1393']);
    expect(r.affected).toEqual([
      expect.objectContaining({ ecosystem: 'Debian:11', name: 'xorg-server', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2:1.20.11-1+deb11u6' }] }] }),
    ]);
  });

  it('DSA/list lines 27-29: DSA-5372-1 rails, ten CVEs', () => {
    const r = byId(dsa.records, 'DSA-5372-1');
    expect(r.aliases).toHaveLength(10);
    expect(r.aliases[0]).toBe('CVE-2021-22942');
    expect(r.aliases[9]).toBe('CVE-2023-22796');
    expect(r.affected[0]?.ranges[0]?.events[1]).toEqual({ fixed: '2:6.0.3.7+dfsg-2+deb11u1' });
  });

  it('DSA/list lines 7107-7110: DSA-3280-1 php5 for wheezy and jessie', () => {
    const r = byId(dsa.records, 'DSA-3280-1');
    expect(r.aliases).toHaveLength(8);
    expect(r.affected.map((a) => `${a.ecosystem} ${a.name} ${a.ranges[0]?.events[1]?.fixed}`)).toEqual([
      'Debian:7 php5 5.4.41-0+deb7u1',
      'Debian:8 php5 5.6.9+dfsg-0+deb8u1',
    ]);
  });

  it('DSA/list lines 11718-11721: DSA-1895-2 names two source packages', () => {
    const r = byId(dsa.records, 'DSA-1895-2');
    expect(r.summary).toBe('opensaml2, shibboleth-sp2 - interpretation conflict');
    expect(r.affected.map((a) => a.name)).toEqual(['opensaml2', 'shibboleth-sp2']);
  });

  it('DSA/list lines 3886-3887 and 5638: an announcement and an <end-of-life>', () => {
    expect(byId(dsa.records, 'DSA-4205-1')).toMatchObject({ affected: [], details: 'end of security support for jessie' });
    expect(byId(dsa.records, 'DSA-3699-1').affected).toEqual([
      expect.objectContaining({ ecosystem: 'Debian:8', name: 'virtualbox', fixState: 'wont-fix', note: 'end-of-life' }),
    ]);
  });

  it('DSA/list lines 16013-16018: DSA-746-1 <unfixed> (high) in woody', () => {
    expect(byId(dsa.records, 'DSA-746-1').affected[0]).toMatchObject({
      ecosystem: 'Debian:3.0',
      fixState: 'not-fixed',
      severity: { severity: 'HIGH' },
    });
  });

  it('DSA/list line 13893: DSA-1304 has no revision', () => {
    expect(byId(dsa.records, 'DSA-1304').affected[0]?.name).toBe('kernel-source-2.6.8');
  });

  it('DLA/list lines 1-3 and 25-27: DLA-3380-1 and DLA-3193-2 for buster', () => {
    const r = byId(dla.records, 'DLA-3380-1');
    expect(r.published).toBe('2023-04-01T00:00:00Z');
    expect(r.aliases).toHaveLength(11);
    expect(r.affected[0]).toMatchObject({ ecosystem: 'Debian:10', name: 'firmware-nonfree' });
    expect(byId(dla.records, 'DLA-3193-2').affected[0]?.ranges[0]?.events[1]).toEqual({ fixed: '0.13.0-2+deb10u2' });
  });

  it('DTSA/list lines 1-3: DTSA-1-1 kismet, the long date form and (high)', () => {
    const r = byId(dtsa.records, 'DTSA-1-1');
    expect(r.published).toBe('2005-08-26T00:00:00Z');
    expect(r.aliases).toEqual(['CVE-2005-2626', 'CVE-2005-2627']);
    expect(r.affected[0]).toMatchObject({ ecosystem: 'Debian:4', name: 'kismet', severity: { severity: 'HIGH' } });
  });
});
