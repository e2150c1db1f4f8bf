import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { BulwarkError, describeError } from '../../core/errors.js';
import type { Engine } from './migrations.js';
import { migrateToLatest } from './migrations.js';
import { IdentityRepository } from './identity.js';
import { NotifyRepository } from './notify.js';
import { ProjectRepository } from './projects.js';
import { QueueRepository } from './queue.js';
import { K8sWorkloadRepository } from './k8s-workloads.js';
import { RegistryRepository } from './registries.js';
import { ScanJobRepository } from './scan-jobs.js';
import { ScanRepository } from './scans.js';
import { MonitorRepository } from './monitor.js';
import { MergeRequestRepository } from './merge-requests.js';
import { EventRepository } from '../events/outbox.js';
import { ExportRepository } from './exports.js';
import type { Database } from './types.js';

export type { QueueItem, EnqueueResult } from './queue.js';
export { randomId } from './util.js';

export interface StoreOptions {
  /** postgres://… ; without it, SQLite at `<dataDir>/bulwark.db`. */
  databaseUrl?: string;
  dataDir?: string;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
  /** Told about connection errors the pool recovers from (a terminated backend, a failover). */
  onConnectionError?: (err: Error) => void;
}

/** Which projects a reader may see: all (admin) or those owned by these teams. */
export type Scope = 'all' | { teamIds: number[] };

/** PostgreSQL connections of the server carry this application_name (pg_stat_activity). */
export const PG_APPLICATION_NAME = 'bulwark-server';

/** The store could not be opened: a clear message naming the database, never "a bug". */
export class StoreOpenError extends BulwarkError {
  constructor(where: string, cause: unknown) {
    super('BULWARK_E_IO', `cannot open the store at ${where}: ${describeError(cause)}`, {
      cause,
      hint: 'check --database (postgres://user@host:5432/db: server running, database created, user allowed) or --data-dir (writable)',
    });
  }
}

/** A URL for messages: the password, if any, replaced. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

const SQLITE_FILES = ['bulwark.db', 'bulwark.db-wal', 'bulwark.db-shm'];

/** Data files readable by the server's user only (0600), whatever the umask. */
function restrictSqliteFiles(dataDir: string): void {
  for (const f of SQLITE_FILES) {
    const p = path.join(dataDir, f);
    if (fs.existsSync(p)) fs.chmodSync(p, 0o600);
  }
}

function openSqlite(dataDir: string): Kysely<Database> {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, 'bulwark.db');
  // Create the file 0600 before SQLite opens it; SQLite gives its -wal and -shm files the same mode.
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  fs.chmodSync(file, 0o600);
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
  // FULL: a commit is on disk (WAL fsync'd) before it returns, so an acknowledged upload survives power loss.
  database.pragma('synchronous = FULL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  restrictSqliteFiles(dataDir);
  return new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
}

function openPostgres(opts: StoreOptions & { databaseUrl: string }, report: (err: Error) => void): Kysely<Database> {
  const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10, connectionTimeoutMillis: 5000, application_name: PG_APPLICATION_NAME });
  // Idle clients losing their server: the pool drops them and emits here.
  pool.on('error', report);
  // Checked-out clients too (a backend terminated mid-query, a failover): without a listener the 'error' event
  // would kill the process. The query in flight fails; the pool discards the broken client on release and
  // opens a new connection for the next checkout.
  pool.on('connect', (client) => {
    client.on('error', report);
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * The server's store: one Kysely instance over SQLite or PostgreSQL, with a repository per concern.
 * Reads for the API and the dashboard are in ReadModel (queries.ts).
 */
export class Store {
  readonly identity: IdentityRepository;
  readonly projects: ProjectRepository;
  readonly scans: ScanRepository;
  readonly queue: QueueRepository;
  readonly registries: RegistryRepository;
  readonly scanJobs: ScanJobRepository;
  readonly k8sWorkloads: K8sWorkloadRepository;
  readonly notify: NotifyRepository;
  readonly monitor: MonitorRepository;
  readonly events: EventRepository;
  readonly exports: ExportRepository;
  readonly mergeRequests: MergeRequestRepository;
  /** Told about connection errors the pool recovers from; replaceable once a logger exists. */
  onConnectionError: ((err: Error) => void) | undefined;

  private constructor(
    readonly db: Kysely<Database>,
    readonly engine: Engine,
  ) {
    this.identity = new IdentityRepository(db);
    this.projects = new ProjectRepository(db);
    this.scans = new ScanRepository(db, engine);
    this.queue = new QueueRepository(db, engine, this.scans);
    this.registries = new RegistryRepository(db);
    this.scanJobs = new ScanJobRepository(db, engine);
    this.k8sWorkloads = new K8sWorkloadRepository(db);
    this.notify = new NotifyRepository(db);
    this.monitor = new MonitorRepository(db, engine);
    this.events = new EventRepository(db);
    this.exports = new ExportRepository(db);
    this.mergeRequests = new MergeRequestRepository(db);
  }

  static async open(opts: StoreOptions): Promise<Store> {
    let db: Kysely<Database>;
    let engine: Engine;
    let where: string;
    // Bound once the store exists; until then (migrations) the caller's handler, if any.
    const opened: { store?: Store } = {};
    const report = (err: Error): void => (opened.store?.onConnectionError ?? opts.onConnectionError)?.(err);
    if (opts.databaseUrl !== undefined) {
      if (!/^postgres(ql)?:\/\//.test(opts.databaseUrl)) {
        throw new StoreOpenError(redactUrl(opts.databaseUrl), new Error('unsupported database URL (use postgres://… or omit it for SQLite)'));
      }
      engine = 'postgres';
      where = redactUrl(opts.databaseUrl);
      db = openPostgres({ ...opts, databaseUrl: opts.databaseUrl }, report);
    } else {
      if (!opts.dataDir) throw new StoreOpenError('(no data directory)', new Error('a data directory is needed for the SQLite store'));
      engine = 'sqlite';
      where = path.join(opts.dataDir, 'bulwark.db');
      try {
        db = openSqlite(opts.dataDir);
      } catch (e) {
        throw new StoreOpenError(where, e);
      }
    }
    try {
      await migrateToLatest(db as Kysely<unknown>, engine);
      if (engine === 'sqlite' && opts.dataDir) restrictSqliteFiles(opts.dataDir);
    } catch (e) {
      await db.destroy().catch(() => {});
      throw new StoreOpenError(where, e);
    }
    const store = new Store(db, engine);
    store.onConnectionError = opts.onConnectionError;
    opened.store = store;
    return store;
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }
}
