import { describeError } from '../../core/errors.js';
import type { ScanJob } from '../store/scan-jobs.js';
import type { Store } from '../store/store.js';
import { randomId } from '../store/util.js';
import type { JobRunnerOptions } from './job-runner.js';
import { runScanJob } from './job-runner.js';
import { PollingWorker } from '../polling-worker.js';

export interface JobWorkerOptions extends JobRunnerOptions {
  /** Lease on a claimed job; renewed every third of it while the job runs (default 60 s). */
  leaseMs?: number;
  idleMs?: number;
  /** Attempts before a job is dead (default 5). */
  maxAttempts?: number;
  retryBaseMs?: number;
  /** Told after each job (tests, the CLI's summary). */
  onJob?: (job: ScanJob, outcome: { ok: true; ingestId: number } | { ok: false; error: string; state: 'queued' | 'dead' | 'lost' }) => void;
  /** Called after a report was queued for ingestion (wakes the ingestion worker). */
  onQueued?: () => void;
}

/**
 * Works image scan jobs: claims one with a lease (renewed while it runs, so a long pull is not taken over),
 * runs it, and marks it done, or failed with back-off (dead after the last attempt). A worker that dies
 * mid-job stops renewing; the lease runs out and another worker takes the job again.
 */
export class ScanJobWorker extends PollingWorker {
  readonly id = `scan-worker-${process.pid}-${randomId()}`;
  private readonly leaseMs: number;

  constructor(
    private readonly store: Store,
    private readonly opts: JobWorkerOptions,
  ) {
    super(opts.idleMs ?? 1000);
    this.leaseMs = opts.leaseMs ?? 60_000;
  }

  async processOne(): Promise<boolean> {
    const job = await this.store.scanJobs.claim(this.id, this.leaseMs);
    if (!job) return false;
    const renew = setInterval(() => {
      void this.store.scanJobs.renew(job, this.leaseMs).catch(() => {});
    }, Math.max(200, Math.floor(this.leaseMs / 3)));
    try {
      const ingestId = await runScanJob(this.store, job, this.opts);
      this.opts.onQueued?.();
      const ok = await this.store.scanJobs.complete(job, ingestId);
      this.opts.log.info(`scan job ${job.id} ${job.image}@${job.digest}: report queued as ingest entry ${ingestId}${ok ? '' : ' (lease lost; another worker finished it)'}`);
      this.opts.onJob?.(job, ok ? { ok: true, ingestId } : { ok: false, error: 'lease lost', state: 'lost' });
    } catch (e) {
      const error = describeError(e);
      const state = await this.store.scanJobs.fail(job, error, { maxAttempts: this.opts.maxAttempts ?? 5, baseBackoffMs: this.opts.retryBaseMs ?? 10_000 }).catch(() => 'queued' as const);
      this.opts.log.error(`scan job ${job.id} ${job.image}@${job.digest} attempt ${job.attempts} failed (${state}): ${error}`);
      this.opts.onJob?.(job, { ok: false, error, state });
    } finally {
      clearInterval(renew);
    }
    return true;
  }

  protected storeUnreachable(e: unknown): void {
    this.opts.log.warn(`scan job worker cannot reach the store: ${describeError(e)}`);
  }
}
