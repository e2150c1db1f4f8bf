import type { AdvisoryRecord, CveRecord } from '../core/advisory.js';
import { packageLookupName } from '../core/ecosystem.js';
import type { AdvisoryReader, AffectedMatch, StoredAdvisory } from './reader.js';
import { storedSeverity } from './reader.js';
import type { FeedState } from './store/writer.js';

export interface MemoryDatabase {
  /** Records per feed id ("osv/Go", "debian/tracker"), as the feeds yield them. */
  feeds: Record<string, readonly AdvisoryRecord[]>;
  cves?: readonly CveRecord[];
  meta?: Record<string, string>;
}

/**
 * The advisory database held in memory, for tests of matching and severity resolution. It answers like the
 * SQLite reader: the same stored severity, withdrawn advisories never in `affected`, lookup names normalized
 * per ecosystem, records with the same id in one feed merged.
 */
export class MemoryAdvisoryReader implements AdvisoryReader {
  private readonly stored: { advisory: StoredAdvisory; withdrawn: boolean; record: AdvisoryRecord }[] = [];
  private readonly cves = new Map<string, CveRecord>();

  constructor(private readonly data: MemoryDatabase) {
    for (const [feed, records] of Object.entries(data.feeds)) {
      const byId = new Map<string, { advisory: StoredAdvisory; withdrawn: boolean; record: AdvisoryRecord }>();
      for (const rec of records) {
        const prev = byId.get(rec.id);
        if (prev) {
          // As the writer: the first record's fields stand; aliases and affected entries add up.
          for (const a of rec.aliases) if (!prev.advisory.aliases.includes(a)) prev.advisory.aliases.push(a);
          if (!rec.withdrawn) prev.record.affected.push(...rec.affected);
          continue;
        }
        const advisory: StoredAdvisory = {
          feed,
          id: rec.id,
          aliases: [...rec.aliases],
          related: rec.related,
          severities: rec.severities,
          references: rec.references,
          ...storedSeverity(rec),
        };
        if (rec.summary) advisory.summary = rec.summary;
        if (rec.details) advisory.details = rec.details;
        if (rec.published) advisory.published = rec.published;
        if (rec.modified) advisory.modified = rec.modified;
        const entry = { advisory, withdrawn: Boolean(rec.withdrawn), record: { ...rec, affected: rec.withdrawn ? [] : [...rec.affected] } };
        byId.set(rec.id, entry);
        this.stored.push(entry);
      }
    }
    for (const c of data.cves ?? []) this.cves.set(c.id, c);
  }

  affected(ecosystem: string, name: string): AffectedMatch[] {
    const key = packageLookupName(ecosystem, name);
    const out: AffectedMatch[] = [];
    for (const s of this.stored) {
      if (s.withdrawn) continue;
      for (const a of s.record.affected) {
        if (a.ecosystem === ecosystem && packageLookupName(a.ecosystem, a.name) === key) out.push({ advisory: s.advisory, affected: a });
      }
    }
    return out;
  }

  affectedMany(ecosystem: string, names: readonly string[]): Map<string, AffectedMatch[]> {
    return new Map(names.map((n) => [n, this.affected(ecosystem, n)]));
  }

  advisories(idOrAlias: string): StoredAdvisory[] {
    return this.stored
      .filter((s) => s.advisory.id === idOrAlias || s.advisory.aliases.includes(idOrAlias))
      .map((s) => s.advisory)
      .sort((a, b) => a.feed.localeCompare(b.feed) || a.id.localeCompare(b.id));
  }

  cve(id: string): CveRecord | undefined {
    return this.cves.get(id);
  }

  hasEcosystem(ecosystem: string): boolean {
    return this.stored.some((s) => s.record.affected.some((a) => a.ecosystem === ecosystem));
  }

  meta(key: string): string | undefined {
    return this.data.meta?.[key];
  }

  feeds(): FeedState[] {
    return [];
  }
}
