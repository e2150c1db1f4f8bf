import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AdvisoryRecord, AffectedPackage } from '../../../core/advisory.js';
import { ParseError } from '../../../core/errors.js';
import { isParseProblem } from './parse-problem.js';
import {
  convertTrackerPackage,
  emptyDebianTrackerStats,
  parseDebianTrackerJson,
  parseDebianTrackerJsonAll,
} from './tracker-json.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');
const SAMPLE = path.join(FIXTURES, 'tracker-sample.json');

function find(records: AdvisoryRecord[], id: string, name: string): AdvisoryRecord {
  const r = records.find((x) => x.id === id && x.affected.some((a) => a.name === name));
  if (!r) throw new Error(`no record ${id} for ${name}`);
  return r;
}

function release(r: AdvisoryRecord, ecosystem: string): AffectedPackage | undefined {
  return r.affected.find((a) => a.ecosystem === ecosystem);
}

describe('parseDebianTrackerJson on the hand-written sample', async () => {
  const { records, skipped, stats } = await parseDebianTrackerJsonAll(fs.readFileSync(SAMPLE), {
    where: 'tracker-sample.json',
  });

  it('yields one record per (package, issue) with something affected, and counts the rest', () => {
    expect(records.map((r) => `${r.affected[0]?.name}/${r.id}`)).toEqual([
      'bash/CVE-2022-3715',
      'curl/CVE-2023-38545',
      'curl/CVE-2023-46218',
      'linux/TEMP-0000000-A1B2C3',
      'linux/CVE-2021-0002',
      'wget/CVE-2024-10524',
    ]);
    expect(stats).toEqual({
      packages: 5,
      issues: 9,
      records: 6,
      affected: 13,
      notAffected: 2,
      withoutAffected: 1,
      ignoredReleases: 1,
      problems: 7,
    });
  });

  it('maps resolved → fixed, with the release number as ecosystem and urgency as DISTRO severity', () => {
    const r = find(records, 'CVE-2022-3715', 'bash');
    expect(release(r, 'Debian:12')).toEqual({
      ecosystem: 'Debian:12',
      name: 'bash',
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '5.2.15-1' }] }],
      versions: [],
      fixState: 'fixed',
      severity: { type: 'DISTRO', severity: 'LOW', source: 'debian-tracker' },
    });
    expect(r.affected.map((a) => a.ecosystem)).toEqual(['Debian:12', 'Debian:11', 'Debian:10', 'Debian:sid', 'Debian:13']);
    expect(r.summary).toBe('A flaw was found in the bash package, where a heap-buffer overflow can occur in valid parameter_transform.');
    expect(r.details).toContain('Second line of the description.');
    expect(r.references).toEqual([
      { type: 'ADVISORY', url: 'https://security-tracker.debian.org/tracker/CVE-2022-3715' },
      { type: 'REPORT', url: 'https://bugs.debian.org/1023456' },
    ]);
    expect(r.aliases).toEqual([]);
  });

  it('maps a plain <no-dsa> (empty nodsa_reason) to wont-fix with the no-dsa text', () => {
    const a = release(find(records, 'CVE-2022-3715', 'bash'), 'Debian:11');
    expect(a?.fixState).toBe('wont-fix');
    expect(a?.note).toBe('no-dsa: Minor issue');
    expect(a?.ranges).toEqual([{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }]);
  });

  it('maps open with urgency end-of-life to wont-fix, severity UNKNOWN', () => {
    const a = release(find(records, 'CVE-2022-3715', 'bash'), 'Debian:10');
    expect(a?.fixState).toBe('wont-fix');
    expect(a?.note).toMatch(/^end-of-life/);
    expect(a?.severity?.severity).toBe('UNKNOWN');
  });

  it('maps postponed and ignored to wont-fix with the reason in the note, and strips the NVD * marks', () => {
    const r = find(records, 'CVE-2023-46218', 'curl');
    expect(release(r, 'Debian:12')).toMatchObject({
      fixState: 'wont-fix',
      note: 'postponed: Minor issue; can be fixed via point release',
      severity: { severity: 'MEDIUM' },
    });
    expect(release(r, 'Debian:11')).toMatchObject({
      fixState: 'wont-fix',
      note: 'ignored: Minor issue',
      severity: { severity: 'LOW' },
    });
    // ignored without a nodsa text
    expect(release(find(records, 'TEMP-0000000-A1B2C3', 'linux'), 'Debian:12')).toMatchObject({
      fixState: 'wont-fix',
      note: 'ignored',
    });
    expect(find(records, 'TEMP-0000000-A1B2C3', 'linux').summary).toBeUndefined();
  });

  it('maps plain open to not-fixed; not yet assigned → UNKNOWN; undetermined → not-fixed with a note, no severity when no urgency', () => {
    const r = find(records, 'CVE-2023-46218', 'curl');
    expect(release(r, 'Debian:13')).toEqual({
      ecosystem: 'Debian:13',
      name: 'curl',
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
      versions: [],
      fixState: 'not-fixed',
      severity: { type: 'DISTRO', severity: 'UNKNOWN', source: 'debian-tracker' },
    });
    const forky = release(r, 'Debian:14');
    expect(forky?.fixState).toBe('not-fixed');
    expect(forky?.note).toMatch(/^undetermined/);
    expect(forky?.severity).toBeUndefined();
    expect(release(find(records, 'CVE-2024-10524', 'wget'), 'Debian:12')?.fixState).toBe('not-fixed');
  });

  it('emits no affected entry for fixed_version "0" and ignores experimental', () => {
    const r = find(records, 'CVE-2023-38545', 'curl');
    expect(r.affected.map((a) => a.ecosystem)).toEqual(['Debian:12']);
    expect(records.some((x) => x.id === 'CVE-2021-0001')).toBe(false);
  });

  it('keeps the good releases of an issue with bad ones, and reports every malformed part', () => {
    const r = find(records, 'CVE-2021-0002', 'linux');
    expect(r.affected).toHaveLength(1);
    expect(release(r, 'Debian:13')?.severity?.severity).toBe('UNKNOWN'); // urgency "bogus"
    expect(skipped).toEqual([
      { skipped: true, reason: 'unknown release codename "hamm"', where: 'tracker-sample.json: curl/CVE-2023-38545/hamm' },
      { skipped: true, reason: 'status "resolved" without a fixed_version', where: 'tracker-sample.json: linux/CVE-2021-0002/bookworm' },
      { skipped: true, reason: 'unknown status "fixed"', where: 'tracker-sample.json: linux/CVE-2021-0002/bullseye' },
      { skipped: true, reason: 'release entry is a string, not an object', where: 'tracker-sample.json: linux/CVE-2021-0002/buster' },
      { skipped: true, reason: 'issue entry is an array, not an object', where: 'tracker-sample.json: linux/CVE-2021-0003' },
      { skipped: true, reason: '"releases" is missing, not an object', where: 'tracker-sample.json: linux/CVE-2021-0004' },
      { skipped: true, reason: 'package entry is a string, not an object of issues', where: 'tracker-sample.json: broken-package' },
    ]);
  });
});

describe('parseDebianTrackerJson input handling', () => {
  it('reads a Node readable stream and yields records and problems in document order', async () => {
    const out: string[] = [];
    for await (const x of parseDebianTrackerJson(fs.createReadStream(SAMPLE, { highWaterMark: 97 }))) {
      out.push(isParseProblem(x) ? `problem ${x.where}` : `record ${x.id}`);
    }
    expect(out).toHaveLength(13);
    expect(out[0]).toBe('record CVE-2022-3715');
    expect(out.at(-1)).toBe('record CVE-2024-10524');
  });

  it('reads a web ReadableStream (a fetch body)', async () => {
    const body = new Blob([fs.readFileSync(SAMPLE)]).stream();
    const { records, skipped } = await parseDebianTrackerJsonAll(body);
    expect(records).toHaveLength(6);
    expect(skipped).toHaveLength(7);
  });

  it('survives chunk boundaries inside multi-byte UTF-8 characters', async () => {
    const doc = JSON.stringify({
      'pkg-é': { 'CVE-2020-0001': { description: 'naïve “quotes” 🛡️', releases: { bookworm: { status: 'open', urgency: 'low' } } } },
    });
    const bytes = new TextEncoder().encode(doc);
    async function* oneByteAtATime() {
      for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1);
    }
    const { records } = await parseDebianTrackerJsonAll(oneByteAtATime());
    expect(records[0]?.summary).toBe('naïve “quotes” 🛡️');
    expect(records[0]?.affected[0]?.name).toBe('pkg-é');
  });

  it('streams: the first record arrives long before the input is consumed', async () => {
    const total = 5000;
    let pulled = 0;
    async function* lazyDocument() {
      yield '{';
      for (let i = 0; i < total; i++) {
        pulled++;
        const entry = { [`CVE-2024-${10000 + i}`]: { description: 'x'.repeat(200), releases: { bookworm: { status: 'open', urgency: 'low' } } } };
        yield `${i === 0 ? '' : ','}${JSON.stringify(`pkg${i}`)}:${JSON.stringify(entry)}`;
      }
      yield '}';
    }
    const gen = parseDebianTrackerJson(lazyDocument());
    const first = await gen.next();
    expect(first.done).toBe(false);
    expect(pulled).toBeLessThan(total / 10);
    let n = 1;
    for await (const x of gen) if (!isParseProblem(x)) n++;
    expect(n).toBe(total);
    expect(pulled).toBe(total);
  });

  it('stops cleanly when the consumer leaves early', async () => {
    const seen: string[] = [];
    for await (const x of parseDebianTrackerJson(fs.createReadStream(SAMPLE))) {
      seen.push(isParseProblem(x) ? x.reason : x.id);
      if (seen.length === 2) break;
    }
    // curl's problem (unknown codename) comes before curl's records
    expect(seen).toEqual(['CVE-2022-3715', 'unknown release codename "hamm"']);
  });

  it('returns the stats as the generator result', async () => {
    const gen = parseDebianTrackerJson('{"a":{"CVE-1-2":{"releases":{"sid":{"status":"open"}}}}}');
    let last = await gen.next();
    while (!last.done) last = await gen.next();
    expect(last.value).toMatchObject({ packages: 1, issues: 1, records: 1, affected: 1 });
  });

  it.each([
    ['truncated', '{"bash":{"CVE-2022-3715":{"releases":{'],
    ['not JSON', '<html>502 Bad Gateway</html>'],
    ['top level array', '[{"bash":{}}]'],
    ['empty', ''],
  ])('throws ParseError when the document is %s', async (_label, text) => {
    const run = async () => {
      for await (const _ of parseDebianTrackerJson(text, { where: 'mirror/debian/json' })) {
        // drain
      }
    };
    await expect(run()).rejects.toBeInstanceOf(ParseError);
    await expect(run()).rejects.toMatchObject({ code: 'BULWARK_E_PARSE', path: 'mirror/debian/json' });
  });

  it('an empty object yields nothing', async () => {
    const { records, skipped, stats } = await parseDebianTrackerJsonAll('{}');
    expect(records).toEqual([]);
    expect(skipped).toEqual([]);
    expect(stats.packages).toBe(0);
  });
});

describe('convertTrackerPackage', () => {
  it('rejects package names with whitespace', () => {
    const stats = emptyDebianTrackerStats();
    const { records, skipped } = convertTrackerPackage('bad name', {}, 'w', stats);
    expect(records).toEqual([]);
    expect(skipped[0]?.reason).toMatch(/invalid source package name/);
  });
});

// The six synthetic advisories of `make-test-images.sh`, when another engineer (or CI) has built them.
// Not copied into the repository: read in place, and skipped when absent.
const IMAGES = process.env.BULWARK_TEST_IMAGES ?? '/tmp/bulwark-images';
const MIRROR_JSON = path.join(IMAGES, 'mirror/debian/json');
const EXPECTED = path.join(IMAGES, 'expected/advisories.json');

describe.skipIf(!fs.existsSync(MIRROR_JSON) || !fs.existsSync(EXPECTED))('make-test-images synthetic advisories', () => {
  it('parses every advisory as expected/advisories.json describes it', async () => {
    const expected = JSON.parse(fs.readFileSync(EXPECTED, 'utf8')) as {
      distro: string;
      advisories: { source: string; id: string; fixed: string; severity: string }[];
    };
    const { records, skipped } = await parseDebianTrackerJsonAll(fs.createReadStream(MIRROR_JSON));
    expect(skipped).toEqual([]);
    expect(records).toHaveLength(expected.advisories.length);
    // The script writes CRITICAL as tracker urgency "high" (the tracker has no "critical"), so it comes back HIGH.
    const urgencyRoundTrip: Record<string, string> = { CRITICAL: 'HIGH', HIGH: 'HIGH', MEDIUM: 'MEDIUM', LOW: 'LOW' };
    for (const adv of expected.advisories) {
      const r = find(records, adv.id, adv.source);
      expect(r.affected).toHaveLength(1);
      const a = r.affected[0];
      expect(a?.ecosystem).toBe('Debian:12');
      expect(a?.severity?.severity).toBe(urgencyRoundTrip[adv.severity]);
      if (adv.fixed) {
        expect(a?.fixState).toBe('fixed');
        expect(a?.ranges).toEqual([{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: adv.fixed }] }]);
      } else {
        expect(a?.fixState).toBe('not-fixed');
        expect(a?.ranges).toEqual([{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }]);
      }
      expect(r.summary).toContain(adv.id);
    }
  });
});
