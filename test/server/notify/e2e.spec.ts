import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../../src/server/store/store.js';
import { MemoryEventFeed } from '../../../src/server/notify/event.js';
import { Notifier } from '../../../src/server/notify/notifier.js';
import { SecretBox } from '../../../src/server/secret-box.js';
import { addChannel } from '../../../src/server/notify/manage.js';
import { ENGINES, freshStore, type TestStore } from '../support.js';
import { ADVISORIES, event, resetCursor } from './events.js';
import { SLACK_PATH, fakeGitlab, fakeJira, fakeSlack, fakeSmtp, fakeWebhook } from './fakes.js';

const WEB = { id: 1, name: 'web', team: 'payments' };
const LODASH = ADVISORIES.filter((a) => a.pkg === 'lodash');
const MINIMIST = ADVISORIES.find((a) => a.pkg === 'minimist') as (typeof ADVISORIES)[number];
const SECRET = 'whsec-0123456789abcdef';

for (const { engine, skip } of ENGINES) {
describe.skipIf(skip)(`notifications end to end, real protocol servers on loopback, ${engine} store`, () => {
  let ts: TestStore;
  let store: Store;
  let slack: Awaited<ReturnType<typeof fakeSlack>>;
  let hook: Awaited<ReturnType<typeof fakeWebhook>>;
  let gitlab: Awaited<ReturnType<typeof fakeGitlab>>;
  let jira: Awaited<ReturnType<typeof fakeJira>>;
  let smtp: Awaited<ReturnType<typeof fakeSmtp>>;
  const feed = new MemoryEventFeed();
  let notifier: Notifier;

  /** Windows until nothing is due (retries wait their back-off, a few ms here). */
  async function drain(): Promise<void> {
    await notifier.collect();
    for (let i = 0; i < 200; i++) {
      await notifier.deliver();
      const c = await store.notify.counts();
      if (!c.pending) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('deliveries still pending');
  }

  beforeAll(async () => {
    resetCursor();
    ts = await freshStore(engine);
    store = await Store.open(ts.options);
    [slack, hook, gitlab, jira, smtp] = await Promise.all([fakeSlack(), fakeWebhook(SECRET), fakeGitlab('glpat-test-token', 'sec/tracker'), fakeJira('bot@example.com', 'jira-api-token', 'SEC'), fakeSmtp()]);
    const box = SecretBox.fromKey(crypto.randomBytes(32));
    await addChannel(store, box, { name: 'slack-sec', type: 'slack', options: { dashboardUrl: 'https://bulwark.example.com' }, secrets: { url: slack.url + SLACK_PATH }, rules: [] });
    await addChannel(store, box, { name: 'hook', type: 'webhook', options: { url: hook.url + '/hooks/bulwark' }, secrets: { secret: SECRET }, rules: [] });
    await addChannel(store, box, { name: 'mail', type: 'email', options: { host: '127.0.0.1', port: smtp.port, from: 'bulwark@example.com', to: ['sec-team@example.com'] }, secrets: {}, rules: [] });
    await addChannel(store, box, { name: 'gl', type: 'gitlab', options: { url: gitlab.url, project: 'sec/tracker' }, secrets: { token: 'glpat-test-token' }, rules: [] });
    await addChannel(store, box, { name: 'jira', type: 'jira', options: { url: jira.url, project: 'SEC', user: 'bot@example.com' }, secrets: { token: 'jira-api-token' }, rules: [{ minSeverity: 'high' }] });
    notifier = new Notifier(store, { feed, secrets: box, backoffBaseMs: 5, backoffMaxMs: 50, maxAttempts: 5, windowMs: 50 });
  });

  afterAll(async () => {
    await Promise.all([slack.close(), hook.close(), gitlab.close(), jira.close(), smtp.close()]);
    await store.close();
    await ts.cleanup();
  });

  it('a refresh with new findings: one Slack digest, one signed webhook, one email, one ticket per package', async () => {
    feed.push(...LODASH.map((a) => event('new', WEB, a)), event('new', WEB, MINIMIST));
    await drain();
    expect(slack.messages).toHaveLength(1);
    expect(slack.requests.every((r) => r.problems.length === 0)).toBe(true);
    expect(JSON.stringify(slack.messages[0])).toContain('lodash 4.17.4 → 4.17.21');
    expect(JSON.stringify(slack.messages[0])).toContain('https://bulwark.example.com/#/projects/web');
    expect(hook.verified).toHaveLength(1);
    expect(hook.rejected).toEqual([]);
    expect(hook.verified[0]).toMatchObject({ schema: 'https://bulwark.dev/schemas/notification/v1', count: 4, project: { name: 'web' } });
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]?.to).toEqual(['sec-team@example.com']);
    expect(smtp.mails[0]?.raw).toMatch(/Content-Type: text\/plain/);
    expect(smtp.mails[0]?.raw).toMatch(/Content-Type: text\/html/);
    expect(gitlab.issues.map((i) => i.title).sort()).toEqual(['[web] upgrade lodash from 4.17.4 to 4.17.21 fixes 3 advisories', '[web] upgrade minimist from 1.2.5 to 1.2.6 fixes 1 advisory']);
    expect(gitlab.requests.every((r) => r.problems.length === 0)).toBe(true);
    expect(gitlab.issues.every((i) => i.labels.includes('bulwark') && i.labels.some((l) => /^bulwark-[0-9a-f]{24}$/.test(l)))).toBe(true);
    expect(jira.issues).toHaveLength(2);
    expect(jira.requests.every((r) => r.problems.length === 0)).toBe(true);
  });

  it('the same events again (a second refresh finding the same): nothing new is sent', async () => {
    const before = { slack: slack.requests.length, hook: hook.requests.length, mail: smtp.mails.length, gl: gitlab.requests.length, jira: jira.requests.length };
    feed.push(...LODASH.map((a) => event('new', WEB, a)), event('new', WEB, MINIMIST));
    await drain();
    expect({ slack: slack.requests.length, hook: hook.requests.length, mail: smtp.mails.length, gl: gitlab.requests.length, jira: jira.requests.length }).toEqual(before);
    expect(gitlab.issues).toHaveLength(2);
  });

  it('lodash fixed: its issue is commented and closed (GitLab and Jira); minimist stays open', async () => {
    feed.push(...LODASH.map((a) => event('fixed', WEB, a, { cause: { kind: 'scan', id: '42' } })));
    await drain();
    const lodash = gitlab.issues.find((i) => i.title.includes('lodash'));
    expect(lodash?.state).toBe('closed');
    expect(lodash?.notes.at(-1)).toMatch(/^Fixed: no finding of lodash is open any more in web/);
    expect(gitlab.issues.find((i) => i.title.includes('minimist'))?.state).toBe('opened');
    expect(jira.issues.find((i) => i.summary.includes('lodash'))?.status).toBe('Done');
    expect(slack.messages).toHaveLength(2);
  });

  it('a regression reopens the closed issue instead of filing a new one', async () => {
    feed.push(event('reopened', WEB, LODASH[0] as (typeof ADVISORIES)[number]));
    await drain();
    expect(gitlab.issues).toHaveLength(2);
    const lodash = gitlab.issues.find((i) => i.labels.some((l) => l.startsWith('bulwark-')) && i.title.includes('lodash'));
    expect(lodash?.state).toBe('opened');
    expect(lodash?.notes.at(-1)).toMatch(/^Reopened by Bulwark: CVE-2021-23337/);
    expect(jira.issues.find((i) => i.summary.includes('lodash'))?.status).toBe('To Do');
  });

  it('an exception closes the ticket as accepted risk with its reason and expiry', async () => {
    feed.push(event('suppressed', WEB, MINIMIST, { cause: { kind: 'profile', id: 'defaults.yaml' }, suppression: { reason: 'CLI flag parsing only, no untrusted input', expires: '2027-03-31' } }));
    await drain();
    const minimist = gitlab.issues.find((i) => i.title.includes('minimist'));
    expect(minimist?.state).toBe('closed');
    expect(minimist?.notes.at(-1)).toBe('Closed as accepted risk by a Bulwark exception: CVE-2021-44906: CLI flag parsing only, no untrusted input (expires 2027-03-31).');
  });

  it('a receiver failing 3 times (429 with Retry-After, 500, 503) then recovering gets the message once', async () => {
    hook.failNext.push({ status: 429, headers: { 'retry-after': '0' }, body: 'slow down' }, { status: 500 }, { status: 503 });
    const before = hook.verified.length;
    feed.push(event('severity-changed', WEB, { ...(LODASH[0] as (typeof ADVISORIES)[number]), severity: 'CRITICAL' }, { previous: { severity: 'HIGH' } }));
    await drain();
    expect(hook.verified.length).toBe(before + 1);
    const last = (await store.notify.deliveries({ limit: 50 })).find((d) => d.channel === 'hook');
    expect(last).toMatchObject({ status: 'done', attempts: 4 });
  });

  it('a permanent refusal goes to the dead-letter list; a retry delivers it', async () => {
    slack.failNext.push({ status: 400, body: 'invalid_blocks' });
    feed.push(event('fix-available', WEB, { ...MINIMIST, fixed: '1.2.8' }));
    await drain();
    const dead = await store.notify.deliveries({ status: 'dead', limit: 10 });
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ channel: 'slack-sec', attempts: 1 });
    expect(dead[0]?.last_error).toBe('slack: HTTP 400 invalid_blocks');
    const sent = slack.messages.length;
    expect(await store.notify.retry(dead[0]?.id as number)).toBe(true);
    await drain();
    expect(slack.messages.length).toBe(sent + 1);
    expect(await store.notify.deliveries({ status: 'dead', limit: 10 })).toHaveLength(0);
  });

  it('routing: the Jira rule (from HIGH up) keeps a LOW finding out of Jira; the others get it', async () => {
    const jiraBefore = jira.requests.length;
    const glBefore = gitlab.issues.length;
    feed.push(event('new', WEB, { id: 'GHSA-xxxx-low1-0001', pkg: 'debug', version: '2.6.8', fixed: '2.6.9', severity: 'LOW', title: 'ReDoS in debug' }));
    await drain();
    expect(jira.requests.length).toBe(jiraBefore);
    expect(gitlab.issues.length).toBe(glBefore + 1);
  });

  it('no secret in the store in clear', async () => {
    const rows = await store.notify.channels();
    const all = JSON.stringify(rows);
    for (const s of [SECRET, 'glpat-test-token', 'jira-api-token', SLACK_PATH]) expect(all).not.toContain(s);
  });
});
}
