import { describe, expect, it } from 'vitest';
import type { Finding } from '../core/report.js';
import { advisoryUrl, compareFindings, cveOf, digestOf, escapeHtml, escapeXml, findingSummary, primaryLocation, uuidOf } from './common.js';

function finding(over: Partial<Finding> & { name?: string }): Finding {
  const { name = 'lodash', ...rest } = over;
  return {
    id: 'GHSA-aaaa-bbbb-cccc',
    aliases: [],
    package: { ecosystem: 'npm', name, version: '1.0.0', purl: `pkg:npm/${name}@1.0.0`, dev: false },
    severity: 'HIGH',
    severitySource: null,
    cvss: null,
    fixedVersion: '1.0.1',
    fixState: 'fixed',
    title: null,
    references: [],
    why: '',
    advisories: [],
    locations: [],
    ...rest,
  };
}

describe('compareFindings: worst first, then CVSS score, id, purl', () => {
  it.each([
    ['severity', finding({ severity: 'CRITICAL' }), finding({ severity: 'HIGH' })],
    ['UNKNOWN last', finding({ severity: 'LOW' }), finding({ severity: 'UNKNOWN' })],
    ['score within a severity', finding({ cvss: { score: 8.8, vector: 'v' } }), finding({ cvss: { score: 7.5, vector: 'v' } })],
    ['a score before none', finding({ cvss: { score: 7.0, vector: 'v' } }), finding({ cvss: null })],
    ['id', finding({ id: 'CVE-2020-1' }), finding({ id: 'GHSA-2' })],
    ['purl', finding({ name: 'a' }), finding({ name: 'b' })],
  ])('%s', (_what, first, second) => {
    expect(compareFindings(first, second)).toBeLessThan(0);
    expect(compareFindings(second, first)).toBeGreaterThan(0);
    expect(compareFindings(first, first)).toBe(0);
  });
});

describe('advisoryUrl', () => {
  it.each([
    ['CVE-2021-23337', 'https://nvd.nist.gov/vuln/detail/CVE-2021-23337'],
    ['GHSA-35jh-r3h4-6jhm', 'https://github.com/advisories/GHSA-35jh-r3h4-6jhm'],
    ['GO-2021-0113', 'https://osv.dev/vulnerability/GO-2021-0113'],
    ['PYSEC-2023-221', 'https://osv.dev/vulnerability/PYSEC-2023-221'],
    ['RUSTSEC-2019-0009', 'https://osv.dev/vulnerability/RUSTSEC-2019-0009'],
    ['DSA-5000-1', undefined],
  ])('%s → %s', (id, url) => {
    expect(advisoryUrl(id)).toBe(url);
  });

  it('an id without a well-known page takes the advisory reference, else the first web link', () => {
    const refs = [
      { type: 'PACKAGE', url: 'https://example.org/pkg' },
      { type: 'ADVISORY', url: 'https://security-tracker.debian.org/tracker/DSA-5000-1' },
    ];
    expect(advisoryUrl('DSA-5000-1', finding({ references: refs }))).toBe('https://security-tracker.debian.org/tracker/DSA-5000-1');
    expect(advisoryUrl('DSA-5000-1', finding({ references: [refs[0]!, { type: 'WEB', url: 'ftp://x' }] }))).toBe('https://example.org/pkg');
  });
});

describe('cveOf', () => {
  it.each([
    [finding({ id: 'CVE-2020-8203' }), 'CVE-2020-8203'],
    [finding({ aliases: ['GHSA-x', 'CVE-2019-10744'] }), 'CVE-2019-10744'],
    [finding({ aliases: ['PYSEC-1'] }), undefined],
  ])('%#', (f, cve) => {
    expect(cveOf(f)).toBe(cve);
  });
});

describe('escaping', () => {
  it.each([
    ['<a href="x">&\'</a>', '&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;'],
    ['tab\tand\nnewline kept, \u0000\u0007\u001f control characters dropped', 'tab\tand\nnewline kept,  control characters dropped'],
  ])('escapeXml %j', (input, out) => {
    expect(escapeXml(input)).toBe(out);
  });

  it('escapeHtml', () => {
    expect(escapeHtml(`<script>alert('x' & "y")</script>`)).toBe('&lt;script&gt;alert(&#39;x&#39; &amp; &quot;y&quot;)&lt;/script&gt;');
  });
});

describe('stable ids', () => {
  it('digestOf separates its parts (no ambiguity between ab|c and a|bc)', () => {
    expect(digestOf('ab', 'c')).not.toBe(digestOf('a', 'bc'));
    expect(digestOf('a', 'b')).toBe(digestOf('a', 'b'));
  });

  it.each([['x'], ['GHSA-1', 'pkg:npm/a@1'], ['', '']])('uuidOf(%j…) is a version-5-shaped UUID, the same each time', (...parts) => {
    const id = uuidOf(...parts);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidOf(...parts)).toBe(id);
  });
});

describe('primaryLocation: the manifest rather than an installed copy', () => {
  it.each([
    [[{ path: 'node_modules/a/package.json' }, { path: 'package-lock.json', line: 3 }], 'package-lock.json'],
    [[{ path: 'lib/site-packages/a.dist-info/METADATA' }], 'lib/site-packages/a.dist-info/METADATA'],
    [[{ path: 'vendor/composer/installed.json' }, { path: 'composer.lock' }], 'composer.lock'],
    [[], undefined],
  ])('%j → %s', (locations, want) => {
    expect(primaryLocation(finding({ locations }))?.path).toBe(want);
  });
});

describe('findingSummary', () => {
  it.each([
    [finding({}), 'lodash 1.0.0 is vulnerable to GHSA-aaaa-bbbb-cccc (HIGH, fixed in 1.0.1)'],
    [finding({ fixedVersion: null, fixState: 'wont-fix', title: 'ReDoS' }), "lodash 1.0.0 is vulnerable to GHSA-aaaa-bbbb-cccc: ReDoS (HIGH, won't be fixed)"],
    [finding({ fixedVersion: null, fixState: 'not-fixed' }), 'lodash 1.0.0 is vulnerable to GHSA-aaaa-bbbb-cccc (HIGH, no fix yet)'],
  ])('%#', (f, text) => {
    expect(findingSummary(f)).toBe(text);
  });
});
