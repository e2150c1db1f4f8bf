import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/server/app.js';
import { API_KEY_PREFIX, newSecret } from '../../../src/server/auth.js';
import { Store } from '../../../src/server/store/store.js';
import { BIN } from '../../support/cli.js';
import { REPO_ROOT } from '../../support/shared.js';
import { freshStore, type TestStore } from '../support.js';
import { SLACK_PATH, fakeSlack, fakeWebhook } from './fakes.js';

/** The built CLI, run asynchronously: the server answering it lives in this process. */
function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('bulwark channel (the built CLI against a server)', () => {
  let t: TestStore;
  let store: Store;
  let app: FastifyInstance;
  let url: string;
  let admin: string;
  let slack: Awaited<ReturnType<typeof fakeSlack>>;
  let hook: Awaited<ReturnType<typeof fakeWebhook>>;
  const saved = process.env.BULWARK_SECRET_KEY;

  beforeAll(async () => {
    if (!fs.existsSync(path.join(REPO_ROOT, 'bundle/main.js'))) throw new Error('the CLI is not built: run `npm run build` first');
    process.env.BULWARK_SECRET_KEY = crypto.randomBytes(32).toString('base64');
    t = await freshStore('sqlite');
    store = await Store.open(t.options);
    app = (await buildApp({ store, logger: false, worker: false })).app;
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    const a = newSecret(API_KEY_PREFIX);
    await store.identity.createUser('root', 'admin', a.hash);
    admin = a.secret;
    [slack, hook] = await Promise.all([fakeSlack(), fakeWebhook('cli-secret-0123456789')]);
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.BULWARK_SECRET_KEY;
    else process.env.BULWARK_SECRET_KEY = saved;
    await app.close();
    await Promise.all([slack.close(), hook.close()]);
    await store.close();
    await t.cleanup();
  });

  it('adds, lists and tests channels; the secret comes from BULWARK_CHANNEL_SECRET and is never printed', async () => {
    const env = { BULWARK_API_KEY: admin };
    const add = await cli(['channel', 'add', 'sec-slack', '--type', 'slack', '--min-severity', 'high', '--server', url], { ...env, BULWARK_CHANNEL_SECRET: slack.url + SLACK_PATH });
    expect(add.stderr).toBe('');
    expect(add.stdout).toBe('channel sec-slack (slack) added; secrets stored encrypted: url\n');
    const addHook = await cli(['channel', 'add', 'hook', '--type', 'webhook', '--url', hook.url + '/hooks/bulwark', '--server', url], { ...env, BULWARK_CHANNEL_SECRET: 'cli-secret-0123456789' });
    expect(addHook.code).toBe(0);
    const list = await cli(['channel', 'list', '--server', url], env);
    expect(list.stdout).toBe('hook\twebhook\tevery event\tsecrets: secret\nsec-slack\tslack\t1 rule(s)\tsecrets: url\n');
    expect(list.stdout + add.stdout).not.toContain(SLACK_PATH);
    const test = await cli(['channel', 'test', 'hook', '--server', url], env);
    expect(test.stdout).toBe('webhook: sample sent\n');
    expect(hook.verified).toHaveLength(1);
    expect((await cli(['channel', 'test', 'sec-slack', '--server', url], env)).code).toBe(0);
    expect(slack.messages).toHaveLength(1);
  });

  it('says what is wrong: no key, a bad option, an unknown channel', async () => {
    const noKey = await cli(['channel', 'list', '--server', url], { BULWARK_API_KEY: '' });
    expect(noKey.code).not.toBe(0);
    expect(noKey.stderr).toContain('BULWARK_API_KEY is not set');
    const bad = await cli(['channel', 'add', 'm', '--type', 'email', '--host', 'smtp', '--from', 'not-an-address', '--to', 'a@b.c', '--server', url], { BULWARK_API_KEY: admin });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('options.from');
    const missing = await cli(['channel', 'test', 'nope', '--server', url], { BULWARK_API_KEY: admin });
    expect(missing.stderr).toContain('channel nope not found');
  });
});
