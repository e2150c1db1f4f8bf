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
      // Closed by scan 2: last seen in scan 1. Back in scan 3: open again, first seen unchanged.
      const at1 = (await store.db.selectFrom('scans').select('received_at').where('id', '=', scan1).executeTakeFirstOrThrow()).received_at;
      expect(resolved?.lastSeenAt).toBe(at1);
      const scan3 = await store.scans.store(projectId, { ...first, createdAt: new Date().toISOString() });
      const back = (await read.findings((await store.projects.byName('p-seen'))!, {}, 500)).items.find((f) => f.id === dropped.id && f.package.purl === dropped.package.purl);
      expect(back).toMatchObject({ status: 'open', firstSeenAt: resolved!.firstSeenAt });
      const gone = (await read.findings((await store.projects.byName('p-seen'))!, { status: 'all' }, 500)).items.find((f) => f.id === 'GHSA-new0-0000-0000');
      expect(gone?.status).toBe('resolved');
      await store.scans.store(projectId, second);
      expect(scan3).toBeGreaterThan(scan2);
      // The summary row of the scan matches a count of the findings.
      const view = await read.project(projectId);
      const openCount = Object.values(view.latestScan!.open).reduce((a, b) => a + b, 0);
      expect(openCount + view.latestScan!.suppressed).toBe(second.findings.length);
      const trend = await read.trend(projectId, 10);
      expect(trend.map((p) => p.scanId)).toEqual([scan1, scan2, scan3, scan3 + 1]);
    });

    it('keeps one copy of an unchanged inventory and matches it once; a changed one gets its own rows and a match', async () => {
      const projectId = await store.projects.create('p-same-inventory', null);
      const report = syntheticReport({ seed: 31, findings: 20 });
      const scanRows = async (scanId: number): Promise<number> =>
        Number((await store.db.selectFrom('scan_packages').select((eb) => eb.fn.countAll().as('n')).where('scan_id', '=', scanId).executeTakeFirstOrThrow()).n);
      const jobs = async (): Promise<(string | null)[]> =>
        (await store.db.selectFrom('monitor_jobs as j').innerJoin('inventories as i', 'i.id', 'j.inventory_id').select('j.cause_id').where('i.project_id', '=', projectId).orderBy('j.id').execute()).map((j) => j.cause_id);
      const s1 = await store.scans.store(projectId, report);
      const s2 = await store.scans.store(projectId, { ...report, createdAt: new Date().toISOString() });
      expect(await scanRows(s1)).toBe(report.packages.length);
      expect(await scanRows(s2)).toBe(0);
      const scan2 = await store.db.selectFrom('scans').select(['packages_scan_id', 'package_set_hash']).where('id', '=', s2).executeTakeFirstOrThrow();
      expect(scan2.packages_scan_id).toBe(s1);
      expect(await jobs()).toEqual([String(s1)]);
      const inv = await store.db.selectFrom('inventories').select('scan_id').where('project_id', '=', projectId).executeTakeFirstOrThrow();
      expect(inv.scan_id).toBe(s2);
      // One package more: its own rows, a match of it; the next unchanged scan points at those rows.
      const changed = structuredClone(report);
      changed.packages.push({ ...structuredClone(changed.packages[0]!), name: 'added-pkg', purl: 'pkg:npm/added-pkg@1.0.0' });
      const s3 = await store.scans.store(projectId, changed);
      const s4 = await store.scans.store(projectId, { ...changed, createdAt: new Date().toISOString() });
      expect(await scanRows(s3)).toBe(report.packages.length + 1);
      expect(await scanRows(s4)).toBe(0);
      expect((await store.db.selectFrom('scans').select('packages_scan_id').where('id', '=', s4).executeTakeFirstOrThrow()).packages_scan_id).toBe(s3);
      expect(await jobs()).toEqual([String(s1), String(s3)]);
      const pkg = await read.searchPackage('all', 'added-pkg', 50, 0);
      expect(pkg.items.map((i) => i.project)).toEqual(['p-same-inventory']);
      // Back to the first inventory: not the current one, so its own copy again (and a match).
      const s5 = await store.scans.store(projectId, { ...report, createdAt: new Date().toISOString() });
      expect(await scanRows(s5)).toBe(report.packages.length);
      expect(await jobs()).toEqual([String(s1), String(s3), String(s5)]);
      expect((await read.searchPackage('all', 'added-pkg', 50, 0)).items).toEqual([]);
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
      // A re-scan where one finding's content changed: that one is rewritten, the others are left alone.
      const third = structuredClone(again);
      third.findings[5]!.severity = third.findings[5]!.severity === 'CRITICAL' ? 'LOW' : 'CRITICAL';
      const scan3 = await store.scans.store(projectId, third);
      const project = (await store.projects.byName('s-alias'))!;
      expect(project.latest_scan_id).toBe(scan3);
      const open = await read.findings(project, {}, 500);
      expect(open.total).toBe(new Set(third.findings.map((f) => `${f.id} ${f.package.purl}`)).size);
      const changed = open.items.find((f) => f.id === third.findings[5]!.id && f.package.purl === third.findings[5]!.package.purl)!;
      expect(changed.severity).toBe(third.findings[5]!.severity);
      const rows = await store.db.selectFrom('findings').select(['fingerprint', 'last_seen_scan_id', 'first_seen_scan_id', 'is_open']).where('project_id', '=', projectId).execute();
      expect(rows.every((r) => r.is_open === 1 && r.first_seen_scan_id < scan3)).toBe(true);
      expect(rows.filter((r) => r.last_seen_scan_id === scan3).map((r) => r.fingerprint)).toEqual([`${third.findings[5]!.id} ${third.findings[5]!.package.purl}`]);
      // An open finding was last seen in the latest scan, written or not.
      const latestAt = (await store.db.selectFrom('scans').select('received_at').where('id', '=', scan3).executeTakeFirstOrThrow()).received_at;
      expect(open.items.every((f) => f.status === 'open' && f.lastSeenAt === latestAt)).toBe(true);
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
