import type { Kysely, Selectable, Transaction } from 'kysely';
import type { CiContext } from '../../core/ci.js';
import type { Database } from './types.js';
import { later, now } from './util.js';

export type MrJobRow = Selectable<Database['mr_jobs']>;

/**
 * Merge-request notes: the jobs (one per stored merge/pull request scan, queued in the scan's transaction, so
 * none is lost) and the note Bulwark keeps on each merge request per channel (its id, and its body's hash).
 */
export class MergeRequestRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inside the scan's transaction: the scan is a merge/pull request's, to be answered on it. */
  static async queue(trx: Transaction<Database>, projectId: number, scanId: number, target: string, ci: CiContext, at: string): Promise<void> {
    await trx.insertInto('mr_jobs').values({ project_id: projectId, scan_id: scanId, target, ci: JSON.stringify(ci), status: 'queued', next_attempt_at: at, lease_owner: null, lease_until: null, outcome: null, error: null, created_at: at, done_at: null }).execute();
  }

  /** Leases due jobs, oldest first; a job whose lease ran out (a crashed server) is due again. */
  async claim(owner: string, leaseMs: number, limit: number): Promise<MrJobRow[]> {
    const t = now();
    const due = await this.db
      .selectFrom('mr_jobs')
      .select('id')
      .where('status', '=', 'queued')
      .where('next_attempt_at', '<=', t)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', t)]))
      .orderBy('id')
      .limit(limit)
      .execute();
    const out: MrJobRow[] = [];
    for (const { id } of due) {
      const r = await this.db
        .updateTable('mr_jobs')
        .set({ lease_owner: owner, lease_until: later(leaseMs) })
        .where('id', '=', id)
        .where('status', '=', 'queued')
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', t)]))
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) continue;
      const row = await this.db.selectFrom('mr_jobs').selectAll().where('id', '=', id).executeTakeFirst();
      if (row) out.push(row);
    }
    return out;
  }

  async finish(job: MrJobRow, status: 'done' | 'skipped' | 'dead', outcome: string | null, error: string | null): Promise<void> {
    await this.db
      .updateTable('mr_jobs')
      .set({ status, outcome, error, attempts: job.attempts + 1, lease_owner: null, lease_until: null, done_at: now() })
      .where('id', '=', job.id)
      .where('lease_owner', '=', job.lease_owner)
      .execute();
  }

  async retry(job: MrJobRow, delayMs: number, error: string): Promise<void> {
    await this.db
      .updateTable('mr_jobs')
      .set({ attempts: job.attempts + 1, error, next_attempt_at: later(delayMs), lease_owner: null, lease_until: null })
      .where('id', '=', job.id)
      .where('lease_owner', '=', job.lease_owner)
      .execute();
  }

  /** Waits without spending an attempt (the default branch is still being evaluated). */
  async postpone(job: MrJobRow, delayMs: number, why: string): Promise<void> {
    await this.db.updateTable('mr_jobs').set({ error: why, next_attempt_at: later(delayMs), lease_owner: null, lease_until: null }).where('id', '=', job.id).where('lease_owner', '=', job.lease_owner).execute();
  }

  async jobs(limit = 100): Promise<MrJobRow[]> {
    return this.db.selectFrom('mr_jobs').selectAll().orderBy('id', 'desc').limit(limit).execute();
  }

  async counts(): Promise<Record<string, number>> {
    const rows = await this.db.selectFrom('mr_jobs').select(['status', (eb) => eb.fn.countAll().as('n')]).groupBy('status').execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  async note(channelId: number, mrKey: string): Promise<{ note_id: string; body_hash: string } | undefined> {
    return this.db.selectFrom('mr_notes').select(['note_id', 'body_hash']).where('channel_id', '=', channelId).where('mr_key', '=', mrKey).executeTakeFirst();
  }

  async saveNote(channelId: number, mrKey: string, noteId: string, bodyHash: string): Promise<void> {
    const t = now();
    await this.db
      .insertInto('mr_notes')
      .values({ channel_id: channelId, mr_key: mrKey, note_id: noteId, body_hash: bodyHash, updated_at: t })
      .onConflict((oc) => oc.columns(['channel_id', 'mr_key']).doUpdateSet({ note_id: noteId, body_hash: bodyHash, updated_at: t }))
      .execute();
  }
}
