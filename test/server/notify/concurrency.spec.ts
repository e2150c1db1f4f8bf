import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../../src/server/store/store.js';
import { MemoryEventFeed } from '../../../src/server/notify/event.js';
import { Notifier } from '../../../src/server/notify/notifier.js';
import { SecretBox } from '../../../src/server/secret-box.js';
import { addChannel } from '../../../src/server/notify/manage.js';
import { freshStore, type TestStore } from '../support.js';
import { ADVISORIES, event } from './events.js';
import { fakeWebhook } from './fakes.js';

const SECRET = 'whsec-0123456789abcdef';

describe('delivery guarantees', () => {
  let ts: TestStore;
  let store: Store;
  let hook: Awaited<ReturnType<typeof fakeWebhook>>;
  const box = SecretBox.fromKey(crypto.randomBytes(32));
  const feed = new MemoryEventFeed();

  beforeAll(async () => {
    ts = await freshStore('sqlite');
    store = await Store.open(ts.options);
    hook = await fakeWebhook(SECRET);
    await addChannel(store, box, { name: 'hook', type: 'webhook', options: { url: hook.url + '/hooks/bulwark' }, secrets: { secret: SECRET }, rules: [] });
  });
  afterAll(async () => {
    await hook.close();
    await store.close();
    await ts.cleanup();
  });

  it('two notifiers on one store send each delivery once (the claim is a lease)', async () => {
    for (let p = 1; p <= 20; p++) feed.push(event('new', { id: p, name: `p${p}`, team: null }, ADVISORIES[p % 4] as (typeof ADVISORIES)[number]));
    const a = new Notifier(store, { feed, secrets: box, rateLimitPerMinute: 100 });
    const b = new Notifier(store, { feed, secrets: box, rateLimitPerMinute: 100 });
    await a.collect();
    await Promise.all([a.deliver(), b.deliver()]);
    expect(hook.requests).toHaveLength(20);
    expect(new Set(hook.deliveryIds).size).toBe(20);
  });

  it('a crash after sending but before recording it sends again with the same idempotency key (at least once)', async () => {
    // As if the process died after the receiver answered: the delivery is still pending, due now.
    await sql`update notify_deliveries set status = 'pending', next_attempt_at = ${new Date(0).toISOString()} where id = (select min(id) from notify_deliveries)`.execute(store.db);
    const n = new Notifier(store, { feed, secrets: box });
    await n.deliver();
    expect(hook.requests).toHaveLength(21);
    // The receiver saw the same X-Bulwark-Delivery twice and processed it once.
    expect(hook.verified).toHaveLength(20);
  });

  it('a channel whose secrets cannot be read (another key) does not hold the others up: its deliveries are dead-lettered saying why', async () => {
    await addChannel(store, SecretBox.fromKey(crypto.randomBytes(32)), { name: 'stale', type: 'slack', options: {}, secrets: { url: 'https://hooks.slack.com/services/T/B/C' }, rules: [] });
    const before = hook.verified.length;
    feed.push(event('new', { id: 99, name: 'late', team: null }, ADVISORIES[0] as (typeof ADVISORIES)[number]));
    await new Notifier(store, { feed, secrets: box }).tick();
    expect(hook.verified.length).toBe(before + 1);
    const dead = await store.notify.deliveries({ status: 'dead', limit: 5 });
    expect(dead.map((d) => [d.channel, d.last_error])).toEqual([['stale', 'channel cannot be opened: a stored secret of stale does not open with this BULWARK_SECRET_KEY (a changed key, or tampered data)']]);
  });
});
