import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import type { Transaction } from 'kysely';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { ScanReport } from '../../core/report.js';
import type { Engine } from './migrations.js';
import { migrateToLatest } from './migrations.js';
import type { Database } from './types.js';
import type { FindingRow, PackageRow } from './rows.js';
import { reportRows } from './rows.js';

export interface StoreOptions {
  /** postgres://… ; without it, SQLite at `<dataDir>/bulwark.db`. */
  databaseUrl?: string;
  dataDir?: string;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
}

/** Which projects a reader may see: all (admin) or those owned by these teams. */
export type Scope = 'all' | { teamIds: number[] };

export interface QueueItem {
  id: number;
  project_id: number;
  body: string;
  attempts: number;
  lease_owner: string;
}

export interface EnqueueResult {
  id: number;
  status: Database['ingest_queue']['status'];
  scanId: number | null;
  /** True when this upload replays one already queued (same key or same body). */
  replay: boolean;
}

const CHUNK = 250;

function now(): string {
  return new Date().toISOString();
}

function chunks<T>(rows: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** The server's store: one typed query layer (Kysely) over SQLite or PostgreSQL. */
export class Store {
  private constructor(
    readonly db: Kysely<Database>,
    readonly engine: Engine,
  ) {}

  static async open(opts: StoreOptions): Promise<Store> {
    let db: Kysely<Database>;
    let engine: Engine;
    if (opts.databaseUrl && /^postgres(ql)?:\/\//.test(opts.databaseUrl)) {
      engine = 'postgres';
      const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10, connectionTimeoutMillis: 5000 });
      // An idle client losing its server must not crash the process; the next query reports it.
      pool.on('error', () => {});
      db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    } else {
      if (opts.databaseUrl) throw new Error(`unsupported database URL ${opts.databaseUrl} (use postgres://… or omit it for SQLite)`);
      if (!opts.dataDir) throw new Error('a data directory is needed for the SQLite store');
      fs.mkdirSync(opts.dataDir, { recursive: true });
      engine = 'sqlite';
      const file = path.join(opts.dataDir, 'bulwark.db');
      const database = new BetterSqlite3(file);
      database.pragma('journal_mode = WAL');
      database.pragma('synchronous = NORMAL');
      database.pragma('busy_timeout = 5000');
      database.pragma('foreign_keys = ON');
      db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
    }
    const store = new Store(db, engine);
    try {
      await migrateToLatest(db as Kysely<unknown>, engine);
    } catch (e) {
      await db.destroy();
      throw e;
    }
    return store;
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  // ---- users, teams, keys, sessions -------------------------------------------------------------

  async createTeam(name: string): Promise<number> {
    const r = await this.db.insertInto('teams').values({ name, created_at: now() }).returning('id').executeTakeFirstOrThrow();
    return r.id;
  }

  async teamByName(name: string): Promise<{ id: number; name: string } | undefined> {
    return this.db.selectFrom('teams').select(['id', 'name']).where('name', '=', name).executeTakeFirst();
  }

  async listTeams(): Promise<{ id: number; name: string; members: number; projects: number }[]> {
    const rows = await this.db
      .selectFrom('teams as t')
      .select((eb) => [
        't.id',
        't.name',
        eb.selectFrom('team_members as m').whereRef('m.team_id', '=', 't.id').select(eb.fn.countAll().as('n')).as('members'),
        eb.selectFrom('projects as p').whereRef('p.team_id', '=', 't.id').select(eb.fn.countAll().as('n')).as('projects'),
      ])
      .orderBy('t.name')
      .execute();
    return rows.map((r) => ({ id: r.id, name: r.name, members: Number(r.members ?? 0), projects: Number(r.projects ?? 0) }));
  }

  async addTeamMember(teamId: number, userId: number): Promise<void> {
    await this.db.insertInto('team_members').values({ team_id: teamId, user_id: userId }).onConflict((oc) => oc.doNothing()).execute();
  }

  async createUser(name: string, role: 'admin' | 'member', keyHash: string): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const u = await trx.insertInto('users').values({ name, role, created_at: now() }).returning('id').executeTakeFirstOrThrow();
      await trx.insertInto('api_keys').values({ user_id: u.id, key_hash: keyHash, created_at: now(), revoked_at: null }).execute();
      return u.id;
    });
  }

  async userByName(name: string): Promise<{ id: number; name: string; role: 'admin' | 'member' } | undefined> {
    return this.db.selectFrom('users').select(['id', 'name', 'role']).where('name', '=', name).executeTakeFirst();
  }

  async listUsers(): Promise<{ id: number; name: string; role: string; teams: string[] }[]> {
    const users = await this.db.selectFrom('users').select(['id', 'name', 'role']).orderBy('name').execute();
    const memberships = await this.db
      .selectFrom('team_members as m')
      .innerJoin('teams as t', 't.id', 'm.team_id')
      .select(['m.user_id', 't.name'])
      .execute();
    return users.map((u) => ({ ...u, teams: memberships.filter((m) => m.user_id === u.id).map((m) => m.name) }));
  }

  async countAdmins(): Promise<number> {
    const r = await this.db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).where('role', '=', 'admin').executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async addApiKey(userId: number, keyHash: string): Promise<void> {
    await this.db.insertInto('api_keys').values({ user_id: userId, key_hash: keyHash, created_at: now(), revoked_at: null }).execute();
  }

  /** The user owning an unrevoked API key, with the teams they belong to. */
  async userByKeyHash(keyHash: string): Promise<{ id: number; name: string; role: 'admin' | 'member'; teamIds: number[] } | undefined> {
    const u = await this.db
      .selectFrom('api_keys as k')
      .innerJoin('users as u', 'u.id', 'k.user_id')
      .select(['u.id', 'u.name', 'u.role'])
      .where('k.key_hash', '=', keyHash)
      .where('k.revoked_at', 'is', null)
      .executeTakeFirst();
    return u ? { ...u, teamIds: await this.teamIdsOf(u.id) } : undefined;
  }

  async userBySessionHash(idHash: string): Promise<{ id: number; name: string; role: 'admin' | 'member'; teamIds: number[] } | undefined> {
    const u = await this.db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select(['u.id', 'u.name', 'u.role'])
      .where('s.id_hash', '=', idHash)
      .where('s.expires_at', '>', now())
      .executeTakeFirst();
    return u ? { ...u, teamIds: await this.teamIdsOf(u.id) } : undefined;
  }

  private async teamIdsOf(userId: number): Promise<number[]> {
    const rows = await this.db.selectFrom('team_members').select('team_id').where('user_id', '=', userId).execute();
    return rows.map((r) => r.team_id);
  }

  async createSession(idHash: string, userId: number, ttlMs: number): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({ id_hash: idHash, user_id: userId, created_at: now(), expires_at: new Date(Date.now() + ttlMs).toISOString() })
      .execute();
    await this.db.deleteFrom('sessions').where('expires_at', '<', now()).execute();
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
  }

  // ---- projects and ingest tokens ---------------------------------------------------------------

  async createProject(name: string, teamId: number | null): Promise<number> {
    const r = await this.db
      .insertInto('projects')
      .values({ name, team_id: teamId, created_at: now(), latest_scan_id: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    return r.id;
  }

  async projectByName(name: string): Promise<{ id: number; name: string; team_id: number | null; latest_scan_id: number | null } | undefined> {
    return this.db.selectFrom('projects').select(['id', 'name', 'team_id', 'latest_scan_id']).where('name', '=', name).executeTakeFirst();
  }

  async createIngestToken(projectId: number, tokenHash: string): Promise<number> {
    const r = await this.db
      .insertInto('ingest_tokens')
      .values({ project_id: projectId, token_hash: tokenHash, created_at: now(), revoked_at: null, last_used_at: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    return r.id;
  }

  async listIngestTokens(projectId: number): Promise<{ id: number; created_at: string; revoked_at: string | null; last_used_at: string | null }[]> {
    return this.db
      .selectFrom('ingest_tokens')
      .select(['id', 'created_at', 'revoked_at', 'last_used_at'])
      .where('project_id', '=', projectId)
      .orderBy('id')
      .execute();
  }

  /** Revokes a token of this project; false when there is no such token. */
  async revokeIngestToken(projectId: number, tokenId: number): Promise<boolean> {
    const r = await this.db
      .updateTable('ingest_tokens')
      .set({ revoked_at: now() })
      .where('id', '=', tokenId)
      .where('project_id', '=', projectId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) > 0) return true;
    const exists = await this.db.selectFrom('ingest_tokens').select('id').where('id', '=', tokenId).where('project_id', '=', projectId).executeTakeFirst();
    return exists !== undefined;
  }

  async ingestTokenByHash(tokenHash: string): Promise<{ id: number; project_id: number } | undefined> {
    return this.db
      .selectFrom('ingest_tokens')
      .select(['id', 'project_id'])
      .where('token_hash', '=', tokenHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
  }

  // ---- the ingestion queue ----------------------------------------------------------------------

  /**
   * Queues a report durably (committed when this resolves). A replay (same Idempotency-Key or same body for
   * the project) returns the existing entry instead of queueing a second one.
   */
  async enqueue(item: { projectId: number; tokenId: number | null; idempotencyKey: string | null; bodyHash: string; body: string }): Promise<EnqueueResult> {
    const findExisting = async (): Promise<EnqueueResult | undefined> => {
      let q = this.db.selectFrom('ingest_queue').select(['id', 'status', 'scan_id']).where('project_id', '=', item.projectId);
      q = item.idempotencyKey
        ? q.where((eb) => eb.or([eb('idempotency_key', '=', item.idempotencyKey), eb('body_hash', '=', item.bodyHash)]))
        : q.where('body_hash', '=', item.bodyHash);
      const r = await q.orderBy('id').executeTakeFirst();
      return r ? { id: r.id, status: r.status, scanId: r.scan_id, replay: true } : undefined;
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
   * Claims the oldest queued entry (or one whose lease expired) for `leaseMs`. On PostgreSQL `FOR UPDATE SKIP
   * LOCKED` lets several workers and replicas share the queue; SQLite serializes writers anyway.
   */
  async claim(owner: string, leaseMs: number): Promise<QueueItem | undefined> {
    const t = now();
    const until = new Date(Date.now() + leaseMs).toISOString();
    const lock = this.engine === 'postgres' ? sql`for update skip locked` : sql``;
    const r = await sql<QueueItem>`
      update ingest_queue
         set status = 'processing', attempts = attempts + 1, lease_owner = ${owner}, lease_until = ${until}, updated_at = ${t}
       where id = (select id from ingest_queue
                    where status = 'queued' or (status = 'processing' and lease_until < ${t})
                    order by id limit 1 ${lock})
      returning id, project_id, body, attempts, lease_owner`.execute(this.db);
    return r.rows[0];
  }

  async failQueueItem(item: QueueItem, error: string, maxAttempts: number): Promise<void> {
    const failed = item.attempts >= maxAttempts;
    await this.db
      .updateTable('ingest_queue')
      .set({ status: failed ? 'failed' : 'queued', error, lease_owner: null, lease_until: null, updated_at: now() })
      .where('id', '=', item.id)
      .where('lease_owner', '=', item.lease_owner)
      .execute();
  }

  async queueStats(): Promise<Record<string, number>> {
    const rows = await this.db.selectFrom('ingest_queue').select(['status', (eb) => eb.fn.countAll().as('n')]).groupBy('status').execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  async queueItem(id: number): Promise<{ id: number; status: string; scan_id: number | null; error: string | null } | undefined> {
    return this.db.selectFrom('ingest_queue').select(['id', 'status', 'scan_id', 'error']).where('id', '=', id).executeTakeFirst();
  }

  /**
   * Stores a claimed report as a scan, in one transaction that also marks the queue entry done. If the
   * lease was lost meanwhile (another worker took over), nothing is committed: exactly one scan per entry.
   */
  async completeQueueItem(item: QueueItem, report: ScanReport): Promise<number | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const done = await trx
        .updateTable('ingest_queue')
        .set({ status: 'done', body: null, updated_at: now(), lease_until: null, error: null })
        .where('id', '=', item.id)
        .where('lease_owner', '=', item.lease_owner)
        .where('status', '=', 'processing')
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) !== 1) return undefined;
      const scanId = await this.writeScan(trx, item.project_id, item.id, report);
      await trx.updateTable('ingest_queue').set({ scan_id: scanId }).where('id', '=', item.id).execute();
      return scanId;
    });
  }

  /** Stores a report as a scan directly (no queue): seeding, benchmarks, imports. */
  async storeReport(projectId: number, report: ScanReport): Promise<number> {
    return this.db.transaction().execute((trx) => this.writeScan(trx, projectId, null, report));
  }

  private async writeScan(trx: Transaction<Database>, projectId: number, queueId: number | null, report: ScanReport): Promise<number> {
    const { findings, packages, summary } = reportRows(report);
    const receivedAt = now();
    const scan = await trx
      .insertInto('scans')
      .values({
        project_id: projectId,
        queue_id: queueId,
        report_created_at: report.createdAt,
        received_at: receivedAt,
        target_kind: report.target.kind,
        target_name: report.target.name,
        tool_version: report.tool.version,
        schema_version: report.schemaVersion,
        gate_passed: report.gate.passed ? 1 : 0,
        gate_fail_on: report.gate.failOn,
        gate_profile: (report.gate as { profile?: string }).profile ?? null,
        gate_reason: report.gate.reason,
        ...summary,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await this.upsertPackages(trx, projectId, scan.id, packages);
    await this.upsertFindings(trx, projectId, scan.id, receivedAt, findings);
    // Scans are numbered in the order they are stored; the newest is the project's current state.
    await trx
      .updateTable('projects')
      .set({ latest_scan_id: scan.id })
      .where('id', '=', projectId)
      .where((eb) => eb.or([eb('latest_scan_id', 'is', null), eb('latest_scan_id', '<', scan.id)]))
      .execute();
    return scan.id;
  }

  private async upsertPackages(trx: Transaction<Database>, projectId: number, scanId: number, packages: PackageRow[]): Promise<void> {
    for (const part of chunks(packages)) {
      await trx
        .insertInto('packages')
        .values(part.map((p) => ({ ...p, project_id: projectId, first_seen_scan_id: scanId, last_seen_scan_id: scanId })))
        .onConflict((oc) =>
          oc.columns(['project_id', 'purl']).doUpdateSet((eb) => ({
            last_seen_scan_id: eb.ref('excluded.last_seen_scan_id'),
            version: eb.ref('excluded.version'),
          })),
        )
        .execute();
    }
  }

  private async upsertFindings(trx: Transaction<Database>, projectId: number, scanId: number, at: string, findings: FindingRow[]): Promise<void> {
    for (const part of chunks(findings)) {
      await trx
        .insertInto('findings')
        .values(
          part.map((f) => ({
            ...f,
            aliases: JSON.stringify(f.aliases),
            project_id: projectId,
            first_seen_at: at,
            last_seen_at: at,
            first_seen_scan_id: scanId,
            last_seen_scan_id: scanId,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['project_id', 'fingerprint']).doUpdateSet((eb) => ({
            last_seen_at: eb.ref('excluded.last_seen_at'),
            last_seen_scan_id: eb.ref('excluded.last_seen_scan_id'),
            aliases: eb.ref('excluded.aliases'),
            severity: eb.ref('excluded.severity'),
            severity_rank: eb.ref('excluded.severity_rank'),
            fixable: eb.ref('excluded.fixable'),
            fixed_version: eb.ref('excluded.fixed_version'),
            fix_state: eb.ref('excluded.fix_state'),
            title: eb.ref('excluded.title'),
            suppressed: eb.ref('excluded.suppressed'),
            suppressed_by: eb.ref('excluded.suppressed_by'),
            dev: eb.ref('excluded.dev'),
          })),
        )
        .execute();
      const aliases = part.flatMap((f) => f.aliases.map((alias) => ({ project_id: projectId, fingerprint: f.fingerprint, alias })));
      for (const a of chunks(aliases, 1000)) await trx.insertInto('finding_aliases').values(a).onConflict((oc) => oc.doNothing()).execute();
    }
  }
}

export function randomId(): string {
  return crypto.randomBytes(8).toString('hex');
}
