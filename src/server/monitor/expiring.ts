import type { Kysely } from 'kysely';
import { isSeverity } from '../../core/severity.js';
import { dayOf } from '../../policy/suppress.js';
import type { StoredEvent } from '../events/outbox.js';
import { appendEvents } from '../events/outbox.js';
import type { Engine } from '../store/migrations.js';
import type { Database } from '../store/types.js';

export const DEFAULT_EXPIRING_WINDOW_MS = 7 * 86_400_000;

/** One exception as it stands: a new expiry date (an extended exception) is a new one, warned about again. */
function exceptionKey(by: string | null, expires: string): string {
  return `${by ?? ''}\n${expires}`;
}

/**
 * `exception-expiring` events: for each current finding a profile exception suppresses, once per (finding,
 * exception), when the exception expires within `windowMs` of `now` (and has not expired: then the finding is
 * reopened instead). The events and the record that they were emitted are one transaction; the record's primary
 * key makes a second server (or a second run) emit nothing more.
 */
export async function emitExpiringExceptions(db: Kysely<Database>, engine: Engine, now: Date, windowMs = DEFAULT_EXPIRING_WINDOW_MS): Promise<number> {
  const today = dayOf(now);
  const horizon = dayOf(new Date(now.getTime() + windowMs));
  const rows = await db
    .selectFrom('monitor_findings as mf')
    .innerJoin('inventories as i', 'i.id', 'mf.inventory_id')
    .innerJoin('projects as p', 'p.id', 'mf.project_id')
    .leftJoin('teams as t', 't.id', 'p.team_id')
    .select(['mf.id', 'mf.fingerprint', 'mf.project_id', 'p.name as project', 't.name as team', 'i.target', 'mf.advisory_id', 'mf.aliases', 'mf.severity', 'mf.title', 'mf.fixed_version', 'mf.ecosystem', 'mf.name', 'mf.version', 'mf.purl', 'mf.suppression_by', 'mf.suppression_reason', 'mf.suppression_expires'])
    .where('mf.state', '=', 'suppressed')
    .where('mf.suppression_expires', 'is not', null)
    .where('mf.suppression_expires', '>=', today)
    .where('mf.suppression_expires', '<=', horizon)
    .orderBy('mf.id')
    .execute();
  if (rows.length === 0) return 0;
  return db.transaction().execute(async (trx) => {
    const events: StoredEvent[] = [];
    const at = now.toISOString();
    for (const r of rows) {
      const key = exceptionKey(r.suppression_by, r.suppression_expires!);
      const fresh = await trx.insertInto('monitor_expiring').values({ finding_id: r.id, exception_key: key, emitted_at: at }).onConflict((oc) => oc.columns(['finding_id', 'exception_key']).doNothing()).returning('finding_id').executeTakeFirst();
      if (!fresh) continue;
      events.push({
        kind: 'exception-expiring',
        fingerprint: r.fingerprint,
        occurredAt: at,
        project: { id: r.project_id, name: r.project, team: r.team ?? null },
        target: r.target,
        finding: {
          id: r.advisory_id,
          aliases: JSON.parse(r.aliases) as string[],
          severity: isSeverity(r.severity) ? r.severity : 'UNKNOWN',
          title: r.title,
          fixedVersion: r.fixed_version,
          package: { ecosystem: r.ecosystem, name: r.name, version: r.version, purl: r.purl },
        },
        cause: { kind: 'expiry', id: r.suppression_by },
        suppression: { reason: r.suppression_reason ?? '', expires: r.suppression_expires },
      });
    }
    await appendEvents(trx, engine, events);
    return events.length;
  });
}
