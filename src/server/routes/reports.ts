import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hashSecret } from '../auth.js';
import { ConflictError, ForbiddenError, InvalidReportError, InvalidRequestError, StoreUnavailableError, TooManyRequestsError, UnsupportedMediaTypeError } from '../errors.js';
import { IMPORT_FORMATS } from '../../import/index.js';
import type { ImportFormat } from '../../import/index.js';
import type { ReportChecker } from '../ingest/checker.js';
import { IdempotencyKeyReusedError } from '../store/queue.js';
import type { RouteContext } from './context.js';
import { errorBody } from './context.js';

const IDEMPOTENCY_KEY_RE = /^[\x21-\x7e]{1,200}$/;
const JSON_TYPE_RE = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;
/** OWASP Dependency-Check writes XML; every other format is JSON. */
const XML_TYPE_RE = /^(application|text)\/xml\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

const accepted = {
  type: 'object',
  required: ['id', 'status', 'replay'],
  properties: {
    id: { type: 'integer', description: 'queue entry' },
    status: { enum: ['queued', 'processing', 'done', 'failed'] },
    scanId: { type: ['integer', 'null'], description: 'set when a replay hits an entry already stored' },
    replay: { type: 'boolean' },
  },
} as const;

const retryAfter = { 'Retry-After': { type: 'integer', description: 'seconds' } };

/**
 * Bounds the uploads in flight, per token and in total, before the body is read: a body is only received
 * and parsed while a slot is held, so memory stays bounded whatever the number of concurrent uploads.
 */
class UploadSlots {
  private readonly perToken = new Map<number, number>();
  private total = 0;
  private readonly held = new WeakSet<FastifyRequest>();

  constructor(
    private readonly maxPerToken: number,
    private readonly maxTotal: number,
  ) {}

  acquire(req: FastifyRequest, tokenId: number): void {
    const mine = this.perToken.get(tokenId) ?? 0;
    if (mine >= this.maxPerToken) throw new TooManyRequestsError(`this token already has ${mine} upload(s) in flight; retry when one is answered`, 1);
    if (this.total >= this.maxTotal) throw new TooManyRequestsError('the server is receiving too many uploads; retry shortly', 2);
    this.perToken.set(tokenId, mine + 1);
    this.total++;
    this.held.add(req);
  }

  release(req: FastifyRequest, tokenId: number): void {
    if (!this.held.has(req)) return;
    this.held.delete(req);
    this.total--;
    const mine = (this.perToken.get(tokenId) ?? 1) - 1;
    if (mine <= 0) this.perToken.delete(tokenId);
    else this.perToken.set(tokenId, mine);
  }
}

/** POST /api/v1/reports: a scan report from CI, acknowledged (202) once it is durably queued. */
export function reportRoutes(ctx: RouteContext, checker: ReportChecker) {
  return async (app: FastifyInstance): Promise<void> => {
    const { maxReportBytes } = ctx.limits;
    const slots = new UploadSlots(ctx.limits.uploadsPerToken, ctx.limits.uploadsTotal);
    const tokenOf = (req: FastifyRequest): number => (req.principal?.kind === 'ingest' ? req.principal.tokenId : -1);

    // Reports are kept as received (hashed for replay detection), so this scope reads the body as bytes, and
    // only as application/json or, for Dependency-Check's XML, application/xml (no text/plain or other parsers).
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(['application/json', 'application/xml', 'text/xml'], { parseAs: 'buffer', bodyLimit: maxReportBytes }, (_req, raw, done) => done(null, raw));
    const utf8 = new TextDecoder('utf-8', { fatal: true });

    app.post(
      '/api/v1/reports',
      {
        config: { auth: 'ingest' },
        bodyLimit: maxReportBytes,
        schema: {
          summary: 'Upload a scan report (answers once it is durably queued)',
          description:
            `Body: a Bulwark JSON report (schemas/report.schema.json; unknown properties are accepted), or another scanner's report ` +
            `(${IMPORT_FORMATS.join(', ')}; detected from the content, or named with ?format=), converted to a Bulwark report before it is queued; ` +
            `at most ${maxReportBytes} bytes, Content-Type application/json (application/xml for Dependency-Check XML), no Content-Encoding. A replay with the same Idempotency-Key and body, or the same body for the project, ` +
            'returns the first entry and stores one scan; the same key with another body is refused (409).',
          tags: ['reports'],
          security: [{ ingestToken: [] }],
          headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', maxLength: 200 } } },
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { format: { enum: [...IMPORT_FORMATS], description: "another scanner's report format, when detection should not decide" } },
          },
          response: {
            202: accepted,
            400: { ...errorBody, description: 'Not JSON, neither a valid Bulwark report nor a report Bulwark imports, or a value the store cannot keep; nothing stored' },
            409: { ...errorBody, description: 'Idempotency-Key reused with another body' },
            413: { ...errorBody, description: 'Too large; nothing stored' },
            415: { ...errorBody, description: 'Not application/json (or application/xml), or a Content-Encoding' },
            429: { ...errorBody, description: 'Too many uploads in flight or per minute for this token', headers: retryAfter },
            503: { ...errorBody, description: 'Store unavailable; nothing acknowledged; retry after Retry-After seconds', headers: retryAfter },
          },
        },
        // After authentication (root hook), before the body is read.
        onRequest: async (req) => {
          const type = req.headers['content-type'];
          if (typeof type !== 'string' || !(JSON_TYPE_RE.test(type.trim()) || XML_TYPE_RE.test(type.trim()))) {
            throw new UnsupportedMediaTypeError('a report is sent as Content-Type: application/json (application/xml for a Dependency-Check XML report)');
          }
          const encoding = req.headers['content-encoding'];
          if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') throw new UnsupportedMediaTypeError(`Content-Encoding ${encoding} is not accepted; send the report uncompressed`);
          slots.acquire(req, tokenOf(req));
        },
        onResponse: async (req) => slots.release(req, tokenOf(req)),
        onRequestAbort: async (req) => slots.release(req, tokenOf(req)),
        onError: async (req) => slots.release(req, tokenOf(req)),
      },
      async (req, reply) => {
        const p = req.principal;
        if (p?.kind !== 'ingest') throw new ForbiddenError();
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        let raw: string;
        try {
          raw = utf8.decode(body);
        } catch {
          throw new InvalidReportError('the body is not valid UTF-8');
        }
        const keyHeader = req.headers['idempotency-key'];
        const key = Array.isArray(keyHeader) ? keyHeader[0] : keyHeader;
        if (key !== undefined && !IDEMPOTENCY_KEY_RE.test(key)) throw new InvalidRequestError('Idempotency-Key must be 1-200 printable ASCII characters');
        // Parsed and validated off the event loop (validation threads), so a large body never delays other requests.
        const format = (req.query as { format?: ImportFormat }).format;
        const checked = await checker.check(body, format);
        if (!checked.ok) throw new InvalidReportError(checked.message, checked.details);
        let queued;
        try {
          queued = await ctx.store.queue.enqueue({ projectId: p.projectId, tokenId: p.tokenId, idempotencyKey: key ?? null, bodyHash: hashSecret(raw), body: checked.converted ?? raw });
        } catch (e) {
          if (e instanceof IdempotencyKeyReusedError) throw new ConflictError(`${e.message} (entry ${e.existingId})`);
          // Not committed (or unknown): the client must retry; a retry is deduplicated by key and body hash.
          throw new StoreUnavailableError(e);
        }
        slots.release(req, p.tokenId);
        ctx.worker?.notify();
        return reply.code(202).send({ id: queued.id, status: queued.status, scanId: queued.scanId, replay: queued.replay });
      },
    );
  };
}
