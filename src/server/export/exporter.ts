import type { FastifyBaseLogger } from 'fastify';
import { describeError } from '../../core/errors.js';
import type { BulkClient } from '../../export/bulk.js';
import { BulkUnavailableError } from '../../export/bulk.js';
import type { EcsDocument } from '../../export/ecs.js';
import { findingStateDocument, lifecycleEventDocument } from '../../export/lifecycle.js';
import type { ServerDocOptions } from '../../export/lifecycle.js';
import type { CursorStore, ExportBatch, ExportSource, SinkRunResult } from '../../export/sink.js';
import { runSink } from '../../export/sink.js';
import type { Store } from '../store/store.js';

/**
 * The server-side sink (issue 16): the monitoring events outbox, and the current state of the findings the
 * events concern, sent to Elasticsearch/OpenSearch with `_bulk` (src/export/bulk.ts: retries with back-off on
 * 429/5xx, 413 splits) as ECS documents (src/export/lifecycle.ts: deterministic `_id`s, daily indices). The
 * position is the last event id the cluster answered for, kept in the store (`export_cursors`), so a restarted
 * server resumes after it; a batch in flight when the process died is sent again, onto the same `_id`s.
 */
export const EXPORT_CURSOR_NAME = 'elasticsearch';

/** Pages of the outbox after a cursor, each with the documents of its events and of the findings they concern. */
export class OutboxExportSource implements ExportSource {
  /** Set to end the iteration after the batch in flight (shutdown). */
  stopped = false;

  constructor(
    private readonly store: Store,
    private readonly opts: ServerDocOptions & { batchSize: number },
  ) {}

  async *batchesAfter(position: string | undefined): AsyncIterable<ExportBatch> {
    let cursor = position ?? null;
    if (cursor !== null && !/^\d+$/.test(cursor)) throw new Error(`the export cursor (${cursor}) is not an event id; delete the row of export_cursors to export from the start`);
    while (!this.stopped) {
      const events = await this.store.events.after(cursor, this.opts.batchSize);
      const last = events.at(-1);
      if (!last) return;
      const docs = new Map<string, EcsDocument>();
      for (const e of events) {
        const d = lifecycleEventDocument(e, this.opts);
        docs.set(`${d._index}/${d._id}`, d);
      }
      for (const f of await this.store.exports.findingStates(events.map((e) => e.fingerprint))) {
        const d = findingStateDocument(f, this.opts);
        docs.set(`${d._index}/${d._id}`, d);
      }
      yield { position: last.cursor, documents: [...docs.values()] };
      cursor = last.cursor;
      if (events.length < this.opts.batchSize) return;
    }
  }
}

/** The cursor as a row of `export_cursors`. */
export class StoreCursor implements CursorStore {
  constructor(
    private readonly store: Store,
    private readonly name = EXPORT_CURSOR_NAME,
  ) {}
  load(): Promise<string | undefined> {
    return this.store.exports.cursor(this.name);
  }
  save(position: string): Promise<void> {
    return this.store.exports.saveCursor(this.name, position);
  }
}

export interface ExporterOptions extends ServerDocOptions {
  /** Events per batch (default 500). */
  batchSize?: number;
  /** How often the outbox is read when it was drained (default 5 s). */
  intervalMs?: number;
  /** Longest wait between runs while the cluster is unavailable (default 5 min). */
  maxBackoffMs?: number;
  /** Start the loop (default true); tests call runOnce(). */
  background?: boolean;
  log?: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
}

export interface ExporterStatus {
  position: string | undefined;
  stored: number;
  failed: number;
  lastError: string | null;
  lastRunAt: string | null;
}

/** Runs the sink now and then: every `intervalMs`, backing off while the cluster is unavailable. */
export class ServerExporter {
  private readonly source: OutboxExportSource;
  private readonly cursor: StoreCursor;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private current: Promise<SinkRunResult> | undefined;
  readonly status: ExporterStatus = { position: undefined, stored: 0, failed: 0, lastError: null, lastRunAt: null };

  constructor(
    store: Store,
    private readonly client: Pick<BulkClient, 'send'>,
    private readonly opts: ExporterOptions,
  ) {
    this.source = new OutboxExportSource(store, { ...opts, batchSize: opts.batchSize ?? 500 });
    this.cursor = new StoreCursor(store);
  }

  /** One pass: every batch after the stored cursor. Throws BulkUnavailableError when the cluster stays away (the cursor stays before the batch). */
  async runOnce(): Promise<SinkRunResult> {
    if (this.current) return this.current;
    this.current = (async () => {
      const r = await runSink(this.source, this.client, this.cursor);
      this.status.position = r.position;
      this.status.stored += r.stored;
      this.status.failed += r.failed.length;
      this.status.lastRunAt = new Date().toISOString();
      this.status.lastError = null;
      if (r.batches > 0) this.opts.log?.info({ batches: r.batches, stored: r.stored, refused: r.failed.length, cursor: r.position }, 'events exported');
      // Refused for good (mapping errors): retrying cannot help; said once, with the first few.
      for (const f of r.failed.slice(0, 5)) this.opts.log?.error({ index: f.index, id: f.id, status: f.status, reason: f.reason }, 'the cluster refused an exported document');
      return r;
    })().finally(() => {
      this.current = undefined;
    });
    return this.current;
  }

  start(): void {
    if (this.running || this.opts.background === false) return;
    this.running = true;
    this.loop = this.run();
  }

  notify(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.source.stopped = true;
    this.wake?.();
    await this.loop;
    await this.current?.catch(() => {});
  }

  private async run(): Promise<void> {
    const interval = this.opts.intervalMs ?? 5000;
    let wait = interval;
    while (this.running) {
      try {
        await this.runOnce();
        wait = interval;
      } catch (e) {
        this.status.lastError = describeError(e);
        wait = Math.min(Math.max(wait, 1000) * 2, this.opts.maxBackoffMs ?? 300_000);
        if (e instanceof BulkUnavailableError) this.opts.log?.warn({ err: e.message, retryInMs: wait }, 'the export cluster is unavailable; the batch is sent again later');
        else this.opts.log?.error({ err: describeError(e), retryInMs: wait }, 'the export failed');
      }
      if (!this.running) return;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, wait);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}
