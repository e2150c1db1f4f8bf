import type { AdvisoryRecord, AffectedPackage, CveRecord } from '../core/advisory.js';
import type { Severity } from '../core/severity.js';
import { primarySeverity } from './severity.js';
import type { FeedState } from './store/writer.js';

/** An advisory as stored: the feed's record without its affected list, plus the normalized severity. */
export interface StoredAdvisory extends Omit<AdvisoryRecord, 'affected' | 'withdrawn'> {
  feed: string;
  severity: Severity;
  severitySource?: string;
  cvssScore?: number;
  cvssVector?: string;
}

export interface AffectedMatch {
  advisory: StoredAdvisory;
  affected: AffectedPackage;
}

/**
 * The query side of the advisory database: what matching, severity resolution, `db status` and the server ask
 * of it. Implemented over SQLite (`AdvisoryDbReader`) and in memory (`MemoryAdvisoryReader`, for tests).
 */
export interface AdvisoryReader {
  /** Advisories affecting (ecosystem, name); withdrawn ones are never returned. */
  affected(ecosystem: string, name: string): AffectedMatch[];
  /**
   * `affected` for many names of one ecosystem at once (one database query instead of one per name): a map from
   * each given name to its matches, empty lists included.
   */
  affectedMany(ecosystem: string, names: readonly string[]): Map<string, AffectedMatch[]>;
  /** Every stored advisory with this id or alias (any feed), withdrawn or not. */
  advisories(idOrAlias: string): StoredAdvisory[];
  /** NVD's record of a CVE, when the database holds the NVD feed and the CVE. */
  cve(id: string): CveRecord | undefined;
  /** Whether any feed holds data for this ecosystem (an exact ecosystem such as "Debian:12"). */
  hasEcosystem(ecosystem: string): boolean;
  /** A value of the database's meta table ("built_at", "source", "model"). */
  meta(key: string): string | undefined;
  feeds(): FeedState[];
}

/** The severity columns stored beside an advisory: the assessment that stands for it (see primarySeverity). */
export function storedSeverity(rec: Pick<AdvisoryRecord, 'severities'>): Pick<StoredAdvisory, 'severity' | 'severitySource' | 'cvssScore' | 'cvssVector'> {
  const primary = primarySeverity(rec.severities);
  const out: Pick<StoredAdvisory, 'severity' | 'severitySource' | 'cvssScore' | 'cvssVector'> = { severity: primary?.severity ?? 'UNKNOWN' };
  if (primary?.source) out.severitySource = primary.source;
  if (primary?.score !== undefined) out.cvssScore = primary.score;
  if (primary?.vector) out.cvssVector = primary.vector;
  return out;
}
