import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../src/server/store/store.js';
import { IdempotencyKeyReusedError } from '../../src/server/store/queue.js';
import { ReadModel } from '../../src/server/store/queries.js';
import { IngestWorker } from '../../src/server/worker.js';
import { syntheticReport } from '../../src/server/synthetic.js';
import type { TestStore } from './support.js';
import { ENGINES, freshStore } from './support.js';

for (const { engine, skip } of ENGINES) {
  describe.skipIf(skip)(`store on ${engine}`, () => {
    let t: TestStore;
    let store: Store;
    let read: ReadModel;
    beforeAll(async () => {
      t = await freshStore(engine);
      store = await Store.open(t.options);
      read = new ReadModel(store);
    });
    afterAll(async () => {
      await store?.close();
      await t?.cleanup();
    });

    it('migrates idempotently (reopening runs nothing new)', async () => {
      const again = await Store.open(t.options);
      await again.close();
    });

    it('keeps first-seen and last-seen per project, open = in the latest scan', async () => {
      const projectId = await store.projects.create('p-seen', null);
      const first = syntheticReport({ seed: 11, findings: 30 });
      const scan1 = await store.scans.store(projectId, first);
      const second = structuredClone(first);
      const dropped = second.findings.pop()!;
      second.findings.push({ ...structuredClone(second.findings[0]!), id: 'GHSA-new0-0000-0000', aliases: ['CVE-2099-99999'] });
      second.findings[0]!.severity = 'CRITICAL';
      const scan2 = await store.scans.store(projectId, second);
      expect(scan2).toBeGreaterThan(scan1);
      const project = (await store.projects.byName('p-seen'))!;
      expect(project.latest_scan_id).toBe(scan2);
      const open = await read.findings(project, {}, 500);
      expect(open.total).toBe(second.findings.length);
      const kept = open.items.find((f) => f.id === second.findings[1]!.id && f.package.purl === second.findings[1]!.package.purl)!;
      const added = open.items.find((f) => f.id === 'GHSA-new0-0000-0000')!;
      expect(added.firstSeenAt > kept.firstSeenAt || added.firstSeenAt === kept.lastSeenAt).toBe(true);
      expect(kept.lastSeenAt >= kept.firstSeenAt).toBe(true);
      expect(open.items.some((f) => f.id === dropped.id && f.package.purl === dropped.package.purl)).toBe(false);
      const all = await read.findings(project, { status: 'all' }, 500);
      const resolved = all.items.find((f) => f.id === dropped.id && f.package.purl === dropped.package.purl);
      expect(resolved?.status).toBe('resolved');
      // The summary row of the scan matches a count of the findings.
      const view = await read.project(projectId);
      const openCount = Object.values(view.latestScan!.open).reduce((a, b) => a + b, 0);
      expect(openCount + view.latestScan!.suppressed).toBe(second.findings.length);
      const trend = await read.trend(projectId, 10);
      expect(trend.map((p) => p.scanId)).toEqual([scan1, scan2]);
    });

    it('filters and pages findings with a cursor', async () => {
      const projectId = await store.projects.create('p-page', null);
      await store.scans.store(projectId, syntheticReport({ seed: 12, findings: 120 }));
      const project = (await store.projects.byName('p-page'))!;
      const seen = new Set<string>();
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await read.findings(project, {}, 25, cursor);
        for (const f of page.items) seen.add(`${f.id} ${f.package.purl}`);
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor);
      expect(seen.size).toBe(120);
      expect(pages).toBe(5);
      const crit = await read.findings(project, { severity: ['CRITICAL'], fixable: true, suppressed: false }, 500);
      expect(crit.items.length).toBeGreaterThan(0);
      expect(crit.items.every((f) => f.severity === 'CRITICAL' && f.fixable && !f.suppressed)).toBe(true);
      const pkg = await read.findings(project, { package: 'PKG-' }, 500);
      expect(pkg.total).toBe(120);
    });

    it('finds projects by vulnerability alias and by package, scoped to teams', async () => {
      const teamId = await store.identity.createTeam('t-search');
      const a = await store.projects.create('s-a', teamId);
      const b = await store.projects.create('s-b', null);
      const ra = syntheticReport({ seed: 21, findings: 5 });
      ra.findings[0]!.aliases = ['CVE-2042-0001'];
      const rb = syntheticReport({ seed: 22, findings: 5 });
      rb.findings[0]!.aliases = ['CVE-2042-0001'];
      await store.scans.store(a, ra);
      await store.scans.store(b, rb);
      const all = await read.searchVuln('all', 'CVE-2042-0001', 50, 0);
      expect(all.items.map((i) => i.project).sort()).toEqual(['s-a', 's-b']);
      const byId = await read.searchVuln('all', ra.findings[0]!.id, 50, 0);
      expect(byId.items.some((i) => i.project === 's-a')).toBe(true);
      const team = await read.searchVuln({ teamIds: [teamId] }, 'CVE-2042-0001', 50, 0);
      expect(team.items.map((i) => i.project)).toEqual(['s-a']);
      const pkg = await read.searchPackage('all', ra.packages[0]!.name, 50, 0);
      expect(pkg.items.some((i) => i.project === 's-a')).toBe(true);
    });

    it('indexes the aliases a finding gains on a re-scan, writes no alias row for an unchanged re-scan, rewrites only a changed finding', async () => {
      const projectId = await store.projects.create('s-alias', null);
      const report = syntheticReport({ seed: 23, findings: 40 });
      await store.scans.store(projectId, report);
      const aliasRows = async (): Promise<number> =>
        Number((await store.db.selectFrom('finding_aliases').select((eb) => eb.fn.countAll().as('n')).where('project_id', '=', projectId).executeTakeFirstOrThrow()).n);
      const before = await aliasRows();
      // Each finding: its id and its one alias.
      expect(before).toBe(new Set(report.findings.map((f) => `${f.id} ${f.package.purl}`)).size * 2);
      await store.scans.store(projectId, { ...report, createdAt: new Date().toISOString() });
      expect(await aliasRows()).toBe(before);
      const again = structuredClone(report);
      again.findings[3]!.aliases = [...again.findings[3]!.aliases, 'CVE-2043-0003'];
      await store.scans.store(projectId, again);
      expect(await aliasRows()).toBe(before + 1);
      const hit = await read.searchVuln('all', 'CVE-2043-0003', 50, 0);
      expect(hit.items.map((i) => [i.project, i.id, i.package.purl])).toEqual([['s-alias', again.findings[3]!.id, again.findings[3]!.package.purl]]);
      // A re-scan where one finding's content changed: that one is rewritten, the others only move last seen.
      const third = structuredClone(again);
      third.findings[5]!.severity = third.findings[5]!.severity === 'CRITICAL' ? 'LOW' : 'CRITICAL';
      const scan3 = await store.scans.store(projectId, third);
      const project = (await store.projects.byName('s-alias'))!;
      expect(project.latest_scan_id).toBe(scan3);
      const open = await read.findings(project, {}, 500);
      expect(open.total).toBe(new Set(third.findings.map((f) => `${f.id} ${f.package.purl}`)).size);
      const changed = open.items.find((f) => f.id === third.findings[5]!.id && f.package.purl === third.findings[5]!.package.purl)!;
      expect(changed.severity).toBe(third.findings[5]!.severity);
      const rows = await store.db.selectFrom('findings').select(['last_seen_scan_id', 'first_seen_scan_id']).where('project_id', '=', projectId).execute();
      expect(rows.every((r) => r.last_seen_scan_id === scan3 && r.first_seen_scan_id < scan3)).toBe(true);
    });

    it('queues replays once and stores each entry exactly once with competing workers', async () => {
      const projectId = await store.projects.create('q-1', null);
      const bodies = [1, 2, 3, 4, 5, 6].map((i) => JSON.stringify(syntheticReport({ seed: 100 + i, findings: 20 })));
      const ids = new Set<number>();
      for (const [i, body] of bodies.entries()) {
        const r = await store.queue.enqueue({ projectId, tokenId: null, idempotencyKey: `k${i}`, bodyHash: `h${i}`, body });
        expect(r.replay).toBe(false);
        ids.add(r.id);
        const replayKey = await store.queue.enqueue({ projectId, tokenId: null, idempotencyKey: `k${i}`, bodyHash: `h${i}`, body });
        const replayBody = await store.queue.enqueue({ projectId, tokenId: null, idempotencyKey: null, bodyHash: `h${i}`, body });
        // The same key with another body is refused, never silently dropped.
        await expect(store.queue.enqueue({ projectId, tokenId: null, idempotencyKey: `k${i}`, bodyHash: `other${i}`, body })).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
        expect([replayKey.id, replayBody.id]).toEqual([r.id, r.id]);
        expect(replayKey.replay && replayBody.replay).toBe(true);
      }
      const workers = [new IngestWorker(store), new IngestWorker(store), new IngestWorker(store)];
      const handled = await Promise.all(workers.map((w) => w.drain()));
      expect(handled.reduce((a, b) => a + b, 0)).toBe(6);
      const scans = await store.db.selectFrom('scans').select(['id', 'queue_id']).where('project_id', '=', projectId).execute();
      expect(scans.length).toBe(6);
      expect(new Set(scans.map((s) => s.queue_id))).toEqual(ids);
      const again = await store.queue.enqueue({ projectId, tokenId: null, idempotencyKey: 'k0', bodyHash: 'h0', body: bodies[0]! });
      expect(again.status).toBe('done');
      expect(again.scanId).not.toBeNull();
    });

    it('takes over an entry whose lease expired, and the first worker cannot complete it any more', async () => {
      const projectId = await store.projects.create('q-lease', null);
      const report = syntheticReport({ seed: 300, findings: 10 });
      await store.queue.enqueue({ projectId, tokenId: null, idempotencyKey: null, bodyHash: 'lease-1', body: JSON.stringify(report) });
      const stale = await store.queue.claim('w-old', -1000); // a lease that is already over
      expect(stale).toBeDefined();
      const fresh = await store.queue.claim('w-new', 60_000);
      expect(fresh?.id).toBe(stale!.id);
      expect(await store.queue.complete(stale!, report)).toBeUndefined();
      expect(await store.queue.complete(fresh!, report)).toBeTypeOf('number');
      const n = await store.db.selectFrom('scans').select('id').where('project_id', '=', projectId).execute();
      expect(n.length).toBe(1);
    });
  });
}
