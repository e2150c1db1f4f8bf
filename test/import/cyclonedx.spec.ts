import { describe, expect, it } from 'vitest';
import { importReport } from '../../src/import/index.js';

/**
 * CycloneDX vulnerability features Bulwark's own output does not use (the round trip in roundtrip.spec.ts
 * covers that one): nested components, a VEX statement on the metadata component, several ratings,
 * `affects[].versions` with an unaffected (fixed) version, analysis states. Written from the CycloneDX 1.5
 * specification's vulnerability fields; no scanner sample with these was available.
 */
const doc = {
  bomFormat: 'CycloneDX',
  specVersion: '1.5',
  version: 1,
  metadata: {
    timestamp: '2024-05-01T10:00:00Z',
    tools: { components: [{ type: 'application', name: 'example-scanner', version: '2.1.0' }] },
    component: { type: 'application', name: 'shop', version: '4.2', 'bom-ref': 'product-shop' },
  },
  components: [
    {
      type: 'library',
      name: 'spring-web',
      group: 'org.springframework',
      version: '5.3.17',
      purl: 'pkg:maven/org.springframework/spring-web@5.3.17',
      'bom-ref': 'pkg:maven/org.springframework/spring-web@5.3.17',
      components: [{ type: 'library', name: 'jackson-databind', version: '2.13.1', purl: 'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.1', 'bom-ref': 'jd' }],
    },
  ],
  vulnerabilities: [
    {
      id: 'CVE-2022-22965',
      source: { name: 'NVD', url: 'https://nvd.nist.gov/vuln/detail/CVE-2022-22965' },
      references: [{ id: 'GHSA-36p3-wjmg-h94x', source: { name: 'GitHub' } }],
      ratings: [
        { source: { name: 'vendor' }, severity: 'high' },
        { source: { name: 'NVD' }, score: 9.8, severity: 'critical', method: 'CVSSv31', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
      ],
      description: 'Spring4Shell',
      affects: [{ ref: 'pkg:maven/org.springframework/spring-web@5.3.17', versions: [{ version: '5.3.17', status: 'affected' }, { version: '5.3.18', status: 'unaffected' }] }],
    },
    {
      id: 'CVE-2022-42003',
      ratings: [{ severity: 'high' }],
      analysis: { state: 'not_affected', justification: 'code_not_reachable', detail: 'UNWRAP_SINGLE_VALUE_ARRAYS is off' },
      affects: [{ ref: 'jd' }],
    },
    { id: 'CVE-2020-11896', ratings: [{ score: 0.0, severity: 'none', method: 'CVSSv31' }], analysis: { state: 'not_affected' }, affects: [{ ref: 'product-shop' }] },
    { id: 'CVE-2099-0001', affects: [{ ref: 'missing-ref' }] },
  ],
};

describe('CycloneDX with vulnerabilities', () => {
  const r = importReport(new TextEncoder().encode(JSON.stringify(doc)), { filename: 'shop.cdx.json' });

  it('resolves affects through bom-refs, nested components and the metadata component', () => {
    expect(r.tool.importedFrom).toEqual({ format: 'cyclonedx', scanner: 'example-scanner', scannerVersion: '2.1.0', file: 'shop.cdx.json' });
    expect(r.findings.map((f) => `${f.id} ${f.package.name} ${f.package.version}`).sort()).toEqual([
      'CVE-2020-11896 shop 4.2',
      'CVE-2022-22965 spring-web 5.3.17',
      'CVE-2022-42003 jackson-databind 2.13.1',
    ]);
    expect(r.errors.map((e) => e.message)).toEqual(['vulnerability CVE-2099-0001 affects missing-ref, which the document does not list; not imported']);
  });

  it('takes the CVSS rating first, the unaffected version as the fix, aliases from references, analyses as suppressions', () => {
    const spring = r.findings.find((f) => f.id === 'CVE-2022-22965')!;
    expect(spring).toMatchObject({ severity: 'CRITICAL', severitySource: 'TOOL (example-scanner/NVD)', fixedVersion: '5.3.18', aliases: ['GHSA-36p3-wjmg-h94x'], cvss: { score: 9.8 } });
    expect(spring.package).toMatchObject({ ecosystem: 'Maven', purl: 'pkg:maven/org.springframework/spring-web@5.3.17' });
    const jd = r.findings.find((f) => f.id === 'CVE-2022-42003')!;
    expect(jd.suppressed).toEqual({ by: 'example-scanner', reason: 'CycloneDX analysis: not_affected (UNWRAP_SINGLE_VALUE_ARRAYS is off)' });
    expect(r.findings.find((f) => f.id === 'CVE-2020-11896')!.severity).toBe('UNKNOWN');
    expect(r.createdAt).toBe('2024-05-01T10:00:00.000Z');
    expect(r.target).toEqual({ kind: 'sbom', name: 'shop' });
  });
});
