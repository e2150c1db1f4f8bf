import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { Engine } from './migrations.js';
import type { Database } from './types.js';
import { later, now } from './util.js';

export type ScanJobRow = Selectable<Database['scan_jobs']>;
export type ScanJob = Pick<ScanJobRow, 'id' | 'registry_id' | 'image' | 'repository' | 'digest' | 'project_id' | 'attempts' | 'source'> & { lease_owner: string };

export interface NewScanJob {
  registryId: number | null;
  image: string;
  repository: string;
  digest: string;
  projectId: number;
  source: string;
}

const MAX_BACKOFF_MS = 3600_000;

/**
 * Image scan jobs: one per image and digest (an event seen twice, or a digest under a new tag, is one job).
 * Claimed with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL), retried with exponential back-off, `dead`
 * after the last attempt (the dead-letter state; an admin can requeue).
 */
export class ScanJobRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly engine: Engine,
  ) {}

  /** Queues a job unless one exists for this image and digest; returns it and whether it is new. */
  async enqueue(j: NewScanJob): Promise<{ id: number; created: boolean; status: ScanJobRow['status'] }> {
    const t = now();
    const inserted = await this.db
      .insertInto('scan_jobs')
      .values({
        registry_id: j.registryId,
        image: j.image,
        repository: j.repository,
        digest: j.digest,
        project_id: j.projectId,
        source: j.source,
        status: 'queued',
        attempts: 0,
        lease_owner: null,
        lease_until: null,
        next_attempt_at: null,
        error: null,
        ingest_id: null,
        created_at: t,
        updated_at: t,
      })
      .onConflict((oc) => oc.doNothing())
      .returning(['id', 'status'])
      .executeTakeFirst();
    if (inserted) return { id: inserted.id, created: true, status: inserted.status };
    const existing = await this.db.selectFrom('scan_jobs').select(['id', 'status']).where('image', '=', j.image).where('digest', '=', j.digest).executeTakeFirstOrThrow();
    return { id: existing.id, created: false, status: existing.status };
  }

  async claim(owner: string, leaseMs: number): Promise<ScanJob | undefined> {
    const t = now();
    const until = later(leaseMs);
    const lock = this.engine === 'postgres' ? sql`for update skip locked` : sql``;
    const r = await sql<ScanJob>`
      update scan_jobs
         set status = 'processing', attempts = attempts + 1, lease_owner = ${owner}, lease_until = ${until}, updated_at = ${t}
       where id = (select id from scan_jobs
                    where (status = 'queued' and (next_attempt_at is null or next_attempt_at <= ${t}))
                       or (status = 'processing' and lease_until < ${t})
                    order by id limit 1 ${lock})
      returning id, registry_id, image, repository, digest, project_id, attempts, source, lease_owner`.execute(this.db);
    return r.rows[0];
  }

  /** Extends the lease of a job still held by this owner; false when it was lost. */
  async renew(job: ScanJob, leaseMs: number): Promise<boolean> {
    const r = await this.db
      .updateTable('scan_jobs')
      .set({ lease_until: later(leaseMs), updated_at: now() })
      .where('id', '=', job.id)
      .where('lease_owner', '=', job.lease_owner)
      .where('status', '=', 'processing')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async complete(job: ScanJob, ingestId: number): Promise<boolean> {
    const r = await this.db
      .updateTable('scan_jobs')
      .set({ status: 'done', ingest_id: ingestId, error: null, lease_until: null, next_attempt_at: null, updated_at: now() })
      .where('id', '=', job.id)
      .where('lease_owner', '=', job.lease_owner)
      .where('status', '=', 'processing')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async fail(job: ScanJob, error: string, opts: { maxAttempts: number; baseBackoffMs: number }): Promise<'queued' | 'dead'> {
    const dead = job.attempts >= opts.maxAttempts;
    const backoff = Math.min(opts.baseBackoffMs * 2 ** Math.max(0, job.attempts - 1), MAX_BACKOFF_MS);
    await this.db
      .updateTable('scan_jobs')
      .set({ status: dead ? 'dead' : 'queued', error: error.slice(0, 2000), lease_owner: null, lease_until: null, next_attempt_at: dead ? null : later(backoff), updated_at: now() })
      .where('id', '=', job.id)
      .where('lease_owner', '=', job.lease_owner)
      .execute();
    return dead ? 'dead' : 'queued';
  }

  async requeue(id: number): Promise<boolean> {
    const r = await this.db
      .updateTable('scan_jobs')
      .set({ status: 'queued', attempts: 0, next_attempt_at: null, lease_owner: null, lease_until: null, updated_at: now() })
      .where('id', '=', id)
      .where('status', '=', 'dead')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async byId(id: number): Promise<ScanJobRow | undefined> {
    return this.db.selectFrom('scan_jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(limit = 100, status?: ScanJobRow['status']): Promise<ScanJobRow[]> {
    let q = this.db.selectFrom('scan_jobs').selectAll();
    if (status) q = q.where('status', '=', status);
    return q.orderBy('id').limit(limit).execute();
  }

  async stats(): Promise<Record<string, number>> {
    const rows = await this.db.selectFrom('scan_jobs').select(['status', (eb) => eb.fn.countAll().as('n')]).groupBy('status').execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }
}
