import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../../src/server/store/store.js';
import { MemoryEventFeed } from '../../../src/server/notify/event.js';
import { Notifier } from '../../../src/server/notify/notifier.js';
import { SecretBox } from '../../../src/server/secret-box.js';
import { addChannel } from '../../../src/server/notify/manage.js';
import type { FindingEvent } from '../../../src/server/notify/event.js';
import { freshStore, type TestStore } from '../support.js';
import { SLACK_PATH, fakeSlack, fakeSmtp, fakeWebhook } from './fakes.js';

const SECRET = 'whsec-0123456789abcdef';

/** 1,000 new findings across 50 projects (20 each), as one advisory-feed change would produce. */
function flood(): FindingEvent[] {
  const out: FindingEvent[] = [];
  let cursor = 0;
  const sev = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
  for (let p = 1; p <= 50; p++) {
    for (let f = 0; f < 20; f++) {
      cursor++;
      const pkg = `pkg-${f % 7}`;
      out.push({
        cursor: String(cursor),
        kind: 'new',
        fingerprint: crypto.createHash('sha256').update(`${p}/${f}`).digest('hex'),
        occurredAt: '2026-12-07T06:00:00.000Z',
        project: { id: p, name: `service-${String(p).padStart(2, '0')}`, team: p % 2 ? 'core' : 'edge' },
        target: 'main',
        finding: { id: `GHSA-flood-${p}-${f}`, aliases: [], severity: sev[(p + f) % 4] ?? 'LOW', title: null, fixedVersion: '2.0.0', package: { ecosystem: 'npm', name: pkg, version: '1.0.0', purl: `pkg:npm/${pkg}@1.0.0` } },
        cause: { kind: 'db-refresh', id: 'feed-change-1' },
      });
    }
  }
  return out;
}

describe('a flood: 1,000 new findings across 50 projects', () => {
  let ts: TestStore;
  let store: Store;
  let slack: Awaited<ReturnType<typeof fakeSlack>>;
  let hook: Awaited<ReturnType<typeof fakeWebhook>>;
  let smtp: Awaited<ReturnType<typeof fakeSmtp>>;

  beforeAll(async () => {
    ts = await freshStore('sqlite');
    store = await Store.open(ts.options);
    [slack, hook, smtp] = await Promise.all([fakeSlack(), fakeWebhook(SECRET), fakeSmtp()]);
  });

  afterAll(async () => {
    await Promise.all([slack.close(), hook.close(), smtp.close()]);
    await store.close();
    await ts.cleanup();
  });

  async function run(rateLimitPerMinute: number, slackRate?: number): Promise<void> {
    const box = SecretBox.fromKey(crypto.randomBytes(32));
    for (const n of await store.notify.channels()) await store.notify.deleteChannel(n.name);
    await addChannel(store, box, { name: 'slack', type: 'slack', options: slackRate ? { rateLimitPerMinute: slackRate } : {}, secrets: { url: slack.url + SLACK_PATH }, rules: [] });
    await addChannel(store, box, { name: 'hook', type: 'webhook', options: { url: hook.url + '/hooks/bulwark' }, secrets: { secret: SECRET }, rules: [] });
    await addChannel(store, box, { name: 'mail', type: 'email', options: { host: '127.0.0.1', port: smtp.port, from: 'bulwark@example.com', to: ['oncall@example.com'] }, secrets: {}, rules: [] });
    const feed = new MemoryEventFeed();
    // Cursors continue past the previous run's.
    const c0 = Number((await store.notify.cursor()) ?? '0');
    feed.push(...flood().map((e) => ({ ...e, cursor: String(Number(e.cursor) + c0), fingerprint: `${e.fingerprint}${rateLimitPerMinute}/${slackRate ?? ''}` })));
    const notifier = new Notifier(store, { feed, secrets: box, rateLimitPerMinute, floodThreshold: 10 });
    await notifier.collect();
    for (let i = 0; i < 20 && (await store.notify.counts()).pending; i++) await notifier.deliver();
  }

  it('with room in the rate limit: exactly one message per channel per project, each a summary', async () => {
    await run(100);
    expect(slack.messages).toHaveLength(50);
    expect(hook.verified).toHaveLength(50);
    expect(smtp.mails).toHaveLength(50);
    expect(new Set(hook.verified.map((v) => (v.project as { name: string }).name)).size).toBe(50);
    expect(hook.verified.every((v) => v.summary === true && v.count === 20)).toBe(true);
    expect(slack.requests.every((r) => r.problems.length === 0)).toBe(true);
  });

  it('past the rate limit (30 a minute): 29 projects on their own and one summary of the other 21', async () => {
    const [s0, h0, m0] = [slack.messages.length, hook.verified.length, smtp.mails.length];
    await run(30);
    expect(slack.messages.length - s0).toBe(30);
    expect(smtp.mails.length - m0).toBe(30);
    const got = hook.verified.slice(h0);
    expect(got).toHaveLength(30);
    expect(got.reduce((n, v) => n + Number(v.count), 0)).toBe(1000);
    expect(got.filter((v) => (v.project as { name: string }).name === '21 more projects')).toHaveLength(1);
  });

  it("a channel's own rate limit overrides the notifier's: Slack at 10 a minute gets 9 projects and one summary, the others 50", async () => {
    const [s0, h0, m0] = [slack.messages.length, hook.verified.length, smtp.mails.length];
    await run(100, 10);
    expect(slack.messages.length - s0).toBe(10);
    expect(hook.verified.length - h0).toBe(50);
    expect(smtp.mails.length - m0).toBe(50);
  });
});
