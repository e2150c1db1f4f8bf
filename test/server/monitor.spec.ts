import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FindingEvent } from '../../src/server/events/types.js';
import type { RunningServer } from '../../src/server/server.js';
import type { Advisory } from './monitor-support.js';
import { CRITICAL_VECTOR, HIGH_VECTOR, apiClient, inventoryReport, npmPackage, settleServer, writeMirror, startMonitoredServer, writeProfileRepo } from './monitor-support.js';
import type { TestStore } from './support.js';
import { ENGINES } from './support.js';

// Mirror A: lodash (CRITICAL) and left-pad. B adds GHSA-qs for qs (only alpha/main has it) and modifies
// left-pad's (only beta has it). C withdraws GHSA-qs.
const LODASH: Advisory = { id: 'GHSA-lodash-0001', name: 'lodash', fixed: '4.17.21', vector: CRITICAL_VECTOR, summary: 'Prototype pollution in lodash' };
const LEFTPAD: Advisory = { id: 'GHSA-leftpad-0001', name: 'left-pad', fixed: '1.3.0', vector: HIGH_VECTOR, summary: 'left-pad does nothing wrong' };
const QS: Advisory = { id: 'GHSA-qs-0001', name: 'qs', fixed: '6.10.3', vector: HIGH_VECTOR, summary: 'qs prototype poisoning' };

const INVENTORIES = {
  'alpha/main': [npmPackage('lodash', '4.17.20'), npmPackage('qs', '6.0.0'), npmPackage('minimist', '1.2.8')],
  'alpha/release': [npmPackage('minimist', '1.2.8'), npmPackage('express', '4.18.0')],
  'beta/main': [npmPackage('left-pad', '1.3.0'), npmPackage('lodash', '4.17.21')],
  'gamma/main': [npmPackage('express', '4.18.0')],
} as const;

for (const { engine, skip } of ENGINES) {
  describe.skipIf(skip)(`continuous monitoring end to end on ${engine}`, () => {
    let t: TestStore;
    let server: RunningServer;
    let adminKey: string;
    let work: string;
    let mirrors: { a: string; b: string; c: string };
    let profiles: string;
    let clock = new Date('2026-12-07T10:00:00Z');

    beforeAll(async () => {
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-monitor-'));
      mirrors = {
        a: await writeMirror(path.join(work, 'mirror-a'), [LODASH, LEFTPAD]),
        b: await writeMirror(path.join(work, 'mirror-b'), [LODASH, { ...LEFTPAD, summary: 'left-pad: the summary changed' }, QS]),
        c: await writeMirror(path.join(work, 'mirror-c'), [LODASH, { ...LEFTPAD, summary: 'left-pad: the summary changed' }, { ...QS, withdrawn: '2026-12-07T00:00:00Z' }]),
      };
      profiles = writeProfileRepo(path.join(work, 'profiles'));
      ({ t, server, adminKey } = await startMonitoredServer(engine, { work, dbSource: mirrors.a, profileRepo: profiles, monitor: { batchSize: 2, now: () => clock } }));
    });
    afterAll(async () => {
      await server?.close();
      await t?.cleanup();
      if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    const api = apiClient(() => server, () => adminKey);
    const settle = (): Promise<void> => settleServer(server);
    const eventsAfter = async (cursor: string | null): Promise<FindingEvent[]> => {
      const r = await api<{ items: FindingEvent[] }>(`/api/v1/events?limit=1000${cursor ? `&after=${cursor}` : ''}`);
      return r.items;
    };
    const lastCursor = async (): Promise<string | null> => {
      const all = await eventsAfter(null);
      return all.length ? all[all.length - 1]!.cursor : null;
    };
    const brief = (e: FindingEvent): string => `${e.kind} ${e.project.name}/${e.target} ${e.finding.id} ${e.finding.package.name}@${e.finding.package.version} by ${e.cause.kind}`;

    it('stores scans against mirror A and matches them server-side: the report said passed, the server says failed', async () => {
      const first = await api<{ refreshId: number; added: number; inventories: number }>('/api/v1/admin/db/refresh', { method: 'POST' });
      expect(first.added).toBe(2);
      expect(first.inventories).toBe(0);
      for (const [key, packages] of Object.entries(INVENTORIES)) {
        const [project, target] = key.split('/') as [string, string];
        if (!(await server.store.projects.byName(project))) await api('/api/v1/projects', { method: 'POST', body: JSON.stringify({ name: project }) });
        const { token } = await api<{ token: string }>(`/api/v1/projects/${project}/tokens`, { method: 'POST' });
        await api('/api/v1/reports', { method: 'POST', token, body: JSON.stringify(inventoryReport(target, [...packages])) });
      }
      await settle();
      const events = await eventsAfter(null);
      expect(events.map(brief)).toEqual(['new alpha/main GHSA-lodash-0001 lodash@4.17.20 by scan']);
      expect(events[0]!.finding.severity).toBe('CRITICAL');
      expect(events[0]!.finding.fixedVersion).toBe('4.17.21');
      expect(events[0]!.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      const gates = await api<{ projects: Record<string, { passed: boolean | null }> }>('/api/v1/portfolio/gates');
      expect(gates.projects.alpha!.passed).toBe(false);
      expect(gates.projects.beta!.passed).toBe(true);
      expect(gates.projects.gamma!.passed).toBe(true);
      const alpha = await api<{ targets: { target: string; packages: number; findings: { state: string }[] }[] }>('/api/v1/projects/alpha/monitor');
      expect(alpha.targets.map((x) => [x.target, x.packages, x.findings.length])).toEqual([
        ['main', 3, 1],
        ['release', 2, 0],
      ]);
    });

    it('mirror B adds an advisory for a package alpha/main has and modifies one only beta has: one `new` event, two inventories re-matched', async () => {
      const cursor = await lastCursor();
      server.monitor!.opts.dbSource = mirrors.b;
      const r = await api<{ refreshId: number; added: number; modified: number; keys: number; inventories: number }>('/api/v1/admin/db/refresh', { method: 'POST' });
      expect([r.added, r.modified, r.keys]).toEqual([1, 1, 2]);
      // Counted independently: the inventories holding npm/qs or npm/left-pad.
      const holding = Object.values(INVENTORIES).filter((pkgs) => pkgs.some((p) => p.name === 'qs' || p.name === 'left-pad')).length;
      expect(holding).toBe(2);
      expect(r.inventories).toBe(holding);
      await settle();
      const jobs = await server.store.db.selectFrom('monitor_jobs').select(['status']).where('refresh_id', '=', r.refreshId).execute();
      expect(jobs.map((j) => j.status)).toEqual(['done', 'done']);
      const events = await eventsAfter(cursor);
      expect(events.map(brief)).toEqual(['new alpha/main GHSA-qs-0001 qs@6.0.0 by db-refresh']);
      expect(events[0]!.cause.id).toBe(String(r.refreshId));
      const changes = await api<{ projects: { name: string; new?: number }[] }>(`/api/v1/changes?since=${encodeURIComponent('2000-01-01T00:00:00Z')}`);
      expect(changes.projects.map((p) => [p.name, p.new])).toEqual([['alpha', 2]]);
    });

    it('mirror C withdraws it: one `fixed` event', async () => {
      const cursor = await lastCursor();
      server.monitor!.opts.dbSource = mirrors.c;
      const r = await api<{ withdrawn: number; inventories: number }>('/api/v1/admin/db/refresh', { method: 'POST' });
      expect([r.withdrawn, r.inventories]).toEqual([1, 1]);
      await settle();
      expect((await eventsAfter(cursor)).map(brief)).toEqual(['fixed alpha/main GHSA-qs-0001 qs@6.0.0 by db-refresh']);
      // The same refresh again changes nothing and re-matches nothing.
      const again = await api<{ keys: number; inventories: number }>('/api/v1/admin/db/refresh', { method: 'POST' });
      expect([again.keys, again.inventories]).toEqual([0, 0]);
    });

    it('an exception added to the profile repository suppresses; once it expires the finding is reopened', async () => {
      let cursor = await lastCursor();
      fs.writeFileSync(
        path.join(profiles, 'projects', 'alpha.yaml'),
        `exceptions:\n  - id: ${LODASH.id}\n    package: lodash\n    reason: not reachable from our code\n    expires: 2026-12-31\n`,
      );
      const sync = await api<{ changed: boolean; jobs: number }>('/api/v1/admin/profiles/sync', { method: 'POST' });
      expect(sync.changed).toBe(true);
      await settle();
      const suppressed = await eventsAfter(cursor);
      expect(suppressed.map(brief)).toEqual(['suppressed alpha/main GHSA-lodash-0001 lodash@4.17.20 by profile']);
      expect(suppressed[0]!.suppression).toEqual({ reason: 'not reachable from our code', expires: '2026-12-31' });
      expect((await api<{ projects: Record<string, { passed: boolean }> }>('/api/v1/portfolio/gates')).projects.alpha!.passed).toBe(true);
      // A sync without a change queues nothing.
      expect((await api<{ changed: boolean }>('/api/v1/admin/profiles/sync', { method: 'POST' })).changed).toBe(false);

      cursor = await lastCursor();
      clock = new Date('2026-12-31T23:00:00Z');
      expect(await server.monitor!.checkExpiry()).toBe(0);
      clock = new Date('2027-01-01T00:00:01Z');
      expect(await server.monitor!.checkExpiry()).toBe(1);
      await settle();
      const reopened = await eventsAfter(cursor);
      expect(reopened.map(brief)).toEqual(['reopened alpha/main GHSA-lodash-0001 lodash@4.17.20 by expiry']);
      expect((await api<{ projects: Record<string, { passed: boolean }> }>('/api/v1/portfolio/gates')).projects.alpha!.passed).toBe(false);
    });

    it('a later scan without the package fixes the finding; the timeline has the whole story, newest first', async () => {
      const cursor = await lastCursor();
      const { token } = await api<{ token: string }>('/api/v1/projects/alpha/tokens', { method: 'POST' });
      await api('/api/v1/reports', { method: 'POST', token, body: JSON.stringify(inventoryReport('main', [npmPackage('lodash', '4.17.21'), npmPackage('minimist', '1.2.8')])) });
      await settle();
      expect((await eventsAfter(cursor)).map(brief)).toEqual(['fixed alpha/main GHSA-lodash-0001 lodash@4.17.20 by scan']);
      const timeline = await api<{ items: FindingEvent[] }>('/api/v1/projects/alpha/timeline');
      expect(timeline.items.map((e) => e.kind)).toEqual(['fixed', 'reopened', 'suppressed', 'fixed', 'new', 'new']);
    });

    it('serves the outbox as server-sent events, resuming after a cursor', async () => {
      const all = await eventsAfter(null);
      const ac = new AbortController();
      const res = await fetch(`${server.url}/api/v1/events/stream?after=${all[all.length - 3]!.cursor}`, { headers: { authorization: `Bearer ${adminKey}` }, signal: ac.signal });
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const reader = res.body!.getReader();
      let text = '';
      while ((text.match(/^id: /gm) ?? []).length < 2) text += new TextDecoder().decode((await reader.read()).value);
      ac.abort();
      const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => m[1]);
      expect(ids).toEqual([all[all.length - 2]!.cursor, all[all.length - 1]!.cursor]);
    });
  });
}
