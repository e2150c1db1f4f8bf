import { DeliveryError, failureOf, send } from '../delivery-error.js';

/** A JSON REST call for the ticket channels: non-2xx becomes a DeliveryError (429/5xx retryable). */
export async function restJson(what: string, url: string, method: string, headers: Record<string, string>, body?: unknown): Promise<unknown> {
  const res = await send(what, url, {
    method,
    headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw await failureOf(`${what} ${method} ${new URL(url).pathname}`, res);
  if (res.status === 204) return null;
  const text = await res.text();
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new DeliveryError(`${what} ${method} ${new URL(url).pathname}: the answer is not JSON`, true);
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
