import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanReport } from '../../src/core/report.js';
import type { RunningServer } from '../../src/server/server.js';
import { startServer } from '../../src/server/server.js';
import { withChromium, pageErrors } from '../support/chromium.js';
import { BIN, runCli, snapshotCache } from '../support/cli.js';
import { hasShared, peerFixture } from '../support/shared.js';
import type { TestStore } from './support.js';
import { ENGINES, freshStore } from './support.js';

const execFileP = promisify(execFile);

/** A real report: the built CLI scanning a peer fixture repository (exit 1 = gate failed, still a report). */
let reportPath: string;
let report: ScanReport;
let workDir: string;

/** The report comes from the shared snapshot and peer fixtures (../shared): without them this layer skips, saying so. */
const SHARED = hasShared('test/server/e2e.spec.ts', 'vulndata', 'peer-fixtures');

beforeAll(() => {
  if (!SHARED) return;
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-server-e2e-'));
  const cache = snapshotCache(['crates.io', 'PyPI']);
  reportPath = path.join(workDir, 'report.json');
  const r = runCli(['--cache-dir', cache, 'scan', peerFixture('trivy/integration/testdata/fixtures/repo/trivy-ci-test'), '--offline', '--format', 'json', '-o', reportPath]);
  expect(r.code, r.stderr).toBe(1);
  report = JSON.parse(fs.readFileSync(reportPath, 'utf8')) as ScanReport;
  expect(report.findings.length).toBeGreaterThan(10);
  fs.rmSync(cache, { recursive: true, force: true });
});

afterAll(() => {
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

for (const { engine, skip } of ENGINES) {
  describe.skipIf(skip || !SHARED)(`server end to end on ${engine}`, () => {
    let t: TestStore;
    let server: RunningServer;
    let adminKey: string;

    beforeAll(async () => {
      t = await freshStore(engine);
      const storeArgs = t.options.databaseUrl ? ['--data-dir', t.options.dataDir!, '--database', t.options.databaseUrl] : ['--data-dir', t.options.dataDir!];
      const init = runCli(['server', 'init', ...storeArgs]);
      expect(init.code, init.stderr).toBe(0);
      adminKey = init.stdout.trim().split('\n').pop()!;
      expect(adminKey).toMatch(/^bwk_/);
      // A second init refuses: there is an admin already.
      expect(runCli(['server', 'init', ...storeArgs]).code).toBe(2);
      server = await startServer({ ...t.options, port: 0, logger: false, worker: { idleMs: 50 } });
    });
    afterAll(async () => {
      await server?.close();
      await t?.cleanup();
    });

    const api = async <T>(p: string, init: RequestInit = {}): Promise<T> => {
      const res = await fetch(server.url + p, { ...init, headers: { authorization: `Bearer ${adminKey}`, ...(init.body ? { 'content-type': 'application/json' } : {}) } });
      expect(res.ok, `${p}: ${res.status}`).toBe(true);
      return (await res.json()) as T;
    };

    it('ingests a real report uploaded by `bulwark upload` and serves it through the API and the dashboard', async () => {
      await api('/api/v1/projects', { method: 'POST', body: JSON.stringify({ name: 'trivy-ci-test' }) });
      const { token } = await api<{ token: string }>('/api/v1/projects/trivy-ci-test/tokens', { method: 'POST' });
      // An older scan first (ten findings that the newer one no longer has), then the real report.
      const older = structuredClone(report);
      older.createdAt = new Date(Date.parse(report.createdAt) - 86_400_000).toISOString();
      older.findings = [...report.findings.slice(0, 20), ...report.findings.slice(0, 10).map((f) => ({ ...f, id: f.id + '-OLD' }))];
      const olderPath = path.join(workDir, `older-${engine}.json`);
      fs.writeFileSync(olderPath, JSON.stringify(older));
      const env = { ...process.env, BULWARK_TOKEN: token, NO_COLOR: '1' };
      for (const file of [olderPath, reportPath, reportPath]) {
        const up = await execFileP(process.execPath, [BIN, 'upload', file, '--server', server.url], { env });
        expect(up.stderr).toMatch(/report accepted/);
      }
      await server.worker!.drain();

      const projects = await api<{ items: { name: string; latestScan: { worstSeverity: string; gate: { passed: boolean }; findings: number } }[] }>('/api/v1/projects');
      expect(projects.items.map((p) => p.name)).toEqual(['trivy-ci-test']);
      const latest = projects.items[0]!.latestScan;
      const fingerprints = new Set(report.findings.map((f) => `${f.id} ${f.package.purl}`));
      expect(latest.findings).toBe(fingerprints.size);
      expect(latest.gate.passed).toBe(report.gate.passed);
      const scans = await api<{ items: unknown[] }>('/api/v1/projects/trivy-ci-test/scans');
      expect(scans.items.length).toBe(2); // the replayed upload stored nothing new
      const open = await api<{ total: number; items: { id: string; severity: string }[] }>('/api/v1/projects/trivy-ci-test/findings?limit=500');
      expect(open.total).toBe(fingerprints.size);
      expect(open.items.some((f) => f.id.endsWith('-OLD'))).toBe(false);
      const crit = await api<{ total: number }>('/api/v1/projects/trivy-ci-test/findings?severity=CRITICAL');
      const critExpected = new Set(report.findings.filter((f) => f.severity === 'CRITICAL').map((f) => `${f.id} ${f.package.purl}`)).size;
      expect(crit.total).toBe(critExpected);
      const withAlias = report.findings.find((f) => f.aliases.some((a) => a.startsWith('CVE-')))!;
      const cve = withAlias.aliases.find((a) => a.startsWith('CVE-'))!;
      const hits = await api<{ items: { project: string; id: string }[] }>(`/api/v1/search?vuln=${cve}`);
      expect(hits.items.map((h) => h.project)).toContain('trivy-ci-test');

      // The dashboard in headless Chromium.
      await withChromium(
        async (_browser, page) => {
          const consoleErrors = pageErrors(page);
          await page.goto(server.url + '/');
          await page.locator('input[name=apiKey]').fill(adminKey);
          await page.getByRole('button', { name: 'Sign in' }).click();
          const row = page.locator('[data-testid=projects] tr[data-project="trivy-ci-test"]');
          await row.waitFor();
          expect(await row.locator('.sev').first().textContent()).toBe(latest.worstSeverity);
          expect(await row.locator('.gate').textContent()).toContain(report.gate.passed ? 'passed' : 'failed');
          await row.getByRole('link', { name: 'trivy-ci-test' }).click();
          await page.locator('[data-testid=findings] tbody tr').first().waitFor();
          expect(await page.locator('[data-testid=findings] tbody tr').count()).toBe(Math.min(100, fingerprints.size));
          await page.locator('[data-testid=trend] canvas').waitFor();
          expect(await page.locator('[data-testid=scans] tbody tr').count()).toBe(2);
          if (engine === 'sqlite' || !fs.existsSync('/tmp/bulwark-dashboard-project.png')) {
            await page.screenshot({ path: '/tmp/bulwark-dashboard-project.png', fullPage: false });
          }
          // Filters: severity CRITICAL only.
          await page.locator('input[name=sev-CRITICAL]').check();
          await page.getByRole('button', { name: 'Apply' }).click();
          // Waits through locators, not page.waitForFunction: a string predicate is evaluated with eval in the page,
          // which the dashboard's CSP (script-src 'self') rightly refuses.
          await page.locator('body[data-ready="true"]').waitFor();
          await expect.poll(() => page.locator('[data-testid=findings] tbody tr').count(), { timeout: 30_000 }).toBe(critExpected);
          const sevs = await page.locator('[data-testid=findings] tbody tr .sev').allTextContents();
          expect(sevs.length).toBe(critExpected);
          expect(new Set(sevs)).toEqual(new Set(['CRITICAL']));
          // Search across projects.
          await page.goto(`${server.url}/#/search?vuln=${cve}`);
          await page.locator('[data-testid=search-results] tbody tr').first().waitFor();
          expect(await page.locator('[data-testid=search-results]').textContent()).toContain('trivy-ci-test');
          await page.goto(`${server.url}/#/`);
          await page.locator('[data-testid=projects] tr[data-project="trivy-ci-test"]').waitFor();
          if (engine === 'sqlite') await page.screenshot({ path: '/tmp/bulwark-dashboard-portfolio.png' });
          expect(consoleErrors).toEqual([]);
        },
        { viewport: { width: 1280, height: 1000 } },
      );
    });
  });
}
