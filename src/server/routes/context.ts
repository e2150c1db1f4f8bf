import type { FastifyRequest } from 'fastify';
import { SEVERITIES } from '../../core/severity.js';
import type { UserPrincipal } from '../auth.js';
import type { ReadModel } from '../store/queries.js';
import type { Store } from '../store/store.js';
import type { IngestWorker } from '../worker.js';

/** What every route plugin gets: the store, its read model, the worker and the server's limits. */
export interface RouteContext {
  store: Store;
  read: ReadModel;
  worker: IngestWorker | undefined;
  limits: IngestLimits;
  sessionTtlMs: number;
}

export interface IngestLimits {
  /** Largest accepted report body in bytes. */
  maxReportBytes: number;
  /** Uploads one ingest token may have in flight (body being received or validated). */
  uploadsPerToken: number;
  /** Uploads in flight over all tokens. */
  uploadsTotal: number;
}

// ---- shared JSON schemas (validation and the OpenAPI document come from these) ------------------

export const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$';

export const nameParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', pattern: NAME_PATTERN } },
} as const;

export const idParam = { type: 'string', pattern: '^[0-9]{1,15}$' } as const;

export const severityList = { type: 'string', maxLength: 100, description: `comma-separated, case-insensitive: ${SEVERITIES.join(', ')}` } as const;

export const pageQuery = {
  limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  offset: { type: 'integer', minimum: 0, maximum: 10_000_000, default: 0 },
  cursor: { type: 'string', maxLength: 200 },
} as const;

export const errorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'array', items: { type: 'string' } } },
    },
  },
} as const;

type Security = { [scheme: string]: readonly string[] }[];
export const userSecurity: Security = [{ apiKey: [] }, { session: [] }];
export const adminSecurity: Security = [{ apiKey: [] }];

/** Records an admin action in the audit log. */
export async function audit(ctx: RouteContext, who: UserPrincipal, action: string, target: string, details?: Record<string, unknown>): Promise<void> {
  await ctx.store.identity.audit({ actor: who.name, action, target, details });
}

export function paramsOf<T>(req: FastifyRequest): T {
  return req.params as T;
}
