import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { ScanReport } from '../../core/report.js';
import { BulwarkError } from '../../core/errors.js';
import type { Engine } from './migrations.js';
import type { ScanRepository } from './scans.js';
import type { Database } from './types.js';
import { later, now } from './util.js';

export type QueueRow = Selectable<Database['ingest_queue']>;
export type QueueStatus = QueueRow['status'];

/** A claimed entry: what a worker needs to store it, and the lease it holds. */
export type QueueItem = Pick<QueueRow, 'id' | 'project_id' | 'attempts'> & { body: string; lease_owner: string };

export interface EnqueueResult {
  id: number;
  status: QueueStatus;
  scanId: number | null;
  /** True when this upload replays one already queued (same key and body, or same body). */
  replay: boolean;
}

/** The same Idempotency-Key was used before with another body: the second body would be silently dropped. */
export class IdempotencyKeyReusedError extends BulwarkError {
  constructor(readonly existingId: number) {
    super('BULWARK_E_USAGE', 'this Idempotency-Key was already used with another body; use a new key for a new report');
  }
}

/** A queue entry as the admin API lists it (never the body). */
export type QueueEntryView = Pick<QueueRow, 'id' | 'project_id' | 'status' | 'attempts' | 'error' | 'created_at' | 'updated_at' | 'next_attempt_at' | 'scan_id' | 'idempotency_key'> & {
  project: string;
};

export interface FailureOptions {
  /** Attempts before the entry is marked failed. */
  maxAttempts: number;
  /** Back-off after the first failed attempt; doubles with every further one (capped at one hour). */
  baseBackoffMs: number;
  /** The store itself was unreachable: the attempt does not count, the entry is retried soon. */
  transient: boolean;
}

const MAX_BACKOFF_MS = 3600_000;

/** The durable ingestion queue: reports are acknowledged once they are here, and stored as scans by workers. */
export class QueueRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly engine: Engine,
    private readonly scans: ScanRepository,
  ) {}

  /**
   * Queues a report durably (committed when this resolves). A replay (same Idempotency-Key and body, or the
   * same body for the project) returns the existing entry; the same key with another body is refused.
   */
  async enqueue(item: { projectId: number; tokenId: number | null; idempotencyKey: string | null; bodyHash: string; body: string }): Promise<EnqueueResult> {
    const findExisting = async (): Promise<EnqueueResult | undefined> => {
      if (item.idempotencyKey !== null) {
        const byKey = await this.db
          .selectFrom('ingest_queue')
          .select(['id', 'status', 'scan_id', 'body_hash'])
          .where('project_id', '=', item.projectId)
          .where('idempotency_key', '=', item.idempotencyKey)
          .executeTakeFirst();
        if (byKey) {
          if (byKey.body_hash !== item.bodyHash) throw new IdempotencyKeyReusedError(byKey.id);
          return { id: byKey.id, status: byKey.status, scanId: byKey.scan_id, replay: true };
        }
      }
      const byBody = await this.db
        .selectFrom('ingest_queue')
        .select(['id', 'status', 'scan_id'])
        .where('project_id', '=', item.projectId)
        .where('body_hash', '=', item.bodyHash)
        .executeTakeFirst();
      return byBody ? { id: byBody.id, status: byBody.status, scanId: byBody.scan_id, replay: true } : undefined;
    };
    const existing = await findExisting();
    if (existing) return existing;
    const t = now();
    const inserted = await this.db
      .insertInto('ingest_queue')
      .values({
        project_id: item.projectId,
        token_id: item.tokenId,
        idempotency_key: item.idempotencyKey,
        body_hash: item.bodyHash,
        body: item.body,
        status: 'queued',
        attempts: 0,
        lease_owner: null,
        lease_until: null,
        scan_id: null,
        error: null,
        created_at: t,
        updated_at: t,
        next_attempt_at: null,
      })
      .onConflict((oc) => oc.doNothing())
      .returning(['id', 'status'])
      .executeTakeFirst();
    if (inserted) {
      if (item.tokenId !== null) await this.db.updateTable('ingest_tokens').set({ last_used_at: t }).where('id', '=', item.tokenId).execute();
      return { id: inserted.id, status: inserted.status, scanId: null, replay: false };
    }
    // Lost a race with a concurrent replay: the winner's row is there now.
    const winner = await findExisting();
    if (!winner) throw new Error('queue insert conflicted but no existing entry was found');
    return winner;
  }

  /**
   * Claims the oldest due entry (queued and past its back-off, or one whose lease expired) for `leaseMs`. On
   * PostgreSQL `FOR UPDATE SKIP LOCKED` lets several workers and replicas share the queue.
   */
  async claim(owner: string, leaseMs: number): Promise<QueueItem | undefined> {
    const t = now();
    const until = later(leaseMs);
    const lock = this.engine === 'postgres' ? sql`for update skip locked` : sql``;
    const r = await sql<QueueItem>`
      update ingest_queue
         set status = 'processing', attempts = attempts + 1, lease_owner = ${owner}, lease_until = ${until}, updated_at = ${t}
       where id = (select id from ingest_queue
                    where (status = 'queued' and (next_attempt_at is null or next_attempt_at <= ${t}))
                       or (status = 'processing' and lease_until < ${t})
                    order by id limit 1 ${lock})
      returning id, project_id, body, attempts, lease_owner`.execute(this.db);
    return r.rows[0];
  }

  /** Records a failed attempt: back to the queue after an exponential back-off, or `failed` after the last one. */
  async fail(item: QueueItem, error: string, opts: FailureOptions): Promise<void> {
    const attempts = opts.transient ? Math.max(0, item.attempts - 1) : item.attempts;
    const failed = !opts.transient && attempts >= opts.maxAttempts;
    const backoff = opts.transient ? Math.min(opts.baseBackoffMs, 5000) : Math.min(opts.baseBackoffMs * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
    await this.db
      .updateTable('ingest_queue')
      .set({ status: failed ? 'failed' : 'queued', attempts, error, lease_owner: null, lease_until: null, updated_at: now(), next_attempt_at: failed ? null : later(backoff) })
      .where('id', '=', item.id)
      .where('lease_owner', '=', item.lease_owner)
      .execute();
  }

  /**
   * Stores a claimed report as a scan, in one transaction that also marks the entry done. If the lease was
   * lost meanwhile (another worker took over), nothing is committed: exactly one scan per entry.
   */
  async complete(item: QueueItem, report: ScanReport): Promise<number | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const done = await trx
        .updateTable('ingest_queue')
        .set({ status: 'done', body: null, updated_at: now(), lease_until: null, error: null, next_attempt_at: null })
        .where('id', '=', item.id)
        .where('lease_owner', '=', item.lease_owner)
        .where('status', '=', 'processing')
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) !== 1) return undefined;
      const scanId = await this.scans.write(trx, item.project_id, item.id, report);
      await trx.updateTable('ingest_queue').set({ scan_id: scanId }).where('id', '=', item.id).execute();
      return scanId;
    });
  }

  async stats(): Promise<Record<string, number>> {
    const rows = await this.db.selectFrom('ingest_queue').select(['status', (eb) => eb.fn.countAll().as('n')]).groupBy('status').execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  async item(id: number): Promise<Pick<QueueRow, 'id' | 'status' | 'scan_id' | 'error' | 'attempts' | 'next_attempt_at'> | undefined> {
    return this.db.selectFrom('ingest_queue').select(['id', 'status', 'scan_id', 'error', 'attempts', 'next_attempt_at']).where('id', '=', id).executeTakeFirst();
  }

  /** Entries in one state, oldest first; `after` is an entry id (keyset pagination). */
  async list(status: QueueStatus, limit: number, after?: number): Promise<QueueEntryView[]> {
    let q = this.db
      .selectFrom('ingest_queue as q')
      .innerJoin('projects as p', 'p.id', 'q.project_id')
      .select(['q.id', 'q.project_id', 'p.name as project', 'q.status', 'q.attempts', 'q.error', 'q.created_at', 'q.updated_at', 'q.next_attempt_at', 'q.scan_id', 'q.idempotency_key'])
      .where('q.status', '=', status);
    if (after !== undefined) q = q.where('q.id', '>', after);
    return q.orderBy('q.id').limit(limit).execute();
  }

  /** Puts a failed entry back in the queue with fresh attempts; false when there is no failed entry with this id. */
  async retry(id: number): Promise<boolean> {
    const r = await this.db
      .updateTable('ingest_queue')
      .set({ status: 'queued', attempts: 0, next_attempt_at: null, lease_owner: null, lease_until: null, updated_at: now() })
      .where('id', '=', id)
      .where('status', '=', 'failed')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
