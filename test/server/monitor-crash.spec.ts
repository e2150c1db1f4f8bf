import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initServer } from '../../src/server/server.js';
import { Store } from '../../src/server/store/store.js';
import { BIN } from '../support/cli.js';
import { REPO_ROOT } from '../support/shared.js';
import type { Advisory } from './monitor-support.js';
import { CRITICAL_VECTOR, HIGH_VECTOR, seedQsInventories, writeMirror } from './monitor-support.js';
import type { TestStore } from './support.js';
import { ENGINES, freshStore } from './support.js';

const LODASH: Advisory = { id: 'GHSA-lodash-0001', name: 'lodash', fixed: '4.17.21', vector: CRITICAL_VECTOR };
const QS: Advisory = { id: 'GHSA-qs-0001', name: 'qs', fixed: '6.10.3', vector: HIGH_VECTOR };
const PROJECTS = 40;
const TARGETS = 15; // 600 inventories, each holding qs
const BUILT = fs.existsSync(path.join(REPO_ROOT, 'bundle/main.js'));

/** Starts `bulwark server` and resolves with its URL once it listens. */
function startChild(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'server', ...args, '--port', '0', '--validation-threads', '0'], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (http:\/\/[^\s)]+)/.exec(err);
      if (m) resolve({ child, url: m[1]! });
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
}

for (const { engine, skip } of ENGINES) {
  describe.skipIf(skip || !BUILT)(`re-matching survives kill -9 on ${engine}`, () => {
    let t: TestStore;
    let work: string;
    let child: ChildProcess | undefined;

    beforeAll(async () => {
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-monitor-crash-'));
      t = await freshStore(engine);
    });
    afterAll(async () => {
      child?.kill('SIGKILL');
      await t?.cleanup();
      if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it('a server killed in the middle of a re-match finishes it after a restart: every event once', async () => {
      const mirrorA = await writeMirror(path.join(work, 'a'), [LODASH]);
      const mirrorB = await writeMirror(path.join(work, 'b'), [LODASH, QS]);
      const cacheDir = path.join(t.options.dataDir!, 'advisory');
      const { apiKey } = await initServer(t.options);
      // Seed: the advisory database from mirror A, then 600 inventories with qs (and 60 other packages each).
      const store = await Store.open(t.options);
      try {
        await seedQsInventories(store, { cacheDir, mirror: mirrorA, prefix: 'crash', projects: PROJECTS, targets: TARGETS, fillers: 60 });
        expect(await store.events.count()).toBe(0);
      } finally {
        await store.close();
      }
      const storeArgs = ['--data-dir', t.options.dataDir!, ...(t.options.databaseUrl ? ['--database', t.options.databaseUrl] : [])];
      const serverArgs = [...storeArgs, '--db-source', mirrorB, '--db-refresh', '0', '--rematch-lease', '1s', '--rematch-batch', '5'];
      const first = await startChild(serverArgs);
      child = first.child;
      const res = await fetch(`${first.url}/api/v1/admin/db/refresh`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}` } });
      expect(res.status).toBe(200);
      const refresh = (await res.json()) as { refreshId: number; inventories: number };
      expect(refresh.inventories).toBe(PROJECTS * TARGETS);

      // Watch from outside and kill -9 once some, but not all, of the re-match is done.
      const watcher = await Store.open(t.options);
      try {
        let done = 0;
        for (let i = 0; i < 2000 && done === 0; i++) {
          done = (await watcher.monitor.jobCounts(refresh.refreshId)).done ?? 0;
          if (done === 0) await new Promise((r) => setTimeout(r, 5));
        }
        child.kill('SIGKILL');
        await new Promise((r) => child!.once('exit', r));
        const atKill = (await watcher.monitor.jobCounts(refresh.refreshId)).done ?? 0;
        expect(atKill).toBeGreaterThan(0);
        expect(atKill).toBeLessThan(PROJECTS * TARGETS);
        expect(await watcher.events.count('new')).toBe(atKill);

        const second = await startChild(serverArgs);
        child = second.child;
        for (let i = 0; i < 1200; i++) {
          const c = await watcher.monitor.jobCounts(refresh.refreshId);
          if ((c.done ?? 0) === PROJECTS * TARGETS) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        expect(await watcher.monitor.jobCounts(refresh.refreshId)).toEqual({ done: PROJECTS * TARGETS });
        const events = await watcher.events.list({ limit: 10_000 });
        expect(events.length).toBe(PROJECTS * TARGETS);
        expect(new Set(events.map((e) => e.fingerprint)).size).toBe(PROJECTS * TARGETS);
        expect(new Set(events.map((e) => `${e.project.name}/${e.target}`)).size).toBe(PROJECTS * TARGETS);
        expect(events.every((e) => e.kind === 'new' && e.cause.kind === 'db-refresh' && e.finding.id === QS.id)).toBe(true);
      } finally {
        await watcher.close();
      }
    }, 180_000);
  });
}
