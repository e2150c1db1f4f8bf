import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchError } from '../../src/core/errors.js';
import { uploadReport } from '../../src/server/client/upload.js';
import { newSecret } from '../../src/server/auth.js';
import type { RunningServer } from '../../src/server/server.js';
import { startServer } from '../../src/server/server.js';
import { syntheticReport } from '../../src/server/synthetic.js';
import type { TestStore } from './support.js';
import { freshStore } from './support.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

describe('upload client', () => {
  let t: TestStore;
  let server: RunningServer;
  let token: string;
  let spoolDir: string;
  beforeAll(async () => {
    t = await freshStore('sqlite');
    server = await startServer({ ...t.options, port: 0, logger: false, worker: { idleMs: 20 } });
    const id = await server.store.projects.create('upl', null);
    const tok = newSecret('bwi_');
    await server.store.projects.createIngestToken(id, tok.hash);
    token = tok.secret;
    spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-spool-'));
  });
  afterAll(async () => {
    await server?.close();
    await t?.cleanup();
    fs.rmSync(spoolDir, { recursive: true, force: true });
  });

  const scans = async () => Number((await server.store.db.selectFrom('scans').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('uploads, and a replay of the same report is one scan', async () => {
    const body = JSON.stringify(syntheticReport({ seed: 1, findings: 50 }));
    expect(await uploadReport(body, { server: server.url, token })).toEqual({ status: 'accepted' });
    await server.worker!.drain();
    const again = await uploadReport(body, { server: server.url, token });
    expect(again.status).toBe('accepted');
    expect(again.scanId).toMatch(/^\d+$/);
    expect(await scans()).toBe(1);
  });

  it('does not retry or spool a refused report (4xx), and says why', async () => {
    const err = await uploadReport('{"nope": 1}', { server: server.url, token, spoolDir, baseDelayMs: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect((err as FetchError).status).toBe(400);
    expect((err as FetchError).message).toMatch(/invalid_report/);
    expect(fs.readdirSync(spoolDir)).toEqual([]);
  });

  it('retries 503 with backoff, honouring Retry-After', async () => {
    let calls = 0;
    const delays: number[] = [];
    const fake: typeof fetch = async (input, init) => {
      calls++;
      if (calls < 3) return new Response(JSON.stringify({ error: { code: 'store_unavailable', message: 'down' } }), { status: 503, headers: { 'retry-after': '0' } });
      return fetch(input, init);
    };
    const body = JSON.stringify(syntheticReport({ seed: 2, findings: 5 }));
    const r = await uploadReport(body, { server: server.url, token, fetch: fake, baseDelayMs: 5, onRetry: (i) => delays.push(i.delayMs) });
    expect(r.status).toBe('accepted');
    expect(calls).toBe(3);
    expect(delays.length).toBe(2);
  });

  it('spools when the server stays unreachable and sends the spool on the next run', async () => {
    const deadUrl = `http://127.0.0.1:${await freePort()}`;
    const body = JSON.stringify(syntheticReport({ seed: 3, findings: 7 }));
    const r = await uploadReport(body, { server: deadUrl, token, attempts: 2, baseDelayMs: 1, spoolDir });
    expect(r).toEqual({ status: 'spooled' });
    expect(fs.readdirSync(spoolDir).filter((f) => f.endsWith('.upload.json')).length).toBe(1);
    expect(fs.readFileSync(path.join(spoolDir, fs.readdirSync(spoolDir)[0]!), 'utf8')).not.toContain(token);
    // Without a spool directory the failure is an error, never a silent loss.
    await expect(uploadReport(body, { server: deadUrl, token, attempts: 1 })).rejects.toBeInstanceOf(FetchError);
    // Next run against the same server (now reachable at this URL): a new server on the same port would do;
    // here the spooled entry names the dead URL, so point a run at it through a proxying fetch.
    const before = await scans();
    const redirect: typeof fetch = (input, init) => fetch(String(input).replace(deadUrl, server.url), init);
    const next = await uploadReport(JSON.stringify(syntheticReport({ seed: 4, findings: 3 })), { server: deadUrl, token, spoolDir, fetch: redirect });
    expect(next).toMatchObject({ status: 'accepted', flushed: 1 });
    expect(fs.readdirSync(spoolDir)).toEqual([]);
    await server.worker!.drain();
    expect(await scans()).toBe(before + 2);
  });
});
