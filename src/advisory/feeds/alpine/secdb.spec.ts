import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VULNDATA_DIR, hasShared } from '../../../../test/support/shared.js';
import type { AdvisoryRecord } from '../../../core/advisory.js';
import { parseAlpineSecdb, parseSecfixEntry } from './secdb.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');
const ALPINE = path.join(VULNDATA_DIR, 'alpine');

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function byId(records: AdvisoryRecord[], id: string): AdvisoryRecord {
  const r = records.find((x) => x.id === id);
  if (!r) throw new Error(`no record ${id}`);
  return r;
}

function fixedIn(r: AdvisoryRecord): string[] {
  return r.affected.map((a) => `${a.ecosystem} ${a.name} ${a.ranges[0]?.events[1]?.fixed}`);
}

describe('parseSecfixEntry', () => {
  it.each([
    ['CVE-2019-14904', { cves: ['CVE-2019-14904'], otherIds: [] }],
    ['CVE-2016-6258 XSA-182', { cves: ['CVE-2016-6258'], otherIds: ['XSA-182'] }],
    ['CVE-????-?????  XSA-295', { cves: [], otherIds: ['XSA-295'] }],
    ['CVE-2018-14881 (BGP)', { cves: ['CVE-2018-14881'], otherIds: [], note: 'BGP' }],
    ['CVE_2019-2426', { cves: ['CVE-2019-2426'], otherIds: [] }],
    ['CVE 2018-16859', { cves: ['CVE-2018-16859'], otherIds: [] }],
    ['CVE-2017-17434-1', { cves: ['CVE-2017-17434'], otherIds: [] }],
    ['CVE-2019-19451.patch', { cves: ['CVE-2019-19451'], otherIds: [] }],
    ['wnpa-sec-2017-18', { cves: [], otherIds: ['wnpa-sec-2017-18'] }],
    ['CVE-2019-5060 TALOS-2019-0844', { cves: ['CVE-2019-5060'], otherIds: ['TALOS-2019-0844'] }],
    [
      'CVE-2017-5753 CVE-2017-5715 CVE-2017-5754 XSA-254 XPTI',
      { cves: ['CVE-2017-5753', 'CVE-2017-5715', 'CVE-2017-5754'], otherIds: ['XSA-254'], note: 'XPTI' },
    ],
    ['CVE-2017-2616 (+ regression fix)', { cves: ['CVE-2017-2616'], otherIds: [], note: '+ regression fix' }],
  ])('%j', (text, expected) => {
    expect(parseSecfixEntry(text)).toEqual(expected);
  });

  it.each(['', '   ', '(only a comment)', 'CVE-????-?????', 'XPTI'])('finds no id in %j', (text) => {
    expect(parseSecfixEntry(text)).toBeUndefined();
  });
});

describe('parseAlpineSecdb on the hand-written sample', () => {
  const { records, skipped, stats } = parseAlpineSecdb(readJson(path.join(FIXTURES, 'secdb-sample.json')), 'secdb-sample.json');

  it('groups per id, one affected entry per (package, fixed version), in the release ecosystem', () => {
    expect(byId(records, 'CVE-2016-6258')).toEqual({
      id: 'CVE-2016-6258',
      aliases: ['XSA-182'],
      related: [],
      severities: [],
      references: [{ type: 'ADVISORY', url: 'https://security.alpinelinux.org/vuln/CVE-2016-6258' }],
      affected: [
        {
          ecosystem: 'Alpine:v3.11',
          name: 'xen',
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '4.7.0-r0' }] }],
          versions: [],
          fixState: 'fixed',
        },
      ],
    });
    expect(fixedIn(byId(records, 'CVE-2017-13767'))).toEqual([
      'Alpine:v3.11 wireshark 2.2.9-r0',
      'Alpine:v3.11 wireshark 2.4.1-r0',
      'Alpine:v3.11 tshark-copy 2.4.1-r0',
    ]);
  });

  it('relates the CVEs of one entry, keeps notes, and ids a CVE-less entry by its other id', () => {
    const spectre = byId(records, 'CVE-2017-5715');
    expect(spectre.aliases).toEqual(['XSA-254']);
    expect(spectre.related).toEqual(['CVE-2017-5753', 'CVE-2017-5754']);
    expect(spectre.affected[0]?.note).toBe('XPTI');
    expect(byId(records, 'CVE-2018-10103').affected[0]?.note).toBe('SMB - partially fixed, but SMB printing disabled');
    const xsa = byId(records, 'XSA-295');
    expect(xsa.references).toEqual([]);
    expect(fixedIn(xsa)).toEqual(['Alpine:v3.11 xen 4.12.1-r0']);
    expect(byId(records, 'wnpa-sec-2017-18').affected[0]?.name).toBe('wireshark');
  });

  it('repairs upstream id typos', () => {
    expect(fixedIn(byId(records, 'CVE-2019-2426'))).toEqual(['Alpine:v3.11 openjdk7 7.211.2.6.17-r0']);
    expect(fixedIn(byId(records, 'CVE-2018-16859'))).toEqual(['Alpine:v3.11 ansible 2.7.3-r0']);
    expect(records.some((r) => r.id === 'CVE-2017-17434')).toBe(true);
    expect(records.some((r) => r.id === 'CVE-2019-19451')).toBe(true);
  });

  it('treats the "0" key as not affected: no record', () => {
    expect(records.some((r) => r.id === 'CVE-2016-0682' || r.id === 'CVE-2016-0689')).toBe(false);
    expect(stats.notAffected).toBe(2);
  });

  it('skips and reports malformed parts, keeping the rest', () => {
    expect(fixedIn(byId(records, 'CVE-2017-17439'))).toEqual(['Alpine:v3.11 heimdal 7.1.0-r2']);
    expect(fixedIn(byId(records, 'CVE-2020-0001'))).toEqual(['Alpine:v3.11 weird 1.0-r0']);
    expect(skipped).toEqual([
      { skipped: true, reason: 'the ids fixed in "7.4.0-r0" are not a list ("")', where: 'secdb-sample.json: heimdal/7.4.0-r0' },
      { skipped: true, reason: 'entry is not a string: 42', where: 'secdb-sample.json: weird/1.0-r0' },
      { skipped: true, reason: 'no advisory id in "(only a comment)"', where: 'secdb-sample.json: weird/1.0-r0' },
      { skipped: true, reason: 'invalid fixed version "not a version"', where: 'secdb-sample.json: weird/not a version' },
      { skipped: true, reason: 'invalid package name null', where: 'secdb-sample.json: packages[11]' },
      { skipped: true, reason: 'package entry without a "pkg" object', where: 'secdb-sample.json: packages[12]' },
      { skipped: true, reason: '"secfixes" is not an object', where: 'secdb-sample.json: badsecfixes' },
    ]);
    expect(stats).toEqual({ packages: 14, entries: 21, notAffected: 2, records: 15, affected: 17, problems: 7 });
  });

  it.each([
    ['null', null],
    ['an array', []],
    ['no distroversion', { packages: [] }],
    ['a bad distroversion', { distroversion: '3.11', packages: [] }],
    ['packages not an array', { distroversion: 'v3.11', packages: {} }],
  ])('reports a document that is %s, without throwing', (_label, doc) => {
    const r = parseAlpineSecdb(doc, 'x.json');
    expect(r.records).toEqual([]);
    expect(r.skipped).toHaveLength(1);
    expect(r.skipped[0]?.where).toBe('x.json');
  });

  it('accepts edge', () => {
    const r = parseAlpineSecdb({ distroversion: 'edge', packages: [{ pkg: { name: 'a', secfixes: { '1-r0': ['CVE-2024-0001'] } } }] }, 'e');
    expect(r.records[0]?.affected[0]?.ecosystem).toBe('Alpine:edge');
  });
});

// The real secdb of the shared snapshot (alpinelinux/alpine-secdb 06f6e960). Counts from its README table
// ("packages / fixed CVE entries"; the entries are the items of the secfixes lists).
describe.skipIf(!hasShared('src/advisory/feeds/alpine/secdb.spec.ts: the real Alpine secdb files', 'vulndata'))('the real Alpine secdb files', () => {
  const README_COUNTS: [release: string, repo: string, packages: number, entries: number][] = [
    ['v3.3', 'main', 91, 461],
    ['v3.3', 'community', 0, 0],
    ['v3.4', 'main', 117, 672],
    ['v3.4', 'community', 2, 14],
    ['v3.5', 'main', 131, 826],
    ['v3.5', 'community', 20, 102],
    ['v3.6', 'main', 134, 898],
    ['v3.6', 'community', 31, 219],
    ['v3.7', 'main', 163, 1078],
    ['v3.7', 'community', 37, 411],
    ['v3.8', 'main', 164, 1139],
    ['v3.8', 'community', 44, 485],
    ['v3.9', 'main', 161, 1121],
    ['v3.9', 'community', 58, 601],
    ['v3.10', 'main', 166, 1182],
    ['v3.10', 'community', 73, 720],
    ['v3.11', 'main', 175, 1204],
    ['v3.11', 'community', 85, 895],
  ];

  it.each(README_COUNTS)('%s/%s has the README counts (%i packages, %i entries)', (release, repo, packages, entries) => {
    const where = `alpine/${release}/${repo}.json`;
    const r = parseAlpineSecdb(readJson(path.join(ALPINE, release, `${repo}.json`)), where);
    expect(r.stats.packages).toBe(packages);
    expect(r.stats.entries).toBe(entries);
    for (const rec of r.records) for (const a of rec.affected) expect(a.ecosystem).toBe(`Alpine:${release}`);
    // The only malformed part in the whole snapshot: heimdal's empty 7.4.0-r0 in v3.6/main (main.yaml line 430).
    if (release === 'v3.6' && repo === 'main') {
      expect(r.skipped).toEqual([{ skipped: true, reason: 'the ids fixed in "7.4.0-r0" are not a list ("")', where: `${where}: heimdal/7.4.0-r0` }]);
    } else {
      expect(r.skipped).toEqual([]);
    }
  });

  it('v3.11/main: spot checks against main.yaml', () => {
    const { records } = parseAlpineSecdb(readJson(path.join(ALPINE, 'v3.11/main.json')), 'v3.11/main.json');
    // main.yaml lines 14-17: ansible 2.9.3-r0 fixes CVE-2019-14904 and CVE-2019-14905
    expect(fixedIn(byId(records, 'CVE-2019-14904'))).toEqual(['Alpine:v3.11 ansible 2.9.3-r0']);
    // apache2 2.4.41-r0 fixes CVE-2019-10081
    expect(fixedIn(byId(records, 'CVE-2019-10081'))).toEqual(['Alpine:v3.11 apache2 2.4.41-r0']);
    // xen "CVE-2016-6258 XSA-182" under 4.7.0-r0
    expect(byId(records, 'CVE-2016-6258')).toMatchObject({ aliases: ['XSA-182'] });
    expect(fixedIn(byId(records, 'CVE-2016-6258'))).toEqual(['Alpine:v3.11 xen 4.7.0-r0']);
    // every record has at least one affected entry and a distinct id
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
    for (const r of records) expect(r.affected.length).toBeGreaterThan(0);
  });

  it('v3.8/main: db\'s "0" key lists five not-affected CVEs', () => {
    const { records, stats } = parseAlpineSecdb(readJson(path.join(ALPINE, 'v3.8/main.json')), 'v3.8/main.json');
    expect(stats.notAffected).toBe(5);
    expect(records.some((r) => r.id === 'CVE-2016-0682')).toBe(false);
  });
});
