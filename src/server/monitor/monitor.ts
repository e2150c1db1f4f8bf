import fs from 'node:fs';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { describeError } from '../../core/errors.js';
import type { AdvisoryReader } from '../../advisory/reader.js';
import { AdvisoryDbReader } from '../../advisory/store/reader.js';
import { databasePath, updateDatabase } from '../../advisory/update.js';
import type { FeedOutcome } from '../../advisory/update.js';
import { dayOf } from '../../policy/suppress.js';
import type { RefreshOutcome } from '../store/monitor.js';
import type { Store } from '../store/store.js';
import { randomId } from '../store/util.js';
import { diffAdvisories, readAdvisoryFingerprints } from './advisory-diff.js';
import { appendEvents } from '../events/outbox.js';
import type { StoredEvent } from '../events/outbox.js';
import type { EvaluationContext } from './evaluate.js';
import { evaluateJob } from './evaluate.js';
import { DEFAULT_EXPIRING_WINDOW_MS, emitExpiringExceptions } from './expiring.js';
import { ProfileSet } from './profiles.js';

export interface MonitorOptions {
  /** Where the server's advisory database lives (`<dir>/db/advisories.db`, as `bulwark db`). */
  cacheDir: string;
  /** Mirror URL or directory (`--db-source`); upstream when absent. */
  dbSource?: string;
  /** Ecosystem selectors, as `bulwark db update --ecosystem` (all feeds when absent). */
  dbEcosystems?: string[];
  /** Refresh interval (`--db-refresh`, default 6 h); 0: only on POST /api/v1/admin/db/refresh. */
  dbRefreshMs?: number;
  /** Security-profile repository (`--profile-repo DIR|GIT-URL`). */
  profileRepo?: string;
  /** Profile repository poll interval (default 5 min; 0: only on POST /api/v1/admin/profiles/sync). */
  profilePollMs?: number;
  /** How often suppressions are checked for expiry (default 60 s); expiring exceptions are looked for then too. */
  expiryCheckMs?: number;
  /** An exception expiring within this window emits `exception-expiring` for each finding it suppresses (default 7 days; 0: never). */
  expiringWindowMs?: number;
  /** Jobs leased per batch (default 50). */
  batchSize?: number;
  leaseMs?: number;
  idleMs?: number;
  maxAttempts?: number;
  /** Start the background loops (default true); tests drive the monitor by hand. */
  background?: boolean;
  /**
   * Work re-match jobs in this process (default true). The server's `--rematch-workers 0`: it refreshes,
   * syncs and queues, and `bulwark worker --rematch` processes (any number, any replica) work the jobs.
   */
  workJobs?: boolean;
  /**
   * Only work jobs (`bulwark worker --rematch`): no refresh, no start-up reconciliation, no expiry check, and
   * the profile repository is only read, never turned into jobs. The advisory database in `cacheDir` is the
   * server's (a shared directory), opened as the server swaps new files in; jobs wait while this process's
   * profiles differ from the ones the server last synced.
   */
  jobsOnly?: boolean;
  now?: () => Date;
  log?: FastifyBaseLogger;
}

export interface RefreshReport extends RefreshOutcome {
  rebuilt: boolean;
  feeds: FeedOutcome[];
}

/**
 * Continuous monitoring: the server's advisory database and its refreshes, the profile repository, and the
 * workers that re-match inventories when either changes (jobs leased from the store; resumable after a crash).
 */
export class Monitor {
  readonly id = `monitor-${process.pid}-${randomId()}`;
  readonly profiles: ProfileSet;
  private reader: AdvisoryDbReader | undefined;
  private refreshing: Promise<RefreshReport> | undefined;
  private timers: NodeJS.Timeout[] = [];
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly now: () => Date;
  /** Counters for /admin/monitor and the benchmark. */
  readonly stats = { jobs: 0, events: 0, failed: 0 };

  constructor(
    private readonly store: Store,
    readonly opts: MonitorOptions,
  ) {
    this.profiles = new ProfileSet(opts.profileRepo);
    this.now = opts.now ?? (() => new Date());
  }

  get dbPath(): string {
    return databasePath(this.opts.cacheDir);
  }

  get advisoryReader(): AdvisoryReader | undefined {
    return this.reader;
  }

  /** Opens what exists, reconciles it with the store, and starts the loops. */
  async start(): Promise<void> {
    if (this.opts.jobsOnly) return this.startJobsOnly();
    this.openReader();
    if (this.reader) await this.reconcile().catch((e) => this.opts.log?.error({ err: describeError(e) }, 'advisory reconciliation failed'));
    if (this.opts.profileRepo !== undefined) await this.syncProfiles().catch((e) => this.opts.log?.error({ err: describeError(e) }, 'profile sync failed; keeping the defaults'));
    if (this.opts.background === false) return;
    if (this.opts.workJobs !== false) this.startLoop();
    const every = (ms: number | undefined, fallback: number, fn: () => Promise<unknown>, what: string): void => {
      const interval = ms ?? fallback;
      if (interval <= 0) return;
      const t = setInterval(() => void fn().catch((e) => this.opts.log?.error({ err: describeError(e) }, `${what} failed`)), interval);
      t.unref();
      this.timers.push(t);
    };
    every(this.opts.dbRefreshMs, 6 * 3600_000, () => this.refresh(), 'advisory database refresh');
    if (this.opts.profileRepo !== undefined) every(this.opts.profilePollMs, 5 * 60_000, () => this.syncProfiles(), 'profile sync');
    every(this.opts.expiryCheckMs, 60_000, () => this.checkExpiry().then(() => this.checkExpiring()), 'exception expiry check');
    // No database yet: build one now, in the background (ingestion does not wait for it).
    if (!this.reader && (this.opts.dbRefreshMs ?? 1) > 0) void this.refresh().catch((e) => this.opts.log?.error({ err: describeError(e) }, 'first advisory database build failed'));
  }

  private startLoop(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** `bulwark worker --rematch`: the server's database and the profiles as they are; the job loop only. */
  private async startJobsOnly(): Promise<void> {
    this.openReader();
    if (!this.reader) this.opts.log?.warn({ path: this.dbPath }, 'no advisory database yet; re-match jobs wait until the server builds one');
    if (this.opts.profileRepo !== undefined) {
      try {
        this.profiles.sync();
      } catch (e) {
        this.opts.log?.error({ err: describeError(e) }, 'profile sync failed; re-match jobs wait for the profiles');
      }
    }
    if (this.opts.background !== false) this.startLoop();
  }

  private profileMismatch: string | undefined;

  /**
   * A jobs-only worker decides with the profiles the server last synced (their hash in the store): it syncs
   * again when they differ, and works no job while they still do (the job waits; it is never decided with
   * other exceptions than the server's).
   */
  private async profilesCurrent(): Promise<boolean> {
    if (!this.opts.jobsOnly) return true;
    const stored = await this.store.monitor.getState('profile_hash');
    if (stored === undefined && this.opts.profileRepo === undefined) return true;
    if (stored === this.profiles.hash) return true;
    try {
      this.profiles.sync();
    } catch (e) {
      this.opts.log?.error({ err: describeError(e) }, 'profile sync failed');
    }
    if (stored === this.profiles.hash) return true;
    const pair = `${stored}/${this.profiles.hash}`;
    if (pair !== this.profileMismatch) this.opts.log?.warn({ server: stored ?? null, worker: this.profiles.hash ?? null }, "this worker's profiles differ from the server's; re-match jobs wait");
    this.profileMismatch = pair;
    return false;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.refreshing?.catch(() => {});
    this.reader?.close();
    this.reader = undefined;
  }

  notify(): void {
    this.wake?.();
  }

  /** Which file the reader has open (a refresh swaps a new file in with a rename). */
  private readerFile: string | undefined;

  private fileIdentity(): string | undefined {
    try {
      const st = fs.statSync(this.dbPath);
      return `${st.ino}:${st.mtimeMs}:${st.size}`;
    } catch {
      return undefined;
    }
  }

  private openReader(): void {
    const id = this.fileIdentity();
    if (id === undefined) return;
    const next = AdvisoryDbReader.open(this.dbPath);
    const prev = this.reader;
    this.reader = next;
    this.readerFile = id;
    prev?.close();
  }

  /** Reopens the database when another worker (or process) swapped a newer one in: a job is never matched against an older file than its refresh. */
  private currentReader(): AdvisoryReader | undefined {
    const id = this.fileIdentity();
    if (id !== undefined && id !== this.readerFile) this.openReader();
    return this.reader;
  }

  /** Diffs the live database against the hashes in the store and queues the re-matches it implies. */
  private async reconcile(detail: string | null = null): Promise<RefreshOutcome> {
    const before = await this.store.monitor.advisoryHashes();
    const after = readAdvisoryFingerprints(this.dbPath);
    const changes = diffAdvisories(before, after);
    const outcome = await this.store.monitor.recordRefresh(this.opts.dbSource ?? 'upstream', changes, detail);
    if (outcome.inventories > 0) this.notify();
    return outcome;
  }

  /** Updates the advisory database (one refresh at a time) and queues re-matches for the keys it touched. */
  async refresh(): Promise<RefreshReport> {
    if (this.refreshing) return this.refreshing;
    const run = async (): Promise<RefreshReport> => {
      fs.mkdirSync(this.opts.cacheDir, { recursive: true });
      let result;
      try {
        result = await updateDatabase({
          cacheDir: this.opts.cacheDir,
          ...(this.opts.dbSource !== undefined ? { source: this.opts.dbSource } : {}),
          ...(this.opts.dbEcosystems ? { ecosystems: this.opts.dbEcosystems } : {}),
          now: this.now,
        });
      } catch (e) {
        await this.store.monitor.recordFailedRefresh(this.opts.dbSource ?? 'upstream', describeError(e)).catch(() => {});
        throw e;
      }
      this.openReader();
      const feeds = result.outcomes.filter((o) => o.result !== 'unchanged').map((o) => `${o.feed}:${o.result}`);
      const outcome = await this.reconcile(feeds.length > 0 ? feeds.join(' ') : null);
      this.opts.log?.info({ ...outcome, rebuilt: result.rebuilt }, 'advisory database refreshed');
      return { ...outcome, rebuilt: result.rebuilt, feeds: result.outcomes };
    };
    this.refreshing = run().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** Syncs the profile repository; a changed repository re-decides every inventory (cause `profile`). */
  async syncProfiles(): Promise<{ changed: boolean; hash: string | undefined; jobs: number }> {
    this.profiles.sync();
    const hash = this.profiles.hash;
    if (hash === undefined) return { changed: false, hash, jobs: 0 };
    const stored = await this.store.monitor.getState('profile_hash');
    if (stored === hash) return { changed: false, hash, jobs: 0 };
    const jobs = await this.store.monitor.enqueue('profile', hash.slice(0, 12));
    await this.store.monitor.setState('profile_hash', hash);
    if (jobs > 0) this.notify();
    return { changed: true, hash, jobs };
  }

  /** Queues a re-decision for inventories holding a suppression whose exception has expired. */
  async checkExpiry(): Promise<number> {
    const ids = await this.store.monitor.expiredSuppressions(dayOf(this.now()));
    if (ids.length === 0) return 0;
    const n = await this.store.monitor.enqueue('expiry', null, ids);
    if (n > 0) this.notify();
    return n;
  }

  /** Emits `exception-expiring` for the findings of exceptions that expire within the window (once each). */
  async checkExpiring(): Promise<number> {
    const windowMs = this.opts.expiringWindowMs ?? DEFAULT_EXPIRING_WINDOW_MS;
    if (windowMs <= 0) return 0;
    const n = await emitExpiringExceptions(this.store.db, this.store.engine, this.now(), windowMs);
    this.stats.events += n;
    return n;
  }

  /** Leases one batch and processes it; the number of jobs handled (0: nothing due, or no database yet). */
  async processBatch(): Promise<number> {
    if (!this.currentReader()) return 0;
    if (!(await this.profilesCurrent())) return 0;
    const jobs = await this.store.monitor.claim(this.id, this.opts.leaseMs ?? 120_000, this.opts.batchSize ?? 50);
    // Checked again after the claim: a refresh's jobs are committed after its file is swapped in.
    const reader = this.currentReader();
    if (!reader) return 0;
    if (jobs.length === 0) return 0;
    const context = (outbox?: StoredEvent[]): EvaluationContext => ({
      engine: this.store.engine,
      reader,
      policyFor: (p) => this.profiles.policyFor(p),
      now: this.now(),
      ...(outbox ? { outbox } : {}),
    });
    // The whole batch in one transaction: one commit (one WAL flush) and one outbox insert for up to
    // --rematch-batch jobs, instead of one each; inventories are locked in id order, so two workers' batches
    // never wait on each other in a cycle. A job that fails rolls the batch back; then each job runs on its own,
    // so that one bad job does not hold the others back.
    try {
      const results = await this.store.db.transaction().execute(async (trx) => {
        const outbox: StoredEvent[] = [];
        const ctx = context(outbox);
        const rs = [];
        for (const job of [...jobs].sort((a, b) => a.inventory_id - b.inventory_id || a.id - b.id)) rs.push(await evaluateJob(trx, ctx, job));
        await appendEvents(trx, this.store.engine, outbox);
        return rs;
      });
      for (const r of results) {
        if (r.applied) {
          this.stats.jobs++;
          this.stats.events += r.events;
        }
      }
      return jobs.length;
    } catch (e) {
      if (jobs.length > 1) this.opts.log?.warn({ jobs: jobs.length, err: describeError(e) }, 're-match batch failed; working its jobs one by one');
    }
    for (const job of jobs) {
      try {
        const r = await this.store.db.transaction().execute((trx) => evaluateJob(trx, context(), job));
        if (r.applied) {
          this.stats.jobs++;
          this.stats.events += r.events;
        }
      } catch (e) {
        this.stats.failed++;
        this.opts.log?.error({ jobId: job.id, err: describeError(e) }, 're-match job failed');
        await this.store.monitor.failJob(job, describeError(e), this.opts.maxAttempts ?? 5).catch(() => {});
      }
    }
    return jobs.length;
  }

  /** Processes jobs until none is due; for tests and the benchmark. */
  async drain(): Promise<number> {
    let n = 0;
    for (;;) {
      const k = await this.processBatch();
      if (k === 0) return n;
      n += k;
    }
  }

  private async run(): Promise<void> {
    const idle = this.opts.idleMs ?? 500;
    while (this.running) {
      let worked = 0;
      try {
        worked = await this.processBatch();
      } catch (e) {
        this.opts.log?.warn({ err: describeError(e) }, 'monitor worker cannot reach the store');
      }
      if (worked === 0 && this.running) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, idle);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }
}

/** The default cache directory for a server: `<data-dir>/advisory`. */
export function serverCacheDir(dataDir: string): string {
  return path.join(dataDir, 'advisory');
}
