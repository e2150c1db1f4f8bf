import fs from 'node:fs';
import Database from 'better-sqlite3';
import type { AffectedPackage, CveMetric, CveRecord, CveWeakness, Reference, SeverityAssessment } from '../../core/advisory.js';
import { DatabaseIncompatibleError, DatabaseMissingError } from '../../core/errors.js';
import { packageLookupName } from '../../core/ecosystem.js';
import type { Severity } from '../../core/severity.js';
import type { AdvisoryReader, AffectedMatch, StoredAdvisory } from '../reader.js';
import { MODEL } from './schema.js';
import type { FeedState } from './writer.js';

export type { AffectedMatch, StoredAdvisory } from '../reader.js';

interface AdvisoryRow {
  feed_id: string;
  id: string;
  published: string | null;
  modified: string | null;
  summary: string | null;
  severity: Severity;
  severity_source: string | null;
  cvss_score: number | null;
  cvss_vector: string | null;
  data: string;
}

function toAdvisory(row: AdvisoryRow): StoredAdvisory {
  const data = JSON.parse(row.data) as { aliases: string[]; related: string[]; details?: string; severities: SeverityAssessment[]; references: Reference[] };
  const a: StoredAdvisory = {
    feed: row.feed_id,
    id: row.id,
    aliases: data.aliases,
    related: data.related,
    severity: row.severity,
    severities: data.severities,
    references: data.references,
  };
  if (row.summary) a.summary = row.summary;
  if (data.details) a.details = data.details;
  if (row.published) a.published = row.published;
  if (row.modified) a.modified = row.modified;
  if (row.severity_source) a.severitySource = row.severity_source;
  if (row.cvss_score !== null) a.cvssScore = row.cvss_score;
  if (row.cvss_vector) a.cvssVector = row.cvss_vector;
  return a;
}

export interface DbStatus {
  path: string;
  model: number;
  builtAt: string | null;
  feeds: FeedState[];
  /** Non-withdrawn advisories affecting each ecosystem ("npm", "Debian:12", "Alpine:v3.11"). */
  ecosystems: Record<string, number>;
}

/**
 * The database's meta table (model, built_at, source) without opening it as a reader: undefined when the file
 * is missing or not a readable database. For callers that decide what to do before a reader can be opened (an
 * update choosing between refresh and rebuild; a scan finding the source of the last update).
 */
export function readDatabaseMeta(path: string): Map<string, string> | undefined {
  if (!fs.existsSync(path)) return undefined;
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    return metaOf(db);
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}

function metaOf(db: Database.Database): Map<string, string> {
  return new Map((db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
}

/** Read-only view of the advisory database over SQLite, for scans, status and the server. */
export class AdvisoryDbReader implements AdvisoryReader {
  private readonly db: Database.Database;
  private readonly byPackage: Database.Statement;
  private readonly byPackages: Database.Statement;
  private readonly byPk: Database.Statement;
  private readonly advisoryCache = new Map<number, StoredAdvisory>();

  private constructor(
    readonly path: string,
    db: Database.Database,
  ) {
    this.db = db;
    this.byPackage = db.prepare(
      `SELECT af.advisory_pk AS pk, af.data AS affected FROM affected af WHERE af.ecosystem = ? AND af.name = ?`,
    );
    this.byPk = db.prepare('SELECT * FROM advisory WHERE pk = ?');
    // The same rows for a JSON array of names: SQLite looks each name up in the (ecosystem, name) index.
    this.byPackages = db.prepare(
      `SELECT af.name AS name, af.advisory_pk AS pk, af.data AS affected FROM affected af
       WHERE af.ecosystem = ? AND af.name IN (SELECT value FROM json_each(?)) ORDER BY af.name, af.rowid`,
    );
  }

  static open(path: string): AdvisoryDbReader {
    if (!fs.existsSync(path)) throw new DatabaseMissingError(path);
    const db = new Database(path, { readonly: true, fileMustExist: true });
    let model: string | undefined;
    try {
      model = metaOf(db).get('model');
    } catch {
      model = undefined;
    }
    if (model !== String(MODEL)) {
      db.close();
      throw new DatabaseIncompatibleError(path, model ?? 'none', MODEL);
    }
    return new AdvisoryDbReader(path, db);
  }

  /** Advisories affecting (ecosystem, name); withdrawn ones are never returned. */
  affected(ecosystem: string, name: string): AffectedMatch[] {
    const rows = this.byPackage.all(ecosystem, packageLookupName(ecosystem, name)) as { pk: number; affected: string }[];
    return rows.map((r) => ({ advisory: this.advisoryByPk(r.pk), affected: JSON.parse(r.affected) as AffectedPackage }));
  }

  affectedMany(ecosystem: string, names: readonly string[]): Map<string, AffectedMatch[]> {
    const byLookup = new Map<string, AffectedMatch[]>();
    const out = new Map<string, AffectedMatch[]>();
    for (const name of names) {
      const key = packageLookupName(ecosystem, name);
      let list = byLookup.get(key);
      if (!list) byLookup.set(key, (list = []));
      out.set(name, list);
    }
    if (byLookup.size === 0) return out;
    const rows = this.byPackages.all(ecosystem, JSON.stringify([...byLookup.keys()])) as { name: string; pk: number; affected: string }[];
    for (const r of rows) byLookup.get(r.name)?.push({ advisory: this.advisoryByPk(r.pk), affected: JSON.parse(r.affected) as AffectedPackage });
    return out;
  }

  private advisoryByPk(pk: number): StoredAdvisory {
    let a = this.advisoryCache.get(pk);
    if (!a) {
      const row = this.byPk.get(pk) as AdvisoryRow;
      a = toAdvisory(row);
      this.advisoryCache.set(pk, a);
    }
    return a;
  }

  /** Every stored advisory with this id or alias (any feed). */
  advisories(idOrAlias: string): StoredAdvisory[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM advisory WHERE id = ? OR pk IN (SELECT advisory_pk FROM alias WHERE alias = ?) ORDER BY feed_id, id`,
      )
      .all(idOrAlias, idOrAlias) as AdvisoryRow[];
    return rows.map(toAdvisory);
  }

  cve(id: string): CveRecord | undefined {
    const row = this.db.prepare('SELECT * FROM cve WHERE id = ?').get(id) as
      | { id: string; published: string | null; last_modified: string | null; vuln_status: string | null; description: string | null }
      | undefined;
    if (!row) return undefined;
    const rec: CveRecord = {
      id: row.id,
      metrics: this.db
        .prepare('SELECT version, source, type, vector, score, severity FROM cve_metric WHERE cve_id = ? ORDER BY rowid')
        .all(id) as CveMetric[],
      weaknesses: this.db.prepare('SELECT cwe, source, type FROM cve_weakness WHERE cve_id = ? ORDER BY rowid').all(id) as CveWeakness[],
    };
    if (row.published) rec.published = row.published;
    if (row.last_modified) rec.lastModified = row.last_modified;
    if (row.vuln_status) rec.vulnStatus = row.vuln_status;
    if (row.description) rec.description = row.description;
    return rec;
  }

  /** Whether any feed holds data for this ecosystem (an exact ecosystem such as "Debian:12"). */
  hasEcosystem(ecosystem: string): boolean {
    return this.db.prepare('SELECT 1 FROM affected WHERE ecosystem = ? LIMIT 1').get(ecosystem) !== undefined;
  }

  meta(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  feeds(): FeedState[] {
    return this.db.prepare('SELECT * FROM feed ORDER BY id').all() as FeedState[];
  }

  status(): DbStatus {
    const meta = metaOf(this.db);
    const ecosystems: Record<string, number> = {};
    const rows = this.db
      .prepare(
        `SELECT ecosystem, COUNT(DISTINCT a.id) AS n FROM affected af JOIN advisory a ON a.pk = af.advisory_pk
         WHERE a.withdrawn IS NULL GROUP BY ecosystem ORDER BY ecosystem`,
      )
      .all() as { ecosystem: string; n: number }[];
    for (const r of rows) ecosystems[r.ecosystem] = r.n;
    return { path: this.path, model: MODEL, builtAt: meta.get('built_at') ?? null, feeds: this.feeds(), ecosystems };
  }

  close(): void {
    this.db.close();
  }
}
