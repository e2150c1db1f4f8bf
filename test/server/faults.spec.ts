import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { sql } from 'kysely';
import { buildApp } from '../../src/server/app.js';
import { API_KEY_PREFIX, INGEST_TOKEN_PREFIX, newSecret } from '../../src/server/auth.js';
import { ReadModel } from '../../src/server/store/queries.js';
import type { RunningServer } from '../../src/server/server.js';
import { startServer } from '../../src/server/server.js';
import { PG_APPLICATION_NAME, Store } from '../../src/server/store/store.js';
import { syntheticReport } from '../../src/server/synthetic.js';
import { IngestWorker } from '../../src/server/worker.js';
import type { ScanReport } from '../../src/core/report.js';
import type { TestStore } from './support.js';
import { ENGINES, PG_ADMIN_URL, PG_AVAILABLE, freshStore, pgProxy } from './support.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reports of one project that overlap (so upserts of concurrent scans touch the same findings). */
function overlappingReports(n: number, findings: number): ScanReport[] {
  const base = syntheticReport({ seed: 4242, findings });
  return Array.from({ length: n }, (_, i) => {
    const r = structuredClone(base);
    r.createdAt = new Date(Date.UTC(2030, 0, 1) + i * 60_000).toISOString();
    // Each report drops a different fifth of the findings.
    r.findings = base.findings.filter((_, j) => (j + i) % 5 !== 0);
    return r;
  });
}

async function waitForQueue(store: Store, timeoutMs: number): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stats = await store.queue.stats().catch(() => ({ queued: 1 }) as Record<string, number>);
    if (!stats.queued && !stats.processing) return stats;
    if (Date.now() > deadline) throw new Error(`queue not drained: ${JSON.stringify(stats)}`);
    await sleep(100);
  }
}

describe.skipIf(!PG_AVAILABLE)('store correctness on postgres', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await freshStore('postgres');
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('3 workers x 40 uploads to one project: the open findings are exactly the latest scan\'s', async () => {
    const store = await Store.open({ ...t.options, poolSize: 8 });
    try {
      const projectId = await store.projects.create('busy', null);
      const reports = overlappingReports(40, 1000);
      for (const [i, r] of reports.entries()) {
        const body = JSON.stringify(r);
        await store.queue.enqueue({ projectId, tokenId: null, idempotencyKey: `run-${i}`, bodyHash: `hash-${i}`, body });
      }
      const workers = [0, 1, 2].map(() => new IngestWorker(store, { idleMs: 10 }));
      await Promise.all(workers.map((w) => w.drain()));
      const project = (await store.projects.byName('busy'))!;
      const scans = await store.db.selectFrom('scans').select(['id', 'finding_count']).where('project_id', '=', projectId).orderBy('id').execute();
      expect(scans.length).toBe(40);
      expect(project.latest_scan_id).toBe(scans[scans.length - 1]!.id);
      const latest = scans[scans.length - 1]!;
      const open = await new ReadModel(store).findings(project, {}, 1);
      expect(open.total).toBe(latest.finding_count);
      // And they are the right ones: the report stored last.
      const queueId = (await store.db.selectFrom('scans').select('queue_id').where('id', '=', latest.id).executeTakeFirstOrThrow()).queue_id!;
      const key = (await store.db.selectFrom('ingest_queue').select('idempotency_key').where('id', '=', queueId).executeTakeFirstOrThrow()).idempotency_key!;
      const expected = reports[Number(key.slice(4))]!;
      const seen = new Set<string>();
      let cursor: string | undefined;
      do {
        const page = await new ReadModel(store).findings(project, {}, 500, cursor);
        for (const f of page.items) seen.add(`${f.id} ${f.package.purl}`);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(new Set(expected.findings.map((f) => `${f.id} ${f.package.purl}`)));
    } finally {
      await store.close();
    }
  }, 120_000);

  it('survives the database terminating its connections during uploads: process alive, every 202 stored once', async () => {
    const errors: string[] = [];
    const server: RunningServer = await startServer({ ...t.options, poolSize: 6, port: 0, logger: false, uploadsPerToken: 8, uploadsTotal: 8, worker: { idleMs: 20, leaseMs: 2000, retryBaseMs: 50 } });
    server.store.onConnectionError = (e) => errors.push(e.message);
    const extra = [new IngestWorker(server.store, { idleMs: 20, leaseMs: 2000, retryBaseMs: 50 })];
    for (const w of extra) w.start();
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    try {
      const projectId = await server.store.projects.create('terminated', null);
      const tok = newSecret(INGEST_TOKEN_PREFIX);
      await server.store.projects.createIngestToken(projectId, tok.hash);
      const dbName = new URL(t.options.databaseUrl!).pathname.slice(1);
      let terminating = true;
      let kills = 0;
      // Terminate for a bounded time: on a loaded machine a terminator that never pauses can starve every attempt.
      const terminateUntil = Date.now() + 8_000;
      const terminator = (async () => {
        while (terminating && Date.now() < terminateUntil) {
          const r = await admin.query(`select pg_terminate_backend(pid) as ok from pg_stat_activity where datname = $1 and application_name = $2 and pid <> pg_backend_pid()`, [dbName, PG_APPLICATION_NAME]);
          kills += r.rowCount ?? 0;
          await sleep(40);
        }
      })();
      const acked = new Map<number, number>();
      const statuses: number[] = [];
      await Promise.all(
        [0, 1, 2, 3].map(async (c) => {
          for (let i = c; i < 60; i += 4) {
            const body = JSON.stringify(syntheticReport({ seed: 9000 + i, findings: 150 }));
            // Like `bulwark upload`: retry 503s (the store was unavailable, nothing acknowledged).
            for (const giveUp = Date.now() + 90_000; Date.now() < giveUp; ) {
              const res = await fetch(`${server.url}/api/v1/reports`, { method: 'POST', headers: { authorization: `Bearer ${tok.secret}`, 'content-type': 'application/json', 'idempotency-key': `k-${i}` }, body });
              statuses.push(res.status);
              const j = (await res.json()) as { id?: number };
              if (res.status === 202) {
                acked.set(i, j.id!);
                break;
              }
              expect(res.status).toBe(503);
              await sleep(30);
            }
          }
        }),
      );
      terminating = false;
      await terminator;
      expect(kills).toBeGreaterThan(0);
      expect(errors.length).toBeGreaterThan(0);
      expect(acked.size).toBe(60);
      await waitForQueue(server.store, 60_000);
      const entries = await server.store.db.selectFrom('ingest_queue').select(['id', 'status']).where('project_id', '=', projectId).execute();
      expect(entries.filter((e) => e.status !== 'done')).toEqual([]);
      const scans = await server.store.db.selectFrom('scans').select(['queue_id']).where('project_id', '=', projectId).execute();
      // Every acknowledged report is one scan: none lost, none twice.
      expect(scans.map((s) => s.queue_id).sort((a, b) => a! - b!)).toEqual([...new Set(acked.values())].sort((a, b) => a - b));
      expect((await fetch(`${server.url}/api/v1/health`)).status).toBe(200);
    } finally {
      for (const w of extra) await w.stop();
      await admin.end();
      await server.close();
    }
  }, 180_000);

  it('answers 503 + Retry-After to every request while the database is away, /health without internals, and recovers', async () => {
    const proxy = await pgProxy(t.options.databaseUrl!);
    const store = await Store.open({ ...t.options, databaseUrl: proxy.url, poolSize: 2 });
    const { app } = await buildApp({ store, logger: false, worker: false });
    try {
      const key = newSecret(API_KEY_PREFIX);
      await store.identity.createUser('outage-admin', 'admin', key.hash);
      const pid = await store.projects.create('outage', null);
      const tok = newSecret(INGEST_TOKEN_PREFIX);
      await store.projects.createIngestToken(pid, tok.hash);
      expect((await app.inject({ method: 'GET', url: '/api/v1/projects', headers: { authorization: `Bearer ${key.secret}` } })).statusCode).toBe(200);
      await proxy.down();
      const attempts = [
        app.inject({ method: 'GET', url: '/api/v1/projects', headers: { authorization: `Bearer ${key.secret}` } }),
        app.inject({ method: 'POST', url: '/api/v1/reports', headers: { authorization: `Bearer ${tok.secret}`, 'content-type': 'application/json' }, payload: JSON.stringify(syntheticReport({ seed: 1, findings: 2 })) }),
        app.inject({ method: 'GET', url: '/api/v1/projects', headers: { cookie: 'bulwark_session=abc' } }),
        app.inject({ method: 'POST', url: '/api/v1/login', payload: { apiKey: key.secret } }),
      ];
      for (const r of await Promise.all(attempts)) {
        expect(r.statusCode, r.body).toBe(503);
        expect(r.headers['retry-after']).toMatch(/^\d+$/);
        expect(r.json<{ error: { code: string } }>().error.code).toBe('store_unavailable');
      }
      const health = await app.inject({ method: 'GET', url: '/api/v1/health' });
      expect(health.statusCode).toBe(503);
      expect(health.headers['retry-after']).toBe('5');
      expect(health.json()).toEqual({ status: 'unavailable' });
      await proxy.up();
      // The pool reconnects by itself.
      let ok = false;
      for (let i = 0; i < 50 && !ok; i++) {
        ok = (await app.inject({ method: 'GET', url: '/api/v1/health' })).statusCode === 200;
        if (!ok) await sleep(100);
      }
      expect(ok).toBe(true);
    } finally {
      await app.close();
      await store.close().catch(() => {});
      await proxy.close();
    }
  }, 60_000);
});

for (const { engine, skip } of ENGINES) {
  describe.skipIf(skip)(`acknowledged means stored, on ${engine}`, () => {
    let t: TestStore;
    let store: Store;
    let app: Awaited<ReturnType<typeof buildApp>>['app'];
    let worker: IngestWorker;
    let token: string;
    let admin: string;
    let projectId: number;
    const upload = (body: string, key?: string) =>
      app.inject({ method: 'POST', url: '/api/v1/reports', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) }, payload: body });
    const queueCount = async () => Number((await store.db.selectFrom('ingest_queue').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

    beforeAll(async () => {
      t = await freshStore(engine);
      store = await Store.open(t.options);
      const built = await buildApp({ store, logger: false, worker: { idleMs: 20, maxAttempts: 3, retryBaseMs: 200 } });
      app = built.app;
      worker = built.worker!;
      projectId = await store.projects.create('acks', null);
      const tok = newSecret(INGEST_TOKEN_PREFIX);
      await store.projects.createIngestToken(projectId, tok.hash);
      token = tok.secret;
      const key = newSecret(API_KEY_PREFIX);
      await store.identity.createUser('root', 'admin', key.hash);
      admin = key.secret;
    });
    afterAll(async () => {
      await app?.close();
      await store?.close();
      await t?.cleanup();
    });

    it('refuses values the store cannot keep (NUL, unpaired surrogates, over-long keys) before 202', async () => {
      const before = await queueCount();
      const nul = syntheticReport({ seed: 31, findings: 3 });
      nul.findings[1]!.title = 'bad\u0000title';
      const surrogate = syntheticReport({ seed: 32, findings: 3 });
      surrogate.target.name = 'half \ud800 pair';
      const longKey = syntheticReport({ seed: 33, findings: 3 });
      longKey.findings[0]!.aliases.push('CVE-' + 'x'.repeat(2000));
      const nulKey = JSON.stringify(syntheticReport({ seed: 34, findings: 1 })).replace('"unknowns"', '"un\\u0000known":1,"unknowns"');
      for (const [body, detail] of [
        [JSON.stringify(nul), /findings\/1\/title contains a NUL/],
        [JSON.stringify(surrogate), /target\/name contains an unpaired/],
        [JSON.stringify(longKey), /findings\/0 .*longer than 1000 bytes/],
        [nulKey, /property name contains a NUL/],
      ] as const) {
        const r = await upload(body);
        expect(r.statusCode, r.body).toBe(400);
        expect(r.json<{ error: { details: string[] } }>().error.details.join(' ')).toMatch(detail);
      }
      // A paired surrogate (an emoji) is fine.
      const emoji = syntheticReport({ seed: 35, findings: 2 });
      emoji.findings[0]!.title = 'rocket \u{1F680}';
      expect((await upload(JSON.stringify(emoji))).statusCode).toBe(202);
      expect(await queueCount()).toBe(before + 1);
      await worker.drain();
    });

    it('accepts additive report fields (a newer scanner), and stores them without failing', async () => {
      const r = syntheticReport({ seed: 36, findings: 2 }) as ScanReport & { extra?: unknown };
      const body = JSON.stringify({ ...r, schemaVersion: '1.9.0', gate: { ...r.gate, complete: true }, extra: { nested: [1, 2] } });
      const res = await upload(body);
      expect(res.statusCode, res.body).toBe(202);
      await worker.drain();
      expect((await store.queue.item(res.json<{ id: number }>().id))?.status).toBe('done');
    });

    it('backs failed attempts off exponentially, lists failed entries and retries them', async () => {
      // A store fault on scans: every attempt to store fails until the trigger is dropped.
      const raw = async (q: string) => {
        await sql.raw(q).execute(store.db);
      };
      if (engine === 'sqlite') await raw("create trigger scans_fault before insert on scans begin select raise(abort, 'injected fault'); end");
      else {
        await raw("create function scans_fault() returns trigger language plpgsql as $$ begin raise exception 'injected fault'; end $$");
        await raw('create trigger scans_fault before insert on scans for each row execute function scans_fault()');
      }
      const res = await upload(JSON.stringify(syntheticReport({ seed: 37, findings: 4 })));
      expect(res.statusCode).toBe(202);
      const id = res.json<{ id: number }>().id;
      const backoffs: number[] = [];
      for (let attempt = 1; attempt <= 3; attempt++) {
        expect(await worker.processOne()).toBe(true);
        const row = await store.db.selectFrom('ingest_queue').select(['status', 'attempts', 'updated_at', 'next_attempt_at']).where('id', '=', id).executeTakeFirstOrThrow();
        expect(row.attempts).toBe(attempt);
        if (attempt === 3) break;
        expect(row.status).toBe('queued');
        backoffs.push(Date.parse(row.next_attempt_at!) - Date.parse(row.updated_at));
        // Not due before its back-off: nothing to claim now.
        expect(await worker.processOne()).toBe(false);
        await sleep(Date.parse(row.next_attempt_at!) - Date.now() + 20);
      }
      // Exponential: 200 ms after the first failure, 400 ms after the second.
      expect(backoffs.map((b) => Math.round(b / 100) * 100)).toEqual([200, 400]);
      const failed = await store.queue.item(id);
      expect(failed).toMatchObject({ status: 'failed', attempts: 3 });
      expect(failed!.error).toMatch(/injected fault/);
      const list = await app.inject({ method: 'GET', url: '/api/v1/admin/queue?state=failed', headers: { authorization: `Bearer ${admin}` } });
      expect(list.statusCode).toBe(200);
      const items = list.json<{ items: { id: number; project: string; attempts: number; error: string }[] }>().items;
      expect(items.map((i) => i.id)).toContain(id);
      expect(items.find((i) => i.id === id)).toMatchObject({ project: 'acks', attempts: 3 });
      await raw('drop trigger scans_fault' + (engine === 'postgres' ? ' on scans' : ''));
      expect((await app.inject({ method: 'POST', url: `/api/v1/admin/queue/${id}/retry`, headers: { authorization: `Bearer ${admin}` } })).statusCode).toBe(202);
      expect((await app.inject({ method: 'POST', url: `/api/v1/admin/queue/${id}/retry`, headers: { authorization: `Bearer ${admin}` } })).statusCode).toBe(404);
      await worker.drain();
      expect((await store.queue.item(id))?.status).toBe('done');
      const audit = await app.inject({ method: 'GET', url: '/api/v1/admin/audit', headers: { authorization: `Bearer ${admin}` } });
      expect(audit.json<{ items: { action: string; target: string }[] }>().items[0]).toMatchObject({ action: 'queue.retry', target: String(id) });
    });
  });
}
