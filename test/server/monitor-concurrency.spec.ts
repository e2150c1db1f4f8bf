import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Monitor } from '../../src/server/monitor/monitor.js';
import { Store } from '../../src/server/store/store.js';
import type { Advisory } from './monitor-support.js';
import { HIGH_VECTOR, inventoryReport, npmPackage, writeMirror } from './monitor-support.js';
import type { TestStore } from './support.js';
import { ENGINES, freshStore } from './support.js';

const QS: Advisory = { id: 'GHSA-qs-0001', name: 'qs', fixed: '6.10.3', vector: HIGH_VECTOR };
const PROJECTS = 4;
const SCANS = 20;

for (const { engine, skip } of ENGINES) {
  describe.skipIf(skip)(`scans stored while monitor jobs of the same projects are worked, on ${engine}`, () => {
    let t: TestStore;
    let store: Store;
    let work: string;
    beforeAll(async () => {
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-monitor-concurrency-'));
      t = await freshStore(engine);
      store = await Store.open({ ...t.options, poolSize: 8 });
    });
    afterAll(async () => {
      await store?.close();
      await t?.cleanup();
      fs.rmSync(work, { recursive: true, force: true });
    });

    it('never deadlocks: each scan moves the inventory (and queues its match) while two monitors write events for it', async () => {
      const cacheDir = path.join(work, 'advisory');
      const mirror = await writeMirror(path.join(work, 'mirror'), [QS]);
      const monitors = [0, 1].map(() => new Monitor(store, { cacheDir, dbSource: mirror, background: false, batchSize: 3, maxAttempts: 1 }));
      await monitors[0]!.refresh();
      const ids: number[] = [];
      for (let p = 0; p < PROJECTS; p++) ids.push(await store.projects.create(`race-${p}`, null));
      // Every scan changes qs's version (each one vulnerable): a `fixed` and a `new` event per evaluation.
      const version = (i: number): string => `6.${i % 9}.${i}`;
      let storing = true;
      const stored = Promise.all(
        ids.map(async (id) => {
          const last: number[] = [];
          for (let i = 0; i < SCANS; i++) last.push(await store.scans.store(id, inventoryReport('main', [npmPackage('qs', version(i)), npmPackage('left-pad', '1.0.0')])));
          return last.at(-1)!;
        }),
      ).finally(() => {
        storing = false;
      });
      const worked = monitors.map(async (m) => {
        while (storing) {
          await m.drain();
          await new Promise((r) => setTimeout(r, 5));
        }
      });
      const lastScans = await stored;
      await Promise.all(worked);
      for (const m of monitors) await m.drain();
      expect(monitors.reduce((n, m) => n + m.stats.failed, 0)).toBe(0);
      expect((await store.monitor.jobCounts()).failed ?? 0).toBe(0);
      // Every project's current state is its last scan, and its open finding is qs at that scan's version.
      for (const [k, id] of ids.entries()) {
        const inv = await store.db.selectFrom('inventories').select(['id', 'scan_id']).where('project_id', '=', id).executeTakeFirstOrThrow();
        expect(inv.scan_id).toBe(lastScans[k]);
        const open = await store.db.selectFrom('monitor_findings').select(['name', 'version']).where('inventory_id', '=', inv.id).where('state', '=', 'open').execute();
        expect(open).toEqual([{ name: 'qs', version: version(SCANS - 1) }]);
      }
    });
  });
}
