import type { FastifyInstance } from 'fastify';
import type { RouteContext } from './context.js';
import { adminSecurity } from './context.js';

/** Admin: the merge-request notes the server answered (or could not), newest first. */
export function mergeRequestRoutes(ctx: RouteContext) {
  return async (app: FastifyInstance): Promise<void> => {
    app.addHook('onRoute', (route) => {
      route.config = { ...route.config, auth: 'admin' };
    });
    app.get(
      '/api/v1/admin/merge-requests',
      {
        schema: {
          summary: 'Merge/pull request scans and what was answered on them (note, commit status), newest first',
          tags: ['notifications'],
          security: adminSecurity,
          querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 } } },
          response: {
            200: {
              type: 'object',
              properties: {
                counts: { type: 'object', additionalProperties: { type: 'integer' } },
                items: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      id: { type: 'integer' },
                      scanId: { type: 'integer' },
                      target: { type: 'string' },
                      ci: { type: 'object', additionalProperties: true },
                      status: { enum: ['queued', 'done', 'skipped', 'dead'] },
                      attempts: { type: 'integer' },
                      outcome: { type: ['string', 'null'] },
                      error: { type: ['string', 'null'] },
                      createdAt: { type: 'string' },
                      doneAt: { type: ['string', 'null'] },
                    },
                  },
                },
              },
            },
          },
        },
      },
      async (req) => {
        const { limit } = req.query as { limit: number };
        const rows = await ctx.store.mergeRequests.jobs(limit);
        return {
          counts: await ctx.store.mergeRequests.counts(),
          items: rows.map((r) => ({ id: r.id, scanId: r.scan_id, target: r.target, ci: JSON.parse(r.ci) as object, status: r.status, attempts: r.attempts, outcome: r.outcome, error: r.error, createdAt: r.created_at, doneAt: r.done_at })),
        };
      },
    );
  };
}
