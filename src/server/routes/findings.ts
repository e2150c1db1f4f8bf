import type { FastifyInstance } from 'fastify';
import { SEVERITIES } from '../../core/severity.js';
import { scopeOf, userOf } from '../auth.js';
import { severityParam } from '../http.js';
import type { RouteContext } from './context.js';
import { errorBody, nameParams, severityList, userSecurity } from './context.js';
import { scanSchema, visibleProject } from './projects.js';

const severityCounts = { type: 'object', properties: Object.fromEntries(SEVERITIES.map((s) => [s, { type: 'integer' }])) } as const;

export const findingSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    aliases: { type: 'array', items: { type: 'string' } },
    package: { type: 'object', properties: { ecosystem: { type: 'string' }, name: { type: 'string' }, version: { type: 'string' }, purl: { type: 'string' }, dev: { type: 'boolean' } } },
    severity: { enum: [...SEVERITIES] },
    fixable: { type: 'boolean' },
    fixedVersion: { type: ['string', 'null'] },
    fixState: { type: 'string' },
    title: { type: ['string', 'null'] },
    suppressed: { type: 'boolean' },
    suppressedBy: { type: ['string', 'null'] },
    status: { enum: ['open', 'resolved'] },
    firstSeenAt: { type: 'string' },
    lastSeenAt: { type: 'string' },
  },
} as const;

const page = (items: object) => ({ type: 'object', properties: { items: { type: 'array', items }, total: { type: 'integer' }, nextCursor: { type: ['string', 'null'] } } }) as const;

/** A project's findings, scan history and trend, and the portfolio totals. */
export function findingRoutes(ctx: RouteContext) {
  return async (app: FastifyInstance): Promise<void> => {
    const { read } = ctx;

    app.get(
      '/api/v1/summary',
      {
        schema: {
          summary: 'Portfolio totals over the latest scan of each visible project',
          tags: ['findings'],
          security: userSecurity,
          response: {
            200: {
              type: 'object',
              properties: { projects: { type: 'integer' }, scanned: { type: 'integer' }, failing: { type: 'integer' }, open: severityCounts, queue: { type: 'object', additionalProperties: { type: 'integer' } } },
            },
          },
        },
      },
      async (req) => read.summary(scopeOf(userOf(req))),
    );

    app.get(
      '/api/v1/projects/:name/findings',
      {
        schema: {
          summary: 'Findings of the project (open: in its latest scan), most severe first',
          tags: ['findings'],
          security: userSecurity,
          params: nameParams,
          querystring: {
            type: 'object',
            properties: {
              limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
              cursor: { type: 'string', maxLength: 200 },
              severity: severityList,
              fixable: { type: 'boolean' },
              suppressed: { type: 'boolean' },
              package: { type: 'string', maxLength: 200, description: 'substring of the package name or purl (% and _ match themselves)' },
              status: { enum: ['open', 'all'], default: 'open' },
            },
          },
          response: { 200: page(findingSchema), 404: errorBody },
        },
      },
      async (req) => {
        const p = await visibleProject(ctx, req);
        const q = req.query as { limit: number; cursor?: string; severity?: string; fixable?: boolean; suppressed?: boolean; package?: string; status: 'open' | 'all' };
        const filter = { severity: severityParam({ severity: q.severity }, 'severity'), fixable: q.fixable, suppressed: q.suppressed, package: q.package || undefined, status: q.status };
        return read.findings(p, filter, q.limit, q.cursor);
      },
    );

    app.get(
      '/api/v1/projects/:name/scans',
      {
        schema: {
          summary: 'Scan history, newest first',
          tags: ['findings'],
          security: userSecurity,
          params: nameParams,
          querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 20 }, cursor: { type: 'string', maxLength: 200 } } },
          response: { 200: page(scanSchema), 404: errorBody },
        },
      },
      async (req) => {
        const p = await visibleProject(ctx, req);
        const q = req.query as { limit: number; cursor?: string };
        return read.scans(p.id, q.limit, q.cursor);
      },
    );

    app.get(
      '/api/v1/projects/:name/trend',
      {
        schema: {
          summary: 'Open findings per severity at each recent scan, oldest first',
          tags: ['findings'],
          security: userSecurity,
          params: nameParams,
          querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } },
          response: {
            200: { type: 'object', properties: { points: { type: 'array', items: { type: 'object', properties: { at: { type: 'string' }, scanId: { type: 'integer' }, open: severityCounts } } } } },
            404: errorBody,
          },
        },
      },
      async (req) => {
        const p = await visibleProject(ctx, req);
        return { points: await read.trend(p.id, (req.query as { limit: number }).limit) };
      },
    );
  };
}
