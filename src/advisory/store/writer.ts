import Database from 'better-sqlite3';
import type { AdvisoryRecord } from '../../core/advisory.js';
import { packageLookupName } from '../../core/ecosystem.js';
import { primarySeverity } from '../severity.js';
import { MODEL, SCHEMA_SQL } from './schema.js';

export interface FeedState {
  id: string;
  kind: string;
  source: string;
  status: 'ok' | 'failed' | 'missing';
  error: string | null;
  input_digest: string | null;
  validators: string | null;
  fetched_at: string | null;
  imported_at: string | null;
  attempted_at: string | null;
  records: number;
  skipped: number;
  skipped_sample: string | null;
}

/** What a feed import yields besides records: an entry that was skipped, and why. */
export interface SkippedRecord {
  skipped: true;
  where: string;
  reason: string;
}

export type FeedItem = AdvisoryRecord | SkippedRecord;

export function isSkipped(item: FeedItem): item is SkippedRecord {
  return (item as SkippedRecord).skipped === true;
}

export interface ImportCounts {
  records: number;
  skipped: number;
  skippedSample: string[];
}

const SAMPLE = 10;

/**
 * Writes one database file (the copy being built aside). Each feed import is one transaction:
 * the feed's previous rows go and its new rows come in together, or not at all.
 */
export class AdvisoryDbWriter {
  readonly db: Database.Database;

  constructor(path: string) {
    this.db = new Database(path);
    // The file being written is a private copy that is discarded on any failure, so durability
    // comes from the final fsync + rename, not from a journal.
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.pragma('cache_size = -65536');
    this.db.exec(SCHEMA_SQL);
    const model = this.db.prepare(`SELECT value FROM meta WHERE key = 'model'`).get() as { value: string } | undefined;
    if (!model) this.db.prepare(`INSERT INTO meta (key, value) VALUES ('model', ?)`).run(String(MODEL));
  }

  feed(id: string): FeedState | undefined {
    return this.db.prepare('SELECT * FROM feed WHERE id = ?').get(id) as FeedState | undefined;
  }

  /** Records a feed's state without touching its advisories (missing, failed, confirmed unchanged). */
  saveFeedState(state: Pick<FeedState, 'id' | 'kind' | 'source' | 'status'> & Partial<FeedState>): void {
    const prev = this.feed(state.id);
    const row: FeedState = {
      error: null,
      input_digest: null,
      validators: null,
      fetched_at: null,
      imported_at: null,
      attempted_at: null,
      records: 0,
      skipped: 0,
      skipped_sample: null,
      ...prev,
      ...state,
    };
    this.db
      .prepare(
        `INSERT INTO feed (id, kind, source, status, error, input_digest, validators, fetched_at, imported_at, attempted_at, records, skipped, skipped_sample)
         VALUES (@id, @kind, @source, @status, @error, @input_digest, @validators, @fetched_at, @imported_at, @attempted_at, @records, @skipped, @skipped_sample)
         ON CONFLICT (id) DO UPDATE SET kind=excluded.kind, source=excluded.source, status=excluded.status, error=excluded.error,
           input_digest=excluded.input_digest, validators=excluded.validators, fetched_at=excluded.fetched_at,
           imported_at=excluded.imported_at, attempted_at=excluded.attempted_at, records=excluded.records, skipped=excluded.skipped,
           skipped_sample=excluded.skipped_sample`,
      )
      .run(row);
  }

  /**
   * Replaces all rows of one feed with what `items` yields, in one transaction. If iteration throws
   * (damaged archive, broken download), the transaction is rolled back and the feed keeps its old rows.
   * Records with the same id within one feed are merged (their aliases and affected entries add up).
   */
  async replaceFeed(feedId: string, items: AsyncIterable<FeedItem>): Promise<ImportCounts> {
    const db = this.db;
    const del = [
      db.prepare('DELETE FROM affected WHERE advisory_pk IN (SELECT pk FROM advisory WHERE feed_id = ?)'),
      db.prepare('DELETE FROM alias WHERE advisory_pk IN (SELECT pk FROM advisory WHERE feed_id = ?)'),
      db.prepare('DELETE FROM advisory WHERE feed_id = ?'),
    ];
    const insertAdvisory = db.prepare(
      `INSERT INTO advisory (feed_id, id, published, modified, withdrawn, summary, severity, severity_source, cvss_score, cvss_vector, data)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (feed_id, id) DO NOTHING`,
    );
    const findAdvisory = db.prepare('SELECT pk FROM advisory WHERE feed_id = ? AND id = ?').pluck();
    const insertAlias = db.prepare('INSERT OR IGNORE INTO alias (alias, advisory_pk) VALUES (?, ?)');
    const insertAffected = db.prepare('INSERT INTO affected (advisory_pk, ecosystem, name, data) VALUES (?, ?, ?, ?)');

    const counts: ImportCounts = { records: 0, skipped: 0, skippedSample: [] };
    const seen = new Set<string>();
    db.exec('BEGIN');
    try {
      for (const s of del) s.run(feedId);
      for await (const item of items) {
        if (isSkipped(item)) {
          counts.skipped++;
          if (counts.skippedSample.length < SAMPLE) counts.skippedSample.push(`${item.where}: ${item.reason}`);
          continue;
        }
        const rec = item;
        const primary = primarySeverity(rec.severities);
        const data = JSON.stringify({
          aliases: rec.aliases,
          related: rec.related,
          details: rec.details,
          severities: rec.severities,
          references: rec.references,
        });
        const info = insertAdvisory.run(
          feedId,
          rec.id,
          rec.published ?? null,
          rec.modified ?? null,
          rec.withdrawn ?? null,
          rec.summary ?? null,
          primary?.severity ?? 'UNKNOWN',
          primary?.source ?? null,
          primary?.score ?? null,
          primary?.vector ?? null,
          data,
        );
        const pk = info.changes > 0 ? Number(info.lastInsertRowid) : (findAdvisory.get(feedId, rec.id) as number);
        if (!seen.has(rec.id)) {
          seen.add(rec.id);
          counts.records++;
        }
        for (const alias of rec.aliases) if (alias !== rec.id) insertAlias.run(alias, pk);
        if (rec.withdrawn) continue;
        for (const a of rec.affected) {
          insertAffected.run(pk, a.ecosystem, packageLookupName(a.ecosystem, a.name), JSON.stringify(a));
        }
      }
      db.exec('COMMIT');
    } catch (e) {
      db.exec('ROLLBACK');
      throw e;
    }
    return counts;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  close(): void {
    this.db.close();
  }
}
