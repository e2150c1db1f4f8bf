import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import Ajv04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type { AnySchema, ValidateFunction } from 'ajv';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScanReport } from '../../src/core/report.js';
import { validateReport } from '../../src/report/schema.js';
import { renderGitlab } from '../../src/report/gitlab.js';
import { runCli, snapshotCache } from '../support/cli.js';
import { REPO_ROOT, hasShared } from '../support/shared.js';

/**
 * One real scan (test/fixtures/npm-project against the shared npm advisories), written in every
 * format from one run with repeated -o FORMAT=FILE, each validated against its official schema
 * (test/schemas/README.md says where each came from), all carrying the same findings.
 */
const SCHEMAS = path.join(REPO_ROOT, 'test/schemas');
const FIXTURE = path.join(REPO_ROOT, 'test/fixtures/npm-project');
const FORMATS = ['json', 'sarif', 'cyclonedx', 'spdx-json', 'junit', 'gitlab', 'html', 'markdown', 'table'] as const;

function schema(rel: string): AnySchema {
  return JSON.parse(fs.readFileSync(path.join(SCHEMAS, rel), 'utf8')) as AnySchema;
}

function errorsOf(validate: ValidateFunction, data: unknown): string[] {
  return validate(data) ? [] : (validate.errors ?? []).slice(0, 20).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

const withFormats = <T>(ajv: T): T => {
  (addFormats as unknown as (a: T) => void)(ajv);
  return ajv;
};

function sarifValidator(): ValidateFunction {
  const ajv = withFormats(new Ajv04.default({ allErrors: true, strict: false, unicodeRegExp: false, logger: false }));
  return ajv.compile(schema('sarif/sarif-2.1.0-rtm.5.json'));
}

function cycloneDxValidator(): ValidateFunction {
  const ajv = withFormats(new Ajv({ allErrors: true, strict: false, logger: false }));
  // The library's copies reference each other by these file names, relative to the bom schema's $id.
  for (const name of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json']) {
    ajv.addSchema({ ...(schema(`cyclonedx/${name}`) as object), $id: `http://cyclonedx.org/schema/${name}` });
  }
  return ajv.compile(schema('cyclonedx/bom-1.6.SNAPSHOT.schema.json'));
}

function spdxValidator(): ValidateFunction {
  return withFormats(new Ajv({ allErrors: true, strict: false, logger: false })).compile(schema('spdx/spdx-schema-2.3.json'));
}

function gitlabValidator(kind: 'dependency' | 'container'): ValidateFunction {
  const ajv = withFormats(new Ajv({ allErrors: true, strict: false, logger: false }));
  ajv.addSchema(schema('gitlab/security-report-format.json'), 'security-report-format.json');
  return ajv.compile(schema(`gitlab/${kind}-scanning-report-format.json`));
}

let cacheDir: string;
let outDir: string;
let report: ScanReport;
const out: Record<string, string> = {};
let stdout = '';
let exitCode: number | null = null;

/** "<id> <purl>" for each finding of the JSON report: what every format must carry. */
let expected: string[];

// The e2e layer: the advisory DB is built from ../shared/vulndata.
const SHARED = hasShared('test/e2e/report-formats.spec.ts', 'vulndata');

beforeAll(() => {
  if (!SHARED) return;
  cacheDir = snapshotCache(['npm']);
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-formats-'));
  const args = ['--cache-dir', cacheDir, 'scan', FIXTURE, '--offline', '--format', 'markdown'];
  for (const f of FORMATS) args.push('-o', `${f}=${path.join(outDir, `report.${f}`)}`);
  const r = runCli(args);
  exitCode = r.code;
  stdout = r.stdout;
  for (const f of FORMATS) out[f] = fs.readFileSync(path.join(outDir, `report.${f}`), 'utf8');
  report = JSON.parse(out.json!) as ScanReport;
  expected = report.findings.map((f) => `${f.id} ${f.package.purl}`).sort();
}, 180_000);

describe.skipIf(!SHARED)('one scan, every format', () => {
  it('scanned a real project with findings and failed the gate', () => {
    expect(exitCode).toBe(1);
    expect(report.findings.length).toBeGreaterThanOrEqual(20);
    expect(new Set(report.findings.map((f) => f.package.name)).size).toBeGreaterThan(10);
  });

  it('every -o FORMAT=FILE was written, and stdout was left out (markdown went to a file)', () => {
    for (const f of FORMATS) expect(out[f]!.length, f).toBeGreaterThan(100);
    expect(stdout).toBe('');
  });

  it('json: valid against schemas/report.schema.json', () => {
    expect(validateReport(report)).toEqual([]);
  });

  it('sarif: valid SARIF 2.1.0; one rule per vulnerability id, one result per finding at the lockfile line', () => {
    const sarif = JSON.parse(out.sarif!) as {
      version: string;
      runs: {
        tool: { driver: { rules: { id: string; properties: Record<string, unknown> }[] } };
        results: { ruleId: string; properties: { purl: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[] }[];
      }[];
    };
    expect(errorsOf(sarifValidator(), sarif)).toEqual([]);
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0]!;
    expect(run.results.map((r) => `${r.ruleId} ${r.properties.purl}`).sort()).toEqual(expected);
    const ids = [...new Set(report.findings.map((f) => f.id))].sort();
    expect(run.tool.driver.rules.map((r) => r.id).sort()).toEqual(ids);
    for (const rule of run.tool.driver.rules) expect(Number(rule.properties['security-severity'])).toBeGreaterThanOrEqual(0);
    for (const r of run.results) {
      const loc = r.locations[0]!.physicalLocation;
      expect(loc.artifactLocation.uri).toBe('package-lock.json');
      expect(loc.region?.startLine).toBeGreaterThan(1);
    }
  });

  it('cyclonedx: valid CycloneDX 1.6; components with purls and bom-refs, vulnerabilities affect them', () => {
    const bom = JSON.parse(out.cyclonedx!) as {
      specVersion: string;
      components: { 'bom-ref': string; purl: string }[];
      vulnerabilities: { id: string; affects: { ref: string }[]; ratings: { severity: string }[]; source: { name: string } }[];
    };
    expect(errorsOf(cycloneDxValidator(), bom)).toEqual([]);
    expect(bom.specVersion).toBe('1.6');
    expect(bom.components.length).toBe(report.packages.length);
    const refs = new Map(bom.components.map((c) => [c['bom-ref'], c.purl]));
    expect(bom.vulnerabilities.map((v) => `${v.id} ${refs.get(v.affects[0]!.ref)}`).sort()).toEqual(expected);
    for (const v of bom.vulnerabilities) {
      expect(v.ratings[0]!.severity).toMatch(/^(critical|high|medium|low|unknown)$/);
      expect(v.source.name).toMatch(/^osv\//);
    }
  });

  it('cyclonedx of one lockfile: its project (relationship root) is the metadata.component, not a component', () => {
    const file = path.join(outDir, 'lockfile.cdx.json');
    const r = runCli(['--cache-dir', cacheDir, 'scan', path.join(FIXTURE, 'package-lock.json'), '--offline', '--format', 'cyclonedx', '-o', `cyclonedx=${file}`]);
    expect(r.code, r.stderr).not.toBe(2);
    const bom = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      metadata: { component: { type: string; name: string; version: string; purl: string; 'bom-ref': string } };
      components: { purl: string; properties?: { name: string; value: string }[] }[];
    };
    expect(errorsOf(cycloneDxValidator(), bom)).toEqual([]);
    expect(bom.metadata.component).toMatchObject({ type: 'application', name: 'bulwark-fixture-shop', version: '1.0.0', purl: 'pkg:npm/bulwark-fixture-shop@1.0.0', 'bom-ref': 'pkg:npm/bulwark-fixture-shop@1.0.0' });
    expect(bom.components.map((c) => c.purl)).not.toContain('pkg:npm/bulwark-fixture-shop@1.0.0');
    expect(bom.components.length).toBe(report.packages.length - 1);
    // a directory scan keeps the target as metadata.component and the project as a component marked root
    const dirBom = JSON.parse(out.cyclonedx!) as typeof bom;
    expect(dirBom.metadata.component['bom-ref']).toBe('scan-target');
    expect(dirBom.components.find((c) => c.purl === 'pkg:npm/bulwark-fixture-shop@1.0.0')?.properties).toContainEqual({ name: 'bulwark:relationship', value: 'root' });
  });

  it('spdx-json: valid SPDX 2.3; every package with its purl and a DESCRIBES relationship (no findings: SPDX 2.3 has no place for them)', () => {
    const doc = JSON.parse(out['spdx-json']!) as {
      spdxVersion: string;
      comment: string;
      packages: { SPDXID: string; externalRefs?: { referenceType: string; referenceLocator: string }[] }[];
      relationships: { relationshipType: string; spdxElementId: string }[];
    };
    expect(errorsOf(spdxValidator(), doc)).toEqual([]);
    expect(doc.spdxVersion).toBe('SPDX-2.3');
    const purls = doc.packages.flatMap((p) => p.externalRefs ?? []).filter((r) => r.referenceType === 'purl').map((r) => r.referenceLocator);
    expect(purls.sort()).toEqual(report.packages.map((p) => p.purl).sort());
    expect(doc.relationships.filter((r) => r.relationshipType === 'DESCRIBES' && r.spdxElementId === 'SPDXRef-DOCUMENT')).toHaveLength(1);
    for (const f of report.findings) expect(purls).toContain(f.package.purl);
    expect(doc.comment).toMatch(/no place for vulnerabilities/);
  });

  it('gitlab: valid dependency-scanning report (15.0.x) with the same findings', () => {
    const gl = JSON.parse(out.gitlab!) as {
      version: string;
      scan: { type: string };
      vulnerabilities: { identifiers: { value: string }[]; location: { file: string; dependency: { package: { name: string }; version: string } } }[];
      dependency_files: { path: string; dependencies: unknown[] }[];
    };
    expect(errorsOf(gitlabValidator('dependency'), gl)).toEqual([]);
    expect(gl.scan.type).toBe('dependency_scanning');
    const byName = new Map(report.findings.map((f) => [`${f.id} ${f.package.name}@${f.package.version}`, `${f.id} ${f.package.purl}`]));
    expect(gl.vulnerabilities.map((v) => byName.get(`${v.identifiers[0]!.value} ${v.location.dependency.package.name}@${v.location.dependency.version}`)).sort()).toEqual(expected);
    expect(gl.dependency_files.map((d) => d.path)).toContain('package-lock.json');
  });

  it('gitlab: an image target gives a valid container-scanning report', () => {
    const image: ScanReport = {
      ...report,
      target: { kind: 'image', name: 'registry.example/app:1.0', image: { reference: 'registry.example/app:1.0', layers: [] } },
      os: { family: 'debian', version: '12', name: 'Debian GNU/Linux 12 (bookworm)' },
    };
    const gl = JSON.parse(renderGitlab(image)) as { scan: { type: string }; vulnerabilities: { location: { image: string; operating_system: string } }[] };
    expect(errorsOf(gitlabValidator('container'), gl)).toEqual([]);
    expect(gl.scan.type).toBe('container_scanning');
    expect(gl.vulnerabilities).toHaveLength(report.findings.length);
    expect(gl.vulnerabilities[0]!.location).toMatchObject({ image: 'registry.example/app:1.0', operating_system: 'Debian GNU/Linux 12 (bookworm) 12' });
    // The dependency-scanning schema refuses it (no file), so the two are really told apart.
    expect(errorsOf(gitlabValidator('dependency'), gl)).not.toEqual([]);
  });

  it('junit: one test case per finding, failing exactly where the gate breaks', () => {
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testcase' }).parse(out.junit!) as {
      testsuites: { tests: string; failures: string; testsuite: { testcase: { name: string; failure?: unknown }[] } };
    };
    const cases = xml.testsuites.testsuite.testcase;
    expect(cases).toHaveLength(report.findings.length);
    expect(Number(xml.testsuites.tests)).toBe(report.findings.length);
    expect(cases.map((c) => c.name.split(' ')[0]).sort()).toEqual(report.findings.map((f) => f.id).sort());
    expect(cases.filter((c) => c.failure !== undefined)).toHaveLength(report.gate.violations.length);
    expect(Number(xml.testsuites.failures)).toBe(report.gate.violations.length);
  });

  it('html: one self-contained page (no external resource) listing every finding', () => {
    const html = out.html!;
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    expect(html).toContain("default-src 'none'");
    const rows = html.match(/<tr data-severity=/g) ?? [];
    expect(rows).toHaveLength(report.findings.length);
    for (const f of report.findings) expect(html).toContain(f.id);
  });

  it('markdown: the gate verdict, counts, and findings worst first', () => {
    const md = out.markdown!;
    expect(md).toMatch(/^### ❌ Bulwark: gate failed/);
    for (const f of report.findings) expect(md).toContain(f.id);
    const order = report.findings
      .filter((f) => !f.suppressed)
      .map((f) => f.severity)
      .map((s) => ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'].indexOf(s));
    const rows = md.split('\n').filter((l) => /^\| (🛑)? \| (CRITICAL|HIGH|MEDIUM|LOW|UNKNOWN) \|/.test(l));
    expect(rows).toHaveLength(order.length);
    const listed = rows.map((l) => ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'].indexOf(/\| (CRITICAL|HIGH|MEDIUM|LOW|UNKNOWN) \|/.exec(l)![1]!));
    expect(listed).toEqual([...listed].sort((a, b) => a - b));
  });

  it('table: the findings and the verdict', () => {
    for (const f of report.findings) expect(out.table).toContain(f.id);
    expect(out.table).toMatch(/Gate: FAILED/);
  });
});

describe.skipIf(!SHARED)('SBOMs made elsewhere: scan sbom:<file>', () => {
  it('the CycloneDX output scanned back as sbom: gives the same findings', () => {
    const r = runCli(['--cache-dir', cacheDir, 'scan', `sbom:${path.join(outDir, 'report.cyclonedx')}`, '--offline', '--format', 'json']);
    expect(r.code, r.stderr).toBe(1);
    const again = JSON.parse(r.stdout) as ScanReport;
    expect(validateReport(again)).toEqual([]);
    expect(again.target.kind).toBe('sbom');
    expect(again.findings.map((f) => `${f.id} ${f.package.purl}`).sort()).toEqual(expected);
  });

  it('the SPDX output scanned back as sbom: gives the same findings', () => {
    const r = runCli(['--cache-dir', cacheDir, 'scan', `sbom:${path.join(outDir, 'report.spdx-json')}`, '--offline', '--format', 'json']);
    expect(r.code, r.stderr).toBe(1);
    const again = JSON.parse(r.stdout) as ScanReport;
    expect(again.findings.map((f) => `${f.id} ${f.package.purl}`).sort()).toEqual(expected);
  });
});

describe.skipIf(!SHARED)('--output', () => {
  it('a plain -o FILE takes the --format output; stdout stays empty', () => {
    const file = path.join(outDir, 'plain.sarif');
    const r = runCli(['--cache-dir', cacheDir, 'scan', FIXTURE, '--offline', '--format', 'sarif', '-o', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ version: '2.1.0' });
  });

  it('-o FORMAT=FILE for other formats leaves the --format output on stdout', () => {
    const file = path.join(outDir, 'side.json');
    const r = runCli(['--cache-dir', cacheDir, 'scan', FIXTURE, '--offline', '--format', 'markdown', '-o', `json=${file}`]);
    expect(r.stdout).toMatch(/^### ❌ Bulwark/);
    expect(validateReport(JSON.parse(fs.readFileSync(file, 'utf8')))).toEqual([]);
  });

  it('an unknown format is a usage error (exit 2)', () => {
    const r = runCli(['--cache-dir', cacheDir, 'scan', FIXTURE, '--offline', '-o', `pdf=${path.join(outDir, 'x.pdf')}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown format "pdf"/);
  });
});
