import type { FastifyInstance, FastifyRequest } from 'fastify';
import { userOf } from '../auth.js';
import type { UserPrincipal } from '../auth.js';
import type { FindingEvent } from '../events/types.js';
import { FINDING_EVENT_KINDS } from '../events/types.js';
import type { RouteContext } from './context.js';
import { errorBody, userSecurity } from './context.js';

const KINDS = FINDING_EVENT_KINDS;

const eventQuery = {
  type: 'object',
  properties: {
    after: { type: 'string', pattern: '^[0-9]{1,15}$', description: 'cursor of the last event handled' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    project: { type: 'string', maxLength: 128 },
    since: { type: 'string', format: 'date-time', description: 'only events at or after this time' },
    kind: { type: 'string', maxLength: 200, description: `comma-separated: ${KINDS.join(', ')}` },
  },
  additionalProperties: false,
} as const;

interface EventQueryString {
  after?: string;
  limit: number;
  project?: string;
  since?: string;
  kind?: string;
}

/** The projects a user may see events of: undefined for an admin (all). */
export async function visibleProjectIds(ctx: RouteContext, u: UserPrincipal): Promise<number[] | undefined> {
  if (u.role === 'admin') return undefined;
  if (u.teamIds.length === 0) return [];
  const rows = await ctx.store.db.selectFrom('projects').select('id').where('team_id', 'in', u.teamIds).execute();
  return rows.map((r) => r.id);
}

async function readEvents(ctx: RouteContext, req: FastifyRequest, q: EventQueryString, after: number | undefined): Promise<FindingEvent[]> {
  const u = userOf(req);
  let projectIds = await visibleProjectIds(ctx, u);
  if (q.project !== undefined) {
    const p = await ctx.store.projects.byName(q.project);
    const id = p?.id ?? -1;
    projectIds = projectIds === undefined ? [id] : projectIds.filter((x) => x === id);
  }
  const kinds = q.kind ? q.kind.split(',').map((k) => k.trim()).filter(Boolean) : undefined;
  return ctx.store.events.list({
    limit: q.limit,
    ...(after !== undefined ? { after } : {}),
    ...(projectIds !== undefined ? { projectIds } : {}),
    ...(q.since !== undefined ? { since: new Date(q.since).toISOString() } : {}),
    ...(kinds ? { kinds } : {}),
  });
}

/** The events outbox: GET /api/v1/events?after=CURSOR (pages in cursor order) and the SSE stream. */
export function eventRoutes(ctx: RouteContext) {
  return async (app: FastifyInstance): Promise<void> => {
    // Open streams end when the server closes.
    let closing = false;
    app.addHook('preClose', async () => {
      closing = true;
    });
    app.get(
      '/api/v1/events',
      {
        schema: {
          summary: 'Finding lifecycle events after a cursor, oldest first (the outbox)',
          tags: ['events'],
          security: userSecurity,
          querystring: eventQuery,
          response: {
            200: { type: 'object', properties: { items: { type: 'array', items: { type: 'object', additionalProperties: true } }, nextCursor: { type: ['string', 'null'] } } },
            400: errorBody,
          },
        },
      },
      async (req) => {
        const q = req.query as EventQueryString;
        const items = await readEvents(ctx, req, q, q.after !== undefined ? Number(q.after) : undefined);
        return { items, nextCursor: items.length > 0 ? items[items.length - 1]!.cursor : (q.after ?? null) };
      },
    );

    app.get(
      '/api/v1/events/stream',
      {
        schema: { summary: 'Server-sent events: each lifecycle event as it is written (resumes from Last-Event-ID or ?after=)', tags: ['events'], security: userSecurity, querystring: eventQuery },
      },
      async (req, reply) => {
        const q = req.query as EventQueryString;
        const last = req.headers['last-event-id'];
        let cursor = typeof last === 'string' && /^[0-9]{1,15}$/.test(last) ? Number(last) : q.after !== undefined ? Number(q.after) : undefined;
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-content-type-options': 'nosniff' });
        res.write(': bulwark events\n\n');
        let open = true;
        req.raw.on('close', () => {
          open = false;
        });
        let idle = 0;
        while (open && !closing) {
          const items = await readEvents(ctx, req, { ...q, limit: 200 }, cursor).catch(() => []);
          for (const e of items) {
            res.write(`id: ${e.cursor}\nevent: finding\ndata: ${JSON.stringify(e)}\n\n`);
            cursor = Number(e.cursor);
          }
          if (items.length === 200) continue;
          await new Promise((r) => setTimeout(r, 500));
          if (++idle % 30 === 0) res.write(': keep-alive\n\n');
        }
        res.end();
      },
    );
  };
}
