import type { EcsDocument } from './ecs.js';

/**
 * The Elasticsearch/OpenSearch `_bulk` API: NDJSON of action lines (`{"index":{"_index":…,"_id":…}}`) each
 * followed by its document, ending in a newline. `index` (not `create`) so that a re-sent document with the
 * same `_id` replaces the earlier one. The response says per item whether it was stored:
 * `{errors, items: [{index: {_index, _id, status, error?}}]}`.
 */
export function bulkBody(docs: readonly EcsDocument[]): string {
  let out = '';
  for (const d of docs) out += `${JSON.stringify({ index: { _index: d._index, _id: d._id } })}\n${JSON.stringify(d.doc)}\n`;
  return out;
}

/**
 * Documents as NDJSON, one per line, for log shippers (Filebeat, Fluent Bit, Logstash). Each is the document
 * as `_bulk` would store it; its `_id` is `event.id`, its daily index follows from `@timestamp` and `event.dataset`.
 */
export function ndjsonLines(docs: readonly EcsDocument[]): string {
  let out = '';
  for (const d of docs) out += `${JSON.stringify(d.doc)}\n`;
  return out;
}

export interface BulkItemResult {
  _index: string;
  _id: string;
  status: number;
  error?: { type?: string; reason?: string };
}

export interface BulkFailure {
  index: string;
  id: string;
  status: number;
  reason: string;
}

export interface BulkClientOptions {
  /** Base URL of the cluster: https://es.example.com:9200 */
  url: string;
  /** `Authorization` header value ("ApiKey …" or "Basic …"). */
  authorization?: string;
  /** Tries per request (and per retried item), 429/5xx/network faults only. Default 6. */
  maxAttempts?: number;
  /** First back-off delay; doubled each try, with jitter, capped at maxDelayMs. Default 500 ms. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Largest request body; batches are split to stay under it. Default 5 MiB. */
  maxBodyBytes?: number;
  /** Per-request timeout. Default 60 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
}

export interface BulkSendResult {
  /** Documents the cluster stored (status 2xx). */
  stored: number;
  /** Documents the cluster refused for good (mapping errors, 4xx other than 429). */
  failed: BulkFailure[];
  /** Requests sent, retries included. */
  requests: number;
}

/** The cluster stayed unavailable (429/5xx/network) through every try: nothing after this point was stored for sure. */
export class BulkUnavailableError extends Error {
  readonly pending: number;
  constructor(message: string, pending: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BulkUnavailableError';
    this.pending = pending;
  }
}

const retryableStatus = (s: number): boolean => s === 429 || s === 502 || s === 503 || s === 504 || (s >= 500 && s !== 501);

function retryAfterMs(h: string | null): number | undefined {
  if (!h) return undefined;
  const secs = Number(h);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const at = Date.parse(h);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Splits documents into batches whose `_bulk` bodies stay under `maxBytes` (a single larger document goes alone). */
export function batchesOf(docs: readonly EcsDocument[], maxBytes: number): EcsDocument[][] {
  const out: EcsDocument[][] = [];
  let cur: EcsDocument[] = [];
  let size = 0;
  for (const d of docs) {
    const n = Buffer.byteLength(bulkBody([d]));
    if (cur.length > 0 && size + n > maxBytes) {
      out.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(d);
    size += n;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

function parseItems(body: unknown, sent: readonly EcsDocument[]): BulkItemResult[] {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { items?: unknown }).items)) throw new Error('the _bulk response has no items list');
  const items = (body as { items: unknown[] }).items;
  if (items.length !== sent.length) throw new Error(`the _bulk response has ${items.length} items for ${sent.length} documents`);
  return items.map((raw, i) => {
    const entry = typeof raw === 'object' && raw !== null ? (Object.values(raw)[0] as Record<string, unknown> | undefined) : undefined;
    const status = typeof entry?.status === 'number' ? entry.status : 0;
    const error = entry?.error;
    return {
      _index: typeof entry?._index === 'string' ? entry._index : sent[i]!._index,
      _id: typeof entry?._id === 'string' ? entry._id : sent[i]!._id,
      status,
      ...(error !== undefined ? { error: typeof error === 'object' && error !== null ? (error as { type?: string; reason?: string }) : { reason: String(error) } } : {}),
    };
  });
}

/**
 * A `_bulk` client: batches documents, retries whole requests on 429/5xx and network faults and then only
 * the items that failed with 429/5xx, with exponential back-off (Retry-After honoured), splits a batch the
 * cluster refuses as too large (413), and reports items refused for good (400 mapping errors…) instead of
 * retrying them forever. It throws BulkUnavailableError when the cluster stays unavailable, so a caller
 * never takes "not sent" for "sent".
 */
export class BulkClient {
  private readonly opts: Required<Omit<BulkClientOptions, 'authorization' | 'onRetry'>> & Pick<BulkClientOptions, 'authorization' | 'onRetry'>;

  constructor(opts: BulkClientOptions) {
    const url = new URL(opts.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--es-url must be http(s), not ${url.protocol}`);
    this.opts = {
      maxAttempts: 6,
      baseDelayMs: 500,
      maxDelayMs: 30_000,
      maxBodyBytes: 5 * 1024 * 1024,
      timeoutMs: 60_000,
      fetch: globalThis.fetch,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      ...opts,
      url: url.toString().replace(/\/+$/, ''),
    };
  }

  private delay(attempt: number, hinted?: number): number {
    if (hinted !== undefined) return Math.min(hinted, this.opts.maxDelayMs);
    const exp = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(exp / 2 + Math.random() * (exp / 2));
  }

  /** One POST /_bulk; the items, or a retryable/permanent failure of the whole request. */
  private async post(docs: readonly EcsDocument[]): Promise<{ kind: 'items'; items: BulkItemResult[] } | { kind: 'retry'; reason: string; hint?: number } | { kind: 'too-large' }> {
    const headers: Record<string, string> = { 'content-type': 'application/x-ndjson', accept: 'application/json' };
    if (this.opts.authorization) headers.authorization = this.opts.authorization;
    let res: Response;
    try {
      res = await this.opts.fetch(`${this.opts.url}/_bulk`, { method: 'POST', headers, body: bulkBody(docs), signal: AbortSignal.timeout(this.opts.timeoutMs) });
    } catch (e) {
      return { kind: 'retry', reason: `network: ${e instanceof Error ? e.message : String(e)}` };
    }
    const text = await res.text().catch(() => '');
    if (res.status === 413) return { kind: 'too-large' };
    if (retryableStatus(res.status)) {
      const hint = retryAfterMs(res.headers.get('retry-after'));
      return { kind: 'retry', reason: `HTTP ${res.status}`, ...(hint !== undefined ? { hint } : {}) };
    }
    if (!res.ok) throw new Error(`POST ${this.opts.url}/_bulk: HTTP ${res.status}: ${text.slice(0, 300)}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`POST ${this.opts.url}/_bulk: the response is not JSON: ${text.slice(0, 200)}`);
    }
    return { kind: 'items', items: parseItems(body, docs) };
  }

  /** Sends one batch until every item is stored or refused for good. */
  private async sendBatch(batch: readonly EcsDocument[], result: BulkSendResult): Promise<void> {
    let pending = [...batch];
    for (let attempt = 1; pending.length > 0; attempt++) {
      result.requests++;
      const r = await this.post(pending);
      if (r.kind === 'too-large') {
        if (pending.length === 1) {
          result.failed.push({ index: pending[0]!._index, id: pending[0]!._id, status: 413, reason: 'the document alone is larger than the cluster accepts (http.max_content_length)' });
          return;
        }
        const half = Math.ceil(pending.length / 2);
        await this.sendBatch(pending.slice(0, half), result);
        await this.sendBatch(pending.slice(half), result);
        return;
      }
      let reason: string;
      let hint: number | undefined;
      if (r.kind === 'retry') {
        reason = r.reason;
        hint = r.hint;
      } else {
        const again: EcsDocument[] = [];
        r.items.forEach((item, i) => {
          if (item.status >= 200 && item.status < 300) result.stored++;
          else if (retryableStatus(item.status) || item.status === 0) again.push(pending[i]!);
          else result.failed.push({ index: item._index, id: item._id, status: item.status, reason: `${item.error?.type ?? 'error'}: ${item.error?.reason ?? 'no reason given'}` });
        });
        if (again.length === 0) return;
        pending = again;
        reason = `${again.length} item(s) rejected with 429/5xx`;
      }
      if (attempt >= this.opts.maxAttempts) {
        throw new BulkUnavailableError(`POST ${this.opts.url}/_bulk: gave up after ${attempt} tries (${reason}); ${pending.length} document(s) not stored`, pending.length);
      }
      const delayMs = this.delay(attempt, hint);
      this.opts.onRetry?.({ attempt, delayMs, reason });
      await this.opts.sleep(delayMs);
    }
  }

  async send(docs: readonly EcsDocument[]): Promise<BulkSendResult> {
    const result: BulkSendResult = { stored: 0, failed: [], requests: 0 };
    for (const batch of batchesOf(docs, this.opts.maxBodyBytes)) await this.sendBatch(batch, result);
    return result;
  }
}
