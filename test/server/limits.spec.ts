import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY_PREFIX, INGEST_TOKEN_PREFIX, newSecret } from '../../src/server/auth.js';
import { checkJsonShape } from '../../src/server/ingest/prescan.js';
import { COMPILED_WORKER, createReportChecker } from '../../src/server/ingest/checker.js';
import { parseReport } from '../../src/server/ingest/validate.js';
import type { RunningServer } from '../../src/server/server.js';
import { startServer } from '../../src/server/server.js';
import { syntheticReport } from '../../src/server/synthetic.js';
import type { TestStore } from './support.js';
import { freshStore } from './support.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An upload whose body arrives one byte at a time; resolves with how long the server kept the socket open. */
function trickle(url: string, token: string, opts: { everyMs: number; length: number }): { closed: Promise<{ ms: number; response: string }>; started: Promise<void> } {
  const u = new URL(url);
  const t0 = Date.now();
  let response = '';
  let started!: () => void;
  const startedP = new Promise<void>((r) => (started = r));
  const closed = new Promise<{ ms: number; response: string }>((resolve) => {
    const sock = net.connect(Number(u.port), u.hostname, () => {
      sock.write(`POST /api/v1/reports HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${opts.length}\r\n\r\n{`);
      const timer = setInterval(() => {
        if (!sock.destroyed) sock.write(' ');
      }, opts.everyMs);
      sock.on('close', () => {
        clearInterval(timer);
        resolve({ ms: Date.now() - t0, response });
      });
      setTimeout(started, 150);
    });
    sock.on('data', (d) => (response += d.toString()));
    sock.on('error', () => {});
  });
  return { closed, started: startedP };
}

describe('bounded ingestion (SQLite)', () => {
  let t: TestStore;
  let server: RunningServer;
  let token: string;
  let token2: string;
  let admin: string;
  const post = (body: string, headers: Record<string, string> = {}, tok = token) =>
    fetch(`${server.url}/api/v1/reports`, { method: 'POST', headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json', ...headers }, body });

  beforeAll(async () => {
    t = await freshStore('sqlite');
    // Validation threads run the compiled worker (the build beside the sources, as `npm test` makes it).
    if (!fs.existsSync(COMPILED_WORKER)) throw new Error(`${COMPILED_WORKER} is missing: run \`npm run build\` first`);
    server = await startServer({ ...t.options, port: 0, logger: false, worker: false, requestTimeoutMs: 1500, rateLimitPerMinute: 40, uploadsPerToken: 2, uploadsTotal: 4, validationWorkerFile: COMPILED_WORKER });
    const id = await server.store.projects.create('limits', null);
    for (const set of [(s: string) => (token = s), (s: string) => (token2 = s)]) {
      const tok = newSecret(INGEST_TOKEN_PREFIX);
      await server.store.projects.createIngestToken(id, tok.hash);
      set(tok.secret);
    }
    const key = newSecret(API_KEY_PREFIX);
    await server.store.identity.createUser('limits-admin', 'admin', key.hash);
    admin = key.secret;
  });
  afterAll(async () => {
    await server?.close();
    await t?.cleanup();
  });

  it('checks JSON shape in one pass: depth, array length, string length', () => {
    const limits = { maxDepth: 4, maxArrayItems: 3, maxStringLength: 5 };
    expect(checkJsonShape('{"a":[1,2,3],"b":"12345","c":{"d":[]}}', limits)).toBeUndefined();
    expect(checkJsonShape('[1,2,3,4]', limits)).toMatch(/more than 3 items/);
    expect(checkJsonShape('[[[[[1]]]]]', limits)).toMatch(/deeper than 4/);
    expect(checkJsonShape('["123456"]', limits)).toMatch(/longer than 5/);
    expect(checkJsonShape('["a\\"b,c,d,e"]', { ...limits, maxStringLength: 20 })).toBeUndefined();
    expect(checkJsonShape('[{},{},{}]', limits)).toBeUndefined();
    expect(checkJsonShape('[{},{},{},{}]', limits)).toMatch(/more than 3 items/);
  });

  it('validates in threads exactly as inline (the compiled worker)', async () => {
    const threads = createReportChecker(2, COMPILED_WORKER);
    const inline = createReportChecker(0);
    expect([threads.mode, inline.mode]).toEqual(['threads', 'inline']);
    try {
      const nul = syntheticReport({ seed: 8, findings: 2 });
      nul.findings[0]!.title = 'a\u0000b';
      const bodies = ['{', '[]', JSON.stringify(syntheticReport({ seed: 7, findings: 20 })), JSON.stringify(nul), JSON.stringify({ ...syntheticReport({ seed: 9, findings: 1 }), gate: 1 })];
      for (const b of bodies) {
        const expected = parseReport(b);
        const viaThreads = await threads.check(Buffer.from(b));
        expect(viaThreads).toEqual(await inline.check(Buffer.from(b)));
        expect(viaThreads.ok).toBe(expected.ok);
      }
      const many = await Promise.all(Array.from({ length: 20 }, (_, i) => threads.check(Buffer.from(JSON.stringify(syntheticReport({ seed: 100 + i, findings: 5 }))))));
      expect(many.every((o) => o.ok)).toBe(true);
    } finally {
      await threads.close();
    }
  });

  it('answers a 2 MB invalid body in under a second while /health stays under 100 ms', async () => {
    const base = syntheticReport({ seed: 1, findings: 1 });
    // 110,000 invalid findings (passes the shape check, fails the schema): Ajv with allErrors went quadratic here.
    const invalidFindings = JSON.stringify({ ...base, findings: Array.from({ length: 110_000 }, (_, i) => ({ id: `GHSA-${i}` })) });
    // 680,000 empty objects: refused by the shape check before JSON.parse.
    const emptyObjects = JSON.stringify({ ...base, findings: Array.from({ length: 680_000 }, () => ({})) });
    for (const text of [invalidFindings, emptyObjects]) {
      expect(text.length).toBeGreaterThan(2_000_000);
      const body = Buffer.from(text);
      let done = false;
      const healthMs: number[] = [];
      const poll = (async () => {
        while (!done) {
          const s = performance.now();
          const res = await fetch(`${server.url}/api/v1/health`);
          await res.arrayBuffer();
          healthMs.push(performance.now() - s);
          await sleep(10);
        }
      })();
      const s = performance.now();
      const res = await fetch(`${server.url}/api/v1/reports`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
      const ms = performance.now() - s;
      done = true;
      await poll;
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_report');
      expect(healthMs.length).toBeGreaterThan(0);
      // Wall-clock bounds mean nothing on a machine running several times more work than it has cores (JSON.parse
      // of 2 MB alone then takes 100-200 ms); there the tight bounds are reported, and only a bound that the
      // quadratic validation (19 s for 162 KB, no answer for 2 MB) could never meet is asserted.
      const overloaded = os.loadavg()[0]! > os.cpus().length * 2;
      if (overloaded) {
        console.warn(`load ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs: answer ${ms.toFixed(0)} ms, /health max ${Math.max(...healthMs).toFixed(0)} ms; 1 s / 100 ms not asserted`);
        expect(ms).toBeLessThan(5000);
      } else {
        expect(ms).toBeLessThan(1000);
        expect(Math.max(...healthMs)).toBeLessThan(100);
      }
    }
  });

  it('refuses a wrong Content-Type and any Content-Encoding with 415, before reading the body', async () => {
    const body = JSON.stringify(syntheticReport({ seed: 2, findings: 2 }));
    const plain = await post(body, { 'content-type': 'text/plain' });
    expect(plain.status).toBe(415);
    expect(((await plain.json()) as { error: { code: string } }).error.code).toBe('unsupported_media_type');
    expect((await post(body, { 'content-encoding': 'gzip' })).status).toBe(415);
    expect((await post(body, { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    expect((await post(body, { 'content-type': 'application/json; charset=utf-8' })).status).toBe(202);
    expect(await server.store.queue.stats()).toEqual({ queued: 1 });
  });

  it('cuts off trickled uploads at the request timeout, and limits uploads in flight per token (429 + Retry-After)', async () => {
    const a = trickle(server.url, token, { everyMs: 100, length: 1_000_000 });
    const b = trickle(server.url, token, { everyMs: 100, length: 1_000_000 });
    await Promise.all([a.started, b.started]);
    // Two uploads in flight for this token: a third is refused at once, before its body is read.
    const third = await post(JSON.stringify(syntheticReport({ seed: 3, findings: 1 })));
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
    // Another token is not held up.
    expect((await post(JSON.stringify(syntheticReport({ seed: 4, findings: 1 })), {}, token2)).status).toBe(202);
    const [ca, cb] = await Promise.all([a.closed, b.closed]);
    for (const c of [ca, cb]) {
      expect(c.ms).toBeLessThan(5000);
      expect(c.response).toMatch(/^HTTP\/1.1 408/);
    }
    // The slots are free again.
    expect((await post(JSON.stringify(syntheticReport({ seed: 5, findings: 1 })))).status).toBe(202);
  });

  it('rate-limits each credential per minute (429 + Retry-After), independently', async () => {
    const me = () => fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${admin}` } });
    const statuses: number[] = [];
    for (let i = 0; i < 45; i++) statuses.push((await me()).status);
    expect(statuses.slice(0, 40).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(40)).toEqual([429, 429, 429, 429, 429]);
    const limited = await me();
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    // An ingest token has its own budget.
    expect((await post(JSON.stringify(syntheticReport({ seed: 6, findings: 1 })), {}, token2)).status).toBe(202);
  });
});
