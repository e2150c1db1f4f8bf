import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Engine } from '../store/migrations.js';
import type { Database } from '../store/types.js';
import type { EventFeed, FindingEvent } from './types.js';

/** The payload stored per event: the contract without the cursor (the row id is the cursor). */
export type StoredEvent = Omit<FindingEvent, 'cursor'>;

/** Appends events inside the caller's transaction (the same one as the lifecycle change). */
export async function appendEvents(trx: Transaction<Database>, engine: Engine, events: StoredEvent[]): Promise<void> {
  if (events.length === 0) return;
  // PostgreSQL: writers of events take this lock until they commit, so event ids become visible in id order and
  // a reader that moved past cursor N never misses an N-1 that committed later. (SQLite has one writer.)
  if (engine === 'postgres') await sql`select pg_advisory_xact_lock(7131001)`.execute(trx);
  for (let i = 0; i < events.length; i += 200) {
    await trx
      .insertInto('events')
      .values(events.slice(i, i + 200).map((e) => ({ kind: e.kind, fingerprint: e.fingerprint, project_id: e.project.id, occurred_at: e.occurredAt, payload: JSON.stringify(e) })))
      .execute();
  }
}

export interface EventQuery {
  after?: number;
  limit: number;
  projectId?: number;
  projectIds?: number[];
  since?: string;
  kinds?: string[];
}

function toEvent(row: { id: number; payload: string }): FindingEvent {
  return { cursor: String(row.id), ...(JSON.parse(row.payload) as StoredEvent) };
}

/** Reads the outbox in cursor order: a reader that remembers the last cursor it handled sees every event once. */
export class EventRepository implements EventFeed {
  constructor(private readonly db: Kysely<Database>) {}

  async list(q: EventQuery): Promise<FindingEvent[]> {
    let query = this.db.selectFrom('events').select(['id', 'payload']).orderBy('id').limit(q.limit);
    if (q.after !== undefined) query = query.where('id', '>', q.after);
    if (q.projectId !== undefined) query = query.where('project_id', '=', q.projectId);
    if (q.projectIds !== undefined) query = q.projectIds.length === 0 ? query.where('id', '<', 0) : query.where('project_id', 'in', q.projectIds);
    if (q.since !== undefined) query = query.where('occurred_at', '>=', q.since);
    if (q.kinds !== undefined && q.kinds.length > 0) query = query.where('kind', 'in', q.kinds);
    const rows = await query.execute();
    return rows.map(toEvent);
  }

  async after(cursor: string | null, limit: number): Promise<FindingEvent[]> {
    return this.list({ ...(cursor !== null ? { after: Number(cursor) } : {}), limit });
  }

  async count(kind?: string, projectId?: number): Promise<number> {
    let q = this.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n'));
    if (kind) q = q.where('kind', '=', kind);
    if (projectId !== undefined) q = q.where('project_id', '=', projectId);
    const r = await q.executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
