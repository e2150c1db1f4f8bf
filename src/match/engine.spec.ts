import { describe, expect, it } from 'vitest';
import type { AdvisoryRecord, AffectedPackage, CveRecord, SeverityAssessment } from '../core/advisory.js';
import type { Package } from '../core/package.js';
import { MemoryAdvisoryReader } from '../advisory/memory-reader.js';
import { matchPackages } from './engine.js';

// Small builders: each case states only what it is about.
function pkg(ecosystem: string, name: string, version: string, extra: Partial<Package> = {}): Package {
  return { ecosystem, name, version, purl: `pkg:generic/${name}@${version}`, locations: [{ path: 'lockfile' }], foundBy: 'test', ...extra };
}
function range(...events: Record<string, string>[]): AffectedPackage['ranges'][number] {
  return { type: 'ECOSYSTEM', events };
}
function affected(ecosystem: string, name: string, ranges: AffectedPackage['ranges'], extra: Partial<AffectedPackage> = {}): AffectedPackage {
  return { ecosystem, name, ranges, versions: [], ...extra };
}
function adv(id: string, aff: AffectedPackage[], extra: Partial<AdvisoryRecord> = {}): AdvisoryRecord {
  return { id, aliases: [], related: [], severities: [], references: [], affected: aff, ...extra };
}
const cvss31 = (vector: string, score: number, severity: SeverityAssessment['severity'], source: string): SeverityAssessment => ({
  type: 'CVSS_V3',
  severity,
  score,
  vector,
  source,
});
const V_CRIT = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N';
const V_MED = 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N';
function nvd(id: string, metrics: CveRecord['metrics']): CveRecord {
  return { id, metrics, weaknesses: [] };
}

const fixed = (v: string): AffectedPackage['ranges'] => [range({ introduced: '0' }, { fixed: v })];

interface Case {
  name: string;
  feeds: Record<string, AdvisoryRecord[]>;
  cves?: CveRecord[];
  packages: Package[];
  /** Findings, as the fields the case is about. */
  findings: Record<string, unknown>[];
  unknowns?: { kind: string; message: RegExp }[];
}

const cases: Case[] = [
  {
    name: 'advisories that alias each other merge into one finding under the preferred id',
    feeds: {
      'osv/Go': [adv('GO-2024-3321', [affected('Go', 'golang.org/x/crypto', fixed('0.31.0'))], { aliases: ['CVE-2024-45337', 'GHSA-v778-237x-gjrc'] })],
      'osv/ghsa': [adv('GHSA-v778-237x-gjrc', [affected('Go', 'golang.org/x/crypto', fixed('0.31.0'))], { aliases: ['CVE-2024-45337'] })],
    },
    packages: [pkg('Go', 'golang.org/x/crypto', 'v0.30.0')],
    findings: [
      {
        id: 'GHSA-v778-237x-gjrc',
        aliases: ['CVE-2024-45337', 'GO-2024-3321'],
        advisories: [
          { id: 'GHSA-v778-237x-gjrc', feed: 'osv/ghsa' },
          { id: 'GO-2024-3321', feed: 'osv/Go' },
        ],
        fixedVersion: '0.31.0',
      },
    ],
  },
  {
    // Listed versions: CocoaPods has no version ordering of its own here (ranges stay undecided, see below).
    name: 'a CocoaPods subspec is looked up under its pod: advisories name the pod',
    feeds: {
      'osv/ghsa': [adv('GHSA-pods-0000-0001', [affected('CocoaPods', 'AppCenter', [], { versions: ['4.2.0'] })])],
    },
    packages: [
      pkg('CocoaPods', 'AppCenter/Analytics', '4.2.0'),
      pkg('CocoaPods', 'AppCenter/Core', '4.3.0'),
      pkg('CocoaPods', 'AppCenterX/Core', '4.2.0'),
    ],
    findings: [{ id: 'GHSA-pods-0000-0001', package: { name: 'AppCenter/Analytics', version: '4.2.0' } }],
    // 4.3.0 is not listed and has no ordering to place it: undecided, never silently clean. AppCenterX is not asked.
    unknowns: [{ kind: 'unparseable-version', message: /CocoaPods AppCenter\/Core 4\.3\.0: could not decide 1 advisory/ }],
  },
  {
    name: 'a withdrawn advisory is dropped',
    feeds: {
      'osv/npm': [
        adv('MAL-2024-1', [affected('npm', 'evil', fixed('9.9.9'))], { withdrawn: '2024-02-01T00:00:00Z' }),
        adv('GHSA-aaaa-bbbb-cccc', [affected('npm', 'evil', fixed('1.1.0'))]),
      ],
    },
    packages: [pkg('npm', 'evil', '1.0.0')],
    findings: [{ id: 'GHSA-aaaa-bbbb-cccc', fixedVersion: '1.1.0' }],
  },
  {
    name: 'the fix is the one of the range the version is in (several ranges of one advisory)',
    feeds: {
      'osv/npm': [
        adv('GHSA-1111-2222-3333', [
          affected('npm', 'lib', [range({ introduced: '1.0.0' }, { fixed: '1.5.0' }), range({ introduced: '2.0.0' }, { fixed: '2.3.0' })]),
        ]),
      ],
    },
    packages: [pkg('npm', 'lib', '2.1.0'), pkg('npm', 'lib', '1.2.0'), pkg('npm', 'lib', '1.6.0')],
    findings: [
      { id: 'GHSA-1111-2222-3333', package: expect.objectContaining({ version: '1.2.0' }), fixedVersion: '1.5.0', fixState: 'fixed' },
      { id: 'GHSA-1111-2222-3333', package: expect.objectContaining({ version: '2.1.0' }), fixedVersion: '2.3.0', fixState: 'fixed' },
    ],
  },
  {
    name: 'merged advisories: the fix must satisfy all of them (the highest of their fixes)',
    feeds: {
      'osv/PyPI': [adv('PYSEC-2023-1', [affected('PyPI', 'flask', fixed('2.2.5'))], { aliases: ['CVE-2023-30861'] })],
      'osv/ghsa': [adv('GHSA-m2qf-hxjv-5gpq', [affected('PyPI', 'flask', fixed('2.3.2'))], { aliases: ['CVE-2023-30861'] })],
    },
    packages: [pkg('PyPI', 'flask', '2.2.0')],
    findings: [{ id: 'GHSA-m2qf-hxjv-5gpq', fixedVersion: '2.3.2' }],
  },
  {
    name: 'severity: the advisory’s own CVSS comes first, even where NVD says more',
    feeds: { 'osv/npm': [adv('GHSA-own', [affected('npm', 'a', fixed('2.0.0'))], { aliases: ['CVE-2020-0001'], severities: [cvss31(V_MED, 4.8, 'MEDIUM', 'osv:npm')] })] },
    cves: [nvd('CVE-2020-0001', [{ version: '3.1', source: 'nvd@nist.gov', type: 'Primary', vector: V_CRIT, score: 9.1, severity: 'CRITICAL' }])],
    packages: [pkg('npm', 'a', '1.0.0')],
    findings: [{ severity: 'MEDIUM', severitySource: 'CVSS_V3 (osv:npm)', cvss: { score: 4.8, vector: V_MED } }],
  },
  {
    name: 'severity: a rating carried by an alias record (a PYSEC’s GHSA) when the advisory has none',
    feeds: {
      'osv/PyPI': [adv('PYSEC-2022-42', [affected('PyPI', 'b', fixed('2.0'))], { aliases: ['GHSA-xxxx-yyyy-zzzz', 'CVE-2022-0002'] })],
      // The GHSA record is in another ecosystem's export: it names no PyPI package, but it rates the vulnerability.
      'osv/npm': [adv('GHSA-xxxx-yyyy-zzzz', [affected('npm', 'other', fixed('1.0.0'))], { severities: [{ type: 'GHSA', severity: 'HIGH', source: 'osv:npm' }] })],
    },
    cves: [nvd('CVE-2022-0002', [{ version: '3.1', source: 'nvd@nist.gov', type: 'Primary', vector: V_MED, score: 5.3, severity: 'MEDIUM' }])],
    packages: [pkg('PyPI', 'b', '1.0')],
    findings: [{ id: 'PYSEC-2022-42', severity: 'HIGH', severitySource: 'GHSA (osv:npm) via alias GHSA-xxxx-yyyy-zzzz' }],
  },
  {
    name: 'severity: NVD via the CVE alias, NVD’s Primary metric before a CNA’s Secondary one',
    feeds: { 'osv/Go': [adv('GO-2099-0001', [affected('Go', 'example.com/m', fixed('1.2.0'))], { aliases: ['CVE-2099-0001'] })] },
    cves: [
      nvd('CVE-2099-0001', [
        { version: '3.1', source: 'cna@example.com', type: 'Secondary', vector: V_CRIT, score: 9.1, severity: 'CRITICAL' },
        { version: '3.1', source: 'nvd@nist.gov', type: 'Primary', vector: V_MED, score: 4.8, severity: 'MEDIUM' },
      ]),
    ],
    packages: [pkg('Go', 'example.com/m', 'v1.0.0')],
    findings: [{ severity: 'MEDIUM', severitySource: 'NVD CVSS_V3.1 Primary (nvd@nist.gov) via CVE-2099-0001', cvss: { score: 4.8, vector: V_MED } }],
  },
  {
    name: 'severity: NVD’s Secondary metric when it has no Primary one; v4.0 when it is the only version',
    feeds: {
      'osv/Go': [
        adv('GO-2099-0002', [affected('Go', 'example.com/n', fixed('1.2.0'))], { aliases: ['CVE-2099-0002'] }),
        adv('GO-2099-0003', [affected('Go', 'example.com/n', fixed('1.3.0'))], { aliases: ['CVE-2099-0003'] }),
      ],
    },
    cves: [
      nvd('CVE-2099-0002', [{ version: '3.1', source: 'cna@example.com', type: 'Secondary', vector: V_CRIT, score: 9.1, severity: 'CRITICAL' }]),
      nvd('CVE-2099-0003', [{ version: '4.0', source: 'cna@example.com', type: 'Secondary', vector: 'CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:N/VC:H/VI:N/VA:H/SC:H/SI:H/SA:H', score: 7.4, severity: 'HIGH' }]),
    ],
    packages: [pkg('Go', 'example.com/n', 'v1.0.0')],
    findings: [
      { id: 'GO-2099-0002', severity: 'CRITICAL', severitySource: 'NVD CVSS_V3.1 Secondary (cna@example.com) via CVE-2099-0002' },
      { id: 'GO-2099-0003', severity: 'HIGH', severitySource: 'NVD CVSS_V4 Secondary (cna@example.com) via CVE-2099-0003' },
    ],
  },
  {
    name: 'severity: UNKNOWN with no source when nothing in the chain rates it (NVD record without metrics)',
    feeds: { 'osv/Go': [adv('GO-2099-0004', [affected('Go', 'example.com/o', fixed('1.2.0'))], { aliases: ['CVE-2099-0004'] })] },
    cves: [nvd('CVE-2099-0004', [])],
    packages: [pkg('Go', 'example.com/o', 'v1.0.0')],
    findings: [{ severity: 'UNKNOWN', severitySource: null, cvss: null }],
  },
  {
    name: 'Debian: NVD severity where the tracker has none, its urgency kept beside it; matched by the source package',
    feeds: {
      'debian/tracker': [
        adv('CVE-2023-0001', [affected('Debian:12', 'openssl', fixed('3.0.9-1'), { severity: { type: 'DISTRO', severity: 'LOW', source: 'debian-tracker' } })]),
      ],
    },
    cves: [nvd('CVE-2023-0001', [{ version: '3.1', source: 'nvd@nist.gov', type: 'Primary', vector: V_CRIT, score: 9.1, severity: 'CRITICAL' }])],
    packages: [pkg('Debian:12', 'libssl3', '3.0.8-1', { source: { name: 'openssl', version: '3.0.8-1' } })],
    findings: [
      {
        id: 'CVE-2023-0001',
        package: expect.objectContaining({ name: 'libssl3', source: { name: 'openssl', version: '3.0.8-1' } }),
        severity: 'CRITICAL',
        severitySource: 'NVD CVSS_V3.1 Primary (nvd@nist.gov) via CVE-2023-0001',
        urgency: { severity: 'LOW', source: 'DISTRO (debian-tracker)' },
        fixedVersion: '3.0.9-1',
      },
    ],
  },
  {
    name: 'Debian: the distro urgency when NVD has nothing for the CVE',
    feeds: {
      'debian/tracker': [
        adv('CVE-2023-0002', [affected('Debian:12', 'curl', fixed('7.88.1-10+deb12u1'), { severity: { type: 'DISTRO', severity: 'MEDIUM', source: 'debian-tracker' } })]),
      ],
    },
    packages: [pkg('Debian:12', 'curl', '7.88.1-10', { source: { name: 'curl' } })],
    findings: [{ severity: 'MEDIUM', severitySource: 'DISTRO (debian-tracker)', urgency: { severity: 'MEDIUM', source: 'DISTRO (debian-tracker)' } }],
  },
  {
    name: 'a version the scheme cannot read is an unknown, not clean',
    feeds: { 'osv/npm': [adv('GHSA-vers-ion0-0000', [affected('npm', 'c', fixed('2.0.0'))])] },
    packages: [pkg('npm', 'c', 'not a version')],
    findings: [],
    unknowns: [{ kind: 'unparseable-version', message: /npm c not a version: could not decide 1 advisory/ }],
  },
  {
    name: 'an ecosystem the database has no data for is an unknown, and a distro-less OS package too',
    feeds: { 'osv/npm': [adv('GHSA-aaaa-0000-0000', [affected('npm', 'd', fixed('2.0.0'))])] },
    packages: [pkg('crates.io', 'serde', '1.0.0'), pkg('deb', 'bash', '5.2')],
    findings: [],
    unknowns: [
      { kind: 'os-not-covered', message: /deb package bash 5.2/ },
      { kind: 'no-advisory-data', message: /no advisories for crates.io in the database: 1 package/ },
    ],
  },
];

describe('matchPackages', () => {
  it.each(cases)('$name', (c) => {
    const db = new MemoryAdvisoryReader({ feeds: c.feeds, cves: c.cves ?? [] });
    const result = matchPackages(c.packages, db);
    const byVersion = [...result.findings].sort((a, b) => a.package.version.localeCompare(b.package.version) || a.id.localeCompare(b.id));
    expect(byVersion).toHaveLength(c.findings.length);
    byVersion.forEach((f, i) => expect(f).toMatchObject(c.findings[i]!));
    expect(result.unknowns.map((u) => u.kind)).toEqual((c.unknowns ?? []).map((u) => u.kind));
    result.unknowns.forEach((u, i) => expect(u.message).toMatch(c.unknowns![i]!.message));
  });

  it('reports no urgency and no distro step for language packages', () => {
    const db = new MemoryAdvisoryReader({ feeds: { 'osv/npm': [adv('GHSA-e', [affected('npm', 'e', fixed('2.0.0'))])] } });
    const [f] = matchPackages([pkg('npm', 'e', '1.0.0')], db).findings;
    expect(f).toBeDefined();
    expect(f!.urgency).toBeUndefined();
    expect(f!.severity).toBe('UNKNOWN');
  });
});
