import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FindingEvent } from '../../src/server/events/types.js';
import type { RunningServer } from '../../src/server/server.js';
import { hasChromium, launchChromium, pageErrors } from '../support/chromium.js';
import type { Advisory } from './monitor-support.js';
import { CRITICAL_VECTOR, HIGH_VECTOR, apiClient, inventoryReport, npmPackage, settleServer, startMonitoredServer, writeMirror, writeProfileRepo } from './monitor-support.js';
import type { TestStore } from './support.js';
import { ENGINES } from './support.js';

// The dashboard's monitoring pages ("What changed", the project's timeline, the server's gate, the trend) in headless
// Chromium over a real server, store and advisory refreshes. Mirror A: lodash (CRITICAL, fixed in 4.17.21) and
// left-pad; shop holds lodash 4.17.21 (not affected) and qs 6.0.0, depot holds express: nothing matches. Mirror B
// adds a HIGH, fixable advisory for qs and modifies left-pad's (nobody holds it): one `new` event, shop's, caused by
// the refresh. Mirror C raises qs's advisory to CRITICAL: a `severity-changed` event, not a new finding. Every report
// says "passed" (--fail-on none); the server's profile fails on HIGH.
const LODASH: Advisory = { id: 'GHSA-lodash-0001', name: 'lodash', fixed: '4.17.21', vector: CRITICAL_VECTOR, summary: 'Prototype pollution in lodash' };
const LEFTPAD: Advisory = { id: 'GHSA-leftpad-0001', name: 'left-pad', fixed: '1.3.0', vector: HIGH_VECTOR, summary: 'left-pad does nothing wrong' };
const QS: Advisory = { id: 'GHSA-qs-0001', name: 'qs', fixed: '6.10.3', vector: HIGH_VECTOR, summary: 'qs prototype poisoning' };

const LAYER = 'test/server/dashboard-monitor.spec.ts';
const CHROMIUM_OK = hasChromium(LAYER);

/** The rows of a table body as their cells' text. */
async function rows(page: Page, testid: string): Promise<string[][]> {
  const trs = page.locator(`[data-testid=${testid}] tbody tr`);
  const out: string[][] = [];
  for (let i = 0; i < (await trs.count()); i++) out.push((await trs.nth(i).locator('td').allTextContents()).map((s) => s.trim()));
  return out;
}

for (const { engine, skip } of ENGINES) {
  describe.skipIf(skip || !CHROMIUM_OK)(`dashboard monitoring pages in headless Chromium on ${engine}`, () => {
    let t: TestStore;
    let server: RunningServer;
    let adminKey: string;
    let work: string;
    let refreshB: { refreshId: number; added: number; modified: number; keys: number; inventories: number };
    let refreshC: { refreshId: number; modified: number; inventories: number };
    const scanTimes: Record<string, number[]> = {};
    let event: FindingEvent;
    let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined;

    const api = apiClient(() => server, () => adminKey);
    const upload = async (project: string, report: object): Promise<void> => {
      const { token } = await api<{ token: string }>(`/api/v1/projects/${project}/tokens`, { method: 'POST' });
      await api('/api/v1/reports', { method: 'POST', token, body: JSON.stringify(report) });
    };

    beforeAll(async () => {
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-dashboard-monitor-'));
      const mirrorA = await writeMirror(path.join(work, 'mirror-a'), [LODASH, LEFTPAD]);
      const mirrorB = await writeMirror(path.join(work, 'mirror-b'), [LODASH, { ...LEFTPAD, summary: 'left-pad: the summary changed' }, QS]);
      const mirrorC = await writeMirror(path.join(work, 'mirror-c'), [LODASH, { ...LEFTPAD, summary: 'left-pad: the summary changed' }, { ...QS, vector: CRITICAL_VECTOR }]);
      ({ t, server, adminKey } = await startMonitoredServer(engine, { work, dbSource: mirrorA, profileRepo: writeProfileRepo(path.join(work, 'profiles')) }));
      await api('/api/v1/admin/db/refresh', { method: 'POST' });
      for (const name of ['shop', 'depot']) await api('/api/v1/projects', { method: 'POST', body: JSON.stringify({ name }) });
      // Three scans of shop's main branch in quick succession (the trend's time axis must not spread them over years).
      const shop = [npmPackage('lodash', '4.17.21'), npmPackage('qs', '6.0.0')];
      for (const extra of [[], [npmPackage('minimist', '1.2.8')], [npmPackage('minimist', '1.2.8'), npmPackage('ms', '2.1.3')]]) {
        await upload('shop', inventoryReport('main', [...shop, ...extra]));
        await settleServer(server);
      }
      await upload('depot', inventoryReport('main', [npmPackage('express', '4.18.0')]));
      await settleServer(server);
      expect((await api<{ items: FindingEvent[] }>('/api/v1/events?limit=100')).items).toEqual([]);

      server.monitor!.opts.dbSource = mirrorB;
      refreshB = await api('/api/v1/admin/db/refresh', { method: 'POST' });
      expect([refreshB.added, refreshB.modified, refreshB.inventories]).toEqual([1, 1, 1]);
      await settleServer(server);
      const events = (await api<{ items: FindingEvent[] }>('/api/v1/events?limit=100')).items;
      expect(events.map((e) => `${e.kind} ${e.project.name}/${e.target} ${e.finding.id} by ${e.cause.kind} ${e.cause.id}`)).toEqual([`new shop/main ${QS.id} by db-refresh ${refreshB.refreshId}`]);
      event = events[0]!;
      server.monitor!.opts.dbSource = mirrorC;
      refreshC = await api('/api/v1/admin/db/refresh', { method: 'POST' });
      expect([refreshC.modified, refreshC.inventories]).toEqual([1, 1]);
      await settleServer(server);
      const later = (await api<{ items: FindingEvent[] }>(`/api/v1/events?limit=100&after=${event.cursor}`)).items;
      expect(later.map((e) => `${e.kind} ${e.project.name}/${e.target} ${e.finding.id} by ${e.cause.kind} ${e.cause.id}`)).toEqual([`severity-changed shop/main ${QS.id} by db-refresh ${refreshC.refreshId}`]);
      for (const name of ['shop', 'depot']) {
        const trend = await api<{ points: { at: string }[] }>(`/api/v1/projects/${name}/trend`);
        scanTimes[name] = trend.points.map((p) => Date.parse(p.at));
      }
      expect(scanTimes.shop).toHaveLength(3);
      expect(scanTimes.shop![2]! - scanTimes.shop![0]!).toBeLessThan(60_000);
      expect(scanTimes.depot).toHaveLength(1);
    });
    afterAll(async () => {
      await chromium?.close();
      await server?.close();
      await t?.cleanup();
      if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    /** A new signed-in dashboard page (the session cookie set through the browser's own request context: no login page, no 401). */
    const dashboard = async (fn: (page: Page, errors: string[]) => Promise<void>): Promise<void> => {
      chromium ??= await launchChromium({ viewport: { width: 1280, height: 1000 } });
      const login = await chromium.browser.request.post(server.url + '/api/v1/login', { data: { apiKey: adminKey } });
      expect(login.ok(), await login.text()).toBe(true);
      const page = await chromium.browser.newPage();
      try {
        await fn(page, pageErrors(page, { console: true }));
      } finally {
        await page.close();
      }
    };
    /** A full load of a dashboard route (from about:blank: a goto to another hash of the same page would only fire hashchange, after goto returns, racing the ready flag). */
    const open = async (page: Page, hash: string): Promise<void> => {
      await page.goto('about:blank');
      await page.goto(`${server.url}/${hash}`);
      await page.locator('body[data-ready="true"]').waitFor();
    };
    const screenshot = async (page: Page, name: string): Promise<void> => {
      const file = path.join(process.env.BULWARK_SCREENSHOT_DIR ?? work, `${engine}-${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      expect(fs.statSync(file).size).toBeGreaterThan(10_000);
    };

    /**
     * The trend's time axis as uPlot drew it (its labels mirrored as text): UTC labels, the first with its date, all
     * within ten minutes of the project's scans (seconds apart, or one), not spread over years; the caption says how many.
     */
    const expectTrendAxis = async (page: Page, scans: number[]): Promise<void> => {
      await page.locator('[data-testid=trend] canvas').waitFor();
      const caption = await page.locator('[data-testid=trend-caption]').textContent();
      const stamp = '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC';
      expect(caption).toMatch(new RegExp(scans.length === 1 ? `^1 scan, ${stamp}$` : `^${scans.length} scans, ${stamp} to ${stamp}$`));
      const tickList = page.locator('[data-testid=trend-x-ticks] li');
      await expect.poll(() => tickList.count()).toBeGreaterThan(1); // uPlot draws after its constructor returns
      const ticks = await tickList.allTextContents();
      expect(ticks[0]).toMatch(/^\d\d:\d\d(:\d\d)? \d{4}-\d\d-\d\d$/); // a time of day, and the date under it
      const [first, day] = ticks[0]!.split(' ');
      let previous = 0;
      for (const label of [first!, ...ticks.slice(1)]) {
        expect(label).toMatch(/^\d\d:\d\d(:\d\d)?$/);
        let at = Date.parse(`${day}T${label.length === 5 ? label + ':00' : label}Z`);
        if (at < previous) at += 86_400_000; // the axis crossed midnight
        previous = at;
        expect(at).toBeGreaterThanOrEqual(scans[0]! - 600_000);
        expect(at).toBeLessThanOrEqual(scans[scans.length - 1]! + 600_000);
      }
    };

    it('"What changed" lists the one new finding, its project counts and the advisory update that caused it; a later date shows nothing', async () => {
      await dashboard(async (page, errors) => {
        await open(page, '#/changes');
        expect(await rows(page, 'change-events')).toEqual([
          [expect.stringMatching(/ UTC$/), 'new', 'shopmain', `HIGH ${QS.id}`, 'qs 6.0.0', `advisory update #${refreshB.refreshId}`],
        ]);
        expect(await page.locator('[data-testid=change-events] tbody tr a').getAttribute('href')).toBe('#/project/shop');
        // Per project: shop has one new finding and one severity change, depot (untouched) no row; the portfolio the same.
        expect(await rows(page, 'changes')).toEqual([
          ['Portfolio', '1', '0', '0', '0', '1', '0'],
          ['shop', '1', '0', '0', '0', '1', '0'],
        ]);
        // The advisory updates behind them: B (the new finding) and C (the severity change), not A (it matched nothing).
        const causes = await rows(page, 'refreshes');
        expect(causes.map((r) => r.slice(2, 4))).toEqual([
          ['1 severity changed', QS.id],
          ['1 new', QS.id],
        ]);
        expect(causes.map((r) => r[0]!.split(' ')[0])).toEqual([`#${refreshC.refreshId}`, `#${refreshB.refreshId}`]);
        expect(causes[1]![1]).toBe(path.join(work, 'mirror-b'));
        await screenshot(page, 'changes');

        // The "since" filter: the day after the event, nothing changed.
        const nextDay = new Date(Date.parse(event.occurredAt) + 86_400_000).toISOString().slice(0, 10);
        await page.locator('input[name=since]').fill(nextDay);
        await page.getByRole('button', { name: 'Show' }).click();
        await expect.poll(() => new URL(page.url()).hash).toBe(`#/changes?since=${nextDay}`);
        await expect.poll(() => rows(page, 'change-events')).toEqual([['Nothing changed.']]);
        await page.locator('body[data-ready="true"]').waitFor();
        expect(await rows(page, 'changes')).toEqual([['Portfolio', '0', '0', '0', '0', '0', '0']]);
        expect(await rows(page, 'refreshes')).toEqual([['No advisory update caused a change since then.']]);
        // And the event's own day still shows it.
        await open(page, `#/changes?since=${event.occurredAt.slice(0, 10)}&project=shop`);
        expect((await rows(page, 'change-events')).map((r) => r[3])).toEqual([`HIGH ${QS.id}`]);
        expect(errors).toEqual([]);
      });
    });

    it("the portfolio shows the server's gate (failed) beside the CI's (passed); the project page has the timeline and a trend over the scans' own minutes", async () => {
      await dashboard(async (page, errors) => {
        await open(page, '#/');
        const shop = page.locator('[data-testid=projects] tr[data-project="shop"]');
        expect((await shop.locator('[data-testid=server-gate]').textContent())?.trim()).toMatch(/^failed/);
        expect(await shop.locator('[data-testid=server-gate] .gate').getAttribute('title')).toContain('main:');
        expect(await shop.locator('td').nth(9).textContent()).toMatch(/^passed/);
        expect((await page.locator('[data-testid=projects] tr[data-project="depot"] [data-testid=server-gate]').textContent())?.trim()).toMatch(/^passed/);
        // The summary card counts the same decision: one failing gate (the CLI's reports all said passed).
        expect(await page.locator('[data-testid=failing-gates] .n').textContent()).toBe('1');
        await screenshot(page, 'portfolio');

        await open(page, '#/project/shop');
        expect(await page.locator('h1 + p').textContent()).toMatch(/Gate \(server\): failed .* CI said: passed/);
        expect(await rows(page, 'timeline')).toEqual([
          [expect.stringMatching(/ UTC$/), 'severity changed', 'shopmain', `CRITICAL ${QS.id}`, 'qs 6.0.0', `advisory update #${refreshC.refreshId}`],
          [expect.stringMatching(/ UTC$/), 'new', 'shopmain', `HIGH ${QS.id}`, 'qs 6.0.0', `advisory update #${refreshB.refreshId}`],
        ]);
        await expectTrendAxis(page, scanTimes.shop!);
        await screenshot(page, 'project');
        // One scan (a zero-width time range, which uPlot itself widens to years): the same ten minutes around it.
        await open(page, '#/project/depot');
        await expectTrendAxis(page, scanTimes.depot!);
        expect(errors).toEqual([]);
      });
    });
  });
}
