import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BulwarkError } from '../../src/core/errors.js';
import type { ImportFormat } from '../../src/import/index.js';
import { IMPORT_FORMATS, importReport } from '../../src/import/index.js';
import { REPO_ROOT } from '../support/shared.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const fixture = (rel: string): Uint8Array => fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/import', rel));

function refusal(bytes: Uint8Array, opts: { filename: string; format?: ImportFormat }): BulwarkError {
  try {
    importReport(bytes, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(BulwarkError);
    return e as BulwarkError;
  }
  throw new Error(`${opts.filename} was imported`);
}

describe('importReport refuses what is not a report, naming the file and the problem', () => {
  const cases: [string, string | Uint8Array, RegExp][] = [
    ['empty.json', '', /the file is empty/],
    ['blank.json', ' \n\t\n', /the file is empty/],
    ['truncated.json', '{"SchemaVersion": 2, "Results": [', /invalid JSON/],
    ['garbage.json', 'hello world', /invalid JSON/],
    ['latin1.json', new Uint8Array([0x7b, 0x22, 0xe9, 0x22, 0x7d]), /not UTF-8/],
    ['number.json', '42', /shape of none of the supported formats/],
    ['string.json', '"trivy"', /shape of none/],
    ['empty-array.json', '[]', /an empty JSON array/],
    ['empty-object.json', '{}', /an empty JSON object/],
    ['other.json', '{"name": "my-app", "version": "1.0.0", "dependencies": {}}', /shape of none/],
    ['package-lock.json', '{"name":"x","lockfileVersion":3,"packages":{"":{"name":"x"}}}', /shape of none/],
    ['sarif.json', '{"version":"2.1.0","$schema":"https://json.schemastore.org/sarif-2.1.0.json","runs":[]}', /SARIF/],
    ['spdx.json', '{"spdxVersion":"SPDX-2.3","packages":[]}', /SPDX SBOM/],
    ['sbom.cdx.json', '{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"name":"a","version":"1","purl":"pkg:npm/a@1"}]}', /no vulnerabilities list; it is an SBOM/],
    ['trivy-v3.json', '{"SchemaVersion": 3, "ArtifactName": "x", "Results": []}', /schema version 3 is not supported/],
    ['audit-v1.json', '{"auditReportVersion": 1, "vulnerabilities": {}}', /version 1 is not supported/],
    ['pom.xml', '<?xml version="1.0"?><project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion></project>', /Maven POM/],
    ['junit.xml', '<?xml version="1.0"?><testsuites><testsuite name="x"/></testsuites>', /JUnit/],
    ['broken.xml', '<?xml version="1.0"?><analysis xmlns="https://jeremylong.github.io/DependencyCheck/dependency-check.2.5.xsd"><dependencies>', /invalid XML/],
    ['other-ns.xml', '<?xml version="1.0"?><analysis xmlns="urn:example:dependency-check-lookalike:other"><x/></analysis>', /namespace urn:example/],
    ['no-children.xml', '<?xml version="1.0"?><analysis><!-- dependency-check --><x/></analysis>', /none of scanInfo/],
    ['stream.json', '{"a":1}{"b":2}', /shape of none/],
    ['gl-sast-report.json', '{"version":"15.0.7","scan":{"type":"sast","scanner":{"id":"semgrep"}},"vulnerabilities":[{"id":"x","identifiers":[{"type":"cwe","value":"79"}],"location":{"file":"a.js"}}]}', /GitLab sast report; Bulwark imports GitLab dependency-scanning and container-scanning reports only/],
  ];
  it.each(cases)('%s', (filename, content, message) => {
    const e = refusal(typeof content === 'string' ? enc(content) : content, { filename });
    expect(e.code).toBe('BULWARK_E_PARSE');
    expect(e.message).toContain(filename);
    expect(e.message).toMatch(message);
  });

  it('a forced format must match the content', () => {
    const trivy = fixture('trivy/all_statuses.json');
    for (const format of IMPORT_FORMATS.filter((f) => f !== 'trivy')) {
      const e = refusal(trivy, { filename: 'all_statuses.json', format });
      expect(e.message).toContain(`all_statuses.json: not a ${format} report`);
      expect(e.hint).toContain('detected: trivy');
    }
  });

  it('an empty file is an empty osv-scanner report only when that format is named', () => {
    expect(refusal(enc(''), { filename: 'osv.json' }).message).toMatch(/empty/);
    expect(refusal(enc(''), { filename: 'gv.json', format: 'govulncheck' }).message).toMatch(/empty/);
    const r = importReport(enc(''), { filename: 'osv.json', format: 'osv-scanner' });
    expect(r.findings).toEqual([]);
    expect(r.tool.importedFrom).toMatchObject({ format: 'osv-scanner', file: 'osv.json' });
  });

  it('a report larger than the limit is refused before parsing', async () => {
    const { MAX_REPORT_BYTES } = await import('../../src/import/decode.js');
    const big = new Uint8Array(MAX_REPORT_BYTES + 1);
    expect(refusal(big, { filename: 'huge.json' }).message).toMatch(/the limit is/);
  });
});

describe('importReport is tolerant of the quirks of real reports', () => {
  it('keeps entries without an id out, and says so in errors', () => {
    const r = importReport(fixture('trivy/legacy_trivy_mix.json'), { filename: 'legacy_trivy_mix.json' });
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ path: 'legacy_trivy_mix.json', code: 'IMPORT_ENTRY_INCOMPLETE' });
    expect(r.errors[0]!.message).toMatch(/simplito\/elliptic-php.*no VulnerabilityID/);
  });

  it('cuts versions at a NUL byte (Grype copies C strings) and builds a clean purl', () => {
    const r = importReport(fixture('anchore_grype/fix_available.json'), { filename: 'fix_available.json' });
    expect(r.findings[0]!.package.version).toBe('17.0.10+7');
    expect(r.findings[0]!.package.purl).not.toContain('\u0000');
    expect(r.findings[0]!.fixedVersion).toBe('1.2.3');
  });

  it('reads null lists as empty (legacy Trivy with nothing found is the 4 bytes "null")', () => {
    const r = importReport(fixture('trivy/legacy_no_vuln.json'), { filename: 'legacy_no_vuln.json' });
    expect(r.findings).toEqual([]);
    expect(r.tool.importedFrom.format).toBe('trivy');
  });

  it('merges a vulnerability reported for two workloads of a cluster into one finding with both locations', () => {
    const r = importReport(fixture('trivy/kubernetes_fabricated_internal_duplicates_subset.json'), { filename: 'k8s.json' });
    const keys = r.findings.map((f) => `${f.id} ${f.package.name} ${f.package.version}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(r.unknowns.some((u) => /misconfiguration/.test(u.message))).toBe(true);
  });

  it('records the importing tool, its version, the severity source, aliases and the OS ecosystem', () => {
    const r = importReport(fixture('anchore_grype/many_vulns4.json'), { filename: 'grype.json' });
    expect(r.tool).toMatchObject({ name: 'bulwark', importedFrom: { format: 'grype', scanner: 'grype', scannerVersion: '0.24.0', file: 'grype.json' } });
    const f = r.findings.find((x) => x.severitySource !== null)!;
    expect(f.severitySource).toMatch(/^(TOOL|CVSS_V\d) \(grype\//);
    expect(f.advisories).toEqual([{ id: f.id, feed: 'import/grype' }]);
    const t = importReport(fixture('trivy/all_statuses.json'), { filename: 't.json' });
    expect(t.findings.every((x) => x.package.ecosystem === 'Debian:10')).toBe(true);
    expect(t.findings.find((x) => x.id === 'CVE-2011-3374')!.severitySource).toBe('TOOL (trivy/debian)');
    expect(t.findings.filter((x) => x.suppressed).map((x) => x.suppressed!.reason)).toEqual(['Trivy status not_affected']);
    expect(t.findings.some((x) => x.fixState === 'wont-fix')).toBe(true);
    // OS packages get the release of the report's distro, also when the scanner's purl leaves it out.
    const grype = importReport(fixture('anchore_grype/many_vulns3.trimmed.json'), { filename: 'g.json' });
    expect(grype.findings.every((x) => x.package.ecosystem === 'Debian:10' && x.package.purl.includes('distro=debian-10'))).toBe(true);
    const gl = importReport(fixture('gitlab_container_scan/gl-container-scanning-report-5-vuln_v15.json'), { filename: 'gl.json' });
    expect(new Set(gl.findings.map((x) => x.package.ecosystem))).toEqual(new Set(['Debian:10']));
    const osv = importReport(fixture('osv_scanner/some_findings.json'), { filename: 'o.json' });
    expect(osv.findings[0]!.aliases).toContain('GHSA-8348-2q94-ffjx');
  });

  it('imports Dependency-Check suppressions as suppressed findings and related dependencies as locations', () => {
    const r = importReport(fixture('dependency_check_json/yargs-parser.json'), { filename: 'dc.json' });
    expect(r.tool.importedFrom).toMatchObject({ format: 'dependency-check-json', scannerVersion: '6.5.3' });
    const log4j = r.findings.find((f) => f.id === 'CVE-2020-9488')!;
    expect(log4j).toMatchObject({ severity: 'LOW', fixedVersion: '2.13.2', suppressed: { by: 'dependency-check' } });
    expect(log4j.package).toMatchObject({ ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-api', version: '2.12.4' });
    const yargs = r.findings.find((f) => f.id === 'CVE-2020-7608')!;
    expect(yargs).toMatchObject({ severity: 'HIGH', fixedVersion: '13.1.2' });
    expect(yargs.locations).toHaveLength(2);
  });
});
