import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../../src/server/store/store.js';
import { MemoryEventFeed } from '../../../src/server/notify/event.js';
import { Notifier } from '../../../src/server/notify/notifier.js';
import { SecretBox } from '../../../src/server/secret-box.js';
import { addChannel } from '../../../src/server/notify/manage.js';
import { freshStore, type TestStore } from '../support.js';
import { ADVISORIES, event } from './events.js';
import { fakeJira } from './fakes.js';

describe('Jira Data Center (REST v2, bearer PAT), one issue per advisory', () => {
  let ts: TestStore;
  let store: Store;
  let jira: Awaited<ReturnType<typeof fakeJira>>;
  const box = SecretBox.fromKey(crypto.randomBytes(32));
  const feed = new MemoryEventFeed();
  let n: Notifier;
  const WEB = { id: 1, name: 'web', team: null };
  const lodash = ADVISORIES.filter((a) => a.pkg === 'lodash');

  beforeAll(async () => {
    ts = await freshStore('sqlite');
    store = await Store.open(ts.options);
    jira = await fakeJira(null, 'dc-personal-access-token', 'SEC');
    await addChannel(store, box, { name: 'jira-dc', type: 'jira', options: { url: jira.url, project: 'SEC', api: '2', grouping: 'advisory' }, secrets: { token: 'dc-personal-access-token' }, rules: [] });
    n = new Notifier(store, { feed, secrets: box, backoffBaseMs: 5 });
  });
  afterAll(async () => {
    await jira.close();
    await store.close();
    await ts.cleanup();
  });

  it('files one issue per advisory with a text description, closes the fixed one through its Done transition', async () => {
    feed.push(...lodash.map((a) => event('new', WEB, a)));
    await n.tick();
    expect(jira.issues.map((i) => i.summary).sort()).toEqual(['[web] CVE-2019-10744 in lodash 4.17.4 (fixed in 4.17.12)', '[web] CVE-2020-8203 in lodash 4.17.4 (fixed in 4.17.19)', '[web] CVE-2021-23337 in lodash 4.17.4 (fixed in 4.17.21)']);
    expect(jira.issues.every((i) => typeof i.description === 'string')).toBe(true);
    expect(jira.requests.every((r) => r.problems.length === 0)).toBe(true);
    feed.push(event('fixed', WEB, lodash[0] as (typeof ADVISORIES)[number]));
    await n.tick();
    expect(jira.issues.filter((i) => i.status === 'Done').map((i) => i.summary)).toEqual(['[web] CVE-2021-23337 in lodash 4.17.4 (fixed in 4.17.21)']);
    expect(jira.issues.find((i) => i.status === 'Done')?.comments).toEqual(['Fixed: no finding of lodash for CVE-2021-23337 is open any more in web. Closed by Bulwark.']);
  });

  it('a wrong token is a permanent failure: dead-lettered with the answer', async () => {
    await store.notify.deleteChannel('jira-dc');
    await addChannel(store, box, { name: 'jira-dc', type: 'jira', options: { url: jira.url, project: 'SEC', api: '2' }, secrets: { token: 'wrong' }, rules: [] });
    feed.push(event('new', WEB, ADVISORIES[3] as (typeof ADVISORIES)[number]));
    await n.tick();
    const dead = await store.notify.deliveries({ status: 'dead', limit: 5 });
    expect(dead.map((d) => d.last_error)).toEqual(['jira GET /rest/api/2/search: HTTP 401 {"errorMessages":["You are not authenticated."]}']);
  });
});
