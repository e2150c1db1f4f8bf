import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateReport } from '../../src/report/schema.js';
import { BIN, runCli } from '../support/cli.js';
import { REPO_ROOT } from '../support/shared.js';
import type { FakeBulk } from '../import/fake-bulk-server.js';
import { startFakeBulk } from '../import/fake-bulk-server.js';

/** The built CLI: `bulwark convert` and `bulwark export` (run `npm run build` first). */
const FIX = path.join(REPO_ROOT, 'test/fixtures/import');
const fx = (rel: string): string => path.join(FIX, rel);

/** runCli is synchronous; the fake cluster lives in this process, so the CLI runs asynchronously here. */
function runAsync(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('bulwark convert', () => {
  it('writes an imported report as a Bulwark JSON report that validates', () => {
    const r = runCli(['convert', fx('anchore_grype/many_vulns4.json')]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { tool: { importedFrom: { format: string } }; findings: unknown[] };
    expect(validateReport(report)).toEqual([]);
    expect(report.tool.importedFrom.format).toBe('grype');
    expect(report.findings).toHaveLength(9);
    expect(r.stderr).toMatch(/grype report of grype 0\.24\.0: 9 finding\(s\)/);
  });

  it('writes any output format, to a file with -o, from stdin with -', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-convert-')), 'r.sarif');
    const r = runCli(['convert', '-', '--format', 'sarif', '-o', out], { input: fs.readFileSync(fx('trivy/all_statuses.json'), 'utf8') });
    expect(r.code, r.stderr).toBe(0);
    const sarif = JSON.parse(fs.readFileSync(out, 'utf8')) as { version: string; runs: { results: unknown[] }[] };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]!.results.length).toBeGreaterThan(0);
    const gl = runCli(['convert', fx('dependency_check/single_vuln.xml'), '--format', 'gitlab']);
    expect(gl.code, gl.stderr).toBe(0);
    expect(JSON.parse(gl.stdout)).toHaveProperty('vulnerabilities');
  });

  it('warns about entries it could not import', () => {
    const r = runCli(['convert', fx('trivy/legacy_trivy_mix.json'), '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: .*legacy_trivy_mix.json: .*no VulnerabilityID/);
  });

  it('refuses non-reports with exit code 2, naming the file', () => {
    for (const rel of ['govulncheck/invalid/empty.json', 'govulncheck/invalid/issue_15033_sarif.json']) {
      const r = runCli(['convert', fx(rel)]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(fx(rel));
      expect(r.stdout).toBe('');
    }
    const forced = runCli(['convert', fx('trivy/all_statuses.json'), '--from', 'grype']);
    expect(forced.code).toBe(2);
    expect(forced.stderr).toMatch(/not a grype report/);
    expect(runCli(['convert', fx('no-such-file.json')]).stderr).toMatch(/no such file/);
  });
});

describe('bulwark export', () => {
  let es: FakeBulk;
  beforeAll(async () => {
    es = await startFakeBulk(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'docs/elastic/index-template.json'), 'utf8')));
  });
  afterAll(async () => {
    await es.close();
  });

  it('writes ECS documents as NDJSON to stdout, from Bulwark reports and imported ones alike', () => {
    const conv = runCli(['convert', fx('osv_scanner/some_findings.json')]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-export-'));
    fs.writeFileSync(path.join(dir, 'bulwark.json'), conv.stdout);
    const r = runCli(['export', '--project', 'web', path.join(dir, 'bulwark.json'), fx('npm_audit_7_plus/one_vuln.json')]);
    expect(r.code, r.stderr).toBe(0);
    const docs = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { labels: { project: string }; event: { dataset: string } });
    expect(docs.filter((d) => d.event.dataset === 'bulwark.finding')).toHaveLength(3);
    expect(docs.filter((d) => d.event.dataset === 'bulwark.scan')).toHaveLength(2);
    expect(docs.every((d) => d.labels.project === 'web')).toBe(true);
    expect(runCli(['export', fx('npm_audit_7_plus/one_vuln.json')]).stderr).toMatch(/--project is required/);
  });

  it('sends to a cluster with --es-url, resumes with --cursor, exits 2 on refused documents', async () => {
    const cursor = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-cursor-')), 'c.json');
    const files = [fx('trivy/all_statuses.json'), fx('anchore_grype/many_vulns4.json')];
    es.faults = [{}, { status: 503 }, { status: 503 }];
    const down = await runAsync(['export', '--project', 'payments', '--es-url', es.url, '--cursor', cursor, '--attempts', '2', ...files]);
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/gave up after 2 tries \(HTTP 503\).*resumes from the cursor/s);
    const stored = es.docs.size;
    expect(stored).toBe(9);
    const up = await runAsync(['export', '--project', 'payments', '--es-url', es.url, '--cursor', cursor, '--attempts', '2', ...files]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/10 document\(s\) stored from 1 report/);
    expect(es.docs.size).toBe(19);
    const bad = await runAsync(['export', '--project', 'payments', '--index-prefix', 'other', '--es-url', es.url, files[0]!]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/HTTP 400 strict_dynamic_mapping_exception: no template matches index other-findings-/);
  });
});
