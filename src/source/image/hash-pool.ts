import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { workerThreads } from '../../util/lazy.js';

/**
 * Hashes byte ranges of files on a worker thread, so that a layer's digest is computed on another core while the
 * main thread decompresses and walks the same bytes. The worker reads the range itself (from the page cache: the
 * walk reads the same bytes at the same time), so no chunk crosses threads. It is started on first use, never keeps
 * the process alive when idle, and if it fails the range is hashed on the main thread instead.
 */

// Plain CommonJS: an eval'd worker needs no file on disk, so this works from dist/ and from the bundle alike.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const crypto = require('node:crypto');
const buf = Buffer.allocUnsafe(4 << 20);
parentPort.on('message', (m) => {
  let fd;
  try {
    fd = fs.openSync(m.file, 'r');
    const h = crypto.createHash(m.algo);
    let pos = m.start;
    let left = m.length;
    while (left > 0) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, left), pos);
      if (n === 0) break;
      h.update(n === buf.length ? buf : buf.subarray(0, n));
      pos += n;
      left -= n;
    }
    parentPort.postMessage({ id: m.id, digest: m.algo + ':' + h.digest('hex'), bytes: m.length - left });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String((e && e.message) || e) });
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
});
`;

export interface RangeDigest {
  /** `<algo>:<hex>` of the bytes read. */
  digest: string;
  /** Bytes actually read (less than asked when the file is shorter). */
  bytes: number;
}

interface Job {
  resolve: (d: RangeDigest) => void;
  reject: (e: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  jobs: Map<number, Job>;
}

/** Hashes a file range on the calling thread (the fallback, and the path for small ranges). */
export async function hashRangeHere(file: string, start: number, length: number, algo: string): Promise<RangeDigest> {
  const h = crypto.createHash(algo);
  let bytes = 0;
  if (length > 0) {
    for await (const chunk of fs.createReadStream(file, { start, end: start + length - 1, highWaterMark: 1 << 20 })) {
      h.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
  }
  return { digest: `${algo}:${h.digest('hex')}`, bytes };
}

class HashPool {
  private readonly workers: PoolWorker[] = [];
  private nextId = 1;
  private broken = false;
  constructor(private readonly size: number) {}

  private spawn(): PoolWorker | undefined {
    if (this.broken) return undefined;
    let worker: Worker;
    try {
      worker = new (workerThreads().Worker)(WORKER_SOURCE, { eval: true });
    } catch {
      this.broken = true;
      return undefined;
    }
    const pw: PoolWorker = { worker, jobs: new Map() };
    worker.unref();
    worker.on('message', (m: { id: number; digest?: string; bytes?: number; error?: string }) => {
      const job = pw.jobs.get(m.id);
      if (!job) return;
      pw.jobs.delete(m.id);
      if (pw.jobs.size === 0) worker.unref();
      if (m.error !== undefined || m.digest === undefined) job.reject(new Error(m.error ?? 'hash worker answered without a digest'));
      else {
        stats.workerJobs++;
        job.resolve({ digest: m.digest, bytes: m.bytes ?? 0 });
      }
    });
    const fail = (e: Error): void => {
      const i = this.workers.indexOf(pw);
      if (i !== -1) this.workers.splice(i, 1);
      for (const job of pw.jobs.values()) job.reject(e);
      pw.jobs.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`hash worker exited with code ${code}`)));
    this.workers.push(pw);
    return pw;
  }

  private pick(): PoolWorker | undefined {
    const idle = this.workers.find((w) => w.jobs.size === 0);
    if (idle) return idle;
    if (this.workers.length < this.size) return this.spawn() ?? this.workers[0];
    return [...this.workers].sort((a, b) => a.jobs.size - b.jobs.size)[0];
  }

  hash(file: string, start: number, length: number, algo: string): Promise<RangeDigest> {
    const pw = this.pick();
    if (!pw) return hashRangeHere(file, start, length, algo);
    const id = this.nextId++;
    return new Promise<RangeDigest>((resolve, reject) => {
      pw.jobs.set(id, { resolve, reject });
      pw.worker.ref(); // a pending job keeps the process alive until its answer
      pw.worker.postMessage({ id, file, start, length, algo });
    }).catch(() => hashRangeHere(file, start, length, algo));
  }
}

let pool: HashPool | undefined;
const stats = { workerJobs: 0 };

/** How many ranges the worker threads have hashed in this process (for tests and benches). */
export function hashPoolStats(): { workerJobs: number } {
  return { ...stats };
}

/** Ranges at least this large are hashed on a worker thread; smaller ones on the calling thread. */
export const OFFLOAD_MIN_BYTES = 8 * 1024 * 1024;

/** Digest of a file range, on a worker thread when it is large enough to be worth it. */
export function hashFileRange(file: string, start: number, length: number, algo: string): Promise<RangeDigest> {
  if (length < OFFLOAD_MIN_BYTES) return hashRangeHere(file, start, length, algo);
  // One worker: starting a Node thread costs tens of ms of CPU; one hashes the layers in turn while the main thread
  // walks them, which keeps two cores busy.
  pool ??= new HashPool(1);
  return pool.hash(file, start, length, algo);
}
