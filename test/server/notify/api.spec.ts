import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/server/app.js';
import { API_KEY_PREFIX, newSecret } from '../../../src/server/auth.js';
import { Store } from '../../../src/server/store/store.js';
import { MemoryEventFeed } from '../../../src/server/notify/event.js';
import { Notifier } from '../../../src/server/notify/notifier.js';
import { SecretBox } from '../../../src/server/secret-box.js';
import { channelBody } from '../../../src/cli/commands/channel.js';
import { freshStore, type TestStore } from '../support.js';
import { ADVISORIES, event } from './events.js';
import { SLACK_PATH, fakeSlack } from './fakes.js';

describe('/api/v1/channels and /api/v1/deliveries (admin)', () => {
  let t: TestStore;
  let store: Store;
  let app: FastifyInstance;
  let slack: Awaited<ReturnType<typeof fakeSlack>>;
  let root: string;
  let member: string;
  const key = crypto.randomBytes(32);
  const saved = process.env.BULWARK_SECRET_KEY;
  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, k: string, payload?: object) => app.inject({ method, url, headers: { authorization: `Bearer ${k}` }, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    process.env.BULWARK_SECRET_KEY = key.toString('base64');
    t = await freshStore('sqlite');
    store = await Store.open(t.options);
    app = (await buildApp({ store, logger: false, worker: false })).app;
    slack = await fakeSlack();
    const a = newSecret(API_KEY_PREFIX);
    await store.identity.createUser('root', 'admin', a.hash);
    root = a.secret;
    const m = newSecret(API_KEY_PREFIX);
    await store.identity.createUser('kim', 'member', m.hash);
    member = m.secret;
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.BULWARK_SECRET_KEY;
    else process.env.BULWARK_SECRET_KEY = saved;
    await app.close();
    await slack.close();
    await store.close();
    await t.cleanup();
  });

  it('adds a channel from the CLI body, never returns or stores its secret in clear', async () => {
    const body = channelBody('sec-slack', { type: 'slack', url: slack.url + SLACK_PATH, to: [], label: [], minSeverity: 'high', events: 'new,reopened' }, {});
    const r = await call('POST', '/api/v1/channels', root, body);
    expect(r.statusCode).toBe(201);
    expect(r.body).not.toContain(SLACK_PATH);
    expect(r.json()).toMatchObject({ name: 'sec-slack', type: 'slack', secretsSet: ['url'], rules: [{ events: ['new', 'reopened'], minSeverity: 'HIGH' }] });
    const list = await call('GET', '/api/v1/channels', root);
    expect(list.body).not.toContain(SLACK_PATH);
    expect(JSON.stringify(await store.notify.channels())).not.toContain(SLACK_PATH);
    expect((await call('POST', '/api/v1/channels', root, body)).statusCode).toBe(409);
  });

  it('refuses a bad configuration with every problem named, and members', async () => {
    const r = await call('POST', '/api/v1/channels', root, { name: 'hook', type: 'webhook', options: { url: 'ftp://x' }, secrets: { secret: 'short' } });
    expect(r.statusCode).toBe(400);
    const details = r.json<{ error: { details: string[] } }>().error.details;
    expect(details.some((d) => d.startsWith('options.url'))).toBe(true);
    expect(details.some((d) => d.startsWith('secrets.secret'))).toBe(true);
    expect(r.body).not.toContain('short');
    expect((await call('POST', '/api/v1/channels', root, { name: 'x', type: 'email', options: { host: 'h', from: 'a@b.c', to: ['a@b.c'], bogus: 1 } })).statusCode).toBe(400);
    expect((await call('GET', '/api/v1/channels', member)).statusCode).toBe(403);
    expect(() => channelBody('w', { type: 'webhook', url: 'https://x', to: [], label: [] }, {})).toThrow(/needs --secret/);
  });

  it('channel test sends a sample through the real channel', async () => {
    const r = await call('POST', '/api/v1/channels/sec-slack/test', root);
    expect(r.json()).toMatchObject({ ok: true });
    expect(JSON.stringify(slack.messages.at(-1))).toContain('BULWARK-TEST-0001');
    slack.failNext.push({ status: 404, body: 'no_service' });
    const bad = await call('POST', '/api/v1/channels/sec-slack/test', root);
    expect(bad.json()).toEqual({ ok: false, message: 'slack: HTTP 404 no_service' });
  });

  it('lists the dead-letter list and retries from it', async () => {
    const feed = new MemoryEventFeed();
    const notifier = new Notifier(store, { feed, secrets: SecretBox.fromKey(key) });
    feed.push(event('new', { id: 9, name: 'api', team: null }, ADVISORIES[0] as (typeof ADVISORIES)[number]));
    slack.failNext.push({ status: 403, body: 'invalid_token' });
    await notifier.tick();
    const dead = await call('GET', '/api/v1/deliveries?status=dead', root);
    const items = dead.json<{ items: { id: number; channel: string; lastError: string }[] }>().items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ channel: 'sec-slack', lastError: 'slack: HTTP 403 invalid_token' });
    expect((await call('POST', `/api/v1/deliveries/${items[0]?.id}/retry`, root)).statusCode).toBe(202);
    expect((await call('POST', `/api/v1/deliveries/${items[0]?.id}/retry`, root)).statusCode).toBe(404);
    const before = slack.messages.length;
    await notifier.deliver();
    expect(slack.messages.length).toBe(before + 1);
  });

  it('without BULWARK_SECRET_KEY nothing secret is stored: 503 naming the variable', async () => {
    delete process.env.BULWARK_SECRET_KEY;
    try {
      const r = await call('POST', '/api/v1/channels', root, { name: 'other', type: 'slack', secrets: { url: 'https://hooks.slack.com/services/T/B/C' } });
      expect(r.statusCode).toBe(503);
      expect(r.json<{ error: { message: string } }>().error.message).toContain('BULWARK_SECRET_KEY is not set');
    } finally {
      process.env.BULWARK_SECRET_KEY = key.toString('base64');
    }
  });
});
