import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BulkClient, BulkUnavailableError } from '../../src/export/bulk.js';
import type { EcsDocument } from '../../src/export/ecs.js';
import { reportDocuments } from '../../src/export/ecs.js';
import { ReportFilesSource } from '../../src/export/reports.js';
import { FileCursorStore, MemoryCursorStore, runSink } from '../../src/export/sink.js';
import { importReport } from '../../src/import/index.js';
import { REPO_ROOT } from '../support/shared.js';
import type { FakeBulk } from './fake-bulk-server.js';
import { startFakeBulk } from './fake-bulk-server.js';

/** The _bulk client against a local server that speaks _bulk (there is no Elasticsearch on this machine). */
const TEMPLATE: unknown = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'docs/elastic/index-template.json'), 'utf8'));
const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/import');
const NOW = new Date('2026-03-01T12:00:00Z');
const bytes = (rel: string): Uint8Array => fs.readFileSync(path.join(FIXTURES, rel));
const docsOf = (rel: string): EcsDocument[] => reportDocuments(importReport(bytes(rel), { filename: rel, now: NOW }), { project: 'payments' });

let es: FakeBulk;
const delays: number[] = [];
const client = (extra: Partial<ConstructorParameters<typeof BulkClient>[0]> = {}): BulkClient =>
  new BulkClient({ url: es.url, baseDelayMs: 10, maxAttempts: 4, sleep: async (ms) => void delays.push(ms), ...extra });

beforeEach(async () => {
  es = await startFakeBulk(TEMPLATE);
  delays.length = 0;
});
afterEach(async () => {
  await es.close();
});

describe('BulkClient', () => {
  it('stores every document; re-sending updates instead of duplicating', async () => {
    const docs = docsOf('trivy/all_statuses.json');
    const first = await client().send(docs);
    expect(first).toMatchObject({ stored: docs.length, failed: [] });
    expect(es.docs.size).toBe(docs.length);
    const again = await client().send(docs);
    expect(again.stored).toBe(docs.length);
    expect(es.docs.size).toBe(docs.length);
  });

  it('retries a whole request answered 429 or 503, with growing back-off and Retry-After honoured', async () => {
    es.faults = [{ status: 429 }, { status: 503 }, { status: 429, retryAfter: '2' }];
    const docs = docsOf('npm_audit_7_plus/many_vulns.json');
    const r = await client({ maxAttempts: 5 }).send(docs);
    expect(r).toMatchObject({ stored: docs.length, failed: [], requests: 4 });
    expect(delays).toHaveLength(3);
    expect(delays[1]!).toBeGreaterThanOrEqual(10);
    expect(delays[2]).toBe(2000);
  });

  it('retries only the items rejected with 429/5xx, and reports items refused for good without retrying them', async () => {
    const docs = docsOf('anchore_grype/many_vulns4.json');
    const bad = { ...docs[1]!, doc: { ...docs[1]!.doc, unmapped_field: 'x' } };
    const input = [docs[0]!, bad, ...docs.slice(2)];
    es.faults = [{ itemStatus: { [docs[2]!._id]: 429, [docs[3]!._id]: 500 } }];
    const r = await client().send(input);
    expect(r.failed).toEqual([{ index: bad._index, id: bad._id, status: 400, reason: expect.stringMatching(/strict_dynamic_mapping_exception: unmapped_field/) }]);
    expect(r.stored).toBe(docs.length - 1);
    expect(r.requests).toBe(2);
    // The retry carried only the two rejected items.
    expect(es.requests[1]!.items).toBe(2);
  });

  it('gives up with BulkUnavailableError when the cluster stays unavailable (never reports unsent documents as sent)', async () => {
    es.faults = [{ status: 503 }, { status: 503 }, { hangUp: true }, { status: 502 }];
    const docs = docsOf('npm_audit_7_plus/one_vuln.json');
    await expect(client().send(docs)).rejects.toThrow(BulkUnavailableError);
    expect(es.docs.size).toBe(0);
  });

  it('splits batches to stay under the body limit, and halves a batch the cluster refuses as too large', async () => {
    const docs = docsOf('trivy/scheme_2_many_vulns.json');
    const r1 = await client({ maxBodyBytes: 3000 }).send(docs);
    expect(r1.stored).toBe(docs.length);
    expect(es.requests.length).toBeGreaterThan(1);
    for (const q of es.requests) expect(q.bodyBytes).toBeLessThanOrEqual(3000 + 3000);
    es.docs.clear();
    es.requests.length = 0;
    es.maxBodyBytes = 4000;
    const r2 = await client().send(docs);
    expect(r2).toMatchObject({ stored: docs.length, failed: [] });
    expect(es.requests.some((q) => q.status === 413)).toBe(true);
  });

  it('refuses a non-http URL', () => {
    expect(() => new BulkClient({ url: 'file:///etc/passwd' })).toThrow(/http/);
  });
});

describe('runSink with a cursor', () => {
  const files = ['trivy/all_statuses.json', 'anchore_grype/many_vulns4.json', 'npm_audit_7_plus/many_vulns.json'].map((rel) => ({ name: rel, bytes: bytes(rel) }));

  it('resumes after a stop: the cursor moves only past reports the cluster answered for', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-cursor-'));
    const cursor = new FileCursorStore(path.join(dir, 'cursor.json'));
    const source = new ReportFilesSource(files, { project: 'payments' });
    // The first report goes through; the cluster then stays down for the second.
    es.faults = [{}, { status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }];
    await expect(runSink(source, client(), cursor)).rejects.toThrow(BulkUnavailableError);
    const stopped = await cursor.load();
    expect(stopped).toMatch(/^000000:/);
    const afterFirst = es.docs.size;
    expect(afterFirst).toBeGreaterThan(0);
    const r = await runSink(source, client(), cursor);
    expect(r.batches).toBe(2);
    expect(r.position).toMatch(/^000002:/);
    expect(es.requests.filter((q) => q.status === 200)).toHaveLength(3);
    // A finished cursor sends nothing more.
    const none = await runSink(source, client(), cursor);
    expect(none.batches).toBe(0);
  });

  it('refuses a cursor written for other reports', async () => {
    const cursor = new MemoryCursorStore();
    await runSink(new ReportFilesSource(files, { project: 'p' }), client(), cursor);
    const other = [files[0]!, files[2]!, files[1]!];
    await expect(runSink(new ReportFilesSource(other, { project: 'p' }), client(), cursor)).rejects.toThrow(/another list of reports/);
  });
});
