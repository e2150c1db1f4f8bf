import fs from 'node:fs';
import crypto from 'node:crypto';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { FetchError, describeError } from '../core/errors.js';
import type { ProgressReporter } from './progress.js';
import { noProgress } from './progress.js';

export interface Validators {
  etag?: string | undefined;
  lastModified?: string | undefined;
}

export type DownloadResult =
  | { status: 'not-modified' }
  | { status: 'missing'; httpStatus: number }
  | { status: 'ok'; path: string; digest: string; bytes: number; etag?: string; lastModified?: string };

export interface DownloadOptions {
  /** Folder for the temporary file (created if missing). */
  tmpDir: string;
  validators?: Validators;
  attempts?: number;
  /** First back-off in ms; doubled each retry. */
  backoffMs?: number;
  timeoutMs?: number;
  progress?: ProgressReporter;
  label?: string;
  /** Refuse bodies larger than this. */
  maxBytes?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function retryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Streams a URL to a temporary file, hashing as it goes. Conditional (ETag / Last-Modified), so an
 * unchanged resource costs one request. Retries network faults, 5xx, 429 and truncated bodies with
 * exponential back-off. A 404 is an answer ("missing"), not a failure.
 */
export async function download(url: string, opts: DownloadOptions): Promise<DownloadResult> {
  const attempts = opts.attempts ?? 4;
  let backoff = opts.backoffMs ?? 500;
  let last: FetchError | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await downloadOnce(url, opts);
    } catch (e) {
      last = e instanceof FetchError ? e : new FetchError(url, describeError(e), { retryable: true, cause: e });
      if (!last.retryable || attempt === attempts) break;
      await sleep(backoff);
      backoff *= 2;
    }
  }
  throw last ?? new FetchError(url, 'download failed', { retryable: false });
}

async function downloadOnce(url: string, opts: DownloadOptions): Promise<DownloadResult> {
  const headers: Record<string, string> = { 'user-agent': 'bulwark' };
  if (opts.validators?.etag) headers['if-none-match'] = opts.validators.etag;
  if (opts.validators?.lastModified) headers['if-modified-since'] = opts.validators.lastModified;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs ?? 120_000);
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: controller.signal, redirect: 'follow' });
  } catch (e) {
    clearTimeout(timer);
    throw new FetchError(url, `request failed: ${describeError((e as { cause?: unknown }).cause ?? e)}`, { retryable: true, cause: e });
  }
  try {
    if (res.status === 304) {
      await res.body?.cancel();
      return { status: 'not-modified' };
    }
    if (res.status === 404 || res.status === 410) {
      await res.body?.cancel();
      return { status: 'missing', httpStatus: res.status };
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw new FetchError(url, `HTTP ${res.status} ${res.statusText}`, { status: res.status, retryable: retryableStatus(res.status) });
    }
    const lengthHeader = res.headers.get('content-length');
    const expected = lengthHeader !== null && res.headers.get('content-encoding') === null ? Number(lengthHeader) : undefined;
    if (expected !== undefined && opts.maxBytes !== undefined && expected > opts.maxBytes) {
      await res.body.cancel();
      throw new FetchError(url, `body of ${expected} bytes exceeds the limit of ${opts.maxBytes}`, { retryable: false });
    }
    fs.mkdirSync(opts.tmpDir, { recursive: true });
    const tmp = path.join(opts.tmpDir, `download-${process.pid}-${crypto.randomBytes(6).toString('hex')}`);
    const hash = crypto.createHash('sha256');
    const task = (opts.progress ?? noProgress).start(opts.label ?? path.basename(new URL(url).pathname), 'bytes', expected);
    let bytes = 0;
    const file = fs.createWriteStream(tmp);
    try {
      const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
      const meter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          bytes += chunk.length;
          if (opts.maxBytes !== undefined && bytes > opts.maxBytes) {
            cb(new FetchError(url, `body exceeds the limit of ${opts.maxBytes} bytes`, { retryable: false }));
            return;
          }
          hash.update(chunk);
          task.update(bytes);
          cb(null, chunk);
        },
      });
      await pipeline(body, meter, file);
    } catch (e) {
      // The file may still be opening when the body fails: remove it once the stream has closed, not before.
      if (!file.closed) await new Promise<void>((resolve) => file.once('close', () => resolve()));
      fs.rmSync(tmp, { force: true });
      if (e instanceof FetchError) throw e;
      throw new FetchError(url, `download interrupted after ${bytes} bytes: ${describeError((e as { cause?: unknown }).cause ?? e)}`, {
        retryable: true,
        cause: e,
      });
    } finally {
      task.stop();
    }
    if (expected !== undefined && bytes !== expected) {
      fs.rmSync(tmp, { force: true });
      throw new FetchError(url, `truncated download: got ${bytes} of ${expected} bytes`, { retryable: true });
    }
    const result: DownloadResult = { status: 'ok', path: tmp, digest: hash.digest('hex'), bytes };
    const etag = res.headers.get('etag');
    const lastModified = res.headers.get('last-modified');
    if (etag) result.etag = etag;
    if (lastModified) result.lastModified = lastModified;
    return result;
  } finally {
    clearTimeout(timer);
  }
}
