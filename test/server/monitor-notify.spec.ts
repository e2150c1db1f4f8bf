import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addChannel } from '../../src/server/notify/manage.js';
import { SecretBox } from '../../src/server/secret-box.js';
import type { RunningServer } from '../../src/server/server.js';
import type { Advisory } from './monitor-support.js';
import { CRITICAL_VECTOR, HIGH_VECTOR, apiClient, inventoryReport, npmPackage, settleWithNotifications, writeMirror, startMonitoredServer } from './monitor-support.js';
import { fakeGitlab, fakeWebhook } from './notify/fakes.js';
import type { TestStore } from './support.js';
import { ENGINES } from './support.js';

/**
 * The loop of issues 13 and 14 in one server: a stored scan and an advisory refresh write lifecycle events to the
 * outbox, and the notifier that `bulwark server` runs reads that outbox (no feed handed in) and delivers to a signed
 * webhook and a GitLab project on loopback. A refresh that changes nothing sends nothing; a withdrawn advisory closes
 * its ticket.
 */
const LODASH: Advisory = { id: 'GHSA-lodash-0001', name: 'lodash', fixed: '4.17.21', vector: CRITICAL_VECTOR, summary: 'Prototype pollution in lodash' };
const QS: Advisory = { id: 'GHSA-qs-0001', name: 'qs', fixed: '6.10.3', vector: HIGH_VECTOR, summary: 'qs prototype poisoning' };
const SECRET = 'whsec-monitor-notify-0001';

for (const { engine, skip } of ENGINES) {
  describe.skipIf(skip)(`monitoring events reach the channels, on ${engine}`, () => {
    let t: TestStore;
    let server: RunningServer;
    let adminKey: string;
    let work: string;
    let mirrors: { a: string; b: string; c: string };
    let hook: Awaited<ReturnType<typeof fakeWebhook>>;
    let gitlab: Awaited<ReturnType<typeof fakeGitlab>>;
    const savedKey = process.env.BULWARK_SECRET_KEY;

    beforeAll(async () => {
      process.env.BULWARK_SECRET_KEY = crypto.randomBytes(32).toString('base64');
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-monitor-notify-'));
      mirrors = {
        a: await writeMirror(path.join(work, 'mirror-a'), [LODASH]),
        b: await writeMirror(path.join(work, 'mirror-b'), [LODASH, QS]),
        c: await writeMirror(path.join(work, 'mirror-c'), [LODASH, { ...QS, withdrawn: '2026-12-07T00:00:00Z' }]),
      };
      [hook, gitlab] = await Promise.all([fakeWebhook(SECRET), fakeGitlab('glpat-monitor', 'sec/tracker')]);
      ({ t, server, adminKey } = await startMonitoredServer(engine, {
        work,
        dbSource: mirrors.a,
        monitor: { profilePollMs: 0, batchSize: 2 },
        server: { notify: { windowMs: 50, backoffBaseMs: 5, backoffMaxMs: 50 } },
      }));
      const box = SecretBox.fromEnv();
      await addChannel(server.store, box, { name: 'hook', type: 'webhook', options: { url: hook.url + '/hooks/bulwark' }, secrets: { secret: SECRET }, rules: [] });
      await addChannel(server.store, box, { name: 'gl', type: 'gitlab', options: { url: gitlab.url, project: 'sec/tracker' }, secrets: { token: 'glpat-monitor' }, rules: [] });
    });
    afterAll(async () => {
      await server?.close();
      await Promise.all([hook?.close(), gitlab?.close()]);
      await t?.cleanup();
      if (work) fs.rmSync(work, { recursive: true, force: true });
      if (savedKey === undefined) delete process.env.BULWARK_SECRET_KEY;
      else process.env.BULWARK_SECRET_KEY = savedKey;
    });

    const api = apiClient(() => server, () => adminKey);
    const settle = (): Promise<void> => settleWithNotifications(server);
    const refresh = async (mirror: string) => {
      server.monitor!.opts.dbSource = mirror;
      return api<{ added: number; modified: number; withdrawn?: number }>('/api/v1/admin/db/refresh', { method: 'POST' });
    };
    const hookText = () => JSON.stringify(hook.verified);

    it('a stored scan with a new finding: one signed webhook and one GitLab issue for the package', async () => {
      expect((await refresh(mirrors.a)).added).toBe(1);
      await api('/api/v1/projects', { method: 'POST', body: JSON.stringify({ name: 'alpha' }) });
      const { token } = await api<{ token: string }>('/api/v1/projects/alpha/tokens', { method: 'POST' });
      await api('/api/v1/reports', { method: 'POST', token, body: JSON.stringify(inventoryReport('main', [npmPackage('lodash', '4.17.20'), npmPackage('qs', '6.0.0')])) });
      await settle();
      expect(hook.rejected).toEqual([]);
      expect(hook.verified).toHaveLength(1);
      expect(hookText()).toContain('GHSA-lodash-0001');
      expect(gitlab.issues.map((i) => [i.title.includes('lodash'), i.state])).toEqual([[true, 'opened']]);
    });

    it('a refresh that adds an advisory for a package alpha has: one more webhook and issue; the same refresh again sends nothing', async () => {
      expect((await refresh(mirrors.b)).added).toBe(1);
      await settle();
      expect(hook.verified).toHaveLength(2);
      expect(JSON.stringify(hook.verified[1])).toContain('GHSA-qs-0001');
      expect(gitlab.issues).toHaveLength(2);
      const qsIssue = gitlab.issues.find((i) => i.title.includes('qs'));
      expect(qsIssue?.state).toBe('opened');
      await refresh(mirrors.b);
      await settle();
      expect(hook.verified).toHaveLength(2);
      expect(gitlab.issues).toHaveLength(2);
    });

    it('the advisory withdrawn: the finding is fixed and its GitLab issue is closed', async () => {
      await refresh(mirrors.c);
      await settle();
      const qsIssue = gitlab.issues.find((i) => i.title.includes('qs'));
      expect(qsIssue?.state).toBe('closed');
      expect(gitlab.issues.find((i) => i.title.includes('lodash'))?.state).toBe('opened');
      expect(gitlab.issues).toHaveLength(2);
    });
  });
}
