import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulkUnavailableError } from '../../src/export/bulk.js';
import type { FindingEvent } from '../../src/server/events/types.js';
import { EXPORT_CURSOR_NAME } from '../../src/server/export/exporter.js';
import { Monitor } from '../../src/server/monitor/monitor.js';
import type { RunningServer } from '../../src/server/server.js';
import { initServer } from '../../src/server/server.js';
import { Store } from '../../src/server/store/store.js';
import { startFakeBulk } from '../import/fake-bulk-server.js';
import type { FakeBulk } from '../import/fake-bulk-server.js';
import { BIN } from '../support/cli.js';
import { REPO_ROOT } from '../support/shared.js';
import type { Advisory } from './monitor-support.js';
import { CRITICAL_VECTOR, HIGH_VECTOR, apiClient, inventoryReport, npmPackage, settleServer, writeMirror, startMonitoredServer } from './monitor-support.js';
import type { TestStore } from './support.js';
import { ENGINES, freshStore } from './support.js';

/**
 * Issue 16, the server-side sink: `bulwark server --export-url` sends the monitoring events outbox and the
 * current state of the findings they concern to Elasticsearch/OpenSearch with `_bulk`. There is no
 * Elasticsearch here: the cluster is test/import/fake-bulk-server.ts, which speaks `_bulk` (per-item results,
 * scripted 429/5xx/hang-ups) and holds every document to docs/elastic/index-template.json (`dynamic: strict`).
 */
const TEMPLATE: unknown = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'docs/elastic/index-template.json'), 'utf8'));
const BUILT = fs.existsSync(path.join(REPO_ROOT, 'bundle/main.js'));

const LODASH: Advisory = { id: 'GHSA-lodash-0001', name: 'lodash', fixed: '4.17.21', vector: CRITICAL_VECTOR, summary: 'Prototype pollution in lodash' };
const QS: Advisory = { id: 'GHSA-qs-0001', name: 'qs', fixed: '6.10.3', vector: HIGH_VECTOR, summary: 'qs prototype poisoning' };

const docsOf = (fake: FakeBulk, dataset: string): [string, Record<string, unknown>][] =>
  [...fake.docs.entries()].filter(([, d]) => (d.event as { dataset?: string }).dataset === dataset);

for (const { engine, skip } of ENGINES) {
  describe.skipIf(skip)(`the server's export sink, on ${engine}`, () => {
    let t: TestStore;
    let server: RunningServer;
    let fake: FakeBulk;
    let adminKey: string;
    let work: string;

    beforeAll(async () => {
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-export-sink-'));
      fake = await startFakeBulk(TEMPLATE);
      const mirror = await writeMirror(path.join(work, 'mirror'), [LODASH, QS]);
      ({ t, server, adminKey } = await startMonitoredServer(engine, {
        work,
        dbSource: mirror,
        // Three events per batch, so one run is several batches; quick back-off, three tries per request.
        server: { export: { url: fake.url, indexPrefix: 'bulwark', batchSize: 3, background: false, maxAttempts: 3, baseDelayMs: 1 } },
      }));
    });
    afterAll(async () => {
      await server?.close();
      await fake?.close();
      await t?.cleanup();
      if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    const api = apiClient(() => server, () => adminKey);
    const settle = (): Promise<void> => settleServer(server);
    const upload = async (project: string, target: string, packages: ReturnType<typeof npmPackage>[]): Promise<void> => {
      if (!(await server.store.projects.byName(project))) await api('/api/v1/projects', { method: 'POST', body: JSON.stringify({ name: project }) });
      const { token } = await api<{ token: string }>(`/api/v1/projects/${project}/tokens`, { method: 'POST' });
      await api('/api/v1/reports', { method: 'POST', token, body: JSON.stringify(inventoryReport(target, packages)) });
      await settle();
    };
    const events = async (): Promise<FindingEvent[]> => (await api<{ items: FindingEvent[] }>('/api/v1/events?limit=1000')).items;

    it('sends every event and the state of its finding, through a 429, a per-item 5xx and a per-item 400 (reported, not retried)', async () => {
      await api('/api/v1/admin/db/refresh', { method: 'POST' });
      // 4 projects x (lodash, qs): 8 `new` events, 8 findings.
      for (let p = 0; p < 4; p++) await upload(`shop-${p}`, 'main', [npmPackage('lodash', '4.17.20'), npmPackage('qs', '6.0.0'), npmPackage('express', '4.18.0')]);
      const all = await events();
      expect(all.map((e) => e.kind)).toEqual(Array(8).fill('new'));

      // A 429 (Retry-After 0) on the first request; later, one item 500 and one item 400 in the second batch.
      fake.faults = [{ status: 429, retryAfter: '0' }, {}];
      const first = await server.exporter!.runOnce();
      expect(first.batches).toBe(3); // 3 + 3 + 2 events
      expect(first.failed).toEqual([]);
      const eventDocs = docsOf(fake, 'bulwark.lifecycle');
      const findingDocs = docsOf(fake, 'bulwark.server_finding');
      expect(eventDocs.length).toBe(8);
      expect(findingDocs.length).toBe(8);
      expect(first.stored).toBe(16);
      expect(fake.requests[0]!.status).toBe(429);
      expect(first.position).toBe(all.at(-1)!.cursor);
      expect(await server.store.exports.cursor(EXPORT_CURSOR_NAME)).toBe(all.at(-1)!.cursor);

      // What the documents say, against the events as the API serves them.
      const lodash0 = all.find((e) => e.project.name === 'shop-0' && e.finding.id === LODASH.id)!;
      const ev = eventDocs.map(([, d]) => d).find((d) => (d.bulwark as { fingerprint: string }).fingerprint === lodash0.fingerprint && (d.event as { action: string }).action === 'finding-new')!;
      expect(ev).toMatchObject({
        '@timestamp': lodash0.occurredAt,
        labels: { project: 'shop-0' },
        vulnerability: { id: LODASH.id, severity: 'Critical', enumeration: 'GHSA', category: ['npm'] },
        package: { name: 'lodash', version: '4.17.20', type: 'npm' },
        bulwark: { purl: 'pkg:npm/lodash@4.17.20', fixed_version: '4.17.21', target: { name: 'main' }, lifecycle: { kind: 'new', cursor: lodash0.cursor, cause: { kind: 'scan' } } },
      });
      const state = findingDocs.map(([, d]) => d).find((d) => (d.bulwark as { fingerprint: string }).fingerprint === lodash0.fingerprint)!;
      expect(state).toMatchObject({ labels: { project: 'shop-0' }, vulnerability: { id: LODASH.id }, bulwark: { state: 'open', suppressed: false } });
      // Daily indices: events by the day they occurred, finding states by the day first seen.
      const day = lodash0.occurredAt.slice(0, 10).replace(/-/g, '.');
      expect(new Set(eventDocs.map(([k]) => k.split('/')[0]))).toEqual(new Set([`bulwark-events-${day}`]));
      expect(new Set(findingDocs.map(([k]) => k.split('/')[0]))).toEqual(new Set([`bulwark-findings-${day}`]));

      // Nothing new: a run sends nothing.
      const requests = fake.requests.length;
      expect((await server.exporter!.runOnce()).batches).toBe(0);
      expect(fake.requests.length).toBe(requests);

      // Two more events; the cluster answers one item 500 (retried) and one 400 (refused for good: reported, the cursor moves on).
      await upload('shop-9', 'main', [npmPackage('lodash', '4.17.20'), npmPackage('qs', '6.0.0')]);
      const fresh = (await events()).slice(8);
      expect(fresh.length).toBe(2);
      const before = new Set(fake.docs.keys());
      const { lifecycleEventDocument } = await import('../../src/export/lifecycle.js');
      const ids = fresh.map((e) => lifecycleEventDocument(e, { version: 'x' })._id);
      fake.faults = [{ itemStatus: { [ids[0]!]: 500, [ids[1]!]: 400 } }];
      const second = await server.exporter!.runOnce();
      expect(second.failed.map((f) => [f.id, f.status])).toEqual([[ids[1], 400]]);
      expect(second.stored).toBe(3); // the retried event + two finding states
      expect(second.position).toBe(fresh[1]!.cursor);
      const added = [...fake.docs.keys()].filter((k) => !before.has(k));
      expect(added.length).toBe(3);
      expect(added.some((k) => k.endsWith(`/${ids[0]}`))).toBe(true);
      expect(added.some((k) => k.endsWith(`/${ids[1]}`))).toBe(false);
      const status = await api<{ cursor: string; newestEvent: string; refused: number }>('/api/v1/admin/export');
      expect(status).toMatchObject({ cursor: fresh[1]!.cursor, newestEvent: fresh[1]!.cursor, refused: 1 });
    });

    it('the cursor only moves forward: a slower second sink saving an older position leaves it where it is', async () => {
      const name = 'replica-test';
      await server.store.exports.saveCursor(name, '120');
      await server.store.exports.saveCursor(name, '99');
      expect(await server.store.exports.cursor(name)).toBe('120');
      await server.store.exports.saveCursor(name, '1000');
      expect(await server.store.exports.cursor(name)).toBe('1000');
    });

    it('a cluster that stays unavailable: the run fails, the cursor stays, and the next run sends the batch', async () => {
      const cursor = await server.store.exports.cursor(EXPORT_CURSOR_NAME);
      // lodash fixed in shop-0: one `fixed` event; the finding's state document is overwritten in place.
      await upload('shop-0', 'main', [npmPackage('lodash', '4.17.21'), npmPackage('qs', '6.0.0'), npmPackage('express', '4.18.0')]);
      const fixed = (await events()).at(-1)!;
      expect(fixed.kind).toBe('fixed');
      const findingsBefore = docsOf(fake, 'bulwark.server_finding').length;
      fake.faults = [{ status: 503 }, { hangUp: true }, { status: 502 }];
      await expect(server.exporter!.runOnce()).rejects.toBeInstanceOf(BulkUnavailableError);
      expect(await server.store.exports.cursor(EXPORT_CURSOR_NAME)).toBe(cursor);

      const r = await server.exporter!.runOnce();
      expect([r.batches, r.stored, r.failed.length]).toEqual([1, 2, 0]);
      expect(await server.store.exports.cursor(EXPORT_CURSOR_NAME)).toBe(fixed.cursor);
      const states = docsOf(fake, 'bulwark.server_finding');
      expect(states.length).toBe(findingsBefore);
      const lodash = states.map(([, d]) => d).find((d) => (d.bulwark as { fingerprint: string }).fingerprint === fixed.fingerprint)!;
      expect((lodash.bulwark as { state: string }).state).toBe('fixed');
      // One document per event (less the refused one) and per finding: distinct ids == documents expected.
      const all = await events();
      const fingerprints = new Set(all.map((e) => e.fingerprint));
      expect(docsOf(fake, 'bulwark.lifecycle').length).toBe(all.length - 1);
      expect(fake.docs.size).toBe(all.length - 1 + fingerprints.size);
    });
  });

  /** Starts `bulwark server` and resolves with its URL once it listens. */
  function startChild(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, 'server', ...args, '--port', '0', '--validation-threads', '0'], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /listening on (http:\/\/[^\s)]+)/.exec(err);
        if (m) resolve({ child, url: m[1]!, stderr: () => err });
      });
      child.on('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
    });
  }

  describe.skipIf(skip || !BUILT)(`the export sink survives kill -9, on ${engine}`, () => {
    const PACKAGES = 300;
    const BATCH = 20;
    let t: TestStore;
    let work: string;
    let fake: FakeBulk;
    let child: ChildProcess | undefined;

    beforeAll(async () => {
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-export-crash-'));
      fake = await startFakeBulk(TEMPLATE);
      t = await freshStore(engine);
    });
    afterAll(async () => {
      child?.kill('SIGKILL');
      await fake?.close();
      await t?.cleanup();
      if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it('a server killed in the middle of an export resumes after its cursor: every document arrives, re-sends only of the batch in flight', async () => {
      // Seed: 300 advisories, one inventory holding the 300 packages → 300 `new` events before the server starts.
      const advisories: Advisory[] = Array.from({ length: PACKAGES }, (_, i) => ({ id: `GHSA-crash-${String(i).padStart(4, '0')}`, name: `pkg-${i}`, fixed: '2.0.0', vector: HIGH_VECTOR }));
      const mirror = await writeMirror(path.join(work, 'mirror'), advisories);
      await initServer(t.options);
      const store = await Store.open(t.options);
      try {
        const seed = new Monitor(store, { cacheDir: path.join(t.options.dataDir!, 'advisory'), dbSource: mirror, background: false });
        await seed.refresh();
        const projectId = await store.projects.create('crash', null);
        await store.scans.store(projectId, inventoryReport('main', advisories.map((a) => npmPackage(a.name, '1.0.0'))));
        await seed.drain();
        await seed.stop();
        expect(await store.events.count('new')).toBe(PACKAGES);
      } finally {
        await store.close();
      }
      const args = [
        '--data-dir', t.options.dataDir!, ...(t.options.databaseUrl ? ['--database', t.options.databaseUrl] : []),
        '--db-refresh', '0', '--db-source', mirror, '--no-notify',
        '--export-url', fake.url, '--export-batch', String(BATCH), '--export-interval', '200ms', '--export-auth', 'api-key',
      ];
      // A slow cluster: each request takes 150 ms, so the 15 batches take seconds.
      fake.delayMs = 150;
      const secret = 'c2VjcmV0LWtleS1ub3QtdG8tYmUtbG9nZ2Vk';
      const first = await startChild(args, { BULWARK_ES_API_KEY: secret });
      child = first.child;
      const watcher = await Store.open(t.options);
      try {
        for (let i = 0; i < 3000 && fake.received.length < 4 * BATCH * 2; i++) await new Promise((r) => setTimeout(r, 10));
        child.kill('SIGKILL');
        await new Promise((r) => child!.once('exit', r));
        const cursorAtKill = await watcher.exports.cursor(EXPORT_CURSOR_NAME);
        const receivedAtKill = fake.received.length;
        expect(cursorAtKill).toBeDefined();
        expect(receivedAtKill).toBeGreaterThan(0);
        expect(receivedAtKill).toBeLessThan(PACKAGES * 2);
        // The key went to the cluster, never to the log.
        expect(first.stderr()).toContain('ApiKey auth');
        expect(first.stderr()).not.toContain(secret);

        fake.delayMs = 0;
        const second = await startChild(args, { BULWARK_ES_API_KEY: secret });
        child = second.child;
        const all = await watcher.events.list({ limit: 10_000 });
        const last = all.at(-1)!.cursor;
        for (let i = 0; i < 600 && (await watcher.exports.cursor(EXPORT_CURSOR_NAME)) !== last; i++) await new Promise((r) => setTimeout(r, 50));
        expect(await watcher.exports.cursor(EXPORT_CURSOR_NAME)).toBe(last);

        // Every event and every finding state arrived: distinct ids == documents expected.
        expect(docsOf(fake, 'bulwark.lifecycle').length).toBe(PACKAGES);
        expect(docsOf(fake, 'bulwark.server_finding').length).toBe(PACKAGES);
        expect(fake.docs.size).toBe(2 * PACKAGES);
        // Sent twice: only documents of events after the cursor at the kill, and at most one batch of them.
        const resent = fake.received.length - fake.docs.size;
        expect(resent).toBeLessThanOrEqual(2 * BATCH);
        const after = all.filter((e) => Number(e.cursor) > Number(cursorAtKill));
        const afterFingerprints = new Set(after.map((e) => e.fingerprint));
        const seen = new Set<string>();
        for (const key of fake.received) {
          if (seen.has(key)) {
            const d = fake.docs.get(key)!;
            expect(afterFingerprints.has((d.bulwark as { fingerprint: string }).fingerprint)).toBe(true);
          }
          seen.add(key);
        }
      } finally {
        await watcher.close();
      }
    }, 180_000);
  });
}
