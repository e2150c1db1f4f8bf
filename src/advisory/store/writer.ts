import Database from 'better-sqlite3';
import type { AdvisoryRecord, CveRecord } from '../../core/advisory.js';
import { packageLookupName } from '../../core/ecosystem.js';
import { storedSeverity } from '../reader.js';
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
  /** Incremental feeds (NVD API): where the next update starts (ISO time). */
  cursor: string | null;
}

/** What a feed import yields besides records: an entry that was skipped, and why. */
export interface SkippedRecord {
  skipped: true;
  where: string;
  reason: string;
}

export type FeedItem = AdvisoryRecord | SkippedRecord;

/** What a CVE feed (NVD) yields. */
export type CveItem = CveRecord | SkippedRecord;

export function isSkipped(item: FeedItem | CveItem): item is SkippedRecord {
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
      cursor: null,
      ...prev,
      ...state,
    };
    this.db
      .prepare(
        `INSERT INTO feed (id, kind, source, status, error, input_digest, validators, fetched_at, imported_at, attempted_at, records, skipped, skipped_sample, cursor)
         VALUES (@id, @kind, @source, @status, @error, @input_digest, @validators, @fetched_at, @imported_at, @attempted_at, @records, @skipped, @skipped_sample, @cursor)
         ON CONFLICT (id) DO UPDATE SET kind=excluded.kind, source=excluded.source, status=excluded.status, error=excluded.error,
           input_digest=excluded.input_digest, validators=excluded.validators, fetched_at=excluded.fetched_at,
           imported_at=excluded.imported_at, attempted_at=excluded.attempted_at, records=excluded.records, skipped=excluded.skipped,
           skipped_sample=excluded.skipped_sample, cursor=excluded.cursor`,
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
        const stored = storedSeverity(rec);
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
          stored.severity,
          stored.severitySource ?? null,
          stored.cvssScore ?? null,
          stored.cvssVector ?? null,
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

  /**
   * Writes CVE records in one transaction. `replace` drops the feed's previous CVEs first (a full load);
   * `upsert` replaces only the CVEs it is given (an incremental update). Rolled back if iteration throws.
   */
  async writeCves(feedId: string, items: AsyncIterable<CveItem>, mode: 'replace' | 'upsert'): Promise<ImportCounts> {
    const db = this.db;
    const dropAll = [
      db.prepare('DELETE FROM cve_metric WHERE cve_id IN (SELECT id FROM cve WHERE feed_id = ?)'),
      db.prepare('DELETE FROM cve_weakness WHERE cve_id IN (SELECT id FROM cve WHERE feed_id = ?)'),
      db.prepare('DELETE FROM cve WHERE feed_id = ?'),
    ];
    const dropOne = [
      db.prepare('DELETE FROM cve_metric WHERE cve_id = ?'),
      db.prepare('DELETE FROM cve_weakness WHERE cve_id = ?'),
      db.prepare('DELETE FROM cve WHERE id = ?'),
    ];
    const insertCve = db.prepare(
      'INSERT INTO cve (id, feed_id, published, last_modified, vuln_status, description) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const insertMetric = db.prepare('INSERT INTO cve_metric (cve_id, version, source, type, vector, score, severity) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const insertWeakness = db.prepare('INSERT INTO cve_weakness (cve_id, cwe, source, type) VALUES (?, ?, ?, ?)');
    const counts: ImportCounts = { records: 0, skipped: 0, skippedSample: [] };
    db.exec('BEGIN');
    try {
      if (mode === 'replace') for (const s of dropAll) s.run(feedId);
      for await (const item of items) {
        if (isSkipped(item)) {
          counts.skipped++;
          if (counts.skippedSample.length < SAMPLE) counts.skippedSample.push(`${item.where}: ${item.reason}`);
          continue;
        }
        // A CVE listed twice (a record modified while a full load paged past it) keeps its last version.
        for (const s of dropOne) s.run(item.id);
        insertCve.run(item.id, feedId, item.published ?? null, item.lastModified ?? null, item.vulnStatus ?? null, item.description ?? null);
        for (const m of item.metrics) insertMetric.run(item.id, m.version, m.source, m.type, m.vector, m.score, m.severity);
        for (const w of item.weaknesses) insertWeakness.run(item.id, w.cwe, w.source, w.type);
        counts.records++;
      }
      db.exec('COMMIT');
    } catch (e) {
      db.exec('ROLLBACK');
      throw e;
    }
    return counts;
  }

  cveCount(feedId: string): number {
    return this.db.prepare('SELECT COUNT(*) FROM cve WHERE feed_id = ?').pluck().get(feedId) as number;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  close(): void {
    this.db.close();
  }
}
