/**
 * The `nvd` feed: CVSS metrics and CWEs per CVE from NVD, read by severity resolution (docs/severity.md).
 *
 * Where from:
 * - no --source: the NVD CVE API 2.0 (or BULWARK_NVD_API_URL). The first load pages through every CVE
 *   (`startIndex`/`resultsPerPage`); later updates ask only for what changed since the last one
 *   (`lastModStartDate`/`lastModEndDate`, in windows of at most 120 days, the API's limit). The key in
 *   NVD_API_KEY raises the rate limit from 5 to 50 requests per 30 seconds.
 * - a mirror directory or URL: pages laid out as `nvd/cves-2.0/page-NNNN.json`, each one API response; the
 *   mirror is read whole, and skipped when its pages have not changed.
 * Pages are streamed (memory holds one record), and a set of pages that does not add up to the `totalResults`
 * they announce fails the feed rather than passing for a complete one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FeedError } from '../../../core/errors.js';
import { sha256, sha256File } from '../../../util/hash.js';
import { download } from '../../../util/fetch.js';
import type { CveItem } from '../../store/writer.js';
import type { SyncContext, SyncFeedDefinition, SyncOutcome } from '../types.js';
import type { Clock } from './api.js';
import { NVD_API_URL, NvdApiClient, nvdDate } from './api.js';
import { readNvdPageHeader, readNvdPageRecords } from './page.js';

export const NVD_FEED_ID = 'nvd';
export const NVD_MIRROR_DIR = 'nvd/cves-2.0';
/** The API refuses date ranges longer than 120 consecutive days. */
export const MAX_WINDOW_MS = 120 * 24 * 60 * 60 * 1000;
/** The API's maximum page size for CVEs. */
export const MAX_RESULTS_PER_PAGE = 2000;

export interface NvdFeedOptions {
  /** The API endpoint; default BULWARK_NVD_API_URL, else NVD's. */
  apiUrl?: string;
  /** Default NVD_API_KEY. */
  apiKey?: string;
  clock?: Clock;
  resultsPerPage?: number;
}

export function mirrorPageName(i: number): string {
  return `page-${String(i).padStart(4, '0')}.json`;
}

interface Page {
  file: string;
  where: string;
}

/** Streams the records of a complete run of pages, checking that each page starts where the last ended and that they add up. */
async function* pagesInOrder(pages: readonly Page[]): AsyncGenerator<CveItem> {
  let expectedTotal: number | undefined;
  let seen = 0;
  for (const page of pages) {
    const header = await readNvdPageHeader(page.file, page.where);
    expectedTotal ??= header.totalResults;
    if (header.startIndex !== seen) throw new FeedError(NVD_FEED_ID, `${page.where} starts at record ${header.startIndex}, but the pages before it hold ${seen}`);
    for await (const item of readNvdPageRecords(page.file, page.where)) {
      seen++;
      yield item;
    }
  }
  if (expectedTotal !== undefined && seen !== expectedTotal) {
    throw new FeedError(NVD_FEED_ID, `the mirror's pages hold ${seen} records but announce ${expectedTotal}`, { hint: 'the mirror is incomplete; fetch it again' });
  }
}

async function importPages(ctx: SyncContext, pages: readonly Page[], location: string): Promise<SyncOutcome> {
  // One page at a time: hashing them all at once would hold a read buffer per page.
  const digests: string[] = [];
  for (const p of pages) digests.push(`${path.basename(p.file)}:${await sha256File(p.file)}`);
  const digest = sha256(digests.join('\n'));
  if (ctx.previous?.status === 'ok' && ctx.previous.input_digest === digest) return { result: 'unchanged', location };
  const w = ctx.writer();
  const counts = await w.writeCves(NVD_FEED_ID, pagesInOrder(pages), 'replace');
  return { result: 'imported', location, records: w.cveCount(NVD_FEED_ID), skipped: counts.skipped, skippedSample: counts.skippedSample, digest };
}

async function syncDir(ctx: SyncContext, root: string): Promise<SyncOutcome> {
  const dir = path.join(root, ...NVD_MIRROR_DIR.split('/'));
  if (!fs.existsSync(dir)) return { result: 'missing', location: dir };
  const numbered = fs
    .readdirSync(dir)
    .map((f) => ({ f, m: /^page-(\d{4,})\.json$/.exec(f) }))
    .filter((x) => x.m)
    .map((x) => ({ file: path.join(dir, x.f), n: Number(x.m![1]) }))
    .sort((a, b) => a.n - b.n);
  if (numbered.length === 0) return { result: 'missing', location: dir };
  numbered.forEach((p, i) => {
    if (p.n !== i) throw new FeedError(NVD_FEED_ID, `${dir}: ${mirrorPageName(i)} is missing (the pages must be numbered from 0000 without gaps)`);
  });
  return importPages(ctx, numbered.map((p) => ({ file: p.file, where: p.file })), dir);
}

async function syncHttp(ctx: SyncContext, base: string): Promise<SyncOutcome> {
  const tmpDir = path.join(ctx.cacheDir, 'downloads');
  const pages: Page[] = [];
  try {
    let total: number | undefined;
    let held = 0;
    for (let i = 0; total === undefined || held < total; i++) {
      const url = `${base}/${NVD_MIRROR_DIR}/${mirrorPageName(i)}`;
      const r = await download(url, { tmpDir, progress: ctx.progress, label: `nvd ${mirrorPageName(i)}`, attempts: ctx.attempts, backoffMs: ctx.backoffMs });
      if (r.status === 'missing') {
        if (i === 0) return { result: 'missing', location: url };
        throw new FeedError(NVD_FEED_ID, `${url} is missing, but the pages before it hold ${held} of ${total ?? '?'} records`);
      }
      if (r.status !== 'ok') throw new FeedError(NVD_FEED_ID, `${url}: unexpected answer ${r.status}`);
      pages.push({ file: r.path, where: url });
      const header = await readNvdPageHeader(r.path, url);
      total ??= header.totalResults;
      const before = held;
      for await (const _ of readNvdPageRecords(r.path, url)) held++;
      if (held === before && held < total) throw new FeedError(NVD_FEED_ID, `${url} holds no records, but ${total - held} are still to come`);
    }
    return await importPages(ctx, pages, `${base}/${NVD_MIRROR_DIR}/`);
  } finally {
    for (const p of pages) fs.rmSync(p.file, { force: true });
  }
}

/** Every record the API returns for these parameters, page by page (each page a temporary file, removed once read). */
async function* apiRecords(client: NvdApiClient, params: Record<string, string>, perPage: number, ctx: SyncContext): AsyncGenerator<CveItem> {
  let startIndex = 0;
  let total: number | undefined;
  const task = ctx.progress.start(`nvd ${params.lastModStartDate ? `changes since ${params.lastModStartDate.slice(0, 10)}` : 'full load'}`, 'records');
  try {
    while (total === undefined || startIndex < total) {
      const file = await client.fetchPage({ ...params, startIndex: String(startIndex), resultsPerPage: String(perPage) });
      try {
        const where = client.urlFor({ ...params, startIndex: String(startIndex) });
        const header = await readNvdPageHeader(file, where);
        if (header.startIndex !== startIndex) throw new FeedError(NVD_FEED_ID, `asked for records from ${startIndex}, got a page starting at ${header.startIndex}`);
        total = header.totalResults;
        let n = 0;
        for await (const item of readNvdPageRecords(file, where)) {
          n++;
          yield item;
        }
        if (n === 0 && startIndex < total) throw new FeedError(NVD_FEED_ID, `the page at startIndex ${startIndex} is empty, but totalResults is ${total}`);
        startIndex += n;
        task.update(startIndex);
      } finally {
        fs.rmSync(file, { force: true });
      }
    }
  } finally {
    task.stop();
  }
}

async function syncApi(ctx: SyncContext, opts: NvdFeedOptions): Promise<SyncOutcome> {
  const apiKey = opts.apiKey ?? (process.env.NVD_API_KEY || undefined);
  const client = new NvdApiClient({
    baseUrl: opts.apiUrl ?? (process.env.BULWARK_NVD_API_URL || NVD_API_URL),
    tmpDir: path.join(ctx.cacheDir, 'downloads'),
    ...(apiKey ? { apiKey } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(ctx.attempts !== undefined ? { attempts: ctx.attempts } : {}),
    ...(ctx.backoffMs !== undefined ? { backoffMs: ctx.backoffMs } : {}),
  });
  const perPage = Math.min(opts.resultsPerPage ?? MAX_RESULTS_PER_PAGE, MAX_RESULTS_PER_PAGE);
  const started = ctx.now();
  const w = ctx.writer();
  const cursor = ctx.previous?.cursor ? new Date(ctx.previous.cursor) : undefined;
  let skipped = 0;
  const skippedSample: string[] = [];
  if (!cursor || Number.isNaN(cursor.getTime())) {
    ctx.log.info(`nvd: first load from ${client.baseUrl}${apiKey ? '' : ' without an API key (5 requests per 30 s; set NVD_API_KEY for 50)'}`);
    const c = await w.writeCves(NVD_FEED_ID, apiRecords(client, {}, perPage, ctx), 'replace');
    skipped += c.skipped;
    skippedSample.push(...c.skippedSample);
  } else {
    // Changes since the last update, in windows the API accepts.
    for (let from = cursor.getTime(); from < started.getTime(); from += MAX_WINDOW_MS) {
      const to = Math.min(from + MAX_WINDOW_MS, started.getTime());
      const params = { lastModStartDate: nvdDate(new Date(from)), lastModEndDate: nvdDate(new Date(to)) };
      const c = await w.writeCves(NVD_FEED_ID, apiRecords(client, params, perPage, ctx), 'upsert');
      skipped += c.skipped;
      skippedSample.push(...c.skippedSample);
    }
  }
  return {
    result: 'imported',
    location: client.baseUrl,
    records: w.cveCount(NVD_FEED_ID),
    skipped,
    skippedSample: skippedSample.slice(0, 10),
    cursor: started.toISOString(),
  };
}

/**
 * The NVD feed. It answers only to the selector "nvd": a scan's refresh of its ecosystems' feeds does not start
 * a first NVD load (hours without an API key); `bulwark db update` loads and refreshes it.
 */
export function nvdFeed(opts: NvdFeedOptions = {}): SyncFeedDefinition {
  return {
    id: NVD_FEED_ID,
    kind: 'nvd',
    covers: (selector) => selector.toLowerCase() === 'nvd',
    sync(ctx) {
      if (ctx.source.kind === 'dir') return syncDir(ctx, ctx.source.root);
      if (ctx.source.kind === 'http') return syncHttp(ctx, ctx.source.base);
      return syncApi(ctx, opts);
    },
  };
}
