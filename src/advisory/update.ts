import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describeError } from '../core/errors.js';
import { sha256 } from '../util/hash.js';
import { acquireLock } from '../util/lock.js';
import type { Validators } from '../util/fetch.js';
import type { Logger } from '../util/log.js';
import { silentLogger } from '../util/log.js';
import type { ProgressReporter } from '../util/progress.js';
import { noProgress } from '../util/progress.js';
import { feedCatalog, selectFeeds } from './feeds/catalog.js';
import type { AnyFeedDefinition } from './feeds/types.js';
import { isSyncFeed } from './feeds/types.js';
import type { FeedSource } from './inputs.js';
import { describeSource, parseSource, resolveInput } from './inputs.js';
import { DB_FILE, MODEL } from './store/schema.js';
import { AdvisoryDbReader, readDatabaseMeta } from './store/reader.js';
import { databasePath } from './paths.js';
import type { FeedItem, FeedState } from './store/writer.js';
import { AdvisoryDbWriter } from './store/writer.js';

export type FeedResult = 'imported' | 'unchanged' | 'missing' | 'failed';

export interface FeedOutcome {
  feed: string;
  result: FeedResult;
  records?: number;
  skipped?: number;
  error?: string;
  seconds: number;
}

export interface UpdateOptions {
  cacheDir: string;
  /** Mirror URL or directory laid out like upstream; upstream when absent. */
  source?: string;
  /** Ecosystem selectors ("npm", "Alpine", "Debian:12"); every feed when absent. */
  ecosystems?: readonly string[];
  /** Only feeds never imported or last checked longer ago than this (scan-time refresh). */
  olderThanMs?: number;
  log?: Logger;
  progress?: ProgressReporter;
  now?: () => Date;
  attempts?: number;
  backoffMs?: number;
  /** For tests: the feeds to use instead of the catalog. */
  feeds?: readonly AnyFeedDefinition[];
}

export interface UpdateResult {
  dbPath: string;
  outcomes: FeedOutcome[];
  /** Whether a new database file was swapped in. */
  rebuilt: boolean;
}

export { databasePath } from './paths.js';

/** Lists the Alpine releases a directory mirror holds (`alpine/v3.N/`). */
function alpineReleasesOf(source: FeedSource): string[] | undefined {
  if (source.kind !== 'dir') return undefined;
  const dir = path.join(source.root, 'alpine');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

function readFeedStates(dbPath: string): Map<string, FeedState> | undefined {
  if (readDatabaseMeta(dbPath)?.get('model') !== String(MODEL)) return undefined;
  let reader: AdvisoryDbReader | undefined;
  try {
    reader = AdvisoryDbReader.open(dbPath);
    return new Map(reader.feeds().map((f) => [f.id, f]));
  } catch {
    return undefined;
  } finally {
    reader?.close();
  }
}

function fsyncPath(p: string): void {
  const fd = fs.openSync(p, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Builds or refreshes the advisory database. Feeds are fetched, checked and imported one by one.
 * Changes are written to a copy beside the live database, which is swapped in with one rename: a
 * failed or interrupted update never leaves a broken database, and a failing feed keeps its previous
 * data while the others move on.
 */
export async function updateDatabase(opts: UpdateOptions): Promise<UpdateResult> {
  const log = opts.log ?? silentLogger;
  const progress = opts.progress ?? noProgress;
  const now = opts.now ?? (() => new Date());
  const source = parseSource(opts.source);
  const dbPath = databasePath(opts.cacheDir);
  const dbDir = path.dirname(dbPath);
  fs.mkdirSync(dbDir, { recursive: true });
  const release = acquireLock(`${dbPath}.lock`, 'the advisory database');
  const tmpPath = `${dbPath}.tmp-${process.pid}`;
  let writer: AdvisoryDbWriter | undefined;
  try {
    for (const f of fs.readdirSync(dbDir)) if (f.startsWith(`${DB_FILE}.tmp-`)) fs.rmSync(path.join(dbDir, f), { force: true });

    const states = readFeedStates(dbPath);
    const fresh = states === undefined; // no database yet, or one of another model: build from scratch
    const feeds = selectFeeds(opts.feeds ?? feedCatalog({ alpineReleases: alpineReleasesOf(source) }), opts.ecosystems);

    const openWriter = (): AdvisoryDbWriter => {
      if (!writer) {
        if (!fresh) fs.copyFileSync(dbPath, tmpPath);
        writer = new AdvisoryDbWriter(tmpPath);
      }
      return writer;
    };
    // Bookkeeping-only changes (a feed confirmed unchanged) for when nothing else needs a rebuild.
    const touched: { id: string; fetched_at: string; attempted_at: string }[] = [];

    const outcomes: FeedOutcome[] = [];
    for (const feed of feeds) {
      const started = performance.now();
      const prev = states?.get(feed.id);
      if (opts.olderThanMs !== undefined && prev?.status === 'ok' && prev.fetched_at) {
        if (now().getTime() - Date.parse(prev.fetched_at) < opts.olderThanMs) continue;
      }
      const at = now().toISOString();
      const base = { id: feed.id, kind: feed.kind, attempted_at: at };
      const done = (result: FeedResult, extra: Partial<FeedOutcome> = {}): void => {
        outcomes.push({ feed: feed.id, result, seconds: (performance.now() - started) / 1000, ...extra });
      };
      let sourceLabel = describeSource(source);
      try {
        if (isSyncFeed(feed)) {
          // The feed fetches and writes itself (NVD: paged API, incremental after the first load).
          const out = await feed.sync({
            source,
            previous: fresh ? undefined : prev,
            cacheDir: opts.cacheDir,
            writer: openWriter,
            progress,
            log,
            now,
            ...(opts.attempts !== undefined ? { attempts: opts.attempts } : {}),
            ...(opts.backoffMs !== undefined ? { backoffMs: opts.backoffMs } : {}),
          });
          sourceLabel = out.location;
          if (out.result === 'missing') {
            log.debug(`${feed.id}: not found at ${out.location}`);
            if (fresh || (prev && prev.status !== 'missing')) {
              openWriter().saveFeedState({ ...base, source: out.location, status: 'missing', error: `not found at ${out.location}` });
            }
            done('missing');
          } else if (out.result === 'unchanged' && prev) {
            touched.push({ id: feed.id, fetched_at: at, attempted_at: at });
            done('unchanged', { records: prev.records, skipped: prev.skipped });
          } else if (out.result === 'imported') {
            openWriter().saveFeedState({
              ...base,
              source: out.location,
              status: 'ok',
              error: null,
              input_digest: out.digest ?? null,
              validators: null,
              fetched_at: at,
              imported_at: at,
              records: out.records,
              skipped: out.skipped,
              skipped_sample: out.skippedSample.length > 0 ? JSON.stringify(out.skippedSample) : null,
              cursor: out.cursor ?? null,
            });
            done('imported', { records: out.records, skipped: out.skipped });
          }
          continue;
        }
        const prevValidators = prev?.validators ? (JSON.parse(prev.validators) as Record<string, Validators>) : {};
        const files = new Map<string, string>();
        const digests: string[] = [];
        const validators: Record<string, Validators> = {};
        let missingRequired: string | undefined;
        for (const input of feed.inputs) {
          const r = await resolveInput(source, input, {
            cacheDir: opts.cacheDir,
            previous: prevValidators[input.rel],
            progress,
            attempts: opts.attempts,
            backoffMs: opts.backoffMs,
          });
          if (feed.inputs.length === 1) sourceLabel = r.location;
          if (r.status === 'missing') {
            if (!input.optional) missingRequired = r.location;
            continue;
          }
          files.set(input.rel, r.path);
          digests.push(`${input.rel}:${r.digest}`);
          if (r.validators) validators[input.rel] = r.validators;
        }
        if (missingRequired || files.size === 0) {
          log.debug(`${feed.id}: not found at ${missingRequired ?? sourceLabel}`);
          if (fresh || (prev && prev.status !== 'missing')) {
            openWriter().saveFeedState({ ...base, source: sourceLabel, status: 'missing', error: `not found at ${missingRequired ?? sourceLabel}` });
          }
          done('missing');
          continue;
        }
        const digest = sha256(digests.join('\n'));
        if (!fresh && prev && prev.status === 'ok' && prev.input_digest === digest) {
          touched.push({ id: feed.id, fetched_at: at, attempted_at: at });
          done('unchanged', { records: prev.records, skipped: prev.skipped });
          continue;
        }
        const w = openWriter();
        const task = progress.start(`import ${feed.id}`, 'records');
        let n = 0;
        const counted = async function* (): AsyncGenerator<FeedItem> {
          for await (const item of feed.read(files)) {
            if (++n % 500 === 0) task.update(n);
            yield item;
          }
        };
        let counts;
        try {
          counts = await w.replaceFeed(feed.id, counted());
        } finally {
          task.stop();
        }
        w.saveFeedState({
          ...base,
          source: sourceLabel,
          status: 'ok',
          error: null,
          input_digest: digest,
          validators: Object.keys(validators).length > 0 ? JSON.stringify(validators) : null,
          fetched_at: at,
          imported_at: at,
          records: counts.records,
          skipped: counts.skipped,
          skipped_sample: counts.skippedSample.length > 0 ? JSON.stringify(counts.skippedSample) : null,
        });
        done('imported', { records: counts.records, skipped: counts.skipped });
      } catch (e) {
        const message = describeError(e);
        log.debug(`${feed.id}: ${e instanceof Error && e.stack ? e.stack : message}`);
        openWriter().saveFeedState({ ...base, source: sourceLabel, status: 'failed', error: message });
        done('failed', { error: message });
      }
    }

    if (fresh && !writer) openWriter();
    if (writer) {
      for (const t of touched) writer.saveFeedState({ ...states!.get(t.id)!, fetched_at: t.fetched_at, attempted_at: t.attempted_at });
      writer.setMeta('built_at', now().toISOString());
      if (opts.source) writer.setMeta('source', opts.source);
      writer.setMeta('model', String(MODEL));
      writer.db.pragma('journal_mode = DELETE');
      writer.close();
      writer = undefined;
      fsyncPath(tmpPath);
      fs.renameSync(tmpPath, dbPath);
      fsyncPath(dbDir);
      return { dbPath, outcomes, rebuilt: true };
    }
    if (touched.length > 0) {
      // Nothing to rebuild: record the check in place, in one small SQLite transaction.
      const db = new Database(dbPath);
      try {
        const stmt = db.prepare('UPDATE feed SET fetched_at = ?, attempted_at = ? WHERE id = ?');
        db.transaction(() => {
          for (const t of touched) stmt.run(t.fetched_at, t.attempted_at, t.id);
        })();
      } finally {
        db.close();
      }
    }
    return { dbPath, outcomes, rebuilt: false };
  } finally {
    if (writer) {
      try {
        (writer as AdvisoryDbWriter).close();
      } catch {
        /* already closed */
      }
    }
    fs.rmSync(tmpPath, { force: true });
    release();
  }
}
