import crypto from 'node:crypto';
import Database from 'better-sqlite3';

/** One advisory as the diff sees it: a content hash and the (ecosystem, lookup name) keys it affects. */
export interface AdvisoryFingerprint {
  feed: string;
  id: string;
  hash: string;
  /** "ecosystem\u0001name" */
  keys: string[];
}

export interface AdvisoryChange {
  feed: string;
  id: string;
  change: 'added' | 'modified' | 'withdrawn';
  hash: string | null;
  /** Keys touched: before and after. */
  keys: string[];
  /** Keys the advisory affects now (stored with its hash). */
  current: string[];
}

export const KEY_SEP = '\u0001';

/**
 * Reads every advisory of an advisory database with a hash of what matching and the lifecycle depend on: the
 * record (aliases, severities, summary), the normalized severity, the withdrawn date and every affected entry.
 */
export function readAdvisoryFingerprints(dbPath: string): Map<string, AdvisoryFingerprint> {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const out = new Map<string, AdvisoryFingerprint>();
    const rows = db
      .prepare(
        `SELECT a.feed_id AS feed, a.id AS id, a.severity AS severity, a.severity_source AS source, a.withdrawn AS withdrawn, a.summary AS summary, a.data AS data,
                (SELECT group_concat(af.ecosystem || char(1) || af.name || char(2) || af.data, char(3)) FROM affected af WHERE af.advisory_pk = a.pk) AS affected
           FROM advisory a`,
      )
      .iterate() as Iterable<{ feed: string; id: string; severity: string; source: string | null; withdrawn: string | null; summary: string | null; data: string; affected: string | null }>;
    for (const r of rows) {
      const entries = (r.affected ?? '').split('\u0003').filter((e) => e.length > 0).sort();
      const keys = [...new Set(entries.map((e) => e.slice(0, e.indexOf('\u0002'))))].sort();
      const hash = crypto.createHash('sha256').update(JSON.stringify([r.severity, r.source, r.withdrawn, r.summary, r.data, entries])).digest('hex');
      out.set(`${r.feed}\u0000${r.id}`, { feed: r.feed, id: r.id, hash, keys });
    }
    return out;
  } finally {
    db.close();
  }
}

/**
 * What changed between the stored fingerprints and the database's: added, modified (content hash differs;
 * withdrawing an advisory also changes its hash) and removed advisories, each with the keys it touched before
 * and after (a withdrawn advisory has no affected rows left, so its old keys count).
 */
export function diffAdvisories(before: Map<string, { hash: string; keys: string[] }>, after: Map<string, AdvisoryFingerprint>): AdvisoryChange[] {
  const changes: AdvisoryChange[] = [];
  for (const [k, a] of after) {
    const b = before.get(k);
    if (!b) {
      changes.push({ feed: a.feed, id: a.id, change: 'added', hash: a.hash, keys: a.keys, current: a.keys });
    } else if (b.hash !== a.hash) {
      const keys = [...new Set([...b.keys, ...a.keys])].sort();
      changes.push({ feed: a.feed, id: a.id, change: a.keys.length === 0 && b.keys.length > 0 ? 'withdrawn' : 'modified', hash: a.hash, keys, current: a.keys });
    }
  }
  for (const [k, b] of before) {
    if (!after.has(k)) {
      const [feed = '', id = ''] = k.split('\u0000');
      changes.push({ feed, id, change: 'withdrawn', hash: null, keys: b.keys, current: [] });
    }
  }
  return changes;
}
