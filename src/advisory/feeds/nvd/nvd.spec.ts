import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startMirrorServer } from '../../../../test/support/http-mirror.js';
import type { NvdApiServer } from '../../../../test/support/nvd-api.js';
import { startNvdApi } from '../../../../test/support/nvd-api.js';
import { VULNDATA_DIR } from '../../../../test/support/shared.js';
import { AdvisoryDbReader } from '../../store/reader.js';
import { databasePath, updateDatabase } from '../../update.js';
import type { Clock } from './api.js';
import { RATE_WINDOW_MS, SlidingWindowLimiter } from './api.js';
import { mirrorPageName, nvdFeed } from './feed.js';

const here = path.dirname(fileURLToPath(import.meta.url));
type Item = NvdApiServer['items'][number];
const ITEMS: Item[] = fs
  .readFileSync(path.join(here, '__fixtures__/cves.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as Item);
const item = (id: string): Item => structuredClone(ITEMS.find((i) => i.cve.id === id)!);

function tmpDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `bulwark-nvd-${label}-`));
}

/** A test clock: sleeping advances it instantly, and every sleep is recorded. */
function fakeClock(start: number): Clock & { sleeps: number[]; t: number } {
  const c = {
    t: start,
    sleeps: [] as number[],
    now: () => c.t,
    sleep: (ms: number) => {
      c.sleeps.push(ms);
      c.t += ms;
      return Promise.resolve();
    },
  };
  return c;
}

function open(cacheDir: string): AdvisoryDbReader {
  return AdvisoryDbReader.open(databasePath(cacheDir));
}

describe('SlidingWindowLimiter', () => {
  it('lets 5 requests through per rolling 30 s and makes the 6th wait for the window to roll', async () => {
    const clock = fakeClock(0);
    const limiter = new SlidingWindowLimiter(5, RATE_WINDOW_MS, clock);
    const starts: number[] = [];
    for (let i = 0; i < 11; i++) {
      await limiter.acquire();
      starts.push(clock.now());
      clock.t += 1000; // each request takes a second
    }
    expect(starts).toEqual([0, 1000, 2000, 3000, 4000, 30000, 31000, 32000, 33000, 34000, 60000]);
    for (let i = 5; i < starts.length; i++) expect(starts[i]! - starts[i - 5]!).toBeGreaterThanOrEqual(RATE_WINDOW_MS);
  });
});

describe('nvd feed against the CVE API 2.0', () => {
  let api: NvdApiServer;
  let clock: ReturnType<typeof fakeClock>;
  const T0 = Date.parse('2026-09-01T00:00:00Z');

  beforeEach(async () => {
    clock = fakeClock(T0);
    api = await startNvdApi(clock);
    api.items = ITEMS.map((i) => structuredClone(i));
  });
  afterEach(async () => {
    await api.close();
  });

  const update = (cacheDir: string, opts: { apiKey?: string; perPage?: number; attempts?: number } = {}) =>
    updateDatabase({
      cacheDir,
      feeds: [nvdFeed({ apiUrl: api.url, clock, resultsPerPage: opts.perPage ?? 2, ...(opts.apiKey ? { apiKey: opts.apiKey } : {}) })],
      now: () => new Date(clock.now()),
      backoffMs: 1000,
      attempts: opts.attempts ?? 6,
    });

  it('first load: pages with startIndex/resultsPerPage, sends the key as the apiKey header, stores metrics and CWEs', async () => {
    const cacheDir = tmpDir('first');
    const r = await update(cacheDir, { apiKey: 'k-123' });
    expect(r.outcomes).toEqual([expect.objectContaining({ feed: 'nvd', result: 'imported', records: 5 })]);
    expect(api.requests.map((q) => q.params)).toEqual([
      { startIndex: '0', resultsPerPage: '2' },
      { startIndex: '2', resultsPerPage: '2' },
      { startIndex: '4', resultsPerPage: '2' },
    ]);
    expect(api.requests.every((q) => q.apiKey === 'k-123')).toBe(true);
    const db = open(cacheDir);
    try {
      expect(db.cve('CVE-2024-45337')).toMatchObject({
        vulnStatus: 'Awaiting Analysis',
        metrics: [{ version: '3.1', type: 'Secondary', source: '134c704f-9b21-4f2e-91b3-4a467353bcc0', score: 9.1, severity: 'CRITICAL' }],
      });
      expect(db.cve('CVE-2016-10516')).toMatchObject({
        metrics: [
          { version: '3.0', type: 'Primary', source: 'nvd@nist.gov', score: 6.1, severity: 'MEDIUM' },
          { version: '2.0', type: 'Primary', source: 'nvd@nist.gov', score: 4.3, severity: 'MEDIUM' },
        ],
        weaknesses: [{ cwe: 'CWE-79', source: 'nvd@nist.gov', type: 'Primary' }],
      });
      expect(db.cve('CVE-2025-46569')!.metrics.map((m) => `${m.version} ${m.type} ${m.score}`)).toEqual(['4.0 Secondary 7.4']);
      expect(db.cve('CVE-2020-11022')!.metrics.map((m) => `${m.version} ${m.type}`)).toEqual(['3.1 Secondary', '3.1 Primary', '2.0 Primary']);
      expect(db.cve('CVE-2023-48795')!.metrics).toEqual([]);
      expect(db.feeds().find((f) => f.id === 'nvd')).toMatchObject({ status: 'ok', records: 5, cursor: new Date(T0).toISOString() });
    } finally {
      db.close();
    }
  });

  it('without a key: no apiKey header, and never more than 5 requests in 30 s', async () => {
    const cacheDir = tmpDir('nokey');
    await update(cacheDir, { perPage: 1 });
    api.requests.length = 0;
    // A second full load in a fresh cache: 5 pages of one record, plus a 429 that costs one more request.
    api.failures.push({ status: 429 });
    await update(tmpDir('nokey2'), { perPage: 1 });
    expect(api.requests).toHaveLength(6);
    expect(api.requests.every((q) => q.apiKey === undefined)).toBe(true);
    const at = api.requests.map((q) => q.at);
    for (let i = 5; i < at.length; i++) expect(at[i]! - at[i - 5]!).toBeGreaterThanOrEqual(RATE_WINDOW_MS);
  });

  it('takes the key from NVD_API_KEY and the endpoint from BULWARK_NVD_API_URL when not given', async () => {
    const saved = { key: process.env.NVD_API_KEY, url: process.env.BULWARK_NVD_API_URL };
    process.env.NVD_API_KEY = 'from-env';
    process.env.BULWARK_NVD_API_URL = api.url;
    try {
      const r = await updateDatabase({ cacheDir: tmpDir('env'), feeds: [nvdFeed({ clock })], now: () => new Date(clock.now()) });
      expect(r.outcomes[0]).toMatchObject({ result: 'imported', records: 5 });
      expect(api.requests.length).toBeGreaterThan(0);
      expect(api.requests.every((q) => q.apiKey === 'from-env' && q.params.resultsPerPage === '2000')).toBe(true);
    } finally {
      for (const [k, v] of [['NVD_API_KEY', saved.key], ['BULWARK_NVD_API_URL', saved.url]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('429, 503 and 403 are retried with exponential back-off; Retry-After is honoured', async () => {
    const cacheDir = tmpDir('retry');
    api.failures.push({ status: 429 }, { status: 503 }, { status: 403 }, { status: 429, retryAfter: 7 });
    const r = await update(cacheDir, { apiKey: 'k' });
    expect(r.outcomes[0]).toMatchObject({ result: 'imported', records: 5 });
    expect(api.requests.map((q) => q.status)).toEqual([429, 503, 403, 429, 200, 200, 200]);
    expect(clock.sleeps).toEqual([1000, 2000, 4000, 7000]);
  });

  it('a server that stays down fails the feed after the retries and keeps the previous data and cursor', async () => {
    const cacheDir = tmpDir('down');
    await update(cacheDir);
    clock.t += 24 * 3600 * 1000;
    api.down = 503;
    const r = await update(cacheDir, { attempts: 3 });
    expect(r.outcomes[0]).toMatchObject({ result: 'failed', error: expect.stringMatching(/HTTP 503/) });
    const db = open(cacheDir);
    try {
      expect(db.feeds().find((f) => f.id === 'nvd')).toMatchObject({ status: 'failed', records: 5, cursor: new Date(T0).toISOString() });
      expect(db.cve('CVE-2024-45337')).toBeDefined();
    } finally {
      db.close();
    }
  });

  it('an error NVD explains (404 with a message header) fails at once, naming the message', async () => {
    api.failures.push({ status: 404 });
    const r = await update(tmpDir('404'));
    expect(r.outcomes[0]).toMatchObject({ result: 'failed', error: expect.stringMatching(/HTTP 404/) });
    expect(api.requests).toHaveLength(1);
  });

  it('later updates ask only for changes, in windows of at most 120 days, and apply them', async () => {
    const cacheDir = tmpDir('incr');
    await update(cacheDir);
    api.requests.length = 0;
    // 181 days later NVD has analysed Terrapin and published a new CVE.
    clock.t = Date.parse('2027-03-01T00:00:00Z');
    const terrapin = item('CVE-2023-48795');
    terrapin.cve.lastModified = '2026-12-20T10:00:00.000';
    terrapin.cve.metrics = {
      cvssMetricV31: [
        {
          source: 'nvd@nist.gov',
          type: 'Primary',
          cvssData: { version: '3.1', vectorString: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:N', baseScore: 5.9, baseSeverity: 'MEDIUM' },
        },
      ],
    };
    const added = item('CVE-2024-45337');
    added.cve.id = 'CVE-2027-0001'; // a test record: a copy under a new id, modified in the second window
    added.cve.lastModified = '2027-02-01T00:00:00.000';
    api.items = [...ITEMS.filter((i) => i.cve.id !== 'CVE-2023-48795'), terrapin, added];

    const r = await update(cacheDir);
    expect(r.outcomes[0]).toMatchObject({ result: 'imported', records: 6 });
    expect(api.requests.map((q) => [q.params.lastModStartDate, q.params.lastModEndDate, q.params.startIndex])).toEqual([
      ['2026-09-01T00:00:00.000+00:00', '2026-12-30T00:00:00.000+00:00', '0'],
      ['2026-12-30T00:00:00.000+00:00', '2027-03-01T00:00:00.000+00:00', '0'],
    ]);
    expect(api.requests.every((q) => q.status === 200)).toBe(true);
    const db = open(cacheDir);
    try {
      expect(db.cve('CVE-2023-48795')!.metrics).toEqual([
        { version: '3.1', source: 'nvd@nist.gov', type: 'Primary', vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:N', score: 5.9, severity: 'MEDIUM' },
      ]);
      expect(db.cve('CVE-2027-0001')).toBeDefined();
      expect(db.cve('CVE-2016-10516')!.weaknesses).toHaveLength(1);
      expect(db.feeds().find((f) => f.id === 'nvd')!.cursor).toBe('2027-03-01T00:00:00.000Z');
    } finally {
      db.close();
    }
  });

  it('a record it cannot read is skipped and counted, the rest imported', async () => {
    const bad = item('CVE-2024-45337');
    (bad.cve.metrics as { cvssMetricV31: { cvssData: { baseScore: unknown } }[] }).cvssMetricV31[0]!.cvssData.baseScore = 'high';
    api.items = [...ITEMS.filter((i) => i.cve.id !== 'CVE-2024-45337'), bad];
    const r = await update(tmpDir('bad'));
    expect(r.outcomes[0]).toMatchObject({ result: 'imported', records: 4, skipped: 1 });
  });
});

/** Writes `items` as mirror pages of `perPage` records, as the API would have answered. */
function writeMirror(root: string, items: readonly Item[], perPage: number): void {
  const dir = path.join(root, 'nvd/cves-2.0');
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i * perPage < items.length; i++) {
    const page = items.slice(i * perPage, (i + 1) * perPage);
    const body = { resultsPerPage: page.length, startIndex: i * perPage, totalResults: items.length, format: 'NVD_CVE', version: '2.0', timestamp: '2026-08-14T16:16:55.673', vulnerabilities: page };
    fs.writeFileSync(path.join(dir, mirrorPageName(i)), JSON.stringify(body));
  }
}

describe('nvd feed from a mirror', () => {
  const update = (cacheDir: string, source: string) => updateDatabase({ cacheDir, source, feeds: [nvdFeed()], attempts: 1, backoffMs: 1 });

  it('reads every page of a directory mirror, and skips an unchanged mirror', async () => {
    const mirror = tmpDir('mirror');
    writeMirror(mirror, ITEMS, 2);
    const cacheDir = tmpDir('mirror-cache');
    expect((await update(cacheDir, mirror)).outcomes[0]).toMatchObject({ result: 'imported', records: 5 });
    expect((await update(cacheDir, mirror)).outcomes[0]).toMatchObject({ result: 'unchanged', records: 5 });
  });

  it('refuses a mirror whose pages do not add up, or with a gap in the numbering', async () => {
    const mirror = tmpDir('short');
    writeMirror(mirror, ITEMS, 2);
    fs.rmSync(path.join(mirror, 'nvd/cves-2.0', mirrorPageName(2)));
    expect((await update(tmpDir('short-cache'), mirror)).outcomes[0]).toMatchObject({ result: 'failed', error: expect.stringMatching(/hold 4 records but announce 5/) });
    fs.rmSync(path.join(mirror, 'nvd/cves-2.0', mirrorPageName(1)));
    writeMirror(path.join(mirror, 'gap'), ITEMS, 2);
    fs.copyFileSync(path.join(mirror, 'gap/nvd/cves-2.0', mirrorPageName(2)), path.join(mirror, 'nvd/cves-2.0', mirrorPageName(2)));
    expect((await update(tmpDir('gap-cache'), mirror)).outcomes[0]).toMatchObject({ result: 'failed', error: expect.stringMatching(/page-0001\.json is missing/) });
  });

  it('reads a page whose wrapper comes after the records (keys in another order)', async () => {
    const mirror = tmpDir('order');
    fs.mkdirSync(path.join(mirror, 'nvd/cves-2.0'), { recursive: true });
    const body = { vulnerabilities: ITEMS, totalResults: 5, startIndex: 0, resultsPerPage: 5, format: 'NVD_CVE', version: '2.0' };
    fs.writeFileSync(path.join(mirror, 'nvd/cves-2.0', mirrorPageName(0)), JSON.stringify(body));
    const r = await update(tmpDir('order-cache'), mirror);
    expect(r.outcomes[0]).toMatchObject({ result: 'imported', records: 5 });
  });

  it('refuses a truncated page, naming the file', async () => {
    const mirror = tmpDir('trunc');
    writeMirror(mirror, ITEMS, 5);
    const file = path.join(mirror, 'nvd/cves-2.0', mirrorPageName(0));
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 50_000));
    const r = await update(tmpDir('trunc-cache'), mirror);
    expect(r.outcomes[0]).toMatchObject({ result: 'failed', error: expect.stringMatching(/page-0000\.json.*not an NVD CVE API page/) });
  });

  it('refuses a page that is not an NVD response, naming the file', async () => {
    const mirror = tmpDir('notnvd');
    fs.mkdirSync(path.join(mirror, 'nvd/cves-2.0'), { recursive: true });
    fs.writeFileSync(path.join(mirror, 'nvd/cves-2.0', mirrorPageName(0)), '<html>rate limited</html>');
    const r = await update(tmpDir('notnvd-cache'), mirror);
    expect(r.outcomes[0]).toMatchObject({ result: 'failed', error: expect.stringMatching(/page-0000\.json.*not an NVD CVE API page/) });
  });

  it('reads a mirror served over HTTP', async () => {
    const mirror = tmpDir('http');
    writeMirror(mirror, ITEMS, 2);
    const server = await startMirrorServer(mirror);
    try {
      const r = await update(tmpDir('http-cache'), server.url);
      expect(r.outcomes[0]).toMatchObject({ result: 'imported', records: 5 });
      expect(server.log.filter((l) => l.includes('/nvd/')).map((l) => l.split(' ')[1])).toEqual(
        [0, 1, 2].map((i) => `/nvd/cves-2.0/${mirrorPageName(i)}`),
      );
    } finally {
      await server.close();
    }
  });

  it.skipIf(!fs.existsSync(path.join(VULNDATA_DIR, 'nvd')))('imports the shared snapshot: 83 CVEs', async () => {
    const cacheDir = tmpDir('shared');
    const r = await updateDatabase({ cacheDir, source: VULNDATA_DIR, ecosystems: ['nvd'] });
    expect(r.outcomes).toEqual([expect.objectContaining({ feed: 'nvd', result: 'imported', records: 83, skipped: 0 })]);
  });
});
