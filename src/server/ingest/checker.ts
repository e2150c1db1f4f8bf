import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PACKAGE_ROOT } from '../../util/package-root.js';
import type { ImportFormat } from '../../import/index.js';
import type { AcceptOutcome } from './validate.js';
import { acceptReport } from './validate.js';

export type CheckOutcome = AcceptOutcome;

/** Checks uploaded report bodies: in validation threads when the compiled worker is there, else inline. */
export interface ReportChecker {
  readonly mode: 'threads' | 'inline';
  /** `format` forces the format of another scanner's report (otherwise detected from the content). */
  check(body: Buffer, format?: ImportFormat): Promise<CheckOutcome>;
  close(): Promise<void>;
}

/**
 * The compiled worker module. Compiled code (dist/ or the bundle) runs it from dist/, which ships with the
 * package; code run from TypeScript sources (tests) validates inline, since Node cannot start a .ts worker.
 */
export const COMPILED_WORKER = path.join(PACKAGE_ROOT, 'dist/server/ingest/validate-worker.js');

function workerFile(): string | undefined {
  if (!fileURLToPath(import.meta.url).endsWith('.js')) return undefined;
  return fs.existsSync(COMPILED_WORKER) ? COMPILED_WORKER : undefined;
}

class InlineChecker implements ReportChecker {
  readonly mode = 'inline' as const;
  async check(body: Buffer, format?: ImportFormat): Promise<CheckOutcome> {
    return acceptReport(body, format);
  }
  async close(): Promise<void> {}
}

interface Pending {
  resolve: (o: CheckOutcome) => void;
  reject: (e: Error) => void;
}

/** A fixed set of validation threads; a thread that dies is replaced and its checks fail (the upload gets 500, nothing is queued). */
class ThreadChecker implements ReportChecker {
  readonly mode = 'threads' as const;
  private readonly workers: { worker: Worker; pending: Map<number, Pending> }[] = [];
  private next = 0;
  private seq = 0;
  private closing = false;

  constructor(
    private readonly file: string,
    size: number,
  ) {
    for (let i = 0; i < size; i++) this.workers.push(this.spawn());
  }

  private spawn(): { worker: Worker; pending: Map<number, Pending> } {
    const pending = new Map<number, Pending>();
    const worker = new Worker(this.file);
    const slot = { worker, pending };
    worker.on('message', (m: { id: number; outcome: CheckOutcome }) => {
      pending.get(m.id)?.resolve(m.outcome);
      pending.delete(m.id);
    });
    const fail = (e: Error) => {
      for (const p of pending.values()) p.reject(e);
      pending.clear();
      if (this.closing) return;
      const i = this.workers.indexOf(slot);
      if (i >= 0) this.workers[i] = this.spawn();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`validation thread exited (${code})`)));
    worker.unref();
    return slot;
  }

  check(body: Buffer, format?: ImportFormat): Promise<CheckOutcome> {
    const slot = this.workers[this.next++ % this.workers.length]!;
    const id = ++this.seq;
    // A copy the thread owns (the caller keeps its buffer to store the body).
    const copy = new Uint8Array(body.byteLength);
    copy.set(body);
    return new Promise<CheckOutcome>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, body: copy, format }, [copy.buffer]);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}

/** `file` overrides where the compiled worker is (tests run from sources, with the build beside them). */
export function createReportChecker(threads: number, file: string | undefined = threads > 0 ? workerFile() : undefined): ReportChecker {
  return file && threads > 0 ? new ThreadChecker(file, threads) : new InlineChecker();
}
