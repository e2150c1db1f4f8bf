import type { FastifyInstance } from 'fastify';
import { scopeOf, userOf } from '../auth.js';
import { InvalidRequestError } from '../errors.js';
import { decodeCursor } from '../store/queries.js';
import type { RouteContext } from './context.js';
import { pageQuery, userSecurity } from './context.js';
import { findingSchema } from './findings.js';

const hit = {
  type: 'object',
  properties: {
    ...findingSchema.properties,
    project: { type: 'string' },
    ecosystem: { type: 'string' },
    name: { type: 'string' },
    version: { type: 'string' },
    purl: { type: 'string' },
    openFindings: { type: 'integer' },
    worstSeverity: { type: ['string', 'null'] },
  },
} as const;

/** Cross-project search by vulnerability id/alias or by package name. */
export function searchRoutes(ctx: RouteContext) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get(
      '/api/v1/search',
      {
        schema: {
          summary: 'Cross-project search: open findings known by an id or alias (vuln), or projects whose latest inventory has a package (package)',
          tags: ['search'],
          security: userSecurity,
          querystring: { type: 'object', properties: { ...pageQuery, vuln: { type: 'string', maxLength: 1000 }, package: { type: 'string', maxLength: 1000 } } },
          response: {
            200: {
              type: 'object',
              properties: { kind: { enum: ['vuln', 'package'] }, query: { type: 'string' }, items: { type: 'array', items: hit }, total: { type: 'integer' }, nextCursor: { type: ['string', 'null'] } },
            },
          },
        },
      },
      async (req) => {
        const q = req.query as { limit: number; offset: number; cursor?: string; vuln?: string; package?: string };
        const vuln = q.vuln || undefined;
        const pkg = q.package || undefined;
        if ((vuln === undefined) === (pkg === undefined)) throw new InvalidRequestError('pass exactly one of vuln or package');
        const offset = decodeCursor(q.cursor, (v): v is number => Number.isInteger(v)) ?? q.offset;
        const scope = scopeOf(userOf(req));
        if (vuln !== undefined) return { kind: 'vuln', query: vuln, ...(await ctx.read.searchVuln(scope, vuln.trim(), q.limit, offset)) };
        return { kind: 'package', query: pkg, ...(await ctx.read.searchPackage(scope, (pkg ?? '').trim(), q.limit, offset)) };
      },
    );
  };
}
