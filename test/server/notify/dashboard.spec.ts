import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/server/app.js';
import { API_KEY_PREFIX, newSecret } from '../../../src/server/auth.js';
import { Store } from '../../../src/server/store/store.js';
import { MemoryEventFeed } from '../../../src/server/notify/event.js';
import { Notifier } from '../../../src/server/notify/notifier.js';
import { SecretBox } from '../../../src/server/secret-box.js';
import { addChannel } from '../../../src/server/notify/manage.js';
import { hasChromium, pageErrors, withChromium } from '../../support/chromium.js';
import { freshStore, type TestStore } from '../support.js';
import { ADVISORIES, event } from './events.js';
import { SLACK_PATH, fakeSlack } from './fakes.js';

describe.skipIf(!hasChromium('test/server/notify/dashboard.spec.ts'))('dashboard: the dead-letter list and its Retry button (headless Chromium)', () => {
  let t: TestStore;
  let store: Store;
  let app: FastifyInstance;
  let url: string;
  let slack: Awaited<ReturnType<typeof fakeSlack>>;
  let admin: string;
  const key = crypto.randomBytes(32);

  beforeAll(async () => {
    t = await freshStore('sqlite');
    store = await Store.open(t.options);
    app = (await buildApp({ store, logger: false, worker: false })).app;
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    slack = await fakeSlack();
    const a = newSecret(API_KEY_PREFIX);
    await store.identity.createUser('root', 'admin', a.hash);
    admin = a.secret;
    await addChannel(store, SecretBox.fromKey(key), { name: 'sec-slack', type: 'slack', options: {}, secrets: { url: slack.url + SLACK_PATH }, rules: [] });
  });
  afterAll(async () => {
    await app.close();
    await slack.close();
    await store.close();
    await t.cleanup();
  });

  it('shows the dead delivery with its error; Retry queues it again and the next window delivers it', async () => {
    const feed = new MemoryEventFeed();
    const notifier = new Notifier(store, { feed, secrets: SecretBox.fromKey(key) });
    feed.push(event('new', { id: 3, name: 'shop', team: null }, ADVISORIES[3] as (typeof ADVISORIES)[number]));
    slack.failNext.push({ status: 404, body: 'no_service' });
    await notifier.tick();
    const [dead] = await store.notify.deliveries({ status: 'dead', limit: 1 });
    expect(dead).toBeDefined();

    await withChromium(async (_browser, page) => {
      const errors = pageErrors(page);
      await page.goto(url + '/');
      await page.locator('input[name=apiKey]').fill(admin);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('body[data-ready="true"]').waitFor();
      await page.goto(url + '/#/notifications');
      const table = page.locator('[data-testid=dead-letters]');
      await table.waitFor();
      expect(await table.locator('tbody tr').count()).toBe(1);
      expect(await table.locator('tbody tr').first().textContent()).toContain('slack: HTTP 404 no_service');
      await page.locator(`[data-testid=retry-${dead?.id}]`).click();
      await expect.poll(() => table.locator('tbody tr td').nth(7).textContent()).toBe('queued again');
      expect(errors).toEqual([]);
    });
    expect(await store.notify.deliveries({ status: 'dead', limit: 5 })).toHaveLength(0);
    const before = slack.messages.length;
    await notifier.deliver();
    expect(slack.messages.length).toBe(before + 1);
  });
});
