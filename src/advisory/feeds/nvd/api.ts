/**
 * Client of the NVD CVE API 2.0 (https://nvd.nist.gov/developers/vulnerabilities, .../start-here):
 * - the API key, when there is one, goes in the `apiKey` request header;
 * - rate limits: 5 requests in a rolling 30-second window without a key, 50 with one; a sliding window keeps
 *   every request inside them;
 * - NVD answers an exceeded limit or an overload with 403, 429 or 503: those are retried with exponential
 *   back-off (or after `Retry-After`), as are network faults; any other error status fails at once, with
 *   the `message` header NVD sends to explain it.
 * Each page is streamed to a temporary file (pages of 2,000 records are tens of MB), never held in memory.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { FetchError, describeError } from '../../../core/errors.js';

export const NVD_API_URL = 'https://services.nvd.nist.gov/rest/json/cves/2.0';
export const RATE_WINDOW_MS = 30_000;
export const RATE_WITHOUT_KEY = 5;
export const RATE_WITH_KEY = 50;

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

/** At most `max` request starts in any rolling window of `windowMs`. */
export class SlidingWindowLimiter {
  private readonly starts: number[] = [];

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly clock: Clock,
  ) {}

  async acquire(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      while (this.starts.length > 0 && this.starts[0]! <= now - this.windowMs) this.starts.shift();
      if (this.starts.length < this.max) {
        this.starts.push(now);
        return;
      }
      await this.clock.sleep(this.starts[0]! + this.windowMs - now);
    }
  }
}

export interface NvdApiOptions {
  baseUrl?: string;
  apiKey?: string;
  /** Folder for the temporary page files. */
  tmpDir: string;
  clock?: Clock;
  /** Tries per request (403/429/503 and network faults are retried). */
  attempts?: number;
  /** First back-off; doubled each retry. NVD asks clients to wait several seconds. */
  backoffMs?: number;
  timeoutMs?: number;
  /** Refuse a page larger than this. */
  maxBytes?: number;
}

const RETRY_STATUS = new Set([403, 429, 503]);

export class NvdApiClient {
  readonly baseUrl: string;
  readonly limiter: SlidingWindowLimiter;
  private readonly clock: Clock;

  constructor(private readonly opts: NvdApiOptions) {
    this.baseUrl = (opts.baseUrl ?? NVD_API_URL).replace(/\/+$/, '');
    this.clock = opts.clock ?? realClock;
    this.limiter = new SlidingWindowLimiter(opts.apiKey ? RATE_WITH_KEY : RATE_WITHOUT_KEY, RATE_WINDOW_MS, this.clock);
  }

  urlFor(params: Record<string, string>): string {
    return `${this.baseUrl}?${new URLSearchParams(params).toString()}`;
  }

  /** Fetches one page into a temporary file and returns its path (the caller removes it). */
  async fetchPage(params: Record<string, string>): Promise<string> {
    const url = this.urlFor(params);
    const attempts = this.opts.attempts ?? 6;
    let backoff = this.opts.backoffMs ?? 6_000;
    let last: FetchError | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      await this.limiter.acquire();
      try {
        return await this.fetchOnce(url);
      } catch (e) {
        last = e instanceof RetryAfter ? e.error : e instanceof FetchError ? e : new FetchError(url, describeError(e), { retryable: true, cause: e });
        if (!last.retryable || attempt === attempts) break;
        await this.clock.sleep(e instanceof RetryAfter && e.ms !== undefined ? e.ms : backoff);
        backoff *= 2;
      }
    }
    throw last ?? new FetchError(url, 'request failed', { retryable: false });
  }

  private async fetchOnce(url: string): Promise<string> {
    const headers: Record<string, string> = { 'user-agent': 'bulwark', accept: 'application/json' };
    if (this.opts.apiKey) headers.apiKey = this.opts.apiKey;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.opts.timeoutMs ?? 300_000);
    try {
      let res: Response;
      try {
        res = await fetch(url, { headers, signal: controller.signal });
      } catch (e) {
        throw new FetchError(url, `request failed: ${describeError((e as { cause?: unknown }).cause ?? e)}`, { retryable: true, cause: e });
      }
      if (!res.ok || !res.body) {
        await res.body?.cancel();
        const why = res.headers.get('message');
        const error = new FetchError(url, `HTTP ${res.status} ${res.statusText}${why ? ` (${why})` : ''}`, {
          status: res.status,
          retryable: RETRY_STATUS.has(res.status),
        });
        const retryAfter = Number(res.headers.get('retry-after'));
        throw new RetryAfter(error, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined);
      }
      fs.mkdirSync(this.opts.tmpDir, { recursive: true });
      const file = path.join(this.opts.tmpDir, `nvd-page-${process.pid}-${crypto.randomBytes(6).toString('hex')}.json`);
      let bytes = 0;
      const max = this.opts.maxBytes ?? 1024 * 1024 * 1024;
      try {
        await pipeline(
          Readable.fromWeb(res.body as WebReadableStream<Uint8Array>),
          async function* (chunks: AsyncIterable<Buffer>) {
            for await (const c of chunks) {
              bytes += c.length;
              if (bytes > max) throw new FetchError(url, `page exceeds ${max} bytes`, { retryable: false });
              yield c;
            }
          },
          fs.createWriteStream(file),
        );
      } catch (e) {
        fs.rmSync(file, { force: true });
        if (e instanceof FetchError) throw e;
        throw new FetchError(url, `download interrupted after ${bytes} bytes: ${describeError(e)}`, { retryable: true, cause: e });
      }
      return file;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A failed response, with how long the server asked us to wait. */
class RetryAfter extends Error {
  constructor(
    readonly error: FetchError,
    readonly ms: number | undefined,
  ) {
    super(error.message);
  }
}

/** NVD's date format for lastModStartDate/lastModEndDate: extended ISO-8601 with an explicit UTC offset. */
export function nvdDate(d: Date): string {
  return d.toISOString().replace('Z', '+00:00');
}
