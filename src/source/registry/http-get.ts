import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import https from 'node:https';

/** Redirects followed by one GET (registries send blob GETs to a storage host or CDN). */
const MAX_REDIRECTS = 10;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * One GET over node:http(s), its body a Node stream of Buffers as they come off the socket. Used for blob bodies:
 * fetch hands them over through web streams, which cost about a fifth of the CPU of a pull here. Redirects are
 * followed; the Authorization header is dropped when one leaves the origin (a storage host rejects or leaks it).
 * `timeoutMs` bounds the wait for the answer and any silence in the body: the request is then destroyed with an
 * error. The caller reads or `resume()`s the body.
 */
export function httpGet(url: string, headers: Record<string, string>, timeoutMs: number): Promise<IncomingMessage> {
  return follow(new URL(url), headers, timeoutMs, 0);
}

async function follow(url: URL, headers: Record<string, string>, timeoutMs: number, redirects: number): Promise<IncomingMessage> {
  const res = await once(url, headers, timeoutMs);
  const location = res.headers.location;
  if (!REDIRECTS.has(res.statusCode ?? 0) || location === undefined) return res;
  res.resume();
  if (redirects >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects from ${url.origin}${url.pathname}`);
  const next = new URL(location, url);
  if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new Error(`redirect to unsupported ${next.protocol} URL`);
  let nextHeaders = headers;
  if (next.origin !== url.origin && 'authorization' in headers) {
    nextHeaders = { ...headers };
    delete nextHeaders.authorization;
  }
  return follow(next, nextHeaders, timeoutMs, redirects + 1);
}

function once(url: URL, headers: Record<string, string>, timeoutMs: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const get = url.protocol === 'https:' ? https.get : http.get;
    const req = get(url, { headers }, resolve);
    req.on('error', reject);
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer from ${url.host} for ${timeoutMs} ms`)));
  });
}
