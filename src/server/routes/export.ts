import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../errors.js';
import type { ServerExporter } from '../export/exporter.js';
import { EXPORT_CURSOR_NAME } from '../export/exporter.js';
import type { RouteContext } from './context.js';
import { adminSecurity, errorBody } from './context.js';

/** The sink to Elasticsearch/OpenSearch: where it stands in the events outbox (never its URL's credentials or auth). */
export function exportRoutes(ctx: RouteContext, exporter: ServerExporter | undefined) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get(
      '/api/v1/admin/export',
      {
        config: { auth: 'admin' },
        schema: {
          summary: 'Export sink status: the stored cursor (last event id the cluster answered for), the newest event id, documents stored and refused since start, the last error',
          tags: ['monitor'],
          security: adminSecurity,
          response: { 200: { type: 'object', additionalProperties: true }, 404: errorBody },
        },
      },
      async () => {
        if (!exporter) throw new NotFoundError('export sink (start the server with --export-url)');
        const cursor = (await ctx.store.exports.cursor(EXPORT_CURSOR_NAME)) ?? null;
        const newest = await ctx.store.db.selectFrom('events').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
        const { stored, failed, lastError, lastRunAt } = exporter.status;
        return { cursor, newestEvent: newest?.id != null ? String(newest.id) : null, stored, refused: failed, lastError, lastRunAt };
      },
    );
  };
}
