import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { ServerFindingState } from '../../export/lifecycle.js';
import type { Database } from './types.js';

/** The server's sink to Elasticsearch/OpenSearch: its cursor over the events outbox, and the findings it exports. */
export class ExportRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async cursor(name: string): Promise<string | undefined> {
    const r = await this.db.selectFrom('export_cursors').select('position').where('name', '=', name).executeTakeFirst();
    return r?.position;
  }

  /**
   * Moves the cursor forward only: two sinks over one store (replicas both started with --export-url) send the
   * same batches onto the same `_id`s, and the slower one must not move the cursor back.
   */
  async saveCursor(name: string, position: string, at = new Date()): Promise<void> {
    const updated_at = at.toISOString();
    await this.db
      .insertInto('export_cursors')
      .values({ name, position, updated_at })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ position, updated_at })
          .where(sql<boolean>`cast(export_cursors.position as bigint) < cast(excluded.position as bigint)`),
      )
      .execute();
  }

  /** The current state of the findings with these fingerprints (the ones a page of events concerns). */
  async findingStates(fingerprints: readonly string[]): Promise<ServerFindingState[]> {
    const out: ServerFindingState[] = [];
    const unique = [...new Set(fingerprints)];
    for (let i = 0; i < unique.length; i += 500) {
      const rows = await this.db
        .selectFrom('monitor_findings as mf')
        .innerJoin('inventories as i', 'i.id', 'mf.inventory_id')
        .innerJoin('projects as p', 'p.id', 'mf.project_id')
        .leftJoin('teams as t', 't.id', 'p.team_id')
        .selectAll('mf')
        .select(['i.target', 'p.name as project_name', 't.name as team_name'])
        .where('mf.fingerprint', 'in', unique.slice(i, i + 500))
        .orderBy('mf.id')
        .execute();
      for (const r of rows) {
        out.push({
          fingerprint: r.fingerprint,
          project: { name: r.project_name, team: r.team_name ?? null },
          target: r.target,
          state: r.state,
          advisoryId: r.advisory_id,
          aliases: JSON.parse(r.aliases) as string[],
          severity: r.severity,
          fixedVersion: r.fixed_version,
          title: r.title,
          package: { ecosystem: r.ecosystem, name: r.name, version: r.version, purl: r.purl },
          suppression: r.suppression_reason !== null || r.suppression_by !== null ? { reason: r.suppression_reason, by: r.suppression_by, expires: r.suppression_expires } : null,
          firstSeenAt: r.first_seen_at,
          lastSeenAt: r.last_seen_at,
          changedAt: r.changed_at,
          cause: { kind: r.cause_kind, id: r.cause_id },
        });
      }
    }
    return out;
  }
}
