import type { FastifyBaseLogger } from 'fastify';
import { describeError } from '../core/errors.js';
import { validateParsed } from './ingest/validate.js';
import { PollingWorker } from './polling-worker.js';
import { isStoreUnavailable } from './store/outage.js';
import type { Store } from './store/store.js';
import { randomId } from './store/util.js';

export interface WorkerOptions {
  /** How long a claim is held before another worker may take the entry over (default 60 s). */
  leaseMs?: number;
  /** Poll interval when the queue is empty (default 500 ms). */
  idleMs?: number;
  /** Attempts before an entry is marked failed (default 5). */
  maxAttempts?: number;
  /** Back-off after the first failed attempt, doubled after each further one (default 5 s). */
  retryBaseMs?: number;
  log?: FastifyBaseLogger;
}

/**
 * The in-process ingestion worker: claims queued reports with a lease and stores them as scans. Several
 * workers (in one process or in replicas sharing PostgreSQL) may run at once; each entry yields one scan.
 */
export class IngestWorker extends PollingWorker {
  readonly id = `worker-${process.pid}-${randomId()}`;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;

  constructor(
    private readonly store: Store,
    private readonly opts: WorkerOptions = {},
  ) {
    super(opts.idleMs ?? 500);
    this.leaseMs = opts.leaseMs ?? 60_000;
    this.maxAttempts = opts.maxAttempts ?? 5;
    this.retryBaseMs = opts.retryBaseMs ?? 5000;
  }

  /** Claims and processes one entry; false when there was nothing to claim. */
  async processOne(): Promise<boolean> {
    const item = await this.store.queue.claim(this.id, this.leaseMs);
    if (!item) return false;
    try {
      const parsed = validateParsed(JSON.parse(item.body));
      if (!parsed.ok) throw new Error(`report no longer valid: ${parsed.message} ${parsed.details.join('; ')}`);
      const scanId = await this.store.queue.complete(item, parsed.report);
      if (scanId === undefined) this.opts.log?.warn({ queueId: item.id }, 'lease lost; another worker owns this entry');
      else this.opts.log?.info({ queueId: item.id, scanId, projectId: item.project_id }, 'report stored');
    } catch (e) {
      const transient = isStoreUnavailable(e);
      this.opts.log?.error({ queueId: item.id, attempt: item.attempts, transient, err: describeError(e) }, 'storing a report failed');
      // If the store is down this fails too; the lease then runs out and the entry is claimed again.
      await this.store.queue.fail(item, describeError(e), { maxAttempts: this.maxAttempts, baseBackoffMs: this.retryBaseMs, transient }).catch(() => {});
    }
    return true;
  }

  protected storeUnreachable(e: unknown): void {
    // Queued entries stay queued; the loop waits and tries again.
    this.opts.log?.warn({ err: describeError(e) }, 'ingestion worker cannot reach the store');
  }
}
