import type { FastifyInstance } from 'fastify';
import { VERSION } from '../../version.js';
import type { RouteContext } from './context.js';

/** Liveness and store reachability. Public: it says "unavailable" and nothing about why (that goes to the log). */
export function healthRoutes(ctx: RouteContext) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get(
      '/api/v1/health',
      {
        config: { auth: 'public' },
        schema: {
          summary: 'Liveness and store reachability',
          tags: ['health'],
          security: [],
          response: {
            200: { type: 'object', required: ['status'], properties: { status: { const: 'ok' }, version: { type: 'string' }, store: { type: 'string' }, worker: { type: 'string' } } },
            503: { type: 'object', required: ['status'], properties: { status: { const: 'unavailable' } } },
          },
        },
      },
      async (req, reply) => {
        try {
          await ctx.store.ping();
        } catch (e) {
          req.log.warn({ err: e instanceof Error ? e.message : String(e) }, 'health: store unavailable');
          return reply.code(503).header('retry-after', '5').send({ status: 'unavailable' });
        }
        return { status: 'ok', version: VERSION, store: ctx.store.engine, worker: ctx.worker ? 'running' : 'off' };
      },
    );
  };
}
