/**
 * Why a delivery attempt failed, and whether trying again can help. A receiver's 429/5xx/network error is
 * retryable (with its Retry-After, when it sends one); 4xx other than 408/429 is permanent and goes straight
 * to the dead-letter list.
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs: number | null = null,
    /** The receiver's HTTP status, when it answered. */
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** Retry-After: delay-seconds or an HTTP-date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  const v = value.trim();
  if (/^[0-9]+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : Math.max(0, t - nowMs);
}

/** Turns a non-2xx answer into a DeliveryError; the body's first 200 characters go into the message. */
export async function failureOf(what: string, res: Response): Promise<DeliveryError> {
  const text = (await res.text().catch(() => '')).slice(0, 200).replace(/\s+/g, ' ');
  const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
  return new DeliveryError(`${what}: HTTP ${res.status}${text ? ` ${text}` : ''}`, retryable, parseRetryAfter(res.headers.get('retry-after')), res.status);
}

/** fetch with a timeout; network errors and timeouts become retryable DeliveryErrors naming the host only. */
export async function send(what: string, url: string, init: RequestInit, timeoutMs = 15_000): Promise<Response> {
  try {
    return await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    let host = '(invalid URL)';
    try {
      host = new URL(url).host;
    } catch {
      // keep the placeholder: the URL may be a secret and is never echoed
    }
    const why = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
    return Promise.reject(new DeliveryError(`${what}: cannot reach ${host}: ${why}`, true));
  }
}
