import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkAgainstMappings, indexMatchesTemplate, templateMappings } from '../../src/export/mapping-check.js';

/**
 * A local HTTP server that speaks the `_bulk` API the way Elasticsearch does for what the exporter uses:
 * POST /_bulk with an NDJSON body of `index` actions and documents (must end with a newline), a JSON
 * response {took, errors, items: [{index: {_index, _id, _version, result, status, error?}}]}. Documents are
 * held to the index template with `dynamic: strict` (an unmapped or mistyped field is a per-item 400
 * strict_dynamic_mapping_exception / document_parsing_exception), and stored by (_index, _id): re-sending
 * a document replaces it (result "updated"). Faults are scripted per request.
 */
export interface Fault {
  /** Answer the whole request with this status (429, 503, 413, …). */
  status?: number;
  retryAfter?: string;
  /** Per-item status for items whose _id is listed (e.g. 429 or 500). */
  itemStatus?: Record<string, number>;
  /** Drop the connection. */
  hangUp?: boolean;
}

export interface FakeBulk {
  url: string;
  docs: Map<string, Record<string, unknown>>;
  requests: { bodyBytes: number; items: number; status: number }[];
  /** Faults for the next requests, consumed in order. */
  faults: Fault[];
  /** Reject bodies above this many bytes with 413. */
  maxBodyBytes: number;
  /** Wait this long before answering each request (a slow cluster). */
  delayMs: number;
  /** Every `<_index>/<_id>` stored, in order, re-sends included. */
  received: string[];
  close(): Promise<void>;
}

export async function startFakeBulk(template: unknown): Promise<FakeBulk> {
  const mappings = templateMappings(template);
  const state = {
    docs: new Map<string, Record<string, unknown>>(),
    requests: [] as FakeBulk['requests'],
    faults: [] as Fault[],
    maxBodyBytes: 100 * 1024 * 1024,
    delayMs: 0,
    received: [] as string[],
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void new Promise((r) => setTimeout(r, state.delayMs)).then(() => {
      const body = Buffer.concat(chunks);
      const reply = (status: number, json: unknown, headers: Record<string, string> = {}): void => {
        state.requests.push({ bodyBytes: body.length, items: 0, status });
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(json));
      };
      if (req.method !== 'POST' || req.url !== '/_bulk') return reply(404, { error: 'no such endpoint' });
      if (!(req.headers['content-type'] ?? '').startsWith('application/x-ndjson')) return reply(406, { error: 'Content-Type must be application/x-ndjson' });
      const fault = state.faults.shift() ?? {};
      if (fault.hangUp) {
        req.socket.destroy();
        return;
      }
      if (fault.status) return reply(fault.status, { error: { type: 'es_rejected_execution_exception', reason: 'scripted' }, status: fault.status }, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
      if (body.length > state.maxBodyBytes) return reply(413, { error: 'Request Entity Too Large' });
      const text = body.toString('utf8');
      if (!text.endsWith('\n')) return reply(400, { error: { type: 'illegal_argument_exception', reason: 'The bulk request must be terminated by a newline [\\n]' }, status: 400 });
      const lines = text.slice(0, -1).split('\n');
      if (lines.length % 2 !== 0) return reply(400, { error: { type: 'illegal_argument_exception', reason: 'action without a document' }, status: 400 });
      const items: unknown[] = [];
      let errors = false;
      for (let i = 0; i < lines.length; i += 2) {
        let action: { index?: { _index?: string; _id?: string } };
        let doc: Record<string, unknown>;
        try {
          action = JSON.parse(lines[i]!) as typeof action;
          doc = JSON.parse(lines[i + 1]!) as Record<string, unknown>;
        } catch {
          return reply(400, { error: { type: 'x_content_parse_exception', reason: `bad line ${i + 1}` }, status: 400 });
        }
        const meta = action.index;
        if (!meta?._index || !meta._id) return reply(400, { error: { type: 'action_request_validation_exception', reason: 'index action needs _index and _id' }, status: 400 });
        const scripted = fault.itemStatus?.[meta._id];
        const problems = indexMatchesTemplate(meta._index, template) ? checkAgainstMappings(doc, mappings) : [`no template matches index ${meta._index}`];
        let item: Record<string, unknown>;
        if (scripted) {
          item = { _index: meta._index, _id: meta._id, status: scripted, error: { type: scripted === 429 ? 'es_rejected_execution_exception' : 'internal_error', reason: 'scripted' } };
        } else if (problems.length > 0) {
          item = { _index: meta._index, _id: meta._id, status: 400, error: { type: 'strict_dynamic_mapping_exception', reason: problems[0] } };
        } else {
          const key = `${meta._index}/${meta._id}`;
          const existed = state.docs.has(key);
          state.docs.set(key, doc);
          state.received.push(key);
          item = { _index: meta._index, _id: meta._id, _version: 1, result: existed ? 'updated' : 'created', status: existed ? 200 : 201 };
        }
        if (Number(item.status) >= 300) errors = true;
        items.push({ index: item });
      }
      state.requests.push({ bodyBytes: body.length, items: items.length, status: 200 });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ took: 1, errors, items }));
    }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get docs() {
      return state.docs;
    },
    get requests() {
      return state.requests;
    },
    get faults() {
      return state.faults;
    },
    set faults(f: Fault[]) {
      state.faults = f;
    },
    get maxBodyBytes() {
      return state.maxBodyBytes;
    },
    set maxBodyBytes(n: number) {
      state.maxBodyBytes = n;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(n: number) {
      state.delayMs = n;
    },
    get received() {
      return state.received;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
