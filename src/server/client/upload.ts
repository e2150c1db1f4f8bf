import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { FetchError } from '../../core/errors.js';

export interface UploadOptions {
  /** Server base URL, e.g. https://bulwark.example.com */
  server: string;
  /** Project ingest token (bwi_…). */
  token: string;
  /** Tries before giving up (default 5). */
  attempts?: number;
  /** When every try failed with a retryable error, save the upload here; it is retried on the next run. */
  spoolDir?: string;
  /** Defaults to the sha256 of the report: retries and replays of one report store one scan. */
  idempotencyKey?: string;
  /** First backoff delay (default 500 ms; doubles per try, with jitter, capped at 30 s). */
  baseDelayMs?: number;
  /** Per-request timeout (default 60 s). */
  timeoutMs?: number;
  /** Called before each wait between tries. */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
  fetch?: typeof fetch;
}

export interface UploadResult {
  status: 'accepted' | 'spooled';
  scanId?: string;
  /** Spooled uploads from earlier runs that went through this time. */
  flushed?: number;
}

interface SpoolEntry {
  version: 1;
  server: string;
  idempotencyKey: string;
  spooledAt: string;
  body: string;
}

const SPOOL_SUFFIX = '.upload.json';

/** JSON reports (Bulwark's and most scanners') as application/json; Dependency-Check's XML as application/xml. */
function contentTypeOf(body: string): string {
  return body.trimStart().startsWith('<') ? 'application/xml' : 'application/json';
}

function endpoint(server: string): string {
  return server.replace(/\/+$/, '') + '/api/v1/reports';
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** One POST; resolves on 202, throws FetchError (retryable or not) otherwise. */
async function postOnce(body: string, key: string, opts: UploadOptions): Promise<{ scanId?: string; retryAfterMs?: number }> {
  const url = endpoint(opts.server);
  const doFetch = opts.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${opts.token}`, 'content-type': contentTypeOf(body), 'idempotency-key': key },
      body,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000),
    });
  } catch (e) {
    throw new FetchError(url, `upload failed: ${e instanceof Error ? e.message : String(e)}`, { retryable: true, cause: e });
  }
  const text = await res.text().catch(() => '');
  if (res.status === 202 || res.status === 200) {
    try {
      const j = JSON.parse(text) as { scanId?: number | null };
      return j.scanId !== undefined && j.scanId !== null ? { scanId: String(j.scanId) } : {};
    } catch {
      return {};
    }
  }
  let message = `HTTP ${res.status}`;
  try {
    const j = JSON.parse(text) as { error?: { code?: string; message?: string; details?: string[] } };
    if (j.error) message += ` ${j.error.code ?? ''}: ${j.error.message ?? ''}${j.error.details ? ` (${j.error.details.slice(0, 3).join('; ')})` : ''}`;
  } catch {
    /* not JSON */
  }
  const retryable = res.status >= 500 || res.status === 429 || res.status === 408;
  const err = new FetchError(url, message, { status: res.status, retryable });
  const ra = Number(res.headers.get('retry-after'));
  if (retryable && Number.isFinite(ra) && ra > 0) (err as FetchError & { retryAfterMs?: number }).retryAfterMs = Math.min(ra, 60) * 1000;
  throw err;
}

/** Tries an upload up to `attempts` times with exponential backoff (honouring Retry-After). */
async function postWithRetry(body: string, key: string, opts: UploadOptions): Promise<{ scanId?: string }> {
  const attempts = Math.max(1, opts.attempts ?? 5);
  const base = opts.baseDelayMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      return await postOnce(body, key, opts);
    } catch (e) {
      const fe = e as FetchError & { retryAfterMs?: number };
      if (!(e instanceof FetchError) || !fe.retryable || attempt >= attempts) throw e;
      const backoff = Math.min(base * 2 ** (attempt - 1), 30_000);
      const delayMs = fe.retryAfterMs ?? Math.round(backoff / 2 + Math.random() * (backoff / 2));
      opts.onRetry?.({ attempt, delayMs, reason: fe.message });
      await sleep(delayMs);
    }
  }
}

function spoolFile(dir: string, key: string): string {
  return path.join(dir, crypto.createHash('sha256').update(key).digest('hex').slice(0, 32) + SPOOL_SUFFIX);
}

function writeSpool(dir: string, entry: SpoolEntry): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = spoolFile(dir, entry.idempotencyKey);
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(entry), { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/**
 * Retries the uploads spooled by earlier runs for this server (one try each; failures stay spooled, a
 * non-retryable refusal moves the entry aside as `.rejected`). Returns how many went through.
 */
export async function flushSpool(opts: UploadOptions & { spoolDir: string }): Promise<{ flushed: number; remaining: number; rejected: number }> {
  let flushed = 0;
  let remaining = 0;
  let rejected = 0;
  let names: string[];
  try {
    names = fs.readdirSync(opts.spoolDir).filter((n) => n.endsWith(SPOOL_SUFFIX)).sort();
  } catch {
    return { flushed, remaining, rejected };
  }
  for (const n of names) {
    const file = path.join(opts.spoolDir, n);
    let entry: SpoolEntry;
    try {
      entry = JSON.parse(fs.readFileSync(file, 'utf8')) as SpoolEntry;
    } catch {
      continue;
    }
    if (entry.server.replace(/\/+$/, '') !== opts.server.replace(/\/+$/, '')) {
      remaining++;
      continue;
    }
    try {
      await postOnce(entry.body, entry.idempotencyKey, opts);
      fs.rmSync(file, { force: true });
      flushed++;
    } catch (e) {
      if (e instanceof FetchError && !e.retryable && e.status !== 401 && e.status !== 403) {
        fs.renameSync(file, file.replace(SPOOL_SUFFIX, '.rejected.json'));
        rejected++;
      } else {
        remaining++;
      }
    }
  }
  return { flushed, remaining, rejected };
}

/**
 * Uploads a JSON report to a Bulwark server (POST /api/v1/reports). Retries transient failures with
 * backoff; after the last try, spools the upload to `spoolDir` (when given) instead of failing, and flushes
 * earlier spooled uploads first. Throws FetchError when the server refuses the report (4xx) or when every
 * try failed and there is no spool directory.
 */
export async function uploadReport(reportJson: string, opts: UploadOptions): Promise<UploadResult> {
  const key = opts.idempotencyKey ?? 'sha256:' + crypto.createHash('sha256').update(reportJson).digest('hex');
  let flushed: number | undefined;
  if (opts.spoolDir) flushed = (await flushSpool({ ...opts, spoolDir: opts.spoolDir })).flushed;
  try {
    const r = await postWithRetry(reportJson, key, opts);
    return { status: 'accepted', ...(r.scanId ? { scanId: r.scanId } : {}), ...(flushed ? { flushed } : {}) };
  } catch (e) {
    if (opts.spoolDir && e instanceof FetchError && e.retryable) {
      writeSpool(opts.spoolDir, { version: 1, server: opts.server, idempotencyKey: key, spooledAt: new Date().toISOString(), body: reportJson });
      return { status: 'spooled', ...(flushed ? { flushed } : {}) };
    }
    throw e;
  }
}
