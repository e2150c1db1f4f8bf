import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import { packagesScanOf } from '../monitor/inventory.js';
import type { AdvisoryChange } from '../monitor/advisory-diff.js';
import { KEY_SEP } from '../monitor/advisory-diff.js';
import type { Engine } from './migrations.js';
import type { Database } from './types.js';
import { chunks, now } from './util.js';

export type JobRow = Selectable<Database['monitor_jobs']>;

export interface RefreshOutcome {
  refreshId: number;
  added: number;
  modified: number;
  withdrawn: number;
  keys: number;
  /** Current inventories holding at least one touched key: one re-match job each. */
  inventories: number;
}

/** The store side of monitoring: advisory refreshes and their diff, re-match jobs and the monitor's own state. */
export class MonitorRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly engine: Engine,
  ) {}

  async advisoryHashes(): Promise<Map<string, { hash: string; keys: string[] }>> {
    const rows = await this.db.selectFrom('advisory_hashes').selectAll().execute();
    return new Map(rows.map((r) => [`${r.feed_id}\u0000${r.advisory_id}`, { hash: r.hash, keys: JSON.parse(r.keys) as string[] }]));
  }

  /**
   * Records a refresh in one transaction: the touched keys, the new advisory hashes, and one re-match job per
   * current inventory holding a touched key, selected by a join in the database. A crash before the commit
   * leaves the old hashes, so the next refresh (or the start-up reconciliation) finds the same changes again.
   */
  async recordRefresh(source: string, changes: AdvisoryChange[], detail: string | null): Promise<RefreshOutcome> {
    return this.db.transaction().execute(async (trx) => {
      const at = now();
      const count = (c: AdvisoryChange['change']): number => changes.filter((x) => x.change === c).length;
      const keys = new Set<string>();
      for (const c of changes) for (const k of c.keys) keys.add(k);
      const refresh = await trx
        .insertInto('advisory_refreshes')
        .values({ started_at: at, finished_at: at, source, status: 'done', added: count('added'), modified: count('modified'), withdrawn: count('withdrawn'), keys: keys.size, inventories: 0, detail })
        .returning('id')
        .executeTakeFirstOrThrow();
      const refreshId = refresh.id;
      const keyRows = [...keys].map((k) => {
        const i = k.indexOf(KEY_SEP);
        return { refresh_id: refreshId, ecosystem: k.slice(0, i), key_name: k.slice(i + 1) };
      });
      for (const part of chunks(keyRows, 500)) await trx.insertInto('refresh_keys').values(part).execute();
      for (const part of chunks(changes, 300)) {
        const gone = part.filter((c) => c.hash === null);
        for (const c of gone) await trx.deleteFrom('advisory_hashes').where('feed_id', '=', c.feed).where('advisory_id', '=', c.id).execute();
        const live = part.filter((c) => c.hash !== null).map((c) => ({ feed_id: c.feed, advisory_id: c.id, hash: c.hash!, keys: JSON.stringify(c.current) }));
        if (live.length > 0) {
          await trx
            .insertInto('advisory_hashes')
            .values(live)
            .onConflict((oc) => oc.columns(['feed_id', 'advisory_id']).doUpdateSet((eb) => ({ hash: eb.ref('excluded.hash'), keys: eb.ref('excluded.keys') })))
            .execute();
        }
      }
      let inventories = 0;
      if (keyRows.length > 0) {
        const r = await sql`
          insert into monitor_jobs (inventory_id, cause_kind, cause_id, refresh_id, status, attempts, created_at)
          select distinct i.id, 'db-refresh', cast(${String(refreshId)} as text), cast(${refreshId} as integer), 'queued', 0, cast(${at} as text)
            from inventories i
            join scans s on s.id = i.scan_id
            join scan_packages sp on sp.scan_id = ${packagesScanOf('s')}
            join refresh_keys rk on rk.ecosystem = sp.ecosystem and rk.key_name = sp.key_name
           where rk.refresh_id = ${refreshId}`.execute(trx);
        inventories = Number(r.numAffectedRows ?? 0n);
        await trx.updateTable('advisory_refreshes').set({ inventories }).where('id', '=', refreshId).execute();
      }
      return { refreshId, added: count('added'), modified: count('modified'), withdrawn: count('withdrawn'), keys: keys.size, inventories };
    });
  }

  async recordFailedRefresh(source: string, error: string): Promise<void> {
    const at = now();
    await this.db.insertInto('advisory_refreshes').values({ started_at: at, finished_at: at, source, status: 'failed', detail: error }).execute();
  }

  async refreshes(limit: number): Promise<Selectable<Database['advisory_refreshes']>[]> {
    return this.db.selectFrom('advisory_refreshes').selectAll().orderBy('id', 'desc').limit(limit).execute();
  }

  /** Leases up to n due jobs. PostgreSQL: FOR UPDATE SKIP LOCKED, so workers and replicas never take the same job. */
  async claim(owner: string, leaseMs: number, n: number): Promise<JobRow[]> {
    const at = now();
    const until = new Date(Date.now() + leaseMs).toISOString();
    const lock = this.engine === 'postgres' ? sql`for update skip locked` : sql``;
    const r = await sql<JobRow>`
      update monitor_jobs set lease_owner = ${owner}, lease_until = ${until}, attempts = attempts + 1
       where id in (select id from monitor_jobs
                     where status = 'queued' and (lease_until is null or lease_until < ${at})
                     order by id limit cast(${n} as integer) ${lock})
      returning *`.execute(this.db);
    return [...r.rows].sort((a, b) => a.id - b.id);
  }

  async failJob(job: JobRow, error: string, maxAttempts: number): Promise<void> {
    await this.db
      .updateTable('monitor_jobs')
      .set({ error, status: job.attempts >= maxAttempts ? 'failed' : 'queued', lease_owner: null, lease_until: null })
      .where('id', '=', job.id)
      .where('lease_owner', '=', job.lease_owner)
      .execute();
  }

  /** Queues one job per inventory (all of them, or those given) for a cause; skips inventories that already have one queued for it. */
  async enqueue(cause: 'profile' | 'expiry', causeId: string | null, inventoryIds?: number[]): Promise<number> {
    const at = now();
    const only = inventoryIds === undefined ? sql`` : inventoryIds.length === 0 ? sql`and 1 = 0` : sql`and i.id in (${sql.join(inventoryIds)})`;
    const r = await sql`
      insert into monitor_jobs (inventory_id, cause_kind, cause_id, refresh_id, status, attempts, created_at)
      select i.id, cast(${cause} as text), cast(${causeId} as text), cast(null as integer), 'queued', 0, cast(${at} as text)
        from inventories i
       where not exists (select 1 from monitor_jobs j where j.inventory_id = i.id and j.status = 'queued' and j.cause_kind = ${cause}) ${only}`.execute(this.db);
    return Number(r.numAffectedRows ?? 0n);
  }

  /** Inventories holding a suppressed finding whose exception expired before `day` (YYYY-MM-DD). */
  async expiredSuppressions(day: string): Promise<number[]> {
    const rows = await this.db
      .selectFrom('monitor_findings')
      .select('inventory_id')
      .distinct()
      .where('state', '=', 'suppressed')
      .where('suppression_expires', 'is not', null)
      .where('suppression_expires', '<', day)
      .execute();
    return rows.map((r) => r.inventory_id);
  }

  async jobCounts(refreshId?: number): Promise<Record<string, number>> {
    let q = this.db.selectFrom('monitor_jobs').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status');
    if (refreshId !== undefined) q = q.where('refresh_id', '=', refreshId);
    const rows = await q.execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  async getState(key: string): Promise<string | undefined> {
    const r = await this.db.selectFrom('monitor_state').select('value').where('key', '=', key).executeTakeFirst();
    return r?.value;
  }

  async setState(key: string, value: string): Promise<void> {
    await this.db
      .insertInto('monitor_state')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }
}
