import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProfileFile } from '../../src/policy/profile.js';
import { dayOf } from '../../src/policy/suppress.js';
import { addChannel } from '../../src/server/notify/manage.js';
import { rulesFromProfile } from '../../src/server/notify/routing.js';
import { applyEvents } from '../../src/server/notify/tickets.js';
import { SecretBox } from '../../src/server/secret-box.js';
import type { RunningServer } from '../../src/server/server.js';
import type { FindingEvent } from '../../src/server/events/types.js';
import type { Advisory } from './monitor-support.js';
import { CRITICAL_VECTOR, HIGH_VECTOR, apiClient, inventoryReport, npmPackage, settleWithNotifications, writeMirror, startMonitoredServer, writeProfileRepo } from './monitor-support.js';
import { fakeWebhook } from './notify/fakes.js';
import type { TestStore } from './support.js';
import { ENGINES } from './support.js';

/**
 * `exception-expiring`: the monitor emits it once per (finding, exception) when a profile exception suppressing a
 * current finding expires within the window (7 days here), into the events outbox; a profile's `notify:` rule that
 * selects it routes it to its channel, which gets nothing else; a channel without rules gets it with the rest.
 */
const LODASH: Advisory = { id: 'GHSA-lodash-0001', name: 'lodash', fixed: '4.17.21', vector: CRITICAL_VECTOR, summary: 'Prototype pollution in lodash' };
const QS: Advisory = { id: 'GHSA-qs-0001', name: 'qs', fixed: '6.10.3', vector: HIGH_VECTOR, summary: 'qs prototype poisoning' };
const DAY = 86_400_000;

for (const { engine, skip } of ENGINES) {
  describe.skipIf(skip)(`exception-expiring events, on ${engine}`, () => {
    let t: TestStore;
    let server: RunningServer;
    let adminKey: string;
    let work: string;
    let profiles: string;
    let expiring: Awaited<ReturnType<typeof fakeWebhook>>;
    let all: Awaited<ReturnType<typeof fakeWebhook>>;
    const savedKey = process.env.BULWARK_SECRET_KEY;
    const now = new Date();
    const inDays = (n: number) => dayOf(new Date(now.getTime() + n * DAY));
    const alphaProfile = (lodashExpires: string) =>
      [
        'exceptions:',
        `  - id: ${LODASH.id}`,
        '    package: lodash',
        '    reason: not reachable from our code',
        `    expires: ${lodashExpires}`,
        `  - id: ${QS.id}`,
        '    package: qs',
        '    reason: only parses trusted query strings',
        `    expires: ${inDays(30)}`,
        'notify:',
        '  - channel: expiring-only',
        '    events: [exception-expiring]',
        '',
      ].join('\n');

    beforeAll(async () => {
      process.env.BULWARK_SECRET_KEY = crypto.randomBytes(32).toString('base64');
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-expiring-'));
      const mirror = await writeMirror(path.join(work, 'mirror'), [LODASH, QS]);
      profiles = writeProfileRepo(path.join(work, 'profiles'), { alpha: alphaProfile(inDays(3)) });
      [expiring, all] = await Promise.all([fakeWebhook('whsec-expiring-000001'), fakeWebhook('whsec-all-0000000001')]);
      ({ t, server, adminKey } = await startMonitoredServer(engine, {
        work,
        dbSource: mirror,
        profileRepo: profiles,
        monitor: { expiringWindowMs: 7 * DAY, now: () => now },
        server: { notify: { windowMs: 50, backoffBaseMs: 5, backoffMaxMs: 50 } },
      }));
      const box = SecretBox.fromEnv();
      await addChannel(server.store, box, { name: 'expiring-only', type: 'webhook', options: { url: expiring.url + '/hooks/bulwark' }, secrets: { secret: 'whsec-expiring-000001' }, rules: [] });
      await addChannel(server.store, box, { name: 'everything', type: 'webhook', options: { url: all.url + '/hooks/bulwark' }, secrets: { secret: 'whsec-all-0000000001' }, rules: [] });
    });
    afterAll(async () => {
      await server?.close();
      await Promise.all([expiring?.close(), all?.close()]);
      await t?.cleanup();
      if (work) fs.rmSync(work, { recursive: true, force: true });
      if (savedKey === undefined) delete process.env.BULWARK_SECRET_KEY;
      else process.env.BULWARK_SECRET_KEY = savedKey;
    });

    const api = apiClient(() => server, () => adminKey);
    const settle = (): Promise<void> => settleWithNotifications(server);
    const kinds = (hook: typeof all) => hook.verified.flatMap((m) => (m.events as FindingEvent[]).map((e) => `${e.kind} ${e.finding.id}`));

    it('profile validate accepts the kind in notify: rules', () => {
      const parsed = parseProfileFile(path.join(profiles, 'projects', 'alpha.yaml'), 'alpha.yaml');
      expect(parsed.problems).toEqual([]);
      expect(rulesFromProfile(parsed.data?.notify ?? [], 'alpha.yaml')).toEqual([{ channel: 'expiring-only', events: ['exception-expiring'] }]);
    });

    it('suppressed findings: the rule-less channel hears of them, the expiring-only channel does not', async () => {
      await api('/api/v1/admin/db/refresh', { method: 'POST' });
      await api('/api/v1/projects', { method: 'POST', body: JSON.stringify({ name: 'alpha' }) });
      const { token } = await api<{ token: string }>('/api/v1/projects/alpha/tokens', { method: 'POST' });
      await api('/api/v1/reports', { method: 'POST', token, body: JSON.stringify(inventoryReport('main', [npmPackage('lodash', '4.17.20'), npmPackage('qs', '6.0.0')])) });
      await settle();
      expect(kinds(all).sort()).toEqual([`suppressed ${LODASH.id}`, `suppressed ${QS.id}`]);
      expect(expiring.verified).toEqual([]);
    });

    it('lodash\'s exception expires in 3 days: one exception-expiring event, once; qs\'s (30 days) none', async () => {
      expect(await server.monitor!.checkExpiring()).toBe(1);
      expect(await server.monitor!.checkExpiring()).toBe(0);
      await settle();
      expect(kinds(expiring)).toEqual([`exception-expiring ${LODASH.id}`]);
      const e = (expiring.verified[0]!.events as FindingEvent[])[0]!;
      expect(e.suppression).toEqual({ reason: 'not reachable from our code', expires: inDays(3) });
      expect(e.cause.kind).toBe('expiry');
      expect(kinds(all)).toContain(`exception-expiring ${LODASH.id}`);
      expect(kinds(all).filter((k) => k.startsWith('exception-expiring'))).toHaveLength(1);
      const events = await api<{ items: FindingEvent[] }>('/api/v1/events?kind=exception-expiring');
      expect(events.items.map((x) => x.finding.id)).toEqual([LODASH.id]);
    });

    it('the exception extended to a new date is a new exception: warned about once more', async () => {
      fs.writeFileSync(path.join(profiles, 'projects', 'alpha.yaml'), alphaProfile(inDays(5)));
      await api('/api/v1/admin/profiles/sync', { method: 'POST' });
      await settle();
      expect(await server.monitor!.checkExpiring()).toBe(1);
      expect(await server.monitor!.checkExpiring()).toBe(0);
      await settle();
      expect(kinds(expiring)).toEqual([`exception-expiring ${LODASH.id}`, `exception-expiring ${LODASH.id}`]);
      expect((expiring.verified[1]!.events as FindingEvent[])[0]!.suppression?.expires).toBe(inDays(5));
    });
  });
}

describe('exception-expiring in tickets', () => {
  it('leaves a suppressed finding suppressed (the ticket stays closed as accepted risk) and keeps the exception', () => {
    const base = { fingerprint: 'f'.repeat(64), occurredAt: '2026-01-01T00:00:00Z', project: { id: 1, name: 'alpha', team: null }, target: 'main', finding: { id: 'GHSA-x', aliases: [], severity: 'HIGH' as const, title: null, fixedVersion: '2.0.0', package: { ecosystem: 'npm', name: 'x', version: '1.0.0', purl: 'pkg:npm/x@1.0.0' } }, cause: { kind: 'expiry' as const, id: 'alpha.yaml' } };
    const suppression = { reason: 'accepted', expires: '2026-01-05' };
    const s1 = applyEvents(undefined, 'package', [{ ...base, cursor: '1', kind: 'suppressed', suppression }]);
    const s2 = applyEvents(s1, 'package', [{ ...base, cursor: '2', kind: 'exception-expiring', suppression }]);
    expect(Object.values(s2.findings)[0]).toMatchObject({ state: 'suppressed', suppression });
    expect(Object.values(applyEvents(undefined, 'package', [{ ...base, cursor: '3', kind: 'exception-expiring', suppression }]).findings)[0]).toMatchObject({ state: 'suppressed', suppression });
  });
});
