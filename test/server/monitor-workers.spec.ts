import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Monitor } from '../../src/server/monitor/monitor.js';
import { initServer } from '../../src/server/server.js';
import { Store } from '../../src/server/store/store.js';
import { BIN } from '../support/cli.js';
import { REPO_ROOT } from '../support/shared.js';
import type { Advisory } from './monitor-support.js';
import { CRITICAL_VECTOR, HIGH_VECTOR, inventoryReport, npmPackage, seedQsInventories, writeMirror } from './monitor-support.js';
import type { TestStore } from './support.js';
import { ENGINES, freshStore } from './support.js';

const LODASH: Advisory = { id: 'GHSA-lodash-0001', name: 'lodash', fixed: '4.17.21', vector: CRITICAL_VECTOR };
const QS: Advisory = { id: 'GHSA-qs-0001', name: 'qs', fixed: '6.10.3', vector: HIGH_VECTOR };
const PROJECTS = 12;
const TARGETS = 10; // 120 inventories, each holding qs
const BUILT = fs.existsSync(path.join(REPO_ROOT, 'bundle/main.js'));

/** Starts the built CLI; resolves once stderr matches `ready` (with the match). */
function startChild(args: string[], ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray; stderr: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    let done = false;
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = ready.exec(err);
      if (m && !done) {
        done = true;
        resolve({ child, match: m, stderr: () => err });
      }
    });
    child.on('exit', (code) => {
      if (!done) reject(new Error(`${args[0]} exited ${code}: ${err}`));
    });
  });
}

async function until(what: string, f: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const { engine, skip } of ENGINES) {
  describe.skipIf(skip || !BUILT)(`re-match jobs worked by \`bulwark worker --rematch\` processes on ${engine}`, () => {
    let t: TestStore;
    let work: string;
    const children: ChildProcess[] = [];

    beforeAll(async () => {
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-monitor-workers-'));
      t = await freshStore(engine);
    });
    afterAll(async () => {
      for (const c of children) c.kill('SIGKILL');
      await t?.cleanup();
      if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it('a server with --rematch-workers 0 queues a refresh\'s jobs; two worker processes work each once, every event once', async () => {
      const mirrorA = await writeMirror(path.join(work, 'a'), [LODASH]);
      const mirrorB = await writeMirror(path.join(work, 'b'), [LODASH, QS]);
      const cacheDir = path.join(t.options.dataDir!, 'advisory');
      const { apiKey } = await initServer(t.options);
      const store = await Store.open(t.options);
      try {
        await seedQsInventories(store, { cacheDir, mirror: mirrorA, prefix: 'w', projects: PROJECTS, targets: TARGETS, fillers: 30 });

        const storeArgs = ['--data-dir', t.options.dataDir!, ...(t.options.databaseUrl ? ['--database', t.options.databaseUrl] : [])];
        const server = await startChild(
          ['server', ...storeArgs, '--port', '0', '--validation-threads', '0', '--db-source', mirrorB, '--db-refresh', '0', '--rematch-workers', '0'],
          /listening on (http:\/\/[^\s)]+)/,
        );
        children.push(server.child);
        const res = await fetch(`${server.match[1]}/api/v1/admin/db/refresh`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}` } });
        expect(res.status).toBe(200);
        const refresh = (await res.json()) as { refreshId: number; inventories: number };
        expect(refresh.inventories).toBe(PROJECTS * TARGETS);

        // The server leaves them queued.
        await new Promise((r) => setTimeout(r, 1500));
        expect(await store.monitor.jobCounts(refresh.refreshId)).toEqual({ queued: PROJECTS * TARGETS });

        const workerArgs = ['worker', ...storeArgs, '--rematch', '--no-scan-jobs', '--no-ingest', '--rematch-batch', '5'];
        const workers = await Promise.all([startChild(workerArgs, /working re-match jobs/), startChild(workerArgs, /working re-match jobs/)]);
        children.push(...workers.map((w) => w.child));
        await until('the refresh\'s jobs', async () => ((await store.monitor.jobCounts(refresh.refreshId)).done ?? 0) === PROJECTS * TARGETS);
        expect(await store.monitor.jobCounts(refresh.refreshId)).toEqual({ done: PROJECTS * TARGETS });

        // Worked by the worker processes (their lease owners carry their pids), never by the server.
        const owners = await store.db.selectFrom('monitor_jobs').select('lease_owner').where('refresh_id', '=', refresh.refreshId).execute();
        const pids = workers.map((w) => w.child.pid);
        expect(owners.every((o) => pids.some((pid) => o.lease_owner?.startsWith(`monitor-${pid}-`)))).toBe(true);

        const events = await store.events.list({ limit: 10_000 });
        expect(events.length).toBe(PROJECTS * TARGETS);
        expect(new Set(events.map((e) => `${e.project.name}/${e.target}`)).size).toBe(PROJECTS * TARGETS);
        expect(events.every((e) => e.kind === 'new' && e.cause.kind === 'db-refresh' && e.finding.id === QS.id)).toBe(true);
        // The server's gate of each inventory, decided by the workers with this re-match.
        const inventories = await store.db.selectFrom('inventories').select(['evaluated_at', 'gate_passed']).execute();
        expect(inventories.length).toBe(PROJECTS * TARGETS);
        expect(inventories.every((i) => i.evaluated_at !== null && i.gate_passed !== null)).toBe(true);
        for (const w of workers) expect(w.stderr()).not.toMatch(/error/i);
      } finally {
        await store.close();
      }
    }, 180_000);
  });

  describe.skipIf(skip)(`a batch of re-match jobs in one transaction on ${engine}`, () => {
    let t: TestStore;
    let work: string;
    beforeAll(async () => {
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-monitor-batch-'));
      t = await freshStore(engine);
    });
    afterAll(async () => {
      await t?.cleanup();
      if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it("a jobs-only worker works no job while its profiles differ from the server's last sync, and syncs again", async () => {
      const cacheDir = path.join(t.options.dataDir!, 'advisory-profiles');
      const serverProfiles = path.join(work, 'profiles-server');
      const workerProfiles = path.join(work, 'profiles-worker');
      for (const [dir, failOn] of [[serverProfiles, 'high'], [workerProfiles, 'critical']] as const) {
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, 'defaults.yaml'), `gate:\n  failOn: ${failOn}\n`);
      }
      const store = await Store.open(t.options);
      try {
        const server = new Monitor(store, { cacheDir, dbSource: await writeMirror(path.join(work, 'p'), [LODASH]), background: false, workJobs: false, profileRepo: serverProfiles });
        await server.refresh();
        expect((await server.syncProfiles()).changed).toBe(true);
        await store.scans.store(await store.projects.create('prof-0', null), inventoryReport('main', [npmPackage('lodash', '4.0.0')]));
        const worker = new Monitor(store, { cacheDir, background: false, jobsOnly: true, profileRepo: workerProfiles });
        await worker.start();
        const queued = (await store.monitor.jobCounts()).queued ?? 0;
        expect(queued).toBeGreaterThan(0);
        expect(await worker.processBatch()).toBe(0);
        expect((await store.monitor.jobCounts()).queued).toBe(queued);
        // The worker's repository catches up (a pull): it syncs before its next batch and works the jobs.
        fs.writeFileSync(path.join(workerProfiles, 'defaults.yaml'), 'gate:\n  failOn: high\n');
        expect(await worker.drain()).toBe(queued);
        expect((await store.monitor.jobCounts()).queued ?? 0).toBe(0);
        await worker.stop();
        await server.stop();
      } finally {
        await store.close();
      }
    });

    it('a job that fails rolls its batch back; the others are then done one by one, the bad one fails alone', async () => {
      const cacheDir = path.join(t.options.dataDir!, 'advisory');
      const store = await Store.open(t.options);
      try {
        const monitor = new Monitor(store, { cacheDir, dbSource: await writeMirror(path.join(work, 'a'), [LODASH]), background: false, batchSize: 10, maxAttempts: 1 });
        await monitor.refresh();
        const scans: number[] = [];
        for (let p = 0; p < 4; p++) scans.push(await store.scans.store(await store.projects.create(`b-${p}`, null), inventoryReport('main', [npmPackage('qs', '6.0.0')])));
        await monitor.drain();
        // One inventory's stored package cannot be read back: its job throws.
        await store.db.updateTable('scan_packages').set({ data: '{not json' }).where('scan_id', '=', scans[2]!).execute();
        monitor.opts.dbSource = await writeMirror(path.join(work, 'b'), [LODASH, QS]);
        const r = await monitor.refresh();
        expect(r.inventories).toBe(4);
        expect(await monitor.drain()).toBe(4);
        expect(await store.monitor.jobCounts(r.refreshId)).toEqual({ done: 3, failed: 1 });
        const events = await store.events.list({ limit: 100 });
        expect(events.filter((e) => e.cause.kind === 'db-refresh' && e.cause.id === String(r.refreshId)).map((e) => e.project.name).sort()).toEqual(['b-0', 'b-1', 'b-3']);
        expect(monitor.stats).toMatchObject({ jobs: 4 + 3, failed: 1 });
      } finally {
        await store.close();
      }
    });
  });
}
