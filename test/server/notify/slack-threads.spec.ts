import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryEventFeed } from '../../../src/server/notify/event.js';
import { addChannel } from '../../../src/server/notify/manage.js';
import { ChannelConfigError, parseChannelConfig } from '../../../src/server/notify/channels/types.js';
import { Notifier } from '../../../src/server/notify/notifier.js';
import { SecretBox } from '../../../src/server/secret-box.js';
import { Store } from '../../../src/server/store/store.js';
import { ENGINES, freshStore, type TestStore } from '../support.js';
import { ADVISORIES, event, resetCursor } from './events.js';
import { fakeSlackApi } from './fakes.js';

/**
 * Slack with a bot token: chat.postMessage against the Web API stand-in (fakes.ts). Each project's first digest is
 * the parent message of its thread; later digests reply to it; rate limits (429 + Retry-After) and transient
 * ok:false errors are retried, permanent ones (invalid_auth, channel_not_found) dead-lettered with their name.
 */
const WEB = { id: 1, name: 'web', team: 'payments' };
const API = { id: 2, name: 'api', team: null };
const [A0, A1, A2, A3] = ADVISORIES as [(typeof ADVISORIES)[number], (typeof ADVISORIES)[number], (typeof ADVISORIES)[number], (typeof ADVISORIES)[number]];
const TOKEN = 'xoxb-1111-2222-abcdefghijklmnop';

for (const { engine, skip } of ENGINES) {
  describe.skipIf(skip)(`Slack bot token: one thread per project, ${engine} store`, () => {
    let ts: TestStore;
    let store: Store;
    let slack: Awaited<ReturnType<typeof fakeSlackApi>>;
    const feed = new MemoryEventFeed();
    let notifier: Notifier;
    let box: SecretBox;

    async function drain(): Promise<void> {
      await notifier.collect();
      for (let i = 0; i < 300; i++) {
        await notifier.deliver();
        if (!(await store.notify.counts()).pending) return;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error('deliveries still pending');
    }

    beforeAll(async () => {
      resetCursor(1000);
      ts = await freshStore(engine);
      store = await Store.open(ts.options);
      slack = await fakeSlackApi(TOKEN, { security: 'C0SECURITY1' });
      box = SecretBox.fromKey(crypto.randomBytes(32));
      await addChannel(store, box, { name: 'slack-bot', type: 'slack', options: { channel: 'C0SECURITY1', apiUrl: `${slack.url}/api`, dashboardUrl: 'https://bulwark.example.com' }, secrets: { token: TOKEN }, rules: [] });
      notifier = new Notifier(store, { feed, secrets: box, backoffBaseMs: 5, backoffMaxMs: 50, maxAttempts: 5, windowMs: 50 });
    });
    afterAll(async () => {
      await slack.close();
      await store.close();
      await ts.cleanup();
    });

    it('the first digest of each project is the parent of its thread', async () => {
      feed.push(event('new', WEB, A0), event('new', API, A3));
      await drain();
      expect(slack.posts.map((p) => [p.threadTs, p.text])).toEqual([
        [null, expect.stringContaining('in api')],
        [null, expect.stringContaining('in web')],
      ]);
      expect(slack.requests.flatMap((r) => r.problems)).toEqual([]);
    });

    it('later digests reply in their project\'s thread; no new parent', async () => {
      const parents = new Map(slack.posts.map((p) => [p.text.includes('in web') ? 'web' : 'api', p.ts]));
      feed.push(event('new', WEB, A1));
      await drain();
      feed.push(event('fixed', WEB, A0), event('fixed', API, A3));
      await drain();
      const replies = slack.posts.slice(2);
      const who = (p: { text: string }) => (p.text.includes('in web') ? 'web' : 'api');
      expect(replies[0]).toMatchObject({ threadTs: parents.get('web') });
      expect(replies.slice(1).map((p) => `${who(p)} ${p.threadTs}`).sort()).toEqual([`api ${parents.get('api')}`, `web ${parents.get('web')}`]);
      expect(replies).toHaveLength(3);
      expect(replies.every((p) => p.threadTs !== null)).toBe(true);
      expect(slack.posts.filter((p) => p.threadTs === null)).toHaveLength(2);
      expect(slack.requests.flatMap((r) => r.problems)).toEqual([]);
    });

    it('429 with Retry-After and ok:false internal_error are retried: the digest is posted once, in its thread', async () => {
      slack.failNext.push({ status: 429, headers: { 'retry-after': '0' }, body: '' }, { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":false,"error":"internal_error"}' });
      const before = slack.posts.length;
      feed.push(event('new', WEB, A2));
      await drain();
      expect(slack.posts.length).toBe(before + 1);
      expect(slack.posts.at(-1)?.threadTs).not.toBeNull();
      const last = (await store.notify.deliveries({ limit: 1 }))[0];
      expect(last).toMatchObject({ status: 'done', attempts: 3 });
    });

    it('a revoked token (invalid_auth) is dead-lettered at once, saying so', async () => {
      await addChannel(store, box, { name: 'slack-revoked', type: 'slack', options: { channel: 'C0SECURITY1', apiUrl: `${slack.url}/api` }, secrets: { token: 'xoxb-revoked-0000' }, rules: [{ projects: ['api'] }] });
      feed.push(event('reopened', API, A3));
      await drain();
      const dead = await store.notify.deliveries({ status: 'dead', limit: 10 });
      expect(dead).toHaveLength(1);
      expect(dead[0]).toMatchObject({ channel: 'slack-revoked', attempts: 1, last_error: 'slack chat.postMessage: invalid_auth' });
    });

    it('the token is stored sealed; a configuration with both or neither secret, or a token without a channel, is refused', async () => {
      expect(JSON.stringify(await store.notify.channels())).not.toContain(TOKEN);
      const problems = (options: unknown, secrets: unknown) => {
        try {
          parseChannelConfig('s', 'slack', options, secrets);
          return [];
        } catch (e) {
          return e instanceof ChannelConfigError ? e.problems : [String(e)];
        }
      };
      expect(problems({ channel: '#security' }, { url: 'https://hooks.slack.com/services/T/B/X', token: TOKEN })).toHaveLength(1);
      expect(problems({}, {})).toHaveLength(1);
      expect(problems({}, { token: TOKEN })).toEqual(['options.channel: a bot token posts to a channel: give its id (C0123456789) or #name']);
      expect(problems({ channel: '#security' }, { token: TOKEN })).toEqual([]);
      expect(problems({}, { url: 'https://hooks.slack.com/services/T/B/X' })).toEqual([]);
    });
  });
}
