import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fake NVD API saw it. */
export interface NvdApiRequest {
  params: Record<string, string>;
  apiKey: string | undefined;
  /** The test clock's time when the request arrived. */
  at: number;
  status: number;
}

export interface NvdApiServer {
  url: string;
  /** The `vulnerabilities[]` items it serves (edit between updates to simulate NVD changing). */
  items: { cve: { id: string; lastModified?: string } & Record<string, unknown> }[];
  requests: NvdApiRequest[];
  /** Statuses to answer the next requests with, before serving normally again ({status, retryAfter?}). */
  failures: { status: number; retryAfter?: number }[];
  /** Answer every request with this status while set. */
  down: number | undefined;
  close(): Promise<void>;
}

const MAX_RANGE_MS = 120 * 24 * 60 * 60 * 1000;

function parseNvdDate(s: string): number {
  // NVD: extended ISO-8601, "2021-08-04T13:00:00.000+01:00"; a record's lastModified has no offset (UTC).
  return Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(s) ? s : `${s}Z`);
}

/**
 * A local HTTP server that speaks the NVD CVE API 2.0 as documented: startIndex/resultsPerPage paging (2,000 at
 * most), lastModStartDate/lastModEndDate (both required, at most 120 days apart; 404 with a `message` header
 * otherwise, as NVD answers), and scripted 403/429/503 answers.
 */
export async function startNvdApi(clock: { now(): number }): Promise<NvdApiServer> {
  const state: Omit<NvdApiServer, 'url' | 'close'> = { items: [], requests: [], failures: [], down: undefined };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const params = Object.fromEntries(url.searchParams.entries());
    const header = req.headers.apikey;
    const record = (status: number): void => {
      state.requests.push({ params, apiKey: typeof header === 'string' ? header : undefined, at: clock.now(), status });
    };
    const fail = (status: number, message?: string, retryAfter?: number): void => {
      record(status);
      const headers: Record<string, string> = {};
      if (message) headers.message = message;
      if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
      res.writeHead(status, headers).end();
    };
    if (state.down !== undefined) return fail(state.down);
    const scripted = state.failures.shift();
    if (scripted) return fail(scripted.status, undefined, scripted.retryAfter);
    const startIndex = Number(params.startIndex ?? '0');
    const perPage = Math.min(Number(params.resultsPerPage ?? '2000'), 2000);
    let items = state.items;
    const { lastModStartDate: from, lastModEndDate: to } = params;
    if (from !== undefined || to !== undefined) {
      if (from === undefined || to === undefined) return fail(404, 'Both lastModStartDate and lastModEndDate are required when either is present');
      const a = parseNvdDate(from);
      const b = parseNvdDate(to);
      if (Number.isNaN(a) || Number.isNaN(b)) return fail(404, 'Invalid date format');
      if (b - a > MAX_RANGE_MS || b < a) return fail(404, 'The lastMod date range must not exceed 120 days');
      items = items.filter((i) => {
        const t = parseNvdDate(i.cve.lastModified ?? '');
        return t >= a && t <= b;
      });
    }
    const page = items.slice(startIndex, startIndex + perPage);
    record(200);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        resultsPerPage: page.length,
        startIndex,
        totalResults: items.length,
        format: 'NVD_CVE',
        version: '2.0',
        timestamp: new Date(clock.now()).toISOString().slice(0, 23),
        vulnerabilities: page,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/rest/json/cves/2.0`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
