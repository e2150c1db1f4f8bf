import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FindingEvent } from '../../../src/server/events/types.js';
import { addChannel } from '../../../src/server/notify/manage.js';
import { SecretBox } from '../../../src/server/secret-box.js';
import type { RunningServer } from '../../../src/server/server.js';
import type { Advisory } from '../monitor-support.js';
import { CRITICAL_VECTOR, HIGH_VECTOR, apiClient, inventoryReport, npmPackage, settleWithNotifications, writeMirror, startMonitoredServer, writeProfileRepo } from '../monitor-support.js';
import type { TestStore } from '../support.js';
import { ENGINES } from '../support.js';
import { fakeWebhook } from './fakes.js';

/**
 * Profiles route events end to end: project alpha's profile (projects/alpha.yaml in the server's profile repository)
 * says `notify: [{channel: pager, events: [new], minSeverity: high}]`. Real uploads and the monitor's lifecycle
 * events go through the outbox and the notifier: the pager channel gets alpha's new HIGH and CRITICAL findings only —
 * not alpha's MEDIUM one, not alpha's fixed events, not project beta's findings — while a channel without rules gets
 * everything.
 */
const LODASH: Advisory = { id: 'GHSA-lodash-0001', name: 'lodash', fixed: '4.17.21', vector: CRITICAL_VECTOR, summary: 'Prototype pollution in lodash' };
const QS: Advisory = { id: 'GHSA-qs-0001', name: 'qs', fixed: '6.10.3', vector: HIGH_VECTOR, summary: 'qs prototype poisoning' };
const DEBUG: Advisory = { id: 'GHSA-debug-0001', name: 'debug', fixed: '2.6.9', vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N', summary: 'debug ReDoS' };

for (const { engine, skip } of ENGINES) {
  describe.skipIf(skip)(`a profile's notify: rules route events, on ${engine}`, () => {
    let t: TestStore;
    let server: RunningServer;
    let adminKey: string;
    let work: string;
    let pager: Awaited<ReturnType<typeof fakeWebhook>>;
    let all: Awaited<ReturnType<typeof fakeWebhook>>;
    const savedKey = process.env.BULWARK_SECRET_KEY;

    beforeAll(async () => {
      process.env.BULWARK_SECRET_KEY = crypto.randomBytes(32).toString('base64');
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-profile-routing-'));
      const mirror = await writeMirror(path.join(work, 'mirror'), [LODASH, QS, DEBUG]);
      const profiles = writeProfileRepo(path.join(work, 'profiles'), { alpha: 'notify:\n  - channel: pager\n    events: [new]\n    minSeverity: high\n' });
      [pager, all] = await Promise.all([fakeWebhook('whsec-pager-00000001'), fakeWebhook('whsec-all-0000000001')]);
      ({ t, server, adminKey } = await startMonitoredServer(engine, {
        work,
        dbSource: mirror,
        profileRepo: profiles,
        server: { notify: { windowMs: 50, backoffBaseMs: 5, backoffMaxMs: 50 } },
      }));
      const box = SecretBox.fromEnv();
      await addChannel(server.store, box, { name: 'pager', type: 'webhook', options: { url: pager.url + '/hooks/bulwark' }, secrets: { secret: 'whsec-pager-00000001' }, rules: [] });
      await addChannel(server.store, box, { name: 'everything', type: 'webhook', options: { url: all.url + '/hooks/bulwark' }, secrets: { secret: 'whsec-all-0000000001' }, rules: [] });
    });
    afterAll(async () => {
      await server?.close();
      await Promise.all([pager?.close(), all?.close()]);
      await t?.cleanup();
      if (work) fs.rmSync(work, { recursive: true, force: true });
      if (savedKey === undefined) delete process.env.BULWARK_SECRET_KEY;
      else process.env.BULWARK_SECRET_KEY = savedKey;
    });

    const api = apiClient(() => server, () => adminKey);
    const settle = (): Promise<void> => settleWithNotifications(server);
    const seen = (hook: typeof all) => hook.verified.flatMap((m) => (m.events as FindingEvent[]).map((e) => `${e.project.name} ${e.kind} ${e.finding.id} ${e.finding.severity}`)).sort();
    const upload = async (project: string, packages: ReturnType<typeof npmPackage>[]) => {
      const { token } = await api<{ token: string }>(`/api/v1/projects/${project}/tokens`, { method: 'POST' });
      await api('/api/v1/reports', { method: 'POST', token, body: JSON.stringify(inventoryReport('main', packages)) });
    };

    it('new findings in alpha and beta: pager gets alpha\'s CRITICAL and HIGH only; the rule-less channel all five', async () => {
      await api('/api/v1/admin/db/refresh', { method: 'POST' });
      await api('/api/v1/projects', { method: 'POST', body: JSON.stringify({ name: 'alpha' }) });
      await api('/api/v1/projects', { method: 'POST', body: JSON.stringify({ name: 'beta' }) });
      const vulnerable = [npmPackage('lodash', '4.17.20'), npmPackage('qs', '6.0.0'), npmPackage('debug', '2.6.8')];
      await upload('alpha', vulnerable);
      await upload('beta', vulnerable.slice(0, 2));
      await settle();
      expect(seen(pager)).toEqual(['alpha new GHSA-lodash-0001 CRITICAL', 'alpha new GHSA-qs-0001 HIGH']);
      expect(seen(all)).toEqual(['alpha new GHSA-debug-0001 MEDIUM', 'alpha new GHSA-lodash-0001 CRITICAL', 'alpha new GHSA-qs-0001 HIGH', 'beta new GHSA-lodash-0001 CRITICAL', 'beta new GHSA-qs-0001 HIGH']);
      expect(pager.rejected).toEqual([]);
    });

    it('fixed events (not selected by the rule) do not reach the pager', async () => {
      await upload('alpha', [npmPackage('lodash', '4.17.21'), npmPackage('qs', '6.0.0'), npmPackage('debug', '2.6.8')]);
      await settle();
      expect(seen(pager)).toEqual(['alpha new GHSA-lodash-0001 CRITICAL', 'alpha new GHSA-qs-0001 HIGH']);
      expect(seen(all)).toContain('alpha fixed GHSA-lodash-0001 CRITICAL');
    });
  });
}
